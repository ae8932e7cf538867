/**
 * One client stream of TTHeader Streaming, with the same surface as a gRPC
 * client call: `send`, `closeSend`, `recv`, `headers`, `trailers`, `cancel`.
 * States: waiting for a connection (sends are held), open, finished (the
 * status is decided once, by whichever comes first: the server's Trailer or
 * Rst, a lost connection, the deadline, a cancel, a limit).
 */
import { Code, RpcError, type Metadata } from '../errors/index.js';
import { protocolError } from '../frame/index.js';
import { FrameType, type FrameView } from './frame.js';
import { StreamExceptionType, decodeStreamException, trailerError } from './exception.js';
import { armTimer } from '../timers/index.js';
import { ReceiveQueue } from './receive-queue.js';
import type { ClientConnection } from './client-connection.js';

/** What a stream needs from the client that carries it. */
export interface StreamHost {
  readonly maxReceiveMessageBytes: number;
  readonly maxSendMessageBytes: number;
  /** Finds a connection for `stream` and calls `stream.begin` (now or later) or `stream.failStart`. */
  acquire(stream: ClientStream): void;
}

/** How the stream opens and frames its messages: the same for every stream of a method without metainfo. */
export interface StreamStart {
  readonly method: string;
  /** The method's frame prefix (see framePrefix). */
  readonly prefix: Uint8Array;
  /** The whole Header frame (string infos `isn` and metainfo), with stream id 0 for the connection to fill in. */
  readonly headerFrame: Uint8Array;
}

/** Where the stream goes. */
export interface StreamRoute {
  /** Pins the stream to this `host:port`; otherwise the client picks. */
  readonly hostPort?: string;
  /** With `hostPort`: the caller's choice of another address when those tried could not be reached. */
  readonly nextHostPort?: (tried: ReadonlySet<string>) => string | undefined;
}

const EMPTY: Metadata = Object.freeze({}) as Metadata;
const RESOLVED: Promise<void> = Promise.resolve();

interface Waiter<T> {
  resolve(v: T): void;
  reject(e: unknown): void;
}

/** A client stream (see the module comment). */
export class ClientStream {
  /** Stream id, once started. */
  sid = 0;
  /** The connection carrying it, once started. */
  conn: ClientConnection | undefined;
  /** Targets tried while looking for a connection (the client's bookkeeping; made on first use). */
  tried: Set<string> | undefined;
  private done = false;
  private error: RpcError | undefined;
  private halfClosed = false;
  /** Payloads sent before the stream started. */
  private held: Uint8Array[] | undefined;
  private startWaiters: Array<Waiter<void>> | undefined;
  private readonly queue = new ReceiveQueue();
  private respHeaders: Metadata | undefined;
  private respTrailers: Metadata | undefined;
  private headerWaiters: Array<(m: Metadata) => void> | undefined;
  private trailerWaiters: Array<(m: Metadata) => void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly signal: AbortSignal | undefined;

  constructor(
    private readonly host: StreamHost,
    readonly start: StreamStart,
    readonly route: StreamRoute,
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
  ) {
    this.signal = signal;
    if (signal?.aborted) {
      this.finishLocal(Code.CANCELLED, abortMessage(signal), StreamExceptionType.Cancel);
      return;
    }
    // A deadline past what Node can arm (~24.8 days) is no local deadline, as on the other transports.
    if (timeoutMs !== undefined) this.timer = armTimer(timeoutMs, (ms) => this.onDeadline(ms), timeoutMs);
    signal?.addEventListener('abort', this);
    host.acquire(this);
  }

  /** True once the status is decided. */
  get finished(): boolean {
    return this.done;
  }

  /** Called by the client with the connection that carries the stream from now on. */
  begin(conn: ClientConnection): void {
    if (this.done) return;
    this.conn = conn;
    this.queue.pressure = conn.pressure;
    this.sid = conn.attach(this);
    const held = this.held;
    this.held = undefined;
    if (held !== undefined) for (const p of held) conn.writeData(this.sid, this.start.prefix, p, false);
    if (this.halfClosed) conn.writeTrailer(this.sid, this.start.prefix);
    const w = this.startWaiters;
    this.startWaiters = undefined;
    if (w !== undefined) for (const x of w) x.resolve();
  }

  /** Called by the client when no connection could be had. */
  failStart(err: RpcError): void {
    this.finish(err, false);
  }

  /** Sends one message; resolves when the connection can take more. */
  send(message: Uint8Array): Promise<void> {
    return this.sendData(message, false);
  }

  /** Like `send`, for bytes that are overwritten once it returns (a codec's buffer): what is kept is copied. */
  sendView(message: Uint8Array): Promise<void> {
    return this.sendData(message, true);
  }

  private sendData(message: Uint8Array, transient: boolean): Promise<void> {
    if (this.done) return this.error ? Promise.reject(this.error) : RESOLVED;
    if (this.halfClosed) return Promise.reject(new RpcError(Code.INTERNAL, 'send after closeSend'));
    if (message.length > this.host.maxSendMessageBytes) {
      this.finishLocal(Code.RESOURCE_EXHAUSTED, `message larger than max send size (${message.length} vs. ${this.host.maxSendMessageBytes})`, StreamExceptionType.Cancel);
      return Promise.reject(this.error);
    }
    const conn = this.conn;
    if (conn === undefined) {
      (this.held ??= []).push(transient ? message.slice() : message);
      return new Promise((resolve, reject) => (this.startWaiters ??= []).push({ resolve, reject }));
    }
    conn.writeData(this.sid, this.start.prefix, message, transient);
    return conn.writer.congested ? conn.writer.drain() : RESOLVED;
  }

  /** Half-closes: an empty Trailer frame; responses keep arriving. */
  closeSend(): void {
    if (this.halfClosed || this.done) return;
    this.halfClosed = true;
    if (this.conn !== undefined) this.conn.writeTrailer(this.sid, this.start.prefix);
  }

  /** The next message; undefined at a clean end; rejects with the stream's error. */
  recv(): Promise<Uint8Array | undefined> {
    if (!this.queue.empty) return Promise.resolve(this.queue.shift());
    if (this.done) return this.error ? Promise.reject(this.error) : Promise.resolve(undefined);
    return this.queue.wait();
  }

  /** The server's Header frame string infos; `{}` when the stream ended without one. */
  get headers(): Promise<Metadata> {
    if (this.respHeaders !== undefined) return Promise.resolve(this.respHeaders);
    if (this.done) return Promise.resolve(EMPTY);
    return new Promise((resolve) => (this.headerWaiters ??= []).push(resolve));
  }

  /** The server's Trailer frame string infos; `{}` when the stream ended without one. */
  get trailers(): Promise<Metadata> {
    if (this.done) return Promise.resolve(this.respTrailers ?? EMPTY);
    return new Promise((resolve) => (this.trailerWaiters ??= []).push(resolve));
  }

  /** Cancels: CANCELLED locally; the server gets an Rst frame and a Trailer (the Trailer alone without the client's `reset` option). */
  cancel(reason?: string): void {
    this.finishLocal(Code.CANCELLED, reason ?? 'call cancelled', StreamExceptionType.Cancel);
  }

  /** AbortSignal listener (the stream is its own EventListener: no closure). */
  handleEvent(): void {
    this.finishLocal(Code.CANCELLED, abortMessage(this.signal!), StreamExceptionType.Cancel);
  }

  // --- frames from the connection ---

  /** @internal A frame for this stream. */
  onFrame(f: FrameView): void {
    if (this.done) return;
    switch (f.type) {
      case FrameType.Data:
        this.onData(f.payload());
        return;
      case FrameType.Header:
        if (this.respHeaders !== undefined) {
          // Kitex's client drops the whole connection here (errUnexpectedHeader); one stream is enough
          this.finishLocal(Code.INTERNAL, 'protocol error: a second Header frame on the stream', StreamExceptionType.Cancel);
          return;
        }
        this.respHeaders = f.strInfo === undefined ? EMPTY : Object.fromEntries(f.strInfo);
        if (this.headerWaiters !== undefined) for (const w of this.headerWaiters.splice(0)) w(this.respHeaders);
        return;
      case FrameType.Trailer:
        this.onTrailer(f);
        return;
      case FrameType.Rst:
        this.onRst(f);
        return;
      default:
        // Meta frames are for custom frame handlers in Kitex; nothing here uses them.
        return;
    }
  }

  private onData(payload: Uint8Array): void {
    if (payload.length > this.host.maxReceiveMessageBytes) {
      this.finishLocal(Code.RESOURCE_EXHAUSTED, `message larger than max receive size (${payload.length} vs. ${this.host.maxReceiveMessageBytes})`, StreamExceptionType.Cancel);
      return;
    }
    this.queue.deliver(payload);
  }

  private onTrailer(f: FrameView): void {
    this.respTrailers = f.strInfo === undefined ? EMPTY : Object.fromEntries(f.strInfo);
    let err: RpcError | undefined;
    try {
      err = f.payloadLength === 0 && f.strInfo === undefined ? undefined : trailerError(f.payload(), f.strInfo, this.metadata());
    } catch (e) {
      err = e instanceof RpcError ? e : protocolError(String(e));
    }
    // Kitex's client answers the server's end with its own Trailer when it had not sent one (stream.go closeRecv).
    if (!this.halfClosed) {
      this.halfClosed = true;
      this.conn!.writeTrailer(this.sid, this.start.prefix);
    }
    this.finish(err, true);
  }

  private onRst(f: FrameView): void {
    let message = 'stream reset by the server';
    let type: number | undefined;
    if (f.payloadLength > 0) {
      try {
        const ex = decodeStreamException(f.payload());
        message = `${message}: ${ex.message}`;
        type = ex.type;
      } catch {
        // an unreadable reason is still a reset (Kitex falls back to a default exception)
      }
    }
    const md = this.metadata();
    if (type !== undefined) md['thrift-exception-type'] = String(type);
    // The server has dropped the stream: nothing more goes to it.
    this.halfClosed = true;
    this.finish(new RpcError(Code.CANCELLED, message, { metadata: md }), false);
  }

  /** @internal The connection failed (closed, protocol error, client closed). */
  onConnectionError(err: RpcError): void {
    this.finish(new RpcError(err.code, err.rawMessage, { metadata: this.metadata(), ...(err.cause !== undefined ? { cause: err.cause } : {}) }), false);
  }

  /** @internal A frame for this stream was over the receive limit and is being skipped. */
  onOversized(bytes: number): void {
    this.finishLocal(Code.RESOURCE_EXHAUSTED, `frame of ${bytes} bytes larger than max receive size (${this.host.maxReceiveMessageBytes})`, StreamExceptionType.Cancel);
  }

  private onDeadline(timeoutMs: number): void {
    this.timer = undefined;
    this.finishLocal(Code.DEADLINE_EXCEEDED, `deadline exceeded after ${timeoutMs} ms`, StreamExceptionType.Timeout);
  }

  // --- ending ---

  /** Headers and trailers received so far, for an error. */
  private metadata(): Record<string, string | string[]> {
    return { ...this.respHeaders, ...this.respTrailers };
  }

  /** Ends on our side: the server is told (Rst and/or Trailer) so that it can let go of the stream too. */
  private finishLocal(code: number, message: string, exceptionType: number): void {
    if (this.done) return;
    const conn = this.conn;
    if (conn !== undefined) conn.abandon(this.sid, this.start.method, this.start.prefix, message, exceptionType, !this.halfClosed);
    this.halfClosed = true;
    this.finish(new RpcError(code, message, { metadata: this.metadata() }), false);
  }

  /**
   * Decides the status, once (undefined: a clean end). After the server's own
   * end (`remote`) queued messages are still delivered before it; local ends
   * drop them.
   */
  private finish(err: RpcError | undefined, remote: boolean): void {
    if (this.done) return;
    this.done = true;
    this.error = err;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.signal?.removeEventListener('abort', this);
    const conn = this.conn;
    if (!remote) this.queue.clear();
    this.held = undefined;
    conn?.detach(this);
    this.queue.settle(err);
    const sw = this.startWaiters;
    this.startWaiters = undefined;
    if (sw !== undefined) {
      for (const w of sw) {
        if (err) w.reject(err);
        else w.resolve();
      }
    }
    const headers = this.respHeaders ?? EMPTY;
    if (this.headerWaiters !== undefined) for (const w of this.headerWaiters.splice(0)) w(headers);
    const trailers = this.respTrailers ?? EMPTY;
    if (this.trailerWaiters !== undefined) for (const w of this.trailerWaiters.splice(0)) w(trailers);
  }
}

function abortMessage(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  return r instanceof Error ? r.message : 'call aborted';
}
