import http2 from 'node:http2';
import type { ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';
import { Code, RpcError } from '../errors/index.js';
import type { Metadata, StatusDetail } from '../errors/index.js';
import { ACCEPT_ENCODING, compress, decompress } from './compression.js';
import type { Compression } from './compression.js';
import { FLAG_COMPRESSED, encodeEnvelope } from './envelope.js';
import { FrameWriter } from './frame-writer.js';
import { EnvelopeDecoder } from './envelope-decoder.js';
import type { EnvelopeSink } from './envelope-decoder.js';
import { codeFromHttpStatus, codeFromRstCode } from './http-status.js';
import { addMetadata, headersToMetadata } from './metadata.js';
import type { RequestMetadata } from './metadata.js';
import { encodeTimeout } from './timeout.js';
import { armTimer } from '../timers/index.js';
import { parseTrailerStatus } from './trailer-status.js';
import { RECV_HIGH_WATER, RECV_LOW_WATER, RESOLVED, deferred, type Deferred } from './deferred.js';

const { NGHTTP2_CANCEL, NGHTTP2_NO_ERROR } = http2.constants;

/** Options for one call (see {@link GrpcChannel.call}). */
export interface CallOptions {
  /** `/<package>.<Service>/<Method>`. */
  path: string;
  /** Default `application/grpc`; Thrift payloads use `application/grpc+thrift`. */
  contentType?: string;
  /** Custom metadata; `-bin` keys take bytes and are sent base64. Validated before sending. */
  metadata?: RequestMetadata;
  /** Deadline relative to now: sent as `grpc-timeout` and enforced locally (DEADLINE_EXCEEDED). */
  timeoutMs?: number;
  /** Aborting cancels the call (RST_STREAM CANCEL, CANCELLED locally). */
  signal?: AbortSignal;
  /** Compression of outgoing messages (default identity). */
  compression?: Compression;
  /** Extra plain headers, unvalidated beyond node's own checks (e.g. Kitex `destination-service`). */
  extraHeaders?: Record<string, string>;
  /**
   * The address to send this call to (`host:port`), chosen by the caller (a balancer, a retry
   * that avoids the instance that failed). Without it, the channel picks round-robin among its
   * hostPorts.
   */
  hostPort?: string;
  /**
   * With `hostPort`: asked for another address when the call could not reach its own before
   * anything was sent (connection refused or timed out, session gone), given every address
   * tried so far; undefined gives up (UNAVAILABLE). Without it, an unreachable `hostPort` fails
   * the call.
   */
  nextHostPort?: (tried: ReadonlySet<string>) => string | undefined;
}

/** The status a call ended with. */
export interface CallStatus {
  code: number;
  message: string;
}

/** One gRPC call on the wire: any of the four modes (unary is send + closeSend + recv). */
export interface ClientCall {
  /**
   * Sends one message. Resolves when the stream can take more (back-pressure); rejects
   * with RpcError when the call failed. The bytes must not be modified until it resolves.
   * After the server ended the call with OK, messages are dropped and this resolves:
   * the status is reported by recv().
   */
  send(message: Uint8Array): Promise<void>;
  /** Half-closes the request side (empty DATA frame with END_STREAM). */
  closeSend(): void;
  /** Next message; undefined at an OK end of stream; rejects RpcError otherwise. */
  recv(): Promise<Uint8Array | undefined>;
  /** Response headers; `{}` when the call ended without any. */
  readonly headers: Promise<Record<string, string | string[]>>;
  /** Trailers (or trailers-only headers); resolves at the end, also for error ends. */
  readonly trailers: Promise<Record<string, string | string[]>>;
  /** Final status; always resolves. */
  readonly status: Promise<CallStatus>;
  /**
   * True once the response started: headers that are not a trailers-only answer arrived
   * (messages come after them). gRPC's retry rules call such a call committed.
   */
  readonly responseStarted: boolean;
  /**
   * Once the call has ended (`recv` returned undefined or rejected): its response headers
   * (`{}` when none came) and trailers, built when asked — for a caller that may never look.
   */
  endedHeaders(): Record<string, string | string[]>;
  endedTrailers(): Record<string, string | string[]>;
  /** Cancels: RST_STREAM(CANCEL) to the peer, CANCELLED locally. */
  cancel(reason?: string): void;
}

/** What a call needs from the channel that carries it. */
export interface CallHost {
  readonly userAgent: string;
  readonly authority: string | undefined;
  readonly maxReceiveMessageBytes: number;
  readonly maxSendMessageBytes: number;
  readonly maxDecompressedBytes: number;
  /** Finds a session with a free stream slot and calls `call.start` (now or later) or `call.failStart`. */
  acquire(call: ClientCallImpl): void;
  /** The stream of `call` is closed: frees its slot on `session`. */
  release(session: ClientHttp2Session): void;
  /** Why a dead session died (keepalive timeout, GOAWAY...), for the calls it takes down. */
  deathReason(session: ClientHttp2Session): string | undefined;
  /** The error behind that death (a socket or TLS error), for `RpcError.cause`. */
  deathCause(session: ClientHttp2Session): Error | undefined;
  /** The code the calls it takes down end with: UNAVAILABLE, or CANCELLED when the client closed it. */
  deathCode(session: ClientHttp2Session): number;
}

const EMPTY: Record<string, string | string[]> = Object.freeze({}) as Record<string, string | string[]>;

/**
 * One client call over one HTTP/2 stream. States: waiting for a session (messages sent
 * meanwhile are queued), streaming, finished (status decided exactly once, by whichever
 * comes first: trailers + end of data, RST_STREAM, session loss, deadline, cancel, a limit).
 */
export class ClientCallImpl implements ClientCall, EnvelopeSink {
  private readonly host: CallHost;
  private readonly reqHeaders: OutgoingHttpHeaders;
  private readonly compression: Compression;
  private readonly signal: AbortSignal | undefined;
  private readonly decoder: EnvelopeDecoder;
  private stream: ClientHttp2Stream | undefined;
  private session: ClientHttp2Session | undefined;
  /** Targets tried so far while looking for a session (the channel's counter). */
  attempts = 0;
  /** Why the last connection this call waited for failed (set by the channel; becomes `RpcError.cause`). */
  connectFailure: Error | undefined;
  /** The one address this call must go to, if the caller chose it. */
  pinnedHostPort: string | undefined;
  /** The caller's chooser of another address, and the addresses tried so far. */
  private readonly nextHostPort: ((tried: ReadonlySet<string>) => string | undefined) | undefined;
  private tried: Set<string> | undefined;
  /** Set once the status is decided. */
  private done = false;
  private statusValue: CallStatus | undefined;
  private error: RpcError | undefined;
  private halfClosed = false;
  /** The peer ended its side without a status (decided at 'close'). */
  private remoteEnded = false;
  private drainListening = false;
  /** Writes (and batches) outgoing frames once the stream exists. */
  private writer: FrameWriter | undefined;
  /** Frames written before the stream existed. */
  private pendingOut: Buffer[] | undefined;
  private startWait: Deferred<void> | undefined;
  private drainWait: Deferred<void> | undefined;
  private queue: Uint8Array[] = [];
  private qHead = 0;
  private queuedBytes = 0;
  private paused = false;
  private recvWait: Deferred<Uint8Array | undefined> | undefined;
  private respHeaders: IncomingHttpHeaders | undefined;
  /** Response headers arrived without END_STREAM (see {@link ClientCall.responseStarted}). */
  responseStarted = false;
  private respTrailers: IncomingHttpHeaders | undefined;
  private encoding = 'identity';
  private headersD: Deferred<Record<string, string | string[]>> | undefined;
  private trailersD: Deferred<Record<string, string | string[]>> | undefined;
  private statusD: Deferred<CallStatus> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** performance.now() at which the deadline passes, when there is one. */
  private deadlineAt: number | undefined;

  /** Builds and validates the request; throws RpcError INTERNAL on bad metadata before anything is sent. */
  constructor(host: CallHost, opts: CallOptions) {
    this.host = host;
    this.pinnedHostPort = opts.hostPort;
    this.nextHostPort = opts.nextHostPort;
    this.compression = opts.compression ?? 'identity';
    this.signal = opts.signal;
    this.decoder = new EnvelopeDecoder(this, host.maxReceiveMessageBytes);
    const h: OutgoingHttpHeaders = {
      ':method': 'POST',
      ':path': opts.path,
      'content-type': opts.contentType ?? 'application/grpc',
      te: 'trailers',
      'user-agent': host.userAgent,
      'grpc-accept-encoding': ACCEPT_ENCODING,
    };
    if (host.authority !== undefined) h[':authority'] = host.authority;
    if (this.compression !== 'identity') h['grpc-encoding'] = this.compression;
    if (opts.timeoutMs !== undefined) this.deadlineAt = performance.now() + opts.timeoutMs;
    if (opts.extraHeaders) {
      for (const k of Object.keys(opts.extraHeaders)) h[k.toLowerCase()] = opts.extraHeaders[k];
    }
    if (opts.metadata) addMetadata(h as Record<string, string | string[]>, opts.metadata);
    this.reqHeaders = h;

    if (this.signal?.aborted) {
      this.finish(Code.CANCELLED, 'call cancelled before start', undefined, false);
      return;
    }
    // A deadline past what Node can arm (~24.8 days) is sent but not enforced locally, as in grpc-js.
    if (opts.timeoutMs !== undefined) this.timer = armTimer(opts.timeoutMs, onDeadline, this);
    this.signal?.addEventListener('abort', this);
    host.acquire(this);
  }

  /**
   * The pinned address could not be reached: moves the call to the address the caller chooses
   * next. False when there is none (the caller gave up, or named one already tried).
   */
  reroute(): boolean {
    const tried = (this.tried ??= new Set());
    tried.add(this.pinnedHostPort!);
    const next = this.nextHostPort?.(tried);
    if (next === undefined || tried.has(next)) return false;
    this.pinnedHostPort = next;
    return true;
  }

  /** Addresses this call could not reach, for its error message. */
  get unreachable(): string {
    return this.tried ? [...this.tried].join(', ') : (this.pinnedHostPort ?? '');
  }

  /** True once the status is decided (the channel skips such calls in its queues). */
  get finished(): boolean {
    return this.done;
  }

  /** Called by the channel with a session that has a free stream slot for this call. */
  start(session: ClientHttp2Session): void {
    if (this.done) {
      this.host.release(session);
      return;
    }
    this.session = session;
    // The time left now, not at creation: the call may have waited for a connection or a slot.
    if (this.deadlineAt !== undefined) this.reqHeaders['grpc-timeout'] = encodeTimeout(this.deadlineAt - performance.now());
    let stream: ClientHttp2Stream;
    try {
      stream = session.request(this.reqHeaders, { endStream: false });
    } catch (e) {
      this.host.release(session);
      if (session.closed || session.destroyed) {
        // Lost a race with GOAWAY/close: nothing was sent, so another session may take it.
        this.host.acquire(this);
      } else {
        // node refused our headers (e.g. a malformed extra header).
        this.finish(Code.INTERNAL, `cannot start stream: ${(e as Error).message}`, undefined, false, e);
      }
      return;
    }
    this.stream = stream;
    this.writer = new FrameWriter(stream);
    // Module-level handlers find the call through a symbol: no closures per call.
    (stream as CallStream)[CALL] = this;
    stream.on('response', streamOnResponse);
    stream.on('trailers', streamOnTrailers);
    stream.on('data', streamOnData);
    stream.on('end', streamOnEnd);
    stream.on('error', noop);
    stream.on('close', streamOnClose);
    const pending = this.pendingOut;
    if (pending !== undefined) {
      this.pendingOut = undefined;
      let ok = true;
      for (const f of pending) ok = stream.write(f);
      if (this.halfClosed) stream.end();
      const w = this.startWait;
      this.startWait = undefined;
      if (w !== undefined) {
        if (ok) w.resolve();
        else {
          this.writer!.needDrain = true;
          this.drainWait = w;
          void this.waitDrain(stream);
        }
      }
    } else if (this.halfClosed) {
      stream.end();
    }
  }

  /** Called by the channel when no session could be had (all targets unreachable, channel closed). */
  failStart(err: RpcError): void {
    this.finish(err.code, err.rawMessage, undefined, false, err.cause);
  }

  send(message: Uint8Array): Promise<void> {
    if (this.done) return this.error ? Promise.reject(this.error) : RESOLVED;
    if (this.halfClosed) return Promise.reject(new RpcError(Code.INTERNAL, 'send after closeSend'));
    let payload = message;
    let flags = 0;
    if (message.length > this.host.maxSendMessageBytes) {
      const err = `message larger than max send size (${message.length} vs. ${this.host.maxSendMessageBytes})`;
      this.finish(Code.RESOURCE_EXHAUSTED, err, undefined, false);
      return Promise.reject(this.error);
    }
    if (this.compression !== 'identity') {
      payload = compress(this.compression, message);
      flags = FLAG_COMPRESSED;
    }
    const stream = this.stream;
    if (stream === undefined) {
      // Not started yet: keep the frame (copied: the caller may reuse its buffer once we resolve).
      (this.pendingOut ??= []).push(encodeEnvelope(flags, payload));
      return (this.startWait ??= deferred<void>()).promise;
    }
    if (this.writer!.write(flags, payload)) return RESOLVED;
    return this.waitDrain(stream);
  }

  /** Back-pressure: a promise for the stream's next 'drain' (listener added on first need). */
  private waitDrain(stream: ClientHttp2Stream): Promise<void> {
    if (!this.drainListening) {
      this.drainListening = true;
      stream.on('drain', streamOnDrain);
    }
    return (this.drainWait ??= deferred<void>()).promise;
  }

  closeSend(): void {
    if (this.halfClosed || this.done) return;
    this.halfClosed = true;
    const stream = this.stream;
    if (stream !== undefined) {
      this.writer!.flush();
      stream.end();
    }
  }

  recv(): Promise<Uint8Array | undefined> {
    if (this.qHead < this.queue.length) {
      const m = this.queue[this.qHead]!;
      this.queue[this.qHead++] = undefined as unknown as Uint8Array;
      if (this.qHead === this.queue.length) {
        this.queue.length = 0;
        this.qHead = 0;
      }
      this.queuedBytes -= m.length;
      if (this.paused && this.queuedBytes <= RECV_LOW_WATER) {
        this.paused = false;
        this.stream?.resume();
      }
      return Promise.resolve(m);
    }
    if (this.done) return this.error ? Promise.reject(this.error) : Promise.resolve(undefined);
    if (this.recvWait !== undefined) {
      return Promise.reject(new RpcError(Code.INTERNAL, 'recv() called while another recv() is pending'));
    }
    this.recvWait = deferred<Uint8Array | undefined>();
    return this.recvWait.promise;
  }

  get headers(): Promise<Record<string, string | string[]>> {
    if (this.respHeaders !== undefined) return Promise.resolve(headersToMetadata(this.respHeaders, true));
    if (this.done) return Promise.resolve(EMPTY);
    return (this.headersD ??= deferred()).promise;
  }

  get trailers(): Promise<Record<string, string | string[]>> {
    if (this.done) return Promise.resolve(this.trailerRecord());
    return (this.trailersD ??= deferred()).promise;
  }

  endedHeaders(): Record<string, string | string[]> {
    return this.respHeaders ? headersToMetadata(this.respHeaders, true) : EMPTY;
  }

  endedTrailers(): Record<string, string | string[]> {
    return this.trailerRecord();
  }

  get status(): Promise<CallStatus> {
    if (this.statusValue !== undefined) return Promise.resolve(this.statusValue);
    return (this.statusD ??= deferred()).promise;
  }

  cancel(reason?: string): void {
    this.finish(Code.CANCELLED, reason ?? 'call cancelled', undefined, false);
  }

  // --- stream events (bound once per call) ---

  /** @internal */
  onResponse(headers: IncomingHttpHeaders, flags: number): void {
    this.respHeaders = headers;
    if (this.headersD !== undefined) this.headersD.resolve(headersToMetadata(headers, true));
    const enc = headers['grpc-encoding'];
    if (typeof enc === 'string') this.encoding = enc;
    // END_STREAM on the first HEADERS: a trailers-only response. If it carries a
    // grpc-status, that status is authoritative (onEnd reports it), whatever the HTTP
    // status or content-type say.
    if ((flags & 0x1) !== 0) {
      this.respTrailers = headers;
      if (headers['grpc-status'] !== undefined) return;
    } else {
      this.responseStarted = true;
    }
    const httpStatus = Number(headers[':status']);
    if (httpStatus !== 200) {
      this.finish(codeFromHttpStatus(httpStatus), `received HTTP status ${httpStatus}`, undefined, false);
      return;
    }
    const ct = headers['content-type'];
    if (typeof ct !== 'string' || !ct.startsWith('application/grpc')) {
      this.finish(Code.UNKNOWN, `received unexpected content-type "${ct ?? ''}"`, undefined, false);
    }
  }

  /** @internal */
  onTrailers(trailers: IncomingHttpHeaders): void {
    this.respTrailers = trailers;
  }

  /** @internal */
  onData(chunk: Buffer): void {
    if (this.done) return;
    try {
      this.decoder.push(chunk);
    } catch (e) {
      const err = e instanceof RpcError ? e : new RpcError(Code.INTERNAL, String(e));
      this.finish(err.code, err.rawMessage, undefined, false);
    }
  }

  /** EnvelopeSink: one message arrived. */
  onEnvelope(flags: number, data: Uint8Array): void {
    if (this.done) return;
    let msg = data;
    if ((flags & FLAG_COMPRESSED) !== 0) {
      if (this.encoding === 'identity') {
        throw new RpcError(Code.INTERNAL, 'compressed message received without grpc-encoding');
      }
      msg = decompress(this.encoding, data, this.host.maxDecompressedBytes);
    }
    const w = this.recvWait;
    if (w !== undefined) {
      this.recvWait = undefined;
      w.resolve(msg);
      return;
    }
    this.queue.push(msg);
    this.queuedBytes += msg.length;
    if (!this.paused && this.queuedBytes > RECV_HIGH_WATER) {
      // The reader is slow: stop reading so HTTP/2 flow control pushes back on the server.
      this.paused = true;
      this.stream!.pause();
    }
  }

  /** @internal */
  onEnd(): void {
    if (this.done) return;
    const st = this.respHeaders === undefined ? undefined : parseTrailerStatus(this.respTrailers ?? {});
    if (st === undefined) {
      // No status: either a server that forgot its trailers or a stream cut by RST or a
      // dropped connection; 'close' can tell which, so make sure it comes.
      this.remoteEnded = true;
      const s = this.stream!;
      if (!s.closed && !s.writableFinished) s.close(NGHTTP2_NO_ERROR);
      return;
    }
    if (st.code === Code.OK && this.decoder.partial) {
      this.finish(Code.INTERNAL, 'stream ended in the middle of a message', undefined, false);
      return;
    }
    this.finish(st.code, st.message, st.details, true);
  }

  /** @internal */
  onDrain(): void {
    this.writer?.drained();
    const w = this.drainWait;
    if (w !== undefined) {
      this.drainWait = undefined;
      w.resolve();
    }
  }

  /** @internal */
  onClose(): void {
    const stream = this.stream!;
    const session = this.session!;
    this.host.release(session);
    if (this.done) return;
    const reason = this.host.deathReason(session);
    if (reason !== undefined || session.destroyed) {
      this.finish(this.host.deathCode(session), reason ?? 'connection closed', undefined, false, this.host.deathCause(session));
      return;
    }
    const rst = stream.rstCode;
    if (rst !== undefined && rst !== NGHTTP2_NO_ERROR) {
      this.finish(codeFromRstCode(rst), `stream reset by peer with code ${rst}`, undefined, false);
      return;
    }
    if (this.remoteEnded && this.respHeaders !== undefined) {
      this.finish(Code.INTERNAL, 'server closed the stream without sending trailers', undefined, false);
      return;
    }
    this.finish(Code.INTERNAL, 'stream closed without a status', undefined, false);
  }

  /** @internal */
  onDeadline(): void {
    this.timer = undefined;
    this.finish(Code.DEADLINE_EXCEEDED, 'deadline exceeded', undefined, false);
  }

  /** AbortSignal listener (the call is its own EventListener object: no closure). */
  handleEvent(): void {
    const r: unknown = this.signal?.reason;
    this.finish(Code.CANCELLED, r instanceof Error ? r.message : 'call aborted', undefined, false);
  }

  private trailerRecord(): Record<string, string | string[]> {
    return this.respTrailers === undefined ? {} : headersToMetadata(this.respTrailers, true);
  }

  /**
   * Decides the status, once. `remote` says it came from the peer's trailers: then queued
   * messages are still delivered before the status; local ends drop them and reset the stream.
   */
  private finish(code: number, message: string, details: StatusDetail[] | undefined, remote: boolean, cause?: unknown): void {
    if (this.done) return;
    this.done = true;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.signal?.removeEventListener('abort', this);
    this.statusValue = { code, message };
    if (code !== Code.OK) {
      const md: Metadata = {};
      if (this.respHeaders) Object.assign(md, headersToMetadata(this.respHeaders, true));
      if (this.respTrailers) Object.assign(md, headersToMetadata(this.respTrailers, true));
      const init: { details?: StatusDetail[]; metadata: Metadata; cause?: unknown } = { metadata: md };
      if (details !== undefined) init.details = details;
      if (cause !== undefined) init.cause = cause;
      this.error = new RpcError(code, message, init);
    }
    if (!remote) {
      this.queue.length = 0;
      this.qHead = 0;
      this.queuedBytes = 0;
    }
    const stream = this.stream;
    if (stream !== undefined) {
      // After a remote end, a reset is needed only while our side is still open: a
      // RST_STREAM on a stream the server has closed counts against it as an invalid
      // frame (node closes sessions after 1000 of them).
      if (!stream.closed && !(remote && stream.writableFinished)) stream.close(remote ? NGHTTP2_NO_ERROR : NGHTTP2_CANCEL);
      // A paused stream would never drain its buffered data and never close.
      if (this.paused || !remote) stream.resume();
    }
    this.pendingOut = undefined;
    this.writer?.discard();
    const err = this.error;
    const rw = this.recvWait;
    if (rw !== undefined) {
      this.recvWait = undefined;
      if (err) rw.reject(err);
      else rw.resolve(undefined);
    }
    settle(this.startWait, err);
    settle(this.drainWait, err);
    this.startWait = this.drainWait = undefined;
    this.headersD?.resolve(this.respHeaders ? headersToMetadata(this.respHeaders, true) : EMPTY);
    this.trailersD?.resolve(this.trailerRecord());
    this.statusD?.resolve(this.statusValue);
    this.headersD = this.trailersD = this.statusD = undefined;
  }
}

function noop(): void {}

/** Ends a pending send wait: rejected with the call's error, or resolved after an OK end. */
function settle(w: Deferred<void> | undefined, err: RpcError | undefined): void {
  if (w === undefined) return;
  if (err) {
    w.promise.catch(noop);
    w.reject(err);
  } else w.resolve();
}

const CALL = Symbol('idlcall.call');
type CallStream = ClientHttp2Stream & { [CALL]: ClientCallImpl };

function streamOnResponse(this: CallStream, headers: IncomingHttpHeaders, flags: number): void {
  this[CALL].onResponse(headers, flags);
}
function streamOnTrailers(this: CallStream, trailers: IncomingHttpHeaders): void {
  this[CALL].onTrailers(trailers);
}
function streamOnData(this: CallStream, chunk: Buffer): void {
  this[CALL].onData(chunk);
}
function streamOnEnd(this: CallStream): void {
  this[CALL].onEnd();
}
function streamOnDrain(this: CallStream): void {
  this[CALL].onDrain();
}
function streamOnClose(this: CallStream): void {
  this[CALL].onClose();
}
function onDeadline(call: ClientCallImpl): void {
  call.onDeadline();
}
