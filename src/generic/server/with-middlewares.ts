import { Code } from '../../errors/status-code.js';
import { RpcError, type Metadata } from '../../errors/rpc-error.js';
import { compose, resultOf } from '../../governance/compose.js';
import type { Call, CallHandler, CallResult, Middleware, StreamCall, UnaryCall } from '../../governance/middleware.js';
import type { Generic } from '../method-codec.js';
import type { Handler, Handlers, ServerContext } from './handlers.js';

/** The handler and its context, carried on the call under a symbol (it survives `{ ...call }`). */
const HANDLER = Symbol('idlcall.handler');

interface Served {
  [HANDLER]: { handler: Handler<unknown, unknown>; ctx: ServerContext };
}

/**
 * The handlers wrapped in the server's middlewares, composed once: each call passes
 * through the chain, whose innermost step runs the user's handler. Made once at server
 * construction, so a server without middlewares serves its handlers as they are.
 */
export function withMiddlewares<Req, Res>(
  generic: Generic<Req, Res>,
  handlers: Handlers<Req, Res>,
  middlewares: readonly Middleware[],
  /** The server's `host:port` (known once it listens). */
  target: () => string,
): Handlers<Req, Res> {
  const chain = compose(middlewares, runHandler);
  const out: Handlers<Req, Res> = {};
  for (const [name, handler] of Object.entries(handlers)) {
    const codec = generic.method(name);
    const path = codec.grpcPath;
    const service = path.slice(1, path.lastIndexOf('/'));
    const shape = codec.mode;
    /** The call without its message(s): one object literal, no spreads, as it is on every call's path. */
    const newCall = (ctx: ServerContext, stream: boolean): Partial<Call> & Served => ({
      stream,
      side: 'server',
      service,
      method: name,
      shape,
      transport: ctx.transport,
      target: target(),
      metadata: { ...ctx.metadata },
      deadline: ctx.deadline,
      peer: ctx.peer,
      setHeader: (n, v) => ctx.setHeader(n, v),
      setTrailer: (n, v) => ctx.setTrailer(n, v),
      [HANDLER]: { handler: handler as Handler<unknown, unknown>, ctx },
    });
    let wrapped: (input: never, ctx: ServerContext) => unknown;
    switch (shape) {
      case 'unary':
      case 'pingpong':
        wrapped = async (request: unknown, ctx: ServerContext) => {
          const call = newCall(ctx, false) as UnaryCall;
          call.request = request;
          return resultOf(call, await chain(call)).response;
        };
        break;
      case 'client':
        wrapped = async (requests: AsyncIterable<unknown>, ctx: ServerContext) => {
          const call = newCall(ctx, true) as StreamCall;
          call.requests = requests;
          return onlyMessage(resultOf(call, await chain(call)).responses, name);
        };
        break;
      case 'server':
      case 'bidirectional':
        wrapped = (input: unknown, ctx: ServerContext) => {
          const call = newCall(ctx, true) as StreamCall;
          call.requests = shape === 'server' ? oneMessage(input) : (input as AsyncIterable<unknown>);
          return responsesThrough(chain, call);
        };
        break;
    }
    out[name] = wrapped as Handler<Req, Res>;
  }
  return out;
}

/** The innermost step: the user's handler, with a context that shows the call as the middlewares left it. */
async function runHandler(call: Call): Promise<CallResult> {
  const served = (call as Call & Partial<Served>)[HANDLER];
  if (served === undefined) throw new RpcError(Code.INTERNAL, 'a middleware passed on a call it did not receive (spread the call it got: next({ ...call, … }))');
  const ctx = new MiddlewareContext(served.ctx, call);
  const { handler } = served;
  if (!call.stream) return { stream: false, response: await handler(call.request as never, ctx) };
  switch (call.shape) {
    case 'client':
      return { stream: true, responses: oneMessage(await handler(call.requests as never, ctx)) };
    case 'server':
      return { stream: true, responses: asAsync(handler((await firstMessage(call.requests, call.method)) as never, ctx) as Iterable<unknown>) };
    default:
      return { stream: true, responses: asAsync(handler(call.requests as never, ctx) as Iterable<unknown>) };
  }
}

/** The handler's context: the transport's, with the metadata and deadline the middlewares left. */
class MiddlewareContext implements ServerContext {
  constructor(
    private readonly ctx: ServerContext,
    private readonly call: Call,
  ) {}
  get method(): string {
    return this.ctx.method;
  }
  get metadata(): Metadata {
    return this.call.metadata as Metadata;
  }
  get signal(): AbortSignal {
    return this.ctx.signal;
  }
  get deadline(): number | undefined {
    return this.call.deadline;
  }
  get transport(): ServerContext['transport'] {
    return this.ctx.transport;
  }
  get peer(): string {
    return this.ctx.peer;
  }
  setHeader(name: string, value: string): void {
    this.ctx.setHeader(name, value);
  }
  setTrailer(name: string, value: string): void {
    this.ctx.setTrailer(name, value);
  }
}

async function* responsesThrough(chain: CallHandler, call: StreamCall): AsyncGenerator<unknown, void, undefined> {
  yield* resultOf(call, await chain(call)).responses;
}

async function* oneMessage(message: unknown): AsyncGenerator<unknown, void, undefined> {
  yield message;
}

async function* asAsync(messages: AsyncIterable<unknown> | Iterable<unknown>): AsyncGenerator<unknown, void, undefined> {
  yield* messages;
}

async function firstMessage(messages: AsyncIterable<unknown>, method: string): Promise<unknown> {
  for await (const m of messages) return m;
  throw new RpcError(Code.INTERNAL, `${method}: a middleware ended the request stream before its one request`);
}

/**
 * A client-streaming call's single response, from the response iterable the chain returned,
 * read to its end so that the middlewares see the call finish.
 */
async function onlyMessage(messages: AsyncIterable<unknown>, method: string): Promise<unknown> {
  const got: unknown[] = [];
  for await (const m of messages) {
    if (got.push(m) > 1) throw new RpcError(Code.INTERNAL, `${method}: a middleware gave a client-streaming call more than one response`);
  }
  if (got.length === 0) throw new RpcError(Code.INTERNAL, `${method}: a middleware ended the response stream without a response`);
  return got[0];
}
