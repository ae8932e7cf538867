/**
 * Received messages held for readers, and the read back-pressure of the
 * connection they came on. TTHeader Streaming has no flow control of its own:
 * a connection stops reading while its streams hold more unread bytes than a
 * high-water mark, so that TCP pushes back on the peer, and reads again below
 * a low one.
 */
import type { Socket } from 'node:net';
import { Code, RpcError } from '../errors/index.js';

const HIGH_WATER = 1 << 20;
const LOW_WATER = 1 << 18;

/** The unread bytes of one connection's streams, and the socket paused over them. */
export class ReadPressure {
  /** Unread bytes held by the connection's streams. */
  held = 0;
  private paused = false;

  constructor(private readonly socket: Socket) {}

  add(n: number): void {
    this.held += n;
    if (!this.paused && this.held > HIGH_WATER) {
      this.paused = true;
      this.socket.pause();
    }
  }

  remove(n: number): void {
    this.held -= n;
    if (this.paused && this.held <= LOW_WATER) {
      this.paused = false;
      this.socket.resume();
    }
  }
}

/**
 * One stream's received messages, in order, counted against its connection's
 * {@link ReadPressure}; a message that arrives while the reader waits goes
 * straight to it.
 */
export class ReceiveQueue {
  private items: Uint8Array[] = [];
  private head = 0;
  private waiter: { resolve(m: Uint8Array | undefined): void; reject(e: unknown): void } | undefined;
  /** Set once the stream has a connection (nothing arrives before). */
  pressure: ReadPressure | undefined;

  get empty(): boolean {
    return this.head === this.items.length;
  }

  /** Hands `m` to the waiting reader, or keeps it. */
  deliver(m: Uint8Array): void {
    const w = this.waiter;
    if (w !== undefined) {
      this.waiter = undefined;
      w.resolve(m);
      return;
    }
    this.items.push(m);
    this.pressure?.add(m.length);
  }

  /** The next message to arrive (the queue being empty); one reader at a time. */
  wait(): Promise<Uint8Array | undefined> {
    if (this.waiter !== undefined) return Promise.reject(new RpcError(Code.INTERNAL, 'recv() called while another recv() is pending'));
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** Ends the waiting read: with `err`, or with the end of the stream (undefined). */
  settle(err: unknown): void {
    const w = this.waiter;
    if (w === undefined) return;
    this.waiter = undefined;
    if (err !== undefined) w.reject(err);
    else w.resolve(undefined);
  }

  /** The oldest message (the queue must not be empty). */
  shift(): Uint8Array {
    const m = this.items[this.head]!;
    this.items[this.head++] = undefined as unknown as Uint8Array;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    }
    this.pressure?.remove(m.length);
    return m;
  }

  /** Drops every message (the stream was cut). */
  clear(): void {
    let bytes = 0;
    for (let i = this.head; i < this.items.length; i++) bytes += this.items[i]!.length;
    this.items.length = 0;
    this.head = 0;
    this.pressure?.remove(bytes);
  }
}
