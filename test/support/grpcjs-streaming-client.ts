/**
 * A @grpc/grpc-js client for examples/idl/streaming.proto (built by @grpc/proto-loader), for
 * suites that check idlcall's generic server against it.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** The streaming service's IDL, relative to the repository root (where vitest runs). */
export const STREAMING_IDL = 'examples/idl/streaming.proto';

/** A grpc-js client whose methods are looked up by name. */
export type StreamingClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

/** A plaintext grpc-js client of pb.StreamingService on 127.0.0.1:`port`. */
export function streamingClient(port: number): StreamingClient {
  const def = protoLoader.loadSync(STREAMING_IDL, { keepCase: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { pb: { StreamingService: grpc.ServiceClientConstructor } };
  return new pkg.pb.StreamingService(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as StreamingClient;
}
