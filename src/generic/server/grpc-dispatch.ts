import type { ServerCall, ServerStatus } from '../../http2/index.js';
import { Code } from '../../errors/status-code.js';
import { RpcError, type Metadata } from '../../errors/rpc-error.js';
import { DeclaredException } from '../../errors/declared-exception.js';
import type { Generic, MethodCodec } from '../method-codec.js';
import type {
  BidiStreamingHandler,
  ClientStreamingHandler,
  Handlers,
  ServerContext,
  ServerStreamingHandler,
  UnaryHandler,
} from './handlers.js';
import { statusOf } from './status-of.js';

/** Context for one gRPC call; headers set by the handler go out with the first message. */
class GrpcContext implements ServerContext {
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

  send(bytes: Uint8Array): Promise<void> {
    if (!this.headersSent) {
      this.headersSent = true;
      if (this.headers) this.call.sendHeaders(this.headers);
    }
    return this.call.send(bytes);
  }

  end(status: ServerStatus): void {
    if (!this.headersSent && this.headers) this.call.sendHeaders(this.headers);
    this.call.end(this.trailers ? { ...status, trailers: { ...this.trailers, ...status.trailers } } : status);
  }
}

/** Requests of a streaming call, decoded as the handler pulls them. */
async function* requestsOf<Req, Res>(call: ServerCall, codec: MethodCodec<Req, Res>): AsyncGenerator<Req, void, undefined> {
  for (;;) {
    const bytes = await call.recv();
    if (bytes === undefined) return;
    yield decodeOrInvalid(codec, bytes);
  }
}

function decodeOrInvalid<Req, Res>(codec: MethodCodec<Req, Res>, bytes: Uint8Array): Req {
  try {
    return codec.decodeRequest(bytes);
  } catch (err) {
    throw new RpcError(Code.INVALID_ARGUMENT, `request could not be decoded: ${(err as Error).message}`, { cause: err });
  }
}

async function single<Req, Res>(call: ServerCall, codec: MethodCodec<Req, Res>): Promise<Req> {
  const bytes = await call.recv();
  if (bytes === undefined) throw new RpcError(Code.INTERNAL, 'the client sent no request');
  return decodeOrInvalid(codec, bytes);
}

/**
 * Serves one gRPC call with the generic's codecs and the user's handlers.
 * Routing follows Kitex: the method is the last path segment and the service
 * must match by full name, bare name, or the name after the last dot.
 */
export async function serveGrpcCall<Req, Res>(generic: Generic<Req, Res>, handlers: Handlers<Req, Res>, call: ServerCall): Promise<void> {
  const slash = call.path.lastIndexOf('/');
  const serviceInPath = call.path.slice(1, slash);
  const methodName = call.path.slice(slash + 1);
  const service = serviceInPath.slice(serviceInPath.lastIndexOf('.') + 1);
  if (service !== generic.serviceName) {
    call.end({ code: Code.UNIMPLEMENTED, message: `unknown service ${serviceInPath}` });
    return;
  }
  let codec: MethodCodec<Req, Res>;
  try {
    codec = generic.method(methodName);
  } catch {
    call.end({ code: Code.UNIMPLEMENTED, message: `unknown method ${methodName}` });
    return;
  }
  const handler = handlers[methodName];
  if (!handler) {
    call.end({ code: Code.UNIMPLEMENTED, message: `method ${methodName} is not implemented` });
    return;
  }
  const ctx = new GrpcContext(methodName, call);
  try {
    switch (codec.mode) {
      case 'unary':
      case 'pingpong': {
        const req = await single(call, codec);
        const res = await (handler as UnaryHandler<Req, Res>)(req, ctx);
        await ctx.send(codec.encodeResponse(res));
        break;
      }
      case 'client': {
        const res = await (handler as ClientStreamingHandler<Req, Res>)(requestsOf(call, codec), ctx);
        await ctx.send(codec.encodeResponse(res));
        break;
      }
      case 'server': {
        const req = await single(call, codec);
        for await (const res of (handler as ServerStreamingHandler<Req, Res>)(req, ctx)) await ctx.send(codec.encodeResponse(res));
        break;
      }
      case 'bidirectional': {
        for await (const res of (handler as BidiStreamingHandler<Req, Res>)(requestsOf(call, codec), ctx)) {
          await ctx.send(codec.encodeResponse(res));
        }
        break;
      }
    }
    ctx.end({ code: Code.OK });
  } catch (err) {
    // A declared Thrift exception of a unary/ping-pong method travels in-band, with status OK.
    if (err instanceof DeclaredException) {
      const bytes = codec.encodeDeclaredException(err.typeName || err.fieldName, err.json);
      if (bytes) {
        await ctx.send(bytes).catch(() => undefined);
        ctx.end({ code: Code.OK });
        return;
      }
    }
    ctx.end(statusOf(err));
  }
}
