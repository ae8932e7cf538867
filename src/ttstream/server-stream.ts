/**
 * The server side of one TTHeader Streaming stream: requests in (`recv`),
 * responses out (`send`), headers and trailers as string infos of the Header
 * and Trailer frames, and the end as Kitex writes it: an empty Trailer, a
 * Trailer carrying a TApplicationException, or a Trailer with Kitex's biz
 * status (kitex v0.14.1 server_provider.go OnStreamFinish, stream.go).
 */
import { Code, RpcError, type Metadata } from '../errors/index.js';
import { StrInfoKey, TApplicationExceptionType, ThriftApplicationError } from '../frame/index.js';
import { FrameType, encodeHead } from './frame.js';
import { encodeStreamException, trailerError } from './exception.js';
import { messageOf } from '../errors/message-of.js';
import type { BatchWriter } from './batch-writer.js';
import { ReceiveQueue, type ReadPressure } from './receive-queue.js';

/** What a stream needs from its connection. */
export interface StreamConnection {
  readonly writer: BatchWriter;
  /** The client's address as `ip:port`. */
  readonly peer: string;
  readonly maxReceiveMessageBytes: number;
  /** What the connection's streams hold unread. */
  readonly pressure: ReadPressure;
  /** The stream is over on our side: forget it. */
  release(stream: ServerStream): void;
}

const RESOLVED: Promise<void> = Promise.resolve();

/** One stream a client opened (see the module comment). */
export class ServerStream {
  /** The IDL service the client asked for (`isn`; '' when absent). */
  readonly service: string;
  private meta: Metadata | undefined;
  private abortController: AbortController | undefined;
  /** Headers set before the first message (or the end). */
  private headers: Map<string, string> | undefined;
  private headerSent = false;
  private ended = false;
  /** The client half-closed, reset, or the connection went. */
  private inputDone = false;
  private inputError: RpcError | undefined;
  private readonly queue = new ReceiveQueue();

  constructor(
    private readonly conn: StreamConnection,
    readonly sid: number,
    readonly method: string,
    /** The method's frame prefix (see framePrefix). */
    private readonly prefix: Uint8Array,
    private readonly header: ReadonlyMap<string, string> | undefined,
  ) {
    this.service = header?.get(StrInfoKey.IDLServiceName) ?? '';
    this.queue.pressure = conn.pressure;
  }

  /** The client's address as `ip:port` (`[ip]:port` for IPv6). */
  get peer(): string {
    return this.conn.peer;
  }

  /** The client's Header frame string infos: `isn`, metainfo (`RPC_TRANSIT_…`, `RPC_PERSIST_…`) and any others. */
  get metadata(): Metadata {
    return (this.meta ??= this.header === undefined ? {} : Object.fromEntries(this.header));
  }

  /** Aborted when the client resets the stream or the connection goes. */
  get signal(): AbortSignal {
    return (this.abortController ??= new AbortController()).signal;
  }

  /** True once the stream ended on our side or was cut. */
  get finished(): boolean {
    return this.ended;
  }

  /** The next request; undefined once the client half-closed; rejects when the stream was cut. */
  recv(): Promise<Uint8Array | undefined> {
    if (!this.queue.empty) return Promise.resolve(this.queue.shift());
    if (this.inputDone) return this.inputError ? Promise.reject(this.inputError) : Promise.resolve(undefined);
    return this.queue.wait();
  }

  /** Adds response headers; they go in the Header frame before the first message (or at the end). */
  setHeaders(md: Record<string, string>): void {
    if (this.headerSent) return;
    const h = (this.headers ??= new Map());
    for (const k of Object.keys(md)) h.set(k, md[k]!);
  }

  /** Sends the Header frame now (Kitex's SendHeader). */
  sendHeaders(md?: Record<string, string>): void {
    if (md !== undefined) this.setHeaders(md);
    if (this.headerSent || this.ended) return;
    this.headerSent = true;
    const h = this.headers;
    this.headers = undefined;
    if (h === undefined || h.size === 0) this.conn.writer.frame(this.prefix, FrameType.Header, this.sid, undefined);
    else this.conn.writer.bytes(encodeHead(FrameType.Header, this.sid, this.method, h, 0));
  }

  /** Sends one response (after the Header frame, the first time); resolves when the connection can take more. */
  send(message: Uint8Array): Promise<void> {
    if (this.ended) return Promise.reject(this.cutReason() ?? new RpcError(Code.INTERNAL, 'send after end'));
    if (!this.headerSent) this.sendHeaders();
    const w = this.conn.writer;
    w.frame(this.prefix, FrameType.Data, this.sid, message);
    return w.congested ? w.drain() : RESOLVED;
  }

  /** Ends the stream cleanly: an empty Trailer with `trailers` as its string infos. */
  end(trailers?: Record<string, string>): void {
    if (this.ended) return;
    // Encoded before anything is sent: trailers that do not fit (over 64 KiB) throw with the stream still open.
    const head = trailers === undefined || isEmpty(trailers) ? undefined : encodeHead(FrameType.Trailer, this.sid, this.method, new Map(Object.entries(trailers)), 0);
    if (!this.finishing()) return;
    if (head === undefined) this.conn.writer.frame(this.prefix, FrameType.Trailer, this.sid, undefined);
    else this.conn.writer.bytes(head);
    this.close();
  }

  /**
   * Ends the stream with an error, in the form a Kitex client reads: a
   * ThriftApplicationError keeps its exception type; any other RpcError
   * becomes Kitex's business status (`biz-status` = its code, `biz-message`),
   * which our client turns back into the same RpcError; anything else is a
   * TApplicationException of type InternalError (6) whose message is
   * `biz error: <message>`, as Kitex sends handler errors (wrapped in its
   * kerrors.ErrBiz).
   */
  fail(err: unknown, trailers?: Record<string, string>): void {
    if (this.ended) return;
    const info = new Map(Object.entries(trailers ?? {}));
    let payload: Uint8Array | undefined;
    if (err instanceof ThriftApplicationError) {
      payload = encodeStreamException(this.method, this.sid, err.rawMessage, err.thriftExceptionType);
    } else if (err instanceof RpcError) {
      info.set(StrInfoKey.BizStatus, String(err.code));
      info.set(StrInfoKey.BizMessage, err.rawMessage);
    } else {
      payload = encodeStreamException(this.method, this.sid, `biz error: ${messageOf(err)}`, TApplicationExceptionType.INTERNAL_ERROR);
    }
    let head: Uint8Array;
    try {
      head = encodeHead(FrameType.Trailer, this.sid, this.method, info, payload?.length ?? 0);
    } catch (e) {
      // The trailers or the biz message do not fit a TTHeader (64 KiB a string): say so instead, without them.
      payload = encodeStreamException(this.method, this.sid, `the error could not be sent: ${messageOf(e)}`, TApplicationExceptionType.INTERNAL_ERROR);
      head = encodeHead(FrameType.Trailer, this.sid, this.method, undefined, payload.length);
    }
    if (!this.finishing()) return;
    this.conn.writer.bytes(head, payload);
    this.close();
  }

  // --- from the connection ---

  /** @internal A request payload. */
  onData(payload: Uint8Array): void {
    if (this.inputDone) {
      if (this.inputError === undefined) this.cut(new RpcError(Code.INTERNAL, 'protocol error: data after the client closed its side'), true);
      return;
    }
    if (payload.length > this.conn.maxReceiveMessageBytes) {
      this.cut(new RpcError(Code.RESOURCE_EXHAUSTED, `message larger than max receive size (${payload.length} vs. ${this.conn.maxReceiveMessageBytes})`), true);
      return;
    }
    this.queue.deliver(payload);
  }

  /** @internal The client's Trailer: its half-close (or, rarely, its error). */
  onTrailer(payload: Uint8Array, info: ReadonlyMap<string, string> | undefined): void {
    if (this.inputDone) return;
    let err: RpcError | undefined;
    try {
      err = trailerError(payload, info, {});
    } catch (e) {
      err = e instanceof RpcError ? e : new RpcError(Code.INTERNAL, String(e));
    }
    this.endInput(err);
  }

  /** @internal The client reset the stream (Kitex ≥ 0.15 Rst frame): the handler is cancelled, nothing more is sent. */
  onReset(reason: string): void {
    this.cut(new RpcError(Code.CANCELLED, reason), false);
  }

  /** @internal The connection went, or the stream broke a rule or a limit. */
  cut(err: RpcError, answer: boolean): void {
    this.endInput(err);
    if (answer) this.fail(err);
    if (!this.ended) {
      this.ended = true;
      this.conn.release(this);
    }
    const ac = (this.abortController ??= new AbortController());
    if (!ac.signal.aborted) ac.abort(err);
  }

  private endInput(err: RpcError | undefined): void {
    if (this.inputDone) return;
    this.inputDone = true;
    this.inputError = err;
    if (err !== undefined) this.queue.clear();
    this.queue.settle(err);
  }

  /** Whether the stream may still end (once); sends pending headers first. */
  private finishing(): boolean {
    if (this.ended) return false;
    // Headers the handler set but never sent with a message still go out (Kitex ≥ 0.15 does too).
    if (!this.headerSent && this.headers !== undefined && this.headers.size > 0) this.sendHeaders();
    this.ended = true;
    return true;
  }

  /** After our Trailer: requests still queued are dropped, the connection forgets the stream. */
  private close(): void {
    if (!this.inputDone) this.endInput(new RpcError(Code.CANCELLED, 'stream ended'));
    this.conn.release(this);
  }

  private cutReason(): RpcError | undefined {
    const r: unknown = this.abortController?.signal.reason;
    return r instanceof RpcError ? r : undefined;
  }
}

function isEmpty(o: Record<string, string>): boolean {
  for (const _ in o) return false;
  return true;
}
