import type { CallMode } from './call-mode.js';

/**
 * One method of a generic, bound to its representation (JSON text, plain
 * objects or raw bytes): everything a transport-side caller needs to turn a
 * request into the bytes that travel and the bytes that come back into a
 * response. Wrapping rules (bare message, Thrift args/result structs) are
 * already applied here, so transports only move bytes.
 */
export interface MethodCodec<Req, Res> {
  readonly name: string;
  readonly mode: CallMode;
  /** Thrift `oneway`: no reply is expected. */
  readonly oneway: boolean;
  /** The HTTP/2 `:path` for gRPC. */
  readonly grpcPath: string;
  /** `application/grpc` or `application/grpc+thrift`. */
  readonly grpcContentType: string;
  /** Request bytes as they travel (bare message, or Thrift args struct for unary/ping-pong). */
  encodeRequest(req: Req): Uint8Array;
  /**
   * Like `encodeRequest`, but the bytes are a view on the codec's own buffer,
   * overwritten by its next encode (absent where the codec has none): for a
   * transport that copies them before its send returns (`TransportCall.sendView`).
   */
  readonly encodeRequestView?: ((req: Req) => Uint8Array) | undefined;
  /** Response from the bytes that came back; throws `DeclaredException` for a declared Thrift exception. */
  decodeResponse(bytes: Uint8Array): Res;
  /** Server side: the request a handler sees. */
  decodeRequest(bytes: Uint8Array): Req;
  /** Server side: the bytes for a handler's response. */
  encodeResponse(res: Res): Uint8Array;
  /**
   * Server side: the bytes for a declared Thrift exception (a result struct
   * whose exception field is set), or undefined when the method declares no
   * exception of that type or field name. The exception value is JSON text
   * whatever the representation.
   */
  encodeDeclaredException(typeOrFieldName: string, json: string): Uint8Array | undefined;
}

/** What every generic offers: its IDL kind, the chosen service and method lookup. */
export interface Generic<Req, Res> {
  readonly idl: 'proto' | 'thrift';
  /** How requests and responses are represented. */
  readonly representation: 'json' | 'map' | 'binary';
  /** The IDL service this generic calls (the `service` provider option, or the last one in the file). */
  readonly serviceName: string;
  /** Method names with their call modes, in IDL order (inherited Thrift functions included). */
  methods(): ReadonlyArray<{ readonly name: string; readonly mode: CallMode }>;
  /** The method's codec; throws an error naming the methods that exist when there is no such method. */
  method(name: string): MethodCodec<Req, Res>;
  /**
   * The same generic with Thrift payloads in another protocol (compact for
   * Apache THeader peers); protobuf generics return themselves.
   */
  withThriftProtocol(protocol: 'binary' | 'compact'): Generic<Req, Res>;
}
