import type { TlsOptions } from '../http2/index.js';
import type { Metadata } from '../errors/rpc-error.js';
import type { PingPongTransport } from '../ttheader/index.js';

export type { TlsOptions };

/** Message compression for gRPC calls. */
export type Compression = 'identity' | 'gzip' | 'deflate';

/** Request metadata: gRPC headers (`-bin` keys take bytes) or TTHeader metainfo strings. */
export type RequestMetadata = Record<string, string | string[] | Uint8Array>;

/** Options for `newStreamingClient` and `newClient`. */
export interface ClientOptions {
  /** Targets as `host:port`; calls are spread round-robin, skipping unreachable ones. */
  hostPorts: string[];
  /** `'grpc'` (HTTP/2; the default for `newStreamingClient`) or a ping-pong transport (the default for `newClient` is `'ttheader'`). */
  transport?: 'grpc' | PingPongTransport;
  /** TLS for gRPC: `true` for the system's CAs, or CA / client certificate / server name settings. */
  tls?: TlsOptions | boolean;
  /** HTTP/2 `:authority`; Kitex sends the destination service name, and so do we by default. */
  authority?: string;
  /** The caller's service name, sent as TTHeader FromService. */
  fromService?: string;
  connectTimeoutMs?: number;
  /** Default per-call timeout. */
  timeoutMs?: number;
  /** Metadata sent with every call (a call's own metadata is added to it). */
  metadata?: RequestMetadata;
  /** Default compression for gRPC calls. */
  compression?: Compression;
  /** HTTP/2 keepalive pings: a peer that does not answer in time fails its calls with UNAVAILABLE. */
  keepalive?: { intervalMs: number; timeoutMs: number };
  /** Largest message accepted (default 4 MiB, as in gRPC). */
  maxReceiveMessageBytes?: number;
  /** Largest message sent. */
  maxSendMessageBytes?: number;
  /**
   * Thrift payload protocol for ping-pong: `'binary'` (default; what Kitex speaks) or
   * `'compact'` (for Apache Thrift peers over Framed, Buffered or THeader).
   */
  thriftProtocol?: 'binary' | 'compact';
  /** Ping-pong transports: connections kept per address (one outstanding request each). */
  maxConnectionsPerHost?: number;
}

/** Options for one call. */
export interface CallOptions {
  /** Deadline for the whole call, sent as `grpc-timeout` (or TTHeader RPCTimeout) and enforced locally. */
  timeoutMs?: number;
  metadata?: RequestMetadata;
  /** Aborting cancels the call (CANCELLED). */
  signal?: AbortSignal;
  compression?: Compression;
  /**
   * For `genericCall`: receives the response headers and trailers once the
   * call succeeds (streams expose them as `headers`/`trailers`; failures
   * carry them in `RpcError.metadata`; a declared exception is a failure).
   *
   * Over gRPC these are the HTTP/2 response headers and trailers. Over the
   * ping-pong transports the reply's headers are the headers and the
   * trailers are always empty: TTHeader string info under its own keys
   * (metainfo as sent, e.g. `RPC_TRANSIT_<key>`) and int info under Kitex's
   * key names (`MsgType`, `TransportType`, `ToService`…, or the key number in
   * decimal for keys Kitex does not name), or THeader's headers; Framed and
   * Buffered replies carry none (`{}`). A oneway call gets no reply, so the
   * callback is not called.
   */
  onResponseMetadata?: (headers: Metadata, trailers: Metadata) => void;
}
