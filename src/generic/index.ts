export type { CallMode } from './call-mode.js';
export type { Generic, MethodCodec } from './method-codec.js';
export type { BackwardMetadataListener, CallOptions, ClientOptions, CloseOptions, Compression, ConnectionInfo, RequestMetadata, TlsOptions } from './options.js';
export type {
  MethodConfig,
  RetryPolicy,
  RetryThrottling,
  RetryBufferLimits,
  HedgingPolicy,
  CircuitBreakerOptions,
  AttemptInfo,
} from './options.js';
export type { CodeLike } from '../governance/status-codes.js';
export type { TlsPeerInfo } from '../net/connection-info.js';
export {
  ProtoProvider,
  protoFileProvider,
  protoContentProvider,
  protoDescriptorSetProvider,
  protoReflectionProvider,
  type ProtoProviderOptions,
  type ProtoReflectionOptions,
  type ProtoContentOptions,
} from './proto-provider.js';
export { ThriftProvider, thriftFileProvider, thriftContentProvider, type ThriftProviderOptions, type ThriftContentOptions } from './thrift-provider.js';
export { jsonPbGeneric, mapPbGeneric, binaryPbGeneric } from './proto-generic.js';
export { jsonThriftGeneric, mapThriftGeneric, binaryThriftGeneric } from './thrift-generic.js';
export {
  GenericClient,
  newStreamingClient,
  newClient,
  newClientStreaming,
  newServerStreaming,
  newBidirectionalStreaming,
} from './client.js';
export { ClientStream, ServerStream, BidiStream } from './streams.js';
export { GenericServer, newGenericServer, type GenericServerOptions, type ServerDiagnostics, type ServerTransport } from './server/generic-server.js';
export type {
  Handler,
  Handlers,
  ServerContext,
  UnaryHandler,
  ClientStreamingHandler,
  ServerStreamingHandler,
  BidiStreamingHandler,
} from './server/handlers.js';
