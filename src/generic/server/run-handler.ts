import { Code } from '../../errors/status-code.js';
import { RpcError } from '../../errors/rpc-error.js';
import { DeclaredException } from '../../errors/declared-exception.js';
import type { MethodCodec } from '../method-codec.js';
import type {
  BidiStreamingHandler,
  ClientStreamingHandler,
  Handler,
  ServerContext,
  ServerStreamingHandler,
  UnaryHandler,
} from './handlers.js';
import { isPromiseLike } from './promise-like.js';

/**
 * One call as a handler runs it, whatever transport carries it (gRPC or
 * ttstream): the handler's context plus the call's message and end operations.
 */
export interface HandlerCall extends ServerContext {
  /** The next request's bytes; undefined once the client closed its side. */
  recv(): Promise<Uint8Array | undefined>;
  /** {@link recv} with the bytes through `map`, or its error through `fail`, as one promise (a throw rejects it). */
  recvMapped<T>(map: (bytes: Uint8Array | undefined) => T, fail: (err: unknown) => T): Promise<T>;
  /** Sends one response's bytes; a promise to wait for when the transport cannot take more at once, otherwise undefined. */
  send(bytes: Uint8Array): Promise<void> | undefined;
  /** Ends the call successfully. */
  end(): void;
  /** Sends the last response and ends the call successfully; a promise to wait for, or undefined when done. */
  finish(bytes: Uint8Array): Promise<void> | undefined;
  /** Ends the call with the handler's error, in the transport's terms. */
  fail(err: unknown): void;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * Requests of a streaming call, decoded as the handler pulls them. One promise
 * per request (an async generator costs several, and microtasks with them);
 * pulls made before the previous one settled wait their turn, as a
 * generator's do.
 */
class Requests<Req, Res> implements AsyncIterableIterator<Req> {
  private done = false;
  /** A pull still waiting for its request: later pulls wait behind it. */
  private pending: Promise<IteratorResult<Req, undefined>> | undefined;
  /** Set while a pull's request has not been decoded (or failed) yet. */
  private pulling = false;
  private readonly decode = (bytes: Uint8Array | undefined): IteratorResult<Req, undefined> => {
    this.pulling = false;
    this.pending = undefined;
    if (bytes === undefined || this.done) {
      this.done = true;
      return DONE;
    }
    try {
      return { done: false, value: decodeOrInvalid(this.codec, bytes) };
    } catch (err) {
      this.done = true; // as a generator that threw: no more requests
      throw err;
    }
  };
  private readonly failed = (err: unknown): never => {
    this.pulling = false;
    this.pending = undefined;
    this.done = true;
    throw err;
  };

  constructor(
    private readonly call: HandlerCall,
    private readonly codec: MethodCodec<Req, Res>,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Req, undefined>> {
    if (this.done) return Promise.resolve(DONE);
    if (this.pending !== undefined) return this.pending.then(() => this.next());
    this.pulling = true;
    const pull = this.call.recvMapped(this.decode, this.failed);
    // A request already queued is decoded within recvMapped: then nothing is left to wait behind.
    if (this.pulling) this.pending = pull;
    return pull;
  }

  /** The handler stopped pulling (break, return, throw in its loop). */
  return(): Promise<IteratorResult<Req, undefined>> {
    this.done = true;
    return Promise.resolve(DONE);
  }
}

function decodeOrInvalid<Req, Res>(codec: MethodCodec<Req, Res>, bytes: Uint8Array): Req {
  try {
    return codec.decodeRequest(bytes);
  } catch (err) {
    throw new RpcError(Code.INVALID_ARGUMENT, `request could not be decoded: ${(err as Error).message}`, { cause: err });
  }
}

function single<Req, Res>(codec: MethodCodec<Req, Res>, bytes: Uint8Array | undefined): Req {
  if (bytes === undefined) throw new RpcError(Code.INTERNAL, 'the client sent no request');
  return decodeOrInvalid(codec, bytes);
}

/**
 * Sends what a streaming handler yields. A plain iterable (a `function*`)
 * is walked without an await per response, unless a response is a promise.
 */
async function sendAll<Req, Res>(call: HandlerCall, codec: MethodCodec<Req, Res>, responses: AsyncIterable<Res> | Iterable<Res>): Promise<void> {
  if ((responses as Partial<AsyncIterable<Res>>)[Symbol.asyncIterator] !== undefined) {
    for await (const res of responses) {
      const sent = call.send(codec.encodeResponse(res));
      if (sent !== undefined) await sent;
    }
    return;
  }
  for (let res of responses as Iterable<Res>) {
    if (isPromiseLike(res)) res = await res;
    const sent = call.send(codec.encodeResponse(res));
    if (sent !== undefined) await sent;
  }
}

/**
 * Runs `handler` for one call in the shape of its method: decodes requests
 * as it pulls them, encodes what it returns or yields, and ends the call with
 * success or with its error. A declared Thrift exception of a unary or
 * ping-pong method travels in-band, as a result struct with success status;
 * one that cannot be encoded fails the call. The transport's `fail` must not
 * throw: it is the last word.
 *
 * Between the stream and the handler there is no more waiting than the call
 * needs: a handler's value that is not a promise is used at once, and a send
 * the transport took at once is not awaited, so a unary call whose handler
 * returns a value costs one await (its request), and a server stream one per
 * message its generator yields.
 */
export async function runHandler<Req, Res>(codec: MethodCodec<Req, Res>, handler: Handler<Req, Res>, call: HandlerCall): Promise<void> {
  try {
    switch (codec.mode) {
      case 'unary':
      case 'pingpong': {
        const req = single(codec, await call.recv());
        let res = (handler as UnaryHandler<Req, Res>)(req, call);
        if (isPromiseLike(res)) res = await res;
        const finished = call.finish(codec.encodeResponse(res));
        if (finished !== undefined) await finished;
        return;
      }
      case 'client': {
        let res = (handler as ClientStreamingHandler<Req, Res>)(new Requests(call, codec), call);
        if (isPromiseLike(res)) res = await res;
        const finished = call.finish(codec.encodeResponse(res));
        if (finished !== undefined) await finished;
        return;
      }
      case 'server': {
        const req = single(codec, await call.recv());
        await sendAll(call, codec, (handler as ServerStreamingHandler<Req, Res>)(req, call));
        break;
      }
      case 'bidirectional': {
        await sendAll(call, codec, (handler as BidiStreamingHandler<Req, Res>)(new Requests(call, codec), call));
        break;
      }
    }
    call.end();
  } catch (err) {
    let failure = err;
    try {
      // (instanceof itself throws on a revoked proxy: inside the try, so the call still fails with it)
      const bytes = err instanceof DeclaredException ? codec.encodeDeclaredException(err.typeName || err.fieldName, err.json) : undefined;
      if (bytes) {
        const finished = call.finish(bytes);
        if (finished !== undefined) await finished;
        return;
      }
    } catch (sendErr) {
      failure = sendErr; // exception JSON that does not fit its type, headers that cannot be sent…: the call fails with that
    }
    call.fail(failure);
  }
}
