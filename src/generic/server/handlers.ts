import type { Metadata } from '../../errors/rpc-error.js';
import type { PingPongTransport } from '../../ttheader/index.js';

/** What a handler knows about the call it serves. */
export interface ServerContext {
  /** The method name as called. */
  readonly method: string;
  /** Request metadata: gRPC headers, or TTHeader/THeader string info (ttstream: the Header frame's, metainfo keys as sent, e.g. `RPC_TRANSIT_<key>`). */
  readonly metadata: Metadata;
  /** Aborted when the client cancels, the connection drops or the deadline passes. */
  readonly signal: AbortSignal;
  /** Absolute deadline (ms since epoch), when the client sent one. */
  readonly deadline: number | undefined;
  readonly transport: 'grpc' | 'ttstream' | PingPongTransport;
  /** The client's address as `ip:port` (`[ip]:port` for IPv6), for logs. */
  readonly peer: string;
  /**
   * Adds a response header (gRPC and ttstream: sent with the first message). Ping-pong: a string info
   * entry of the reply (TTHeader) or a THeader header; Framed and Buffered drop it.
   */
  setHeader(name: string, value: string): void;
  /** Adds a response trailer (gRPC, ttstream). Ping-pong has no trailers: the same as `setHeader`. */
  setTrailer(name: string, value: string): void;
}

/** Unary and ping-pong methods: one request, one response. */
export type UnaryHandler<Req, Res> = (req: Req, ctx: ServerContext) => Res | Promise<Res>;
/** Client-streaming methods: many requests, one response. */
export type ClientStreamingHandler<Req, Res> = (requests: AsyncIterable<Req>, ctx: ServerContext) => Res | Promise<Res>;
/** Server-streaming methods: one request, responses yielded (an async generator fits). */
export type ServerStreamingHandler<Req, Res> = (req: Req, ctx: ServerContext) => AsyncIterable<Res> | Iterable<Res>;
/** Bidirectional methods: requests in, responses yielded, independently. */
export type BidiStreamingHandler<Req, Res> = (
  requests: AsyncIterable<Req>,
  ctx: ServerContext,
) => AsyncIterable<Res> | Iterable<Res>;

/**
 * Any handler; which shape a method takes follows from its call mode in the
 * IDL. The first argument is the request (unary, ping-pong and
 * server-streaming methods) or an async iterable of requests (client and
 * bidirectional streaming); its static type admits both uses so that inline
 * handlers type-check without annotations. Annotate with the specific handler
 * types above for stricter checks.
 */
export type Handler<Req, Res> = (
  input: Req & AsyncIterable<Req>,
  ctx: ServerContext,
) => Res | Promise<Res> | AsyncIterable<Res> | Iterable<Res>;

/** Handlers by method name. Methods without one answer UNIMPLEMENTED. */
export type Handlers<Req, Res> = Record<string, Handler<Req, Res>>;
