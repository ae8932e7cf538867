import type { ServerStream } from '../../ttstream/index.js';
import { TApplicationExceptionType, ThriftApplicationError } from '../../frame/index.js';
import type { Metadata } from '../../errors/rpc-error.js';
import type { Generic, MethodCodec } from '../method-codec.js';
import type { Handlers } from './handlers.js';
import { runHandler, type HandlerCall } from './run-handler.js';

/**
 * Context for one ttstream call: headers set by the handler go out in the
 * Header frame before the first message, trailers in the closing Trailer.
 */
class TTStreamContext implements HandlerCall {
  readonly transport = 'ttstream' as const;
  readonly deadline = undefined; // ttstream carries no timeout
  private trailers: Record<string, string> | undefined;

  constructor(
    readonly method: string,
    private readonly stream: ServerStream,
  ) {}

  get metadata(): Metadata {
    return this.stream.metadata;
  }
  get signal(): AbortSignal {
    return this.stream.signal;
  }
  get peer(): string {
    return this.stream.peer;
  }
  setHeader(name: string, value: string): void {
    this.stream.setHeaders({ [name]: value });
  }
  setTrailer(name: string, value: string): void {
    (this.trailers ??= {})[name] = value;
  }
  recv(): Promise<Uint8Array | undefined> {
    return this.stream.recv();
  }
  recvMapped<T>(map: (bytes: Uint8Array | undefined) => T, fail: (err: unknown) => T): Promise<T> {
    return this.stream.recv().then(map, fail);
  }
  send(bytes: Uint8Array): Promise<void> {
    return this.stream.send(bytes);
  }
  async finish(bytes: Uint8Array): Promise<void> {
    await this.stream.send(bytes);
    this.end();
  }
  end(): void {
    try {
      this.stream.end(this.trailers);
    } catch (err) {
      this.fail(err); // trailers that cannot be encoded (over TTHeader's 64 KiB): the stream ends with why
    }
  }
  fail(err: unknown): void {
    try {
      this.stream.fail(err, this.trailers);
    } catch {
      this.stream.fail(err); // without the handler's trailers, which are what did not fit
    }
  }
}

/**
 * Serves one ttstream stream with the generic's codecs and the user's
 * handlers. Routing follows a Kitex server (server/service.go SearchService):
 * the `isn` service, or any service when the method is ours. Unlike Kitex
 * v0.14.1, which answers an unknown method or service with silence, the
 * stream ends with a TApplicationException (UnknownMethod 1, UnknownService 20).
 */
export async function serveTTStream<Req, Res>(generic: Generic<Req, Res>, handlers: Handlers<Req, Res>, stream: ServerStream): Promise<void> {
  const method = stream.method;
  let codec: MethodCodec<Req, Res> | undefined;
  try {
    codec = generic.method(method);
  } catch {
    codec = undefined;
  }
  const service = stream.service;
  if (codec === undefined) {
    const unknownService = service !== '' && service !== generic.serviceName;
    stream.fail(
      unknownService
        ? new ThriftApplicationError(TApplicationExceptionType.UNKNOWN_SERVICE, `unknown service ${service}`)
        : new ThriftApplicationError(TApplicationExceptionType.UNKNOWN_METHOD, `unknown method ${method}`),
    );
    return;
  }
  if (codec.mode === 'pingpong' || codec.mode === 'unary') {
    stream.fail(new ThriftApplicationError(TApplicationExceptionType.UNKNOWN_METHOD, `${method} is not a streaming method; call it over TTHeader, Framed or gRPC`));
    return;
  }
  const handler = handlers[method];
  if (!handler) {
    stream.fail(new ThriftApplicationError(TApplicationExceptionType.UNKNOWN_METHOD, `method ${method} is not implemented`));
    return;
  }
  await runHandler(codec, handler, new TTStreamContext(method, stream));
}
