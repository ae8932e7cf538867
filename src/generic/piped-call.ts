import { Code } from '../errors/status-code.js';
import { RpcError, type Metadata } from '../errors/rpc-error.js';
import { messageOf } from '../errors/message-of.js';
import type { MessagePipe } from '../governance/message-pipe.js';
import type { StreamResult } from '../governance/middleware.js';
import type { MethodCodec } from './method-codec.js';
import type { MessageCall } from './streams.js';
import type { TransportCall } from './transport-call.js';

/**
 * What a stream opened through the middleware chain shares with the endpoint that opened
 * its transport call (none when a middleware answered by itself).
 */
export interface StreamLink {
  transport?: TransportCall;
  /** Why the request side stopped, when it was our side: a request that does not encode, a middleware's iterable that threw. */
  failure?: unknown;
  /** The error the transport refused a request with (the call had ended). */
  sendError?: unknown;
}

/**
 * The innermost step of a client stream's chain: the opened transport call, fed from the
 * (possibly wrapped) request iterable — or sent its one request, already encoded, for server
 * streaming — with its responses decoded as they are read.
 */
export function transportStream<Req, Res>(transport: TransportCall, codec: MethodCodec<Req, Res>, requests: AsyncIterable<unknown> | Uint8Array, link: StreamLink): StreamResult {
  link.transport = transport;
  if (requests instanceof Uint8Array) {
    transport.send(requests).catch(() => undefined); // a failed send surfaces through recv()
    transport.closeSend();
  } else {
    void sendAll(transport, codec, requests, link);
  }
  return { stream: true, responses: responsesOf(transport, codec, link), header: transport.headers, trailer: transport.trailers };
}

/**
 * The one request of a server-streaming call as the middlewares left it, encoded before the
 * call opens, so that one that does not encode fails the call with nothing sent.
 */
export async function encodeOnlyRequest<Req, Res>(codec: MethodCodec<Req, Res>, requests: AsyncIterable<unknown>): Promise<Uint8Array> {
  for await (const req of requests) return codec.encodeRequest(req as Req);
  throw new RpcError(Code.INTERNAL, `${codec.name}: a middleware ended the request stream before its one request`);
}

async function sendAll<Req, Res>(transport: TransportCall, codec: MethodCodec<Req, Res>, requests: AsyncIterable<unknown>, link: StreamLink): Promise<void> {
  try {
    for await (const req of requests) {
      const bytes = codec.encodeRequest(req as Req);
      try {
        await transport.send(bytes);
      } catch (err) {
        link.sendError = err; // the call has ended: its receiving side says how
        return;
      }
    }
    transport.closeSend();
  } catch (err) {
    // Nothing half-sent reaches the server as a whole call: it is cancelled, and the reader gets this error.
    link.failure ??= err;
    transport.cancel(`request failed: ${messageOf(err)}`);
  }
}

async function* responsesOf<Req, Res>(transport: TransportCall, codec: MethodCodec<Req, Res>, link: StreamLink): AsyncGenerator<Res, void, undefined> {
  let settled = false;
  try {
    for (;;) {
      let bytes: Uint8Array | undefined;
      try {
        bytes = await transport.recv();
      } catch (err) {
        settled = true;
        throw link.failure ?? err;
      }
      if (bytes === undefined) {
        settled = true;
        return;
      }
      let res: Res;
      try {
        res = codec.decodeResponse(bytes);
      } catch (err) {
        settled = true;
        transport.cancel('response could not be decoded');
        throw err;
      }
      yield res;
    }
  } finally {
    if (!settled) transport.cancel('the caller stopped reading');
  }
}

/**
 * A client stream whose messages pass through the middleware chain: sends go into the
 * request pipe the chain reads, receives come from the response iterable it returned.
 */
export class PipedCall<Req, Res> implements MessageCall<Req, Res> {
  private readonly responses: AsyncIterator<unknown>;
  readonly headers: Promise<Metadata>;
  readonly trailers: Promise<Metadata>;
  /** Set when a stream without a transport call was cancelled. */
  private cancelled: RpcError | undefined;

  constructor(
    private readonly requests: MessagePipe<unknown>,
    result: StreamResult,
    private readonly link: StreamLink,
  ) {
    this.responses = result.responses[Symbol.asyncIterator]();
    this.headers = result.header ?? Promise.resolve({});
    this.trailers = result.trailer ?? Promise.resolve({});
    // Once the call has ended, nothing reads the requests any more (a middleware may never
    // have read them): sends waiting in the pipe, and later ones, fail with why.
    if (result.trailer) void result.trailer.then(() => this.requests.fail(link.failure ?? link.sendError ?? ended()));
  }

  send(req: Req): Promise<void> {
    return this.requests.push(req).catch((err: unknown) => {
      throw this.link.sendError ?? err;
    });
  }

  closeSend(): void {
    this.requests.close();
  }

  async recv(): Promise<Res | undefined> {
    if (this.cancelled) throw this.cancelled;
    let r: IteratorResult<unknown>;
    try {
      r = await this.responses.next();
    } catch (err) {
      this.requests.fail(err);
      throw err;
    }
    if (!r.done) return r.value as Res;
    this.requests.fail(ended());
    return undefined;
  }

  /**
   * Cancels the transport call: a pending and later `recv` reject with CANCELLED through the
   * middlewares' response wrappers, so they see the status. A stream a middleware answered
   * itself has no transport call: its responses are returned.
   */
  cancel(reason?: string): void {
    const err = new RpcError(Code.CANCELLED, reason ?? 'cancelled by the caller');
    this.requests.fail(err);
    if (this.link.transport) {
      this.link.transport.cancel(reason);
      return;
    }
    this.cancelled = err;
    Promise.resolve(this.responses.return?.()).catch(() => undefined);
  }
}

function ended(): RpcError {
  return new RpcError(Code.CANCELLED, 'the call has ended');
}
