import { Code } from '../errors/status-code.js';
import { RpcError, type Metadata } from '../errors/rpc-error.js';
import type { MethodCodec } from './method-codec.js';
import type { TransportCall } from './transport-call.js';

/**
 * One call as the stream classes drive it, in messages of the generic's representation:
 * straight over a transport ({@link CodecCall}), or through the client's middlewares.
 */
export interface MessageCall<Req, Res> {
  /** Sends one request; resolves when more can be taken (back-pressure). */
  send(req: Req): Promise<void>;
  /** Half-closes the request side. */
  closeSend(): void;
  /** The next response; undefined at a clean end; rejects with the call's error otherwise. */
  recv(): Promise<Res | undefined>;
  readonly headers: Promise<Metadata>;
  readonly trailers: Promise<Metadata>;
  cancel(reason?: string): void;
}

/** A transport call with the method's codec: requests encoded as they are sent, responses decoded as they arrive. */
export class CodecCall<Req, Res> implements MessageCall<Req, Res> {
  constructor(
    private readonly call: TransportCall,
    private readonly codec: MethodCodec<Req, Res>,
  ) {}

  get headers(): Promise<Metadata> {
    return this.call.headers;
  }

  get trailers(): Promise<Metadata> {
    return this.call.trailers;
  }

  /** Encodes before writing, so a request that does not encode sends nothing. */
  send(req: Req): Promise<void> {
    return sendRequest(this.call, this.codec, req);
  }

  closeSend(): void {
    this.call.closeSend();
  }

  async recv(): Promise<Res | undefined> {
    const bytes = await this.call.recv();
    if (bytes === undefined) return undefined;
    try {
      return this.codec.decodeResponse(bytes);
    } catch (err) {
      this.call.cancel('response could not be decoded');
      throw err;
    }
  }

  cancel(reason?: string): void {
    this.call.cancel(reason);
  }
}

/** What every open stream (gRPC or ttstream) exposes besides its messages. */
abstract class StreamBase<Req, Res> {
  /** Set at the clean end of the stream (or once the single response was read). */
  protected ended = false;
  private cancelled = false;

  constructor(
    protected readonly call: MessageCall<Req, Res>,
    /** The method, for error messages. */
    protected readonly method: string,
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

  /** The next response, or undefined at a clean end of stream (Kitex's io.EOF). */
  protected async receive(): Promise<Res | undefined> {
    if (this.ended) return undefined;
    const res = await this.call.recv();
    if (res === undefined) this.ended = true;
    return res;
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
    return this.call.send(req);
  }

  /** Half-closes the request side and waits for the response. */
  async closeAndRecv(): Promise<Res> {
    this.call.closeSend();
    try {
      const res = await this.call.recv();
      if (res === undefined) throw new RpcError(Code.INTERNAL, `${this.method}: the server ended the call without a response`);
      if ((await this.call.recv()) !== undefined) {
        this.call.cancel('more than one response');
        throw new RpcError(Code.INTERNAL, `${this.method}: the server sent more than one response`);
      }
      return res;
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
    return this.call.send(req);
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
