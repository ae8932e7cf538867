/**
 * The outgoing side of one ttstream connection. Frames written during one
 * turn of the event loop (every stream's, headers and payloads alike) are
 * copied into a slab and leave in a single socket write at the end of the
 * turn, as Kitex's writer goroutine batches its frame queue: many small frames
 * cost one system call. Large payloads are not copied: what is gathered goes
 * first, then the payload as its own write.
 */
import type { Socket } from 'node:net';
import type { FrameType } from './frame.js';
import { writeFrameHead } from './frame.js';

const SLAB_BYTES = 64 * 1024;
/** Payloads from this size on are written as they are instead of being copied into the slab. */
const COPY_LIMIT = 16 * 1024;

/** Batches one socket's frames (see the module comment). */
export class BatchWriter {
  private slab: Buffer = Buffer.allocUnsafe(0);
  /** Start of the bytes not yet handed to the socket. */
  private start = 0;
  /** End of them. */
  private used = 0;
  private scheduled = false;
  private drainWaiters: Array<() => void> = [];
  private closed = false;

  constructor(private readonly socket: Socket) {
    socket.on('drain', () => this.drained());
  }

  /**
   * True while the socket holds more than it wants, or more than that is gathered for it:
   * senders should wait for {@link drain}.
   */
  get congested(): boolean {
    return this.socket.writableNeedDrain || this.used - this.start > this.socket.writableHighWaterMark;
  }

  /** Resolves when the socket can take more: after its 'drain', or after a flush it took whole (at once when not congested or closed). */
  drain(): Promise<void> {
    if (this.closed || !this.congested) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /**
   * Queues a frame made from a method's prefix (see framePrefix) and a
   * payload. With `transient`, the payload's memory is reused once this
   * returns: a large one is copied before the socket holds on to it.
   */
  frame(prefix: Uint8Array, type: FrameType, sid: number, payload: Uint8Array | undefined, transient = false): void {
    if (this.closed) return;
    const plen = payload === undefined ? 0 : payload.length;
    const copy = plen < COPY_LIMIT;
    const at = this.reserve(prefix.length + (copy ? plen : 0));
    const p = writeFrameHead(this.slab, at, prefix, type, sid, plen);
    if (plen === 0) return;
    if (copy) {
      this.slab.set(payload!, p);
      return;
    }
    this.flush();
    this.socket.write(transient ? payload!.slice() : payload!);
  }

  /** Queues a whole frame encoded with stream id 0 (a Header frame), as stream `sid`'s. */
  head(frame: Uint8Array, sid: number): void {
    if (this.closed) return;
    const at = this.reserve(frame.length);
    const s = this.slab;
    s.set(frame, at);
    s[at + 8] = sid >>> 24;
    s[at + 9] = (sid >>> 16) & 0xff;
    s[at + 10] = (sid >>> 8) & 0xff;
    s[at + 11] = sid & 0xff;
  }

  /** Queues bytes already encoded (a frame head with string info, and its payload). */
  bytes(head: Uint8Array, payload?: Uint8Array): void {
    if (this.closed) return;
    const at = this.reserve(head.length + (payload?.length ?? 0));
    this.slab.set(head, at);
    if (payload !== undefined) this.slab.set(payload, at + head.length);
  }

  /** Hands what is gathered to the socket now. */
  flush(): void {
    if (this.used === this.start || this.closed) return;
    this.socket.write(this.slab.subarray(this.start, this.used));
    this.start = this.used;
    // The socket took it without wanting a drain (node writes at once when it can, and then
    // emits no 'drain'): senders waiting for this flush go on now.
    if (this.drainWaiters.length > 0 && !this.socket.writableNeedDrain) this.drained();
  }

  /** Stops writing; pending senders are released (their streams fail by other means). */
  close(): void {
    this.closed = true;
    this.start = this.used = 0;
    this.slab = Buffer.allocUnsafe(0);
    this.drained();
  }

  /** Room for `n` bytes in the slab; returns their offset and schedules the flush. */
  private reserve(n: number): number {
    if (this.used + n > this.slab.length) {
      this.flush();
      // the socket may still hold the old slab's bytes: they are never written over
      this.slab = Buffer.allocUnsafe(Math.max(SLAB_BYTES, n));
      this.start = this.used = 0;
    }
    const at = this.used;
    this.used += n;
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(flushAtEndOfTurn, this);
    }
    return at;
  }

  /** @internal */
  endOfTurn(): void {
    this.scheduled = false;
    this.flush();
  }

  private drained(): void {
    if (this.drainWaiters.length === 0) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}

function flushAtEndOfTurn(w: BatchWriter): void {
  w.endOfTurn();
}
