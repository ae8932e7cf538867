/**
 * gRPC over node:http2: channels and calls (client), a server, and the framing, status,
 * timeout, metadata and compression pieces they are built from. Moves bytes; knows no IDL.
 */
export { GrpcChannel, DEFAULT_USER_AGENT } from './channel.js';
export type { ChannelOptions, TlsOptions } from './channel.js';
export type { CallOptions, CallStatus, ClientCall } from './client-call.js';
export { createGrpcServer } from './server.js';
export type { GrpcServer, GrpcServerOptions } from './server.js';
export type { ServerCall, ServerStatus } from './server-call.js';
export { RESOLVED as SEND_READY } from './deferred.js';
export { unaryCall } from './unary.js';
export type { UnaryResult } from './unary.js';
export { encodeEnvelope, encodePrefix, FLAG_COMPRESSED, PREFIX_SIZE } from './envelope.js';
export { EnvelopeDecoder } from './envelope-decoder.js';
export type { EnvelopeSink } from './envelope-decoder.js';
export { compress, decompress } from './compression.js';
export type { Compression } from './compression.js';
export { encodeTimeout, parseTimeout } from './timeout.js';
export { decodeBinaryValue, encodeBinaryValue, validateMetadataName } from './metadata.js';
export type { RequestMetadata } from './metadata.js';
export { codeFromHttpStatus, codeFromRstCode } from './http-status.js';
export {
  decodeGrpcMessage,
  decodeRpcStatus,
  encodeGrpcMessage,
  encodeRpcStatus,
  parseTrailerStatus,
} from './trailer-status.js';
export type { TrailerStatus } from './trailer-status.js';
