import { Code } from '../errors/status-code.js';
import { RpcError, type Metadata } from '../errors/rpc-error.js';
import type { MethodCodec } from './method-codec.js';
import type { TransportCall } from './transport-call.js';

/** What every open stream (gRPC or ttstream) exposes besides its messages. */
abstract class StreamBase<Req, Res> {
  /** Set at the clean end of the stream (or once the single response was read). */
  protected ended = false;
  private cancelled = false;

  constructor(
    protected readonly call: TransportCall,
    protected readonly codec: MethodCodec<Req, Res>,
  ) {}

  /** Response headers, once the server sends them. */
  get headers(): Promise<Metadata> {
    return this.call.headers;
  }

  /** Response trailers, once the call ends (also after an error). */
  get trailers(): Promise<Metadata> {
    return this.call.trailers;
  }

  /** Cancels the call: the server sees RST_STREAM(CANCEL) (ttstream: an Rst frame), pending operations reject with CANCELLED. */
  cancel(reason?: string): void {
    this.cancelled = true;
    this.call.cancel(reason);
  }

  /** Encodes before writing, so a request that does not encode sends nothing. */
  protected sendMessage(req: Req): Promise<void> {
    return sendRequest(this.call, this.codec, req);
  }

  /** The next response, or undefined at a clean end of stream (Kitex's io.EOF). */
  protected async receive(): Promise<Res | undefined> {
    if (this.ended) return undefined;
    const bytes = await this.call.recv();
    if (bytes === undefined) {
      this.ended = true;
      return undefined;
    }
    try {
      return this.codec.decodeResponse(bytes);
    } catch (err) {
      this.cancel('response could not be decoded');
      throw err;
    }
  }

  /** Iterates responses until the end of stream; leaving the loop early cancels the call. */
  protected async *iterate(): AsyncGenerator<Res, void, undefined> {
    try {
      for (;;) {
        const res = await this.receive();
        if (res === undefined) return;
        yield res;
      }
    } finally {
      if (!this.ended && !this.cancelled) this.cancel('the caller stopped reading');
    }
  }
}

/**
 * Encodes a request and sends it; a request that does not encode sends
 * nothing (the promise rejects). A transport that copies what it sends gets
 * a view on the codec's buffer: no allocation per message.
 */
export function sendRequest<Req, Res>(call: TransportCall, codec: MethodCodec<Req, Res>, req: Req): Promise<void> {
  const encodeView = call.sendView === undefined ? undefined : codec.encodeRequestView;
  let bytes: Uint8Array;
  try {
    bytes = encodeView === undefined ? codec.encodeRequest(req) : encodeView(req);
  } catch (err) {
    return Promise.reject(err);
  }
  return encodeView === undefined ? call.send(bytes) : call.sendView!(bytes);
}

/** Reads the single response of a client-streaming or unary call, and its clean end. */
export async function receiveSingle<Req, Res>(call: TransportCall, codec: MethodCodec<Req, Res>): Promise<Res> {
  const first = await call.recv();
  if (first === undefined) throw new RpcError(Code.INTERNAL, `${codec.name}: the server ended the call without a response`);
  const extra = await call.recv();
  if (extra !== undefined) {
    call.cancel('more than one response');
    throw new RpcError(Code.INTERNAL, `${codec.name}: the server sent more than one response`);
  }
  return codec.decodeResponse(first);
}

/** A client-streaming call: `send` requests, then `closeAndRecv` for the single response. */
export class ClientStream<Req, Res> extends StreamBase<Req, Res> {
  /** Sends one request; resolves when the transport can take more (back-pressure). */
  send(req: Req): Promise<void> {
    return this.sendMessage(req);
  }

  /** Half-closes the request side and waits for the response. */
  async closeAndRecv(): Promise<Res> {
    this.call.closeSend();
    try {
      return await receiveSingle(this.call, this.codec);
    } finally {
      this.ended = true;
    }
  }
}

/** A server-streaming call: `recv` (or `for await`) until it resolves undefined. */
export class ServerStream<Req, Res> extends StreamBase<Req, Res> implements AsyncIterable<Res> {
  /** The next response, or undefined at a clean end of stream. */
  recv(): Promise<Res | undefined> {
    return this.receive();
  }

  [Symbol.asyncIterator](): AsyncGenerator<Res, void, undefined> {
    return this.iterate();
  }
}

/**
 * A bidirectional call. Sending and receiving are independent, so one async
 * loop may `send` while another `recv`s, like the two goroutines of Kitex's
 * example; `close()` half-closes the request side.
 */
export class BidiStream<Req, Res> extends StreamBase<Req, Res> implements AsyncIterable<Res> {
  /** Sends one request; resolves when the transport can take more (back-pressure). */
  send(req: Req): Promise<void> {
    return this.sendMessage(req);
  }

  /** Half-closes: no more requests; responses keep arriving. */
  close(): void {
    this.call.closeSend();
  }

  /** The next response, or undefined at a clean end of stream. */
  recv(): Promise<Res | undefined> {
    return this.receive();
  }

  [Symbol.asyncIterator](): AsyncGenerator<Res, void, undefined> {
    return this.iterate();
  }
}
