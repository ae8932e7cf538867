import type { Socket } from 'node:net';
// The modules themselves, not the ttheader barrel: that one also holds the ping-pong client
// (its connection pool and 64 KiB read buffer), which a server never needs.
import { ServerRequestReader, encodeServerException, encodeServerReply, type ServerRequest } from '../../ttheader/server-framing.js';
import { MessageType } from '../../frame/tmessage.js';
import { TApplicationExceptionType } from '../../frame/application-exception.js';
import { ReadGate, ReadHold, writable, type ConnectionLimits, type ConnectionTimer } from '../../connection-policy/index.js';
import { DeclaredException } from '../../errors/declared-exception.js';
import { Code } from '../../errors/status-code.js';
import { RpcError, type Metadata } from '../../errors/rpc-error.js';
import { messageOf } from '../../errors/message-of.js';
import { formatAddress } from '../../net/connection-info.js';
import type { Generic, MethodCodec } from '../method-codec.js';
import type { Handlers, ServerContext, UnaryHandler } from './handlers.js';
import { isPromiseLike } from './promise-like.js';

const CONNECTION_RESET = new Map([['crrst', '1']]);

/**
 * Bytes of whole requests read ahead of the one being served before reading
 * stops (besides the `maxPipelinedRequests` count): what gRPC's streams queue.
 */
const READ_AHEAD_BYTES = 1 << 20;

/** What a call's context takes from its connection. */
interface CallSource {
  /** Aborted when the connection closes. */
  readonly signal: AbortSignal;
  /** The client's address. */
  readonly peer: string;
}

/**
 * A handler's context on a ping-pong transport. Headers and trailers that the
 * handler sets are collected into `replyInfo`, sent as the reply's string info
 * (TTHeader) or headers (THeader); Framed and Buffered have nowhere to put them.
 */
class PingPongContext implements ServerContext {
  readonly transport: ServerContext['transport'];
  readonly deadline: number | undefined;
  /** Made on the first header set, so a plain call allocates nothing more. */
  replyInfo: Map<string, string> | undefined = undefined;
  private meta: Metadata | undefined = undefined;

  constructor(
    private readonly req: ServerRequest,
    private readonly conn: CallSource,
  ) {
    this.transport = req.transport;
    const timeout = req.intInfo.size === 0 ? undefined : Number(req.intInfo.get(12 /* RPCTimeout, ms */));
    this.deadline = timeout !== undefined && timeout > 0 ? Date.now() + timeout : undefined;
  }

  get method(): string {
    return this.req.name;
  }

  /** Built when a handler first asks: most never do. */
  get metadata(): Metadata {
    return (this.meta ??= Object.fromEntries(this.req.strInfo));
  }

  get signal(): AbortSignal {
    return this.conn.signal;
  }

  get peer(): string {
    return this.conn.peer;
  }

  setHeader(name: string, value: string): void {
    (this.replyInfo ??= new Map()).set(name, value);
  }

  setTrailer(name: string, value: string): void {
    this.setHeader(name, value);
  }
}

/**
 * Answers one ping-pong request: REPLY with the result, REPLY carrying a
 * declared exception, or EXCEPTION with a TApplicationException (unknown
 * method, a method that does not ping-pong, a request that does not decode,
 * handler errors), as Kitex does. Undefined for oneway calls. The reply is
 * returned at once when the handler returns a value (no promise, no microtask
 * between request and reply); a promise only when the handler returns one.
 * Never throws or rejects: whatever the handler does, the caller gets a reply.
 */
function answer<Req, Res>(
  generic: Generic<Req, Res>,
  handlers: Handlers<Req, Res>,
  req: ServerRequest,
  conn: CallSource,
): Uint8Array | undefined | Promise<Uint8Array | undefined> {
  const oneway = req.type === MessageType.ONEWAY;
  let codec: MethodCodec<Req, Res>;
  try {
    codec = (req.payloadProtocol === 'thrift-compact' ? generic.withThriftProtocol('compact') : generic).method(req.name);
  } catch {
    return oneway ? undefined : exceptionReply(req, `unknown method ${req.name}`, TApplicationExceptionType.UNKNOWN_METHOD, CONNECTION_RESET);
  }
  const handler = handlers[req.name] as UnaryHandler<Req, Res> | undefined;
  if (codec.mode !== 'pingpong' && codec.mode !== 'unary') {
    return exceptionReply(req, `${req.name} is a streaming method; call it over gRPC or ttstream`, TApplicationExceptionType.UNKNOWN_METHOD);
  }
  if (!handler) return exceptionReply(req, `method ${req.name} is not implemented`, TApplicationExceptionType.UNKNOWN_METHOD);
  let decoded: Req;
  try {
    decoded = codec.decodeRequest(req.body);
  } catch (err) {
    return oneway ? undefined : exceptionReply(req, `request could not be decoded: ${messageOf(err)}`, TApplicationExceptionType.PROTOCOL_ERROR);
  }
  const ctx = new PingPongContext(req, conn);
  let res: Res | PromiseLike<Res>;
  try {
    res = handler(decoded, ctx);
  } catch (err) {
    return oneway ? undefined : failureReply(req, codec, err, ctx.replyInfo);
  }
  if (!isPromiseLike(res)) return oneway ? undefined : replyOf(req, codec, ctx, res);
  return Promise.resolve(res).then(
    (r) => (oneway ? undefined : replyOf(req, codec, ctx, r)),
    (err: unknown) => (oneway ? undefined : failureReply(req, codec, err, ctx.replyInfo)),
  );
}

/** The REPLY carrying what the handler returned (or the failure reply when it cannot be encoded). */
function replyOf<Req, Res>(req: ServerRequest, codec: MethodCodec<Req, Res>, ctx: PingPongContext, res: Res): Uint8Array {
  try {
    // Only a reply with headers set leaves the per-method reply template.
    const body = codec.encodeResponse(res);
    return encodeServerReply(req, ctx.replyInfo ? { body, strInfo: ctx.replyInfo } : { body });
  } catch (err) {
    return failureReply(req, codec, err, ctx.replyInfo);
  }
}

/**
 * The reply to a call whose handler threw, or whose reply could not be
 * encoded (a declared exception whose JSON does not fit its type, reply
 * headers over TTHeader's 64 KiB): the declared exception when it encodes,
 * otherwise a TApplicationException INTERNAL_ERROR. Never throws.
 */
function failureReply<Req, Res>(req: ServerRequest, codec: MethodCodec<Req, Res>, err: unknown, info: Map<string, string> | undefined): Uint8Array {
  if (err instanceof DeclaredException) {
    try {
      const body = codec.encodeDeclaredException(err.typeName || err.fieldName, err.json);
      if (body) return encodeServerReply(req, info ? { body, strInfo: info } : { body });
    } catch (encodeErr) {
      err = encodeErr;
    }
  }
  return exceptionReply(req, messageOf(err), TApplicationExceptionType.INTERNAL_ERROR, info);
}

/** An EXCEPTION reply; without the handler's headers when those cannot be encoded. */
function exceptionReply(req: ServerRequest, message: string, type: number, info?: ReadonlyMap<string, string>): Uint8Array {
  if (info !== undefined) {
    try {
      return encodeServerException(req, message, type, info);
    } catch {
      // the headers are what does not fit: answer without them
    }
  }
  return encodeServerException(req, message, type);
}

/**
 * Serves ping-pong requests on one connection, one at a time and in order,
 * answering each in the transport it came in. Bad framing or a frame over the
 * limit closes the connection; a request that cannot be served gets an
 * EXCEPTION reply. Memory is bounded: reading stops while
 * `maxPipelinedRequests` requests (or 1 MiB of them) wait, and while a reply
 * cannot be written because the client does not read.
 */
export class PingPongConnection<Req, Res> implements CallSource {
  private readonly reader: ServerRequestReader;
  private readonly gate: ReadGate;
  /** Made when a handler first looks at its signal: most never do, and idle connections are many. */
  private abort: AbortController | undefined;
  private closed = false;
  /** The client's address, for handlers (ServerContext.peer). */
  readonly peer: string;
  private serving = false;

  constructor(
    private readonly generic: Generic<Req, Res>,
    private readonly handlers: Handlers<Req, Res>,
    private readonly socket: Socket,
    private readonly limits: ConnectionLimits,
    private readonly timer: ConnectionTimer,
  ) {
    this.reader = new ServerRequestReader(limits.maxReceiveMessageBytes);
    this.gate = new ReadGate(socket);
    this.peer = socket.remoteAddress ? formatAddress(socket.remoteAddress, socket.remotePort ?? 0) : '';
    socket.setNoDelay(true); // a reply is one write: it must not wait for the client's ACK of the previous one (Nagle)
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('close', () => {
      this.closed = true;
      this.abort?.abort(closedError());
    });
  }

  /** Aborted when the connection closes (already aborted if it has). */
  get signal(): AbortSignal {
    if (this.abort === undefined) {
      this.abort = new AbortController();
      if (this.closed) this.abort.abort(closedError());
    }
    return this.abort.signal;
  }

  /** Bytes of memory this connection holds: requests read and not served, and replies not yet taken by the kernel. */
  get bufferedBytes(): number {
    return this.reader.heldBytes + this.socket.writableLength;
  }

  /** Whole requests read and waiting to be served. */
  get queuedRequests(): number {
    return this.reader.pending;
  }

  /** Bytes read from the socket (the first ones came from protocol detection). */
  received(chunk: Uint8Array): void {
    let pending: number;
    try {
      pending = this.reader.append(chunk);
    } catch {
      this.socket.destroy(); // bad framing or a frame over the limit: nothing sensible to answer
      return;
    }
    if (pending === 0) return;
    this.timer.handshakeDone();
    if (pending >= this.limits.maxPipelinedRequests || this.reader.pendingBytes >= READ_AHEAD_BYTES) this.gate.hold(ReadHold.Queue);
    if (!this.serving) void this.serve();
  }

  /**
   * Answers the queued requests in order. Replies of handlers that return a
   * value are written in the same turn as the request that asked (a burst of
   * pipelined requests leaves as one corked write); only a handler's promise
   * or a full socket makes it wait.
   */
  private async serve(): Promise<void> {
    this.serving = true;
    const socket = this.socket;
    let corked = this.reader.pending > 1;
    if (corked) socket.cork();
    try {
      for (;;) {
        if (socket.destroyed) return;
        const req = this.reader.next();
        if (req === undefined) return;
        if (
          this.gate.isHeld(ReadHold.Queue) &&
          this.reader.pending <= this.limits.maxPipelinedRequests >>> 1 &&
          this.reader.pendingBytes < READ_AHEAD_BYTES
        ) {
          this.gate.release(ReadHold.Queue);
        }
        this.timer.callStarted();
        let reply: Uint8Array | undefined | Promise<Uint8Array | undefined>;
        try {
          reply = answer(this.generic, this.handlers, req, this);
          if (reply instanceof Promise) {
            if (corked) {
              corked = false;
              socket.uncork(); // what is answered leaves before waiting
            }
            reply = await reply;
          }
        } finally {
          this.timer.callEnded();
        }
        if (reply === undefined || socket.destroyed) continue;
        if (!socket.write(reply)) {
          // The client is not reading: no more requests until this reply has left.
          if (corked) {
            corked = false;
            socket.uncork();
          }
          this.gate.hold(ReadHold.Write);
          await writable(socket);
          this.gate.release(ReadHold.Write);
        }
      }
    } catch {
      socket.destroy(); // a frame that does not decode (or a bug): never an unhandled rejection
    } finally {
      if (corked) socket.uncork();
      this.serving = false;
    }
  }
}

function closedError(): RpcError {
  return new RpcError(Code.CANCELLED, 'connection closed');
}
