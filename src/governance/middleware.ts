import type { Metadata } from '../errors/rpc-error.js';
import type { CallMode } from '../generic/call-mode.js';
import type { RequestMetadata } from '../generic/options.js';
import type { PingPongTransport } from '../ttheader/index.js';

/**
 * What a middleware knows about the call it wraps, on the client and on the
 * server alike.
 */
export interface CallInfo {
  /** Which end runs the middleware. */
  readonly side: 'client' | 'server';
  /** The service as it travels: the full protobuf name (`package.Service`) or the Thrift service name. */
  readonly service: string;
  readonly method: string;
  /** The method's call shape (`unary`, `pingpong`, `client`, `server`, `bidirectional`). */
  readonly shape: CallMode;
  readonly transport: 'grpc' | 'ttstream' | PingPongTransport;
  /**
   * Client: where the client sends calls — its resolver target (`dns:///…`, `etcd://…`), or
   * its `hostPorts` joined with commas. Server: the server's own `host:port`.
   */
  readonly target: string;
  /**
   * Request metadata, mutable. Client: what is sent (the client's metadata plus the call's;
   * what a middleware adds, changes or deletes here is what goes out). Server: what the
   * client sent, as the handler will see it (values are strings).
   */
  metadata: RequestMetadata;
  /** Absolute deadline (ms since the epoch), if the call has one. A client middleware may change it. */
  deadline: number | undefined;
  /** Server only: the client's address (`ip:port`). */
  readonly peer?: string;
  /** Server only: adds a response header (see `ServerContext.setHeader`). */
  setHeader?(name: string, value: string): void;
  /** Server only: adds a response trailer (see `ServerContext.setTrailer`). */
  setTrailer?(name: string, value: string): void;
}

/** A unary or ping-pong call: one request, in the generic's representation (JSON text, object or bytes). */
export interface UnaryCall extends CallInfo {
  readonly stream: false;
  request: unknown;
}

/**
 * A streaming call (client, server or bidirectional): the requests as an async iterable,
 * which a middleware may replace with a wrapper to see or change each message. A
 * server-streaming call's single request is a one-message iterable.
 */
export interface StreamCall extends CallInfo {
  readonly stream: true;
  requests: AsyncIterable<unknown>;
}

/** Any call a middleware can wrap. */
export type Call = UnaryCall | StreamCall;

/** The outcome of a unary call that succeeded; failures are thrown (an `RpcError`, or a declared exception). */
export interface UnaryResult {
  readonly stream: false;
  response: unknown;
  /** Response headers (client side; `{}` where the transport has none, or when a middleware answered). */
  header?: Metadata;
  /** Response trailers (client side). */
  trailer?: Metadata;
}

/**
 * The outcome of a streaming call once it is open: the responses as an async iterable
 * (a client-streaming call's single response is a one-message iterable). The call's final
 * status is where that iterable ends: done (OK), throwing (the error), or returned early
 * (the reader stopped; the call is cancelled).
 */
export interface StreamResult {
  readonly stream: true;
  responses: AsyncIterable<unknown>;
  /** Response headers (client side), once they arrive. */
  header?: Promise<Metadata>;
  /** Response trailers (client side), once the call ends. */
  trailer?: Promise<Metadata>;
}

/** What a call handler resolves to: the result of the same kind as its call. */
export type CallResult = UnaryResult | StreamResult;

/** The rest of the chain, down to the transport (client) or the handler (server). */
export type CallHandler = (call: Call) => Promise<CallResult>;

/**
 * A middleware, of Connect's interceptor shape (Kitex's `Middleware(next Endpoint) Endpoint`):
 * given the rest of the chain, returns a handler that may change the call, observe or replace
 * its messages, answer it without calling `next` (return a result, or throw an `RpcError`),
 * and see how it ended.
 *
 * ```ts
 * const auth: Middleware = (next) => async (call) => {
 *   call.metadata.authorization = `Bearer ${token}`;
 *   return next(call);
 * };
 * ```
 */
export type Middleware = (next: CallHandler) => CallHandler;
