import http2 from 'node:http2';
import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { Code, RpcError } from '../errors/index.js';
import { formatAddress } from '../net/connection-info.js';
import type { StatusDetail } from '../errors/index.js';
import { ACCEPT_ENCODING, compress, decompress } from './compression.js';
import { COPY_THRESHOLD, FLAG_COMPRESSED, encodeEnvelope } from './envelope.js';
import { FrameWriter } from './frame-writer.js';
import { EnvelopeDecoder } from './envelope-decoder.js';
import type { EnvelopeSink } from './envelope-decoder.js';
import { addMetadata, headersToMetadata } from './metadata.js';
import type { RequestMetadata } from './metadata.js';
import { parseTimeout } from './timeout.js';
import { armTimer } from '../timers/index.js';
import { messageOf } from '../errors/message-of.js';
import { statusTrailers } from './trailer-status.js';
import { RECV_HIGH_WATER, RECV_LOW_WATER, RESOLVED, deferred, type Deferred } from './deferred.js';
import { RecvWaiter, identity, mapped, rethrow } from './recv-waiter.js';

const { NGHTTP2_CANCEL, NGHTTP2_INTERNAL_ERROR } = http2.constants;

/** The status a server handler ends a call with (default OK). */
export interface ServerStatus {
  code: number;
  message?: string;
  /** Sent as `grpc-status-details-bin` (a google.rpc.Status). */
  details?: readonly StatusDetail[];
  /** Custom trailing metadata. */
  trailers?: RequestMetadata;
}

/** The server side of one call. */
export interface ServerCall {
  /** The request `:path`, e.g. `/pkg.Service/Method`. */
  readonly path: string;
  /** Request metadata (custom headers; `-bin` values still base64). */
  readonly metadata: Record<string, string | string[]>;
  /** Absolute deadline (ms since epoch) from `grpc-timeout`, if the client sent one. */
  readonly deadline: number | undefined;
  /** Aborted when the client cancels, the connection drops or the deadline passes. */
  readonly signal: AbortSignal;
  /** The client's address as `ip:port` (`[ip]:port` for IPv6); empty once the connection is gone. */
  readonly peer: string;
  /** Next request message; undefined when the client half-closed; rejects RpcError when the call was cut. */
  recv(): Promise<Uint8Array | undefined>;
  /**
   * {@link recv} with the outcome passed through `map` (the message, or undefined at
   * half-close) or `fail` (the RpcError that cut the call) as it arrives, in one promise:
   * a reader that decodes each message needs no second promise and microtask for it.
   * A throw from either rejects the promise.
   */
  recvMapped<T>(map: (message: Uint8Array | undefined) => T, fail: (err: RpcError) => T): Promise<T>;
  /** Sends response headers now (otherwise they go with the first message or the status). */
  sendHeaders(metadata?: RequestMetadata): void;
  /** Sends one message; resolves when the stream can take more (returns `SEND_READY`, already settled, when it can at once). */
  send(message: Uint8Array): Promise<void>;
  /** Ends the call with trailers (or a trailers-only response if nothing was sent). Idempotent. */
  end(status?: ServerStatus): void;
  /**
   * Sends the call's last message and ends the call (`status` default OK): a unary reply.
   * A small uncompressed message leaves in one write that also ends the stream. Nothing
   * happens once the call has ended or its stream is gone.
   */
  finish(message: Uint8Array, status?: ServerStatus): void;
  /** Drops the call with RST_STREAM(INTERNAL_ERROR): for when not even a status can be sent. */
  reset(): void;
}

/** What a call tells its connection's idle clock (see connection-policy's ConnectionTimer). */
export interface IdleClock {
  callEnded(): void;
}

/** Limits and behaviour shared by a server's calls. */
export interface ServerCallConfig {
  maxReceiveMessageBytes: number;
  maxDecompressedBytes: number;
  /** Compress responses with this when the client accepts it. */
  responseCompression: 'gzip' | 'deflate' | undefined;
}


/** Server call over one node:http2 stream. */
export class ServerCallImpl implements ServerCall, EnvelopeSink {
  readonly path: string;
  readonly deadline: number | undefined;
  private readonly headers: IncomingHttpHeaders;
  private meta: Record<string, string | string[]> | undefined;
  private readonly stream: ServerHttp2Stream;
  private readonly contentType: string;
  private readonly decoder: EnvelopeDecoder;
  private readonly cfg: ServerCallConfig;
  private readonly reqEncoding: string;
  private readonly respEncoding: 'gzip' | 'deflate' | undefined;
  private abort: AbortController | undefined;
  private headersSent = false;
  private ended = false;
  /** Set when the request side ended (half-close) or the call was cut. */
  private reqDone = false;
  private reqError: RpcError | undefined;
  private queue: Uint8Array[] = [];
  private qHead = 0;
  private queuedBytes = 0;
  private paused = false;
  private recvWait: RecvWaiter<unknown> | undefined;
  private drainWait: Deferred<void> | undefined;
  private pendingTrailers: OutgoingHttpHeaders | undefined;
  private timer: NodeJS.Timeout | undefined;
  private drainListening = false;
  /** Writes (and batches) response messages. */
  private writer: FrameWriter | undefined;
  private readonly idleClock: IdleClock | undefined;

  /**
   * @param idleClock told when the call's stream closed (the connection's idle timer counts
   *   calls in flight): one 'close' listener serves both.
   */
  constructor(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, cfg: ServerCallConfig, idleClock?: IdleClock) {
    this.stream = stream;
    this.idleClock = idleClock;
    this.cfg = cfg;
    this.headers = headers;
    this.path = headers[':path'] ?? '';
    this.contentType = headers['content-type'] ?? 'application/grpc';
    const enc = headers['grpc-encoding'];
    this.reqEncoding = typeof enc === 'string' ? enc : 'identity';
    const accept = headers['grpc-accept-encoding'];
    const rc = cfg.responseCompression;
    this.respEncoding = rc !== undefined && typeof accept === 'string' && accept.split(',').some((s) => s.trim() === rc) ? rc : undefined;
    this.decoder = new EnvelopeDecoder(this, cfg.maxReceiveMessageBytes);
    const t = parseTimeout(typeof headers['grpc-timeout'] === 'string' ? headers['grpc-timeout'] : undefined);
    if (t !== undefined) {
      this.deadline = Date.now() + t;
      // `grpc-timeout: 9999H` is over a year: Node cannot arm that, so it is no local deadline.
      this.timer = armTimer(Math.ceil(t), onDeadline, this);
    }
    // Module-level handlers find the call through a symbol: no closures per call.
    (stream as CallStream)[CALL] = this;
    stream.on('data', streamOnData);
    stream.on('end', streamOnEnd);
    stream.on('error', noop);
    stream.on('close', streamOnClose);
    stream.on('wantTrailers', streamOnWantTrailers);
  }

  /** Built when first asked for: most handlers never look. */
  get metadata(): Record<string, string | string[]> {
    return (this.meta ??= headersToMetadata(this.headers, false));
  }

  get signal(): AbortSignal {
    return (this.abort ??= new AbortController()).signal;
  }

  get peer(): string {
    const socket = this.stream.session?.socket;
    return socket?.remoteAddress ? formatAddress(socket.remoteAddress, socket.remotePort ?? 0) : '';
  }

  recv(): Promise<Uint8Array | undefined> {
    return this.recvMapped(identity, rethrow);
  }

  recvMapped<T>(map: (message: Uint8Array | undefined) => T, fail: (err: RpcError) => T): Promise<T> {
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
        this.stream.resume();
      }
      return mapped(map, m);
    }
    if (this.reqDone) return this.reqError ? mapped(fail, this.reqError) : mapped(map, undefined);
    if (this.recvWait !== undefined) return Promise.reject(new RpcError(Code.INTERNAL, 'concurrent recv()'));
    const w = new RecvWaiter(map, fail);
    this.recvWait = w as RecvWaiter<unknown>;
    return w.promise;
  }

  sendHeaders(metadata?: RequestMetadata): void {
    if (this.headersSent || this.ended || this.stream.destroyed) return;
    let h: OutgoingHttpHeaders;
    if (metadata === undefined && this.respEncoding === undefined && this.contentType === GRPC) {
      h = PLAIN_RESPONSE_HEADERS; // node copies headers before use: one object serves every call
    } else {
      h = { ':status': 200, 'content-type': this.contentType, 'grpc-accept-encoding': ACCEPT_ENCODING };
      if (this.respEncoding !== undefined) h['grpc-encoding'] = this.respEncoding;
      if (metadata) addMetadata(h as Record<string, string | string[]>, metadata); // may throw: then nothing was sent
    }
    this.headersSent = true;
    this.stream.respond(h, WITH_TRAILERS);
  }

  send(message: Uint8Array): Promise<void> {
    if (this.ended || this.stream.destroyed) {
      return Promise.reject(this.abortReason() ?? new RpcError(Code.INTERNAL, 'send after end'));
    }
    if (!this.headersSent) this.sendHeaders();
    let payload = message;
    let flags = 0;
    if (this.respEncoding !== undefined) {
      payload = compress(this.respEncoding, message);
      flags = FLAG_COMPRESSED;
    }
    const stream = this.stream;
    if ((this.writer ??= new FrameWriter(stream, true)).write(flags, payload)) return RESOLVED;
    if (!this.drainListening) {
      this.drainListening = true;
      stream.on('drain', streamOnDrain);
    }
    return (this.drainWait ??= deferred<void>()).promise;
  }

  end(status?: ServerStatus): void {
    if (this.ended) return;
    this.ended = true;
    this.clearTimer();
    const stream = this.stream;
    if (stream.destroyed || stream.closed) return;
    const t = status === undefined || (status.code === Code.OK && !status.message && !status.details?.length && !status.trailers)
      ? OK_TRAILERS // node copies trailers before use: one object serves every call
      : trailersOf(status);
    if (!this.headersSent) {
      // Trailers-only response: one HEADERS frame with END_STREAM.
      this.headersSent = true;
      const h: OutgoingHttpHeaders = { ':status': 200, 'content-type': this.contentType, ...t };
      stream.respond(h, END_STREAM);
    } else {
      this.pendingTrailers = t;
      this.writer?.flush();
      stream.end();
    }
    // Whatever the client still sends is of no interest now.
    if (!this.reqDone) stream.resume();
  }

  finish(message: Uint8Array, status?: ServerStatus): void {
    if (this.ended || this.stream.destroyed) return;
    if (this.respEncoding !== undefined || this.writer !== undefined || message.length > COPY_THRESHOLD) {
      // The general path: compressed, large, or after other messages.
      this.send(message).catch(noop); // the stream holds it; end() follows at once
      this.end(status);
      return;
    }
    this.sendHeaders();
    this.ended = true;
    this.clearTimer();
    this.pendingTrailers = status === undefined ? OK_TRAILERS : trailersOf(status);
    this.stream.end(encodeEnvelope(0, message)); // one pooled buffer: prefix + message
    if (!this.reqDone) this.stream.resume();
  }

  /** Ends with the status of a thrown error (RpcError keeps its code; anything else is UNKNOWN). */
  fail(err: unknown): void {
    if (err instanceof RpcError) this.end({ code: err.code, message: err.rawMessage, details: err.details });
    else this.end({ code: Code.UNKNOWN, message: messageOf(err) });
  }

  /** Drops the call with RST_STREAM(INTERNAL_ERROR): for when not even a status can be sent. */
  reset(): void {
    this.ended = true;
    this.clearTimer();
    if (!this.stream.destroyed) this.stream.close(NGHTTP2_INTERNAL_ERROR);
  }

  /** @internal */
  onWantTrailers(): void {
    const t = this.pendingTrailers ?? OK_TRAILERS;
    this.pendingTrailers = undefined;
    try {
      this.stream.sendTrailers(t);
    } catch {
      this.stream.close(NGHTTP2_INTERNAL_ERROR); // trailers node refuses (from a handler): reset, never throw from the event
    }
  }

  /** @internal */
  onData(chunk: Buffer): void {
    if (this.reqDone) return;
    try {
      this.decoder.push(chunk);
    } catch (e) {
      const err = e instanceof RpcError ? e : new RpcError(Code.INTERNAL, String(e));
      this.failRequest(err);
      this.end({ code: err.code, message: err.rawMessage });
    }
  }

  /** EnvelopeSink: one request message. */
  onEnvelope(flags: number, data: Uint8Array): void {
    if (this.reqDone) return;
    let msg = data;
    if ((flags & FLAG_COMPRESSED) !== 0) {
      if (this.reqEncoding === 'identity') throw new RpcError(Code.INTERNAL, 'compressed message without grpc-encoding');
      if (this.reqEncoding !== 'gzip' && this.reqEncoding !== 'deflate') {
        throw new RpcError(Code.UNIMPLEMENTED, `unsupported grpc-encoding "${this.reqEncoding}"`);
      }
      msg = decompress(this.reqEncoding, data, this.cfg.maxDecompressedBytes);
    }
    const w = this.recvWait;
    if (w !== undefined) {
      this.recvWait = undefined;
      w.deliver(msg);
      return;
    }
    this.queue.push(msg);
    this.queuedBytes += msg.length;
    if (!this.paused && this.queuedBytes > RECV_HIGH_WATER) {
      this.paused = true;
      this.stream.pause();
    }
  }

  /** @internal */
  onEnd(): void {
    if (this.reqDone) return;
    if (this.decoder.partial) {
      const err = new RpcError(Code.INTERNAL, 'request ended in the middle of a message');
      this.failRequest(err);
      this.end({ code: err.code, message: err.rawMessage });
      return;
    }
    this.reqDone = true;
    const w = this.recvWait;
    if (w !== undefined) {
      this.recvWait = undefined;
      w.deliver(undefined);
    }
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
    this.clearTimer();
    this.idleClock?.callEnded();
    if (!this.ended) {
      // Closed before the handler ended it: the client cancelled or the connection broke.
      const rst = this.stream.rstCode;
      const err = new RpcError(Code.CANCELLED, rst === NGHTTP2_CANCEL ? 'call cancelled by client' : 'stream closed before the call ended');
      this.ended = true;
      this.failRequest(err);
      this.abort?.abort(err);
      if (this.abort === undefined) (this.abort = new AbortController()).abort(err);
    } else if (!this.reqDone) {
      this.failRequest(new RpcError(Code.CANCELLED, 'call ended'));
    }
    const d = this.drainWait;
    if (d !== undefined) {
      this.drainWait = undefined;
      d.promise.catch(noop);
      d.reject(this.reqError ?? new RpcError(Code.CANCELLED, 'stream closed'));
    }
  }

  /** @internal */
  onDeadline(): void {
    this.timer = undefined;
    const err = new RpcError(Code.DEADLINE_EXCEEDED, 'deadline exceeded');
    (this.abort ??= new AbortController()).abort(err);
    this.failRequest(err);
    this.end({ code: Code.DEADLINE_EXCEEDED, message: 'deadline exceeded' });
  }

  private abortReason(): RpcError | undefined {
    const r: unknown = this.abort?.signal.reason;
    return r instanceof RpcError ? r : undefined;
  }

  private failRequest(err: RpcError): void {
    if (this.reqDone) return;
    this.reqDone = true;
    this.reqError = err;
    this.queue.length = 0;
    this.qHead = 0;
    this.queuedBytes = 0;
    if (this.paused) {
      this.paused = false;
      this.stream.resume();
    }
    const w = this.recvWait;
    if (w !== undefined) {
      this.recvWait = undefined;
      w.failWith(err);
    }
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}

function noop(): void {}

const GRPC = 'application/grpc';
const PLAIN_RESPONSE_HEADERS: OutgoingHttpHeaders = { ':status': 200, 'content-type': GRPC, 'grpc-accept-encoding': ACCEPT_ENCODING };
// grpc-message is optional and empty on OK: one header fewer to build and compress per call.
const OK_TRAILERS: OutgoingHttpHeaders = { 'grpc-status': '0' };
// No `date` header: gRPC has no use for it, and node formats one per response otherwise.
const WITH_TRAILERS = { waitForTrailers: true, sendDate: false };
const END_STREAM = { endStream: true, sendDate: false };

/** The trailers for a status that is not a plain OK. */
function trailersOf(status: ServerStatus): Record<string, string | string[]> {
  let code = status.code;
  let message = status.message ?? '';
  let t: Record<string, string | string[]> = {};
  try {
    if (status.trailers) addMetadata(t, status.trailers);
  } catch (e) {
    // Trailers a handler set that cannot be sent: the call still ends, with why.
    t = {};
    code = Code.INTERNAL;
    message = `the handler's trailers could not be sent: ${messageOf(e)}`;
  }
  return statusTrailers(code, message, status.details, t);
}

const CALL = Symbol('idlcall.serverCall');
type CallStream = ServerHttp2Stream & { [CALL]: ServerCallImpl };

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
function streamOnWantTrailers(this: CallStream): void {
  this[CALL].onWantTrailers();
}
function onDeadline(call: ServerCallImpl): void {
  call.onDeadline();
}
