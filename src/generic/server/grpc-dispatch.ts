import { RESOLVED as SEND_READY } from '../../http2/deferred.js';
import type { ServerCall, ServerStatus } from '../../http2/server-call.js';
import { Code } from '../../errors/status-code.js';
import type { Metadata } from '../../errors/rpc-error.js';
import type { Generic, MethodCodec } from '../method-codec.js';
import type { Handlers } from './handlers.js';
import { runHandler, type HandlerCall } from './run-handler.js';
import { statusOf } from './status-of.js';

/** Context for one gRPC call; headers set by the handler go out with the first message. */
class GrpcContext implements HandlerCall {
  readonly transport = 'grpc' as const;
  private headers: Record<string, string> | undefined;
  trailers: Record<string, string> | undefined;
  private headersSent = false;

  constructor(
    readonly method: string,
    private readonly call: ServerCall,
  ) {}

  get metadata(): Metadata {
    return this.call.metadata;
  }
  get signal(): AbortSignal {
    return this.call.signal;
  }
  get deadline(): number | undefined {
    return this.call.deadline;
  }
  get peer(): string {
    return this.call.peer;
  }
  setHeader(name: string, value: string): void {
    (this.headers ??= {})[name] = value;
  }
  setTrailer(name: string, value: string): void {
    (this.trailers ??= {})[name] = value;
  }

  recv(): Promise<Uint8Array | undefined> {
    return this.call.recv();
  }
  recvMapped<T>(map: (bytes: Uint8Array | undefined) => T, fail: (err: unknown) => T): Promise<T> {
    return this.call.recvMapped(map, fail);
  }

  send(bytes: Uint8Array): Promise<void> | undefined {
    this.headersFirst();
    const sent = this.call.send(bytes);
    return sent === SEND_READY ? undefined : sent;
  }

  end(): void {
    this.endWith({ code: Code.OK });
  }

  finish(bytes: Uint8Array): undefined {
    this.headersFirst();
    this.call.finish(bytes, this.trailers ? { code: Code.OK, trailers: this.trailers } : undefined);
    return undefined;
  }

  fail(err: unknown): void {
    this.endWith(statusOf(err));
  }

  /** Headers the handler set go out before the first message. */
  private headersFirst(): void {
    if (!this.headersSent) {
      this.headersSent = true;
      if (this.headers) this.call.sendHeaders(this.headers);
    }
  }

  /** Never throws (runHandler's last word, so the server keeps no then() on the call). */
  private endWith(status: ServerStatus): void {
    try {
      if (!this.headersSent && this.headers) this.call.sendHeaders(this.headers);
      this.call.end(this.trailers ? { ...status, trailers: { ...this.trailers, ...status.trailers } } : status);
    } catch (err) {
      // Headers the handler set that cannot be sent: the call ends with why, without them.
      try {
        this.call.end(statusOf(err));
      } catch {
        this.call.reset();
      }
    }
  }
}

/**
 * Serves one gRPC call with the generic's codecs and the user's handlers.
 * Routing follows Kitex: the method is the last path segment and the service
 * must match by full name, bare name, or the name after the last dot.
 */
export function serveGrpcCall<Req, Res>(generic: Generic<Req, Res>, handlers: Handlers<Req, Res>, call: ServerCall): undefined {
  const slash = call.path.lastIndexOf('/');
  const serviceInPath = call.path.slice(1, slash);
  const methodName = call.path.slice(slash + 1);
  const service = serviceInPath.slice(serviceInPath.lastIndexOf('.') + 1);
  if (service !== generic.serviceName) {
    call.end({ code: Code.UNIMPLEMENTED, message: `unknown service ${serviceInPath}` });
    return undefined;
  }
  let codec: MethodCodec<Req, Res>;
  try {
    codec = generic.method(methodName);
  } catch {
    call.end({ code: Code.UNIMPLEMENTED, message: `unknown method ${methodName}` });
    return undefined;
  }
  const handler = handlers[methodName];
  if (!handler) {
    call.end({ code: Code.UNIMPLEMENTED, message: `method ${methodName} is not implemented` });
    return undefined;
  }
  // runHandler ends the call itself and never rejects (the context's end and fail do not throw): the
  // server needs no then() of its own on the call's promise.
  void runHandler(codec, handler, new GrpcContext(methodName, call));
  return undefined;
}
