/**
 * One TCP connection carrying one outstanding request at a time (what Kitex
 * servers expect on a ping-pong connection). Cuts replies out of the byte
 * stream with a {@link FrameDecoder}; any error, unexpected byte or close marks
 * it broken for good, and the pool drops it.
 */
import * as net from 'node:net';
import { RpcError, Code } from '../errors/index.js';
import { FrameDecoder, type Delimiting } from './frame-decoder.js';
import { unavailable, protocolError } from '../frame/errors.js';

/** Options for {@link connect}. */
export interface ConnectOptions {
  host: string;
  port: number;
  connectTimeoutMs: number;
  delimiting: Delimiting;
  maxFrameBytes: number;
  /** Called with each socket once it is connected (for `onConnect` listeners). */
  onConnect?: (socket: net.Socket) => void;
}

/** Receives the outcome of one request on a {@link Connection}. */
export interface ReplyWaiter {
  /** The reply frame; its bytes are never reused. */
  onFrame(frame: Uint8Array): void;
  /** The connection broke before a reply came. */
  onError(err: RpcError): void;
}

/** A oneway write has no reply: any frame while it is pending is a protocol violation. */
class OnewayWaiter implements ReplyWaiter {
  constructor(readonly onError: (err: RpcError) => void) {}
  onFrame(): void {}
}

/** A ping-pong connection. */
export class Connection {
  /** Set once the connection must never be used again. */
  broken = false;
  private seq = 0;
  private pending: ReplyWaiter | undefined;
  private readonly decoder: FrameDecoder;
  /** Called once when the connection becomes broken (the pool forgets it). */
  onBroken: ((c: Connection) => void) | undefined;
  /** Idle timer owned by the pool. */
  idleTimer: NodeJS.Timeout | undefined;
  /** When the pool last put it back (ms since the epoch); -1 while lent out. */
  idleSince = -1;
  /** Whether the socket keeps the event loop alive (the pool lets go of idle ones lazily). */
  referenced = true;

  constructor(readonly socket: net.Socket, readonly address: string, delimiting: Delimiting, maxFrameBytes: number) {
    this.decoder = new FrameDecoder(delimiting, maxFrameBytes);
    socket.setNoDelay(true);
    socket.on('error', (err) => this.fail(unavailable(`connection to ${address} failed: ${err.message}`, err)));
    socket.on('close', () => {
      const mid = this.decoder.pending > 0;
      this.fail(unavailable(mid ? `connection to ${address} closed mid-reply` : `connection to ${address} closed by the peer`));
    });
  }

  /** Next sequence id on this connection (1, 2, …, wrapping within i32). */
  nextSeqId(): number {
    this.seq = this.seq >= 0x7fffffff ? 1 : this.seq + 1;
    return this.seq;
  }

  /** True while a request waits for its reply. */
  get busy(): boolean {
    return this.pending !== undefined;
  }

  /**
   * Writes a request; the next whole frame from the peer goes to `waiter.onFrame`,
   * a failure before it to `waiter.onError` (at once if the connection is unusable).
   */
  request(bytes: Uint8Array, waiter: ReplyWaiter): void {
    if (this.broken) return waiter.onError(unavailable(`connection to ${this.address} is closed`));
    if (this.pending) return waiter.onError(new RpcError(Code.INTERNAL, 'connection already has a request in flight'));
    this.pending = waiter;
    this.socket.write(bytes);
  }

  /** Writes a oneway message; resolves once it has been handed to the kernel. */
  send(bytes: Uint8Array): Promise<void> {
    if (this.broken) return Promise.reject(unavailable(`connection to ${this.address} is closed`));
    if (this.pending) return Promise.reject(new RpcError(Code.INTERNAL, 'connection already has a request in flight'));
    return new Promise<void>((resolve, reject) => {
      const p = new OnewayWaiter(reject);
      this.pending = p;
      this.socket.write(bytes, (err) => {
        if (this.pending !== p) return; // already failed
        if (err) {
          this.fail(unavailable(`write to ${this.address} failed: ${err.message}`, err));
        } else {
          this.pending = undefined;
          resolve();
        }
      });
    });
  }

  /** Breaks the connection: the socket is destroyed and a waiting request rejects with `err`. */
  fail(err: RpcError): void {
    const p = this.pending;
    this.pending = undefined;
    if (!this.broken) {
      this.broken = true;
      this.decoder.clear();
      if (this.idleTimer) clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
      this.socket.destroy();
      this.onBroken?.(this);
    }
    p?.onError(err);
  }

  /** Bytes read from the socket into the shared read buffer; frames are copied out of it. */
  received(chunk: Uint8Array): void {
    if (this.broken) return;
    let frames: Uint8Array[];
    try {
      frames = this.decoder.push(chunk, true);
    } catch (e) {
      this.fail(e instanceof RpcError ? e : protocolError(String(e), e));
      return;
    }
    for (const f of frames) {
      const p = this.pending;
      if (!p || p instanceof OnewayWaiter) {
        this.fail(protocolError(`unexpected data from ${this.address} with no request in flight`));
        return;
      }
      this.pending = undefined;
      p.onFrame(f);
    }
  }
}

/** Where every ping-pong socket reads into (see {@link connect}). */
const sharedReadBuffer = new Uint8Array(64 * 1024);

/** Opens a connection, failing with UNAVAILABLE on refusal or after `connectTimeoutMs`. */
export function connect(opts: ConnectOptions): Promise<Connection> {
  const address = `${opts.host}:${opts.port}`;
  return new Promise<Connection>((resolve, reject) => {
    let conn: Connection | undefined;
    // Reads land in one buffer shared by every connection (Node's `onread`): no Buffer and no
    // stream event per read. Each read is consumed before the callback returns.
    const socket = net.connect({
      host: opts.host,
      port: opts.port,
      onread: {
        buffer: sharedReadBuffer,
        callback: (n, buf) => {
          if (conn) conn.received(buf.subarray(0, n));
          else socket.destroy(); // nothing may arrive before the connection is set up
          return true;
        },
      },
    });
    const timer = setTimeout(() => {
      socket.destroy();
      const why = `connect to ${address} timed out after ${opts.connectTimeoutMs} ms`;
      reject(unavailable(why, new Error(why)));
    }, opts.connectTimeoutMs);
    const onError = (err: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(unavailable(`connect to ${address} failed: ${err.message}`, err));
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      conn = new Connection(socket, address, opts.delimiting, opts.maxFrameBytes);
      opts.onConnect?.(socket);
      resolve(conn);
    });
  });
}
