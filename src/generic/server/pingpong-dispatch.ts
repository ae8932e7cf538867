import type { Socket } from 'node:net';
import {
  MessageType,
  ServerRequestReader,
  TApplicationExceptionType,
  encodeServerException,
  encodeServerReply,
  type ServerRequest,
} from '../../ttheader/index.js';
import { DeclaredException } from '../../errors/declared-exception.js';
import { RpcError, type Metadata } from '../../errors/rpc-error.js';
import { formatAddress } from '../../net/connection-info.js';
import type { Generic, MethodCodec } from '../method-codec.js';
import type { Handlers, ServerContext, UnaryHandler } from './handlers.js';

const CONNECTION_RESET = new Map([['crrst', '1']]);

/**
 * A handler's context on a ping-pong transport. Headers and trailers that the
 * handler sets are collected into `replyInfo`, sent as the reply's string info
 * (TTHeader) or headers (THeader); Framed and Buffered have nowhere to put them.
 */
class PingPongContext implements ServerContext {
  readonly method: string;
  readonly metadata: Metadata;
  readonly deadline: number | undefined;
  readonly transport: ServerContext['transport'];
  /** Made on the first header set, so a plain call allocates nothing more. */
  replyInfo: Map<string, string> | undefined = undefined;

  constructor(
    req: ServerRequest,
    readonly signal: AbortSignal,
    readonly peer: string,
  ) {
    this.method = req.name;
    this.metadata = Object.fromEntries(req.strInfo);
    const timeout = Number(req.intInfo.get(12 /* RPCTimeout, ms */));
    this.deadline = timeout > 0 ? Date.now() + timeout : undefined;
    this.transport = req.transport;
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
 * method, a method that does not ping-pong, handler errors), as Kitex does.
 * Returns undefined for oneway calls.
 */
async function answer<Req, Res>(
  generic: Generic<Req, Res>,
  handlers: Handlers<Req, Res>,
  req: ServerRequest,
  signal: AbortSignal,
  peer: string,
): Promise<Uint8Array | undefined> {
  const oneway = req.type === MessageType.ONEWAY;
  let codec: MethodCodec<Req, Res>;
  try {
    codec = (req.payloadProtocol === 'thrift-compact' ? generic.withThriftProtocol('compact') : generic).method(req.name);
  } catch {
    return oneway ? undefined : encodeServerException(req, `unknown method ${req.name}`, TApplicationExceptionType.UNKNOWN_METHOD, CONNECTION_RESET);
  }
  const handler = handlers[req.name] as UnaryHandler<Req, Res> | undefined;
  if (codec.mode !== 'pingpong' && codec.mode !== 'unary') {
    return encodeServerException(req, `${req.name} is a streaming method; call it over gRPC or ttstream`, TApplicationExceptionType.UNKNOWN_METHOD);
  }
  if (!handler) return encodeServerException(req, `method ${req.name} is not implemented`, TApplicationExceptionType.UNKNOWN_METHOD);
  const ctx = new PingPongContext(req, signal, peer);
  try {
    const res = await handler(codec.decodeRequest(req.body), ctx);
    if (oneway) return undefined;
    // Only a reply with headers set leaves the per-method reply template.
    const body = codec.encodeResponse(res);
    return encodeServerReply(req, ctx.replyInfo ? { body, strInfo: ctx.replyInfo } : { body });
  } catch (err) {
    if (oneway) return undefined;
    if (err instanceof DeclaredException) {
      const body = codec.encodeDeclaredException(err.typeName || err.fieldName, err.json);
      if (body) return encodeServerReply(req, ctx.replyInfo ? { body, strInfo: ctx.replyInfo } : { body });
    }
    const message = err instanceof RpcError ? err.rawMessage : err instanceof Error ? err.message : String(err);
    return encodeServerException(req, message, TApplicationExceptionType.INTERNAL_ERROR, ctx.replyInfo);
  }
}

/**
 * Serves ping-pong requests on one connection, in order, answering each in
 * the transport it came in. Bad framing closes the connection; a request
 * that cannot be served gets an EXCEPTION reply.
 */
export function servePingPongConnection<Req, Res>(
  generic: Generic<Req, Res>,
  handlers: Handlers<Req, Res>,
  socket: Socket,
  firstChunk: Uint8Array,
  maxFrameBytes?: number,
): void {
  const reader = new ServerRequestReader(maxFrameBytes);
  const abort = new AbortController();
  const peer = socket.remoteAddress ? formatAddress(socket.remoteAddress, socket.remotePort ?? 0) : '';
  const queue: ServerRequest[] = [];
  let busy = false;

  const drain = async (): Promise<void> => {
    busy = true;
    try {
      while (queue.length && !socket.destroyed) {
        const reply = await answer(generic, handlers, queue.shift()!, abort.signal, peer);
        if (reply && !socket.destroyed) socket.write(reply);
      }
    } finally {
      busy = false;
    }
  };

  const onData = (chunk: Uint8Array): void => {
    try {
      for (const r of reader.push(chunk)) queue.push(r);
    } catch {
      socket.destroy();
      return;
    }
    if (!busy && queue.length) void drain();
  };

  socket.on('data', onData);
  socket.on('error', () => undefined);
  socket.on('close', () => abort.abort());
  onData(firstChunk);
}
