import type { BalancerName, ConsistentHashOptions, OutlierEjectionOptions, Resolver } from '../discovery/index.js';
import type { TlsOptions } from '../http2/index.js';
import type { Metadata } from '../errors/rpc-error.js';
import type { PingPongTransport } from '../ttheader/index.js';
import type { ConnectionInfo } from '../net/connection-info.js';
import type { Middleware } from '../governance/middleware.js';
import type { RetryPolicy, RetryThrottling, RetryBufferLimits } from '../governance/retry/index.js';
import type { HedgingPolicy } from '../governance/hedging/index.js';
import type { CircuitBreakerOptions } from '../governance/circuit-breaker/index.js';
import type { AttemptInfo } from '../governance/attempt-info.js';

export type { TlsOptions, ConnectionInfo, RetryPolicy, RetryThrottling, RetryBufferLimits, HedgingPolicy, CircuitBreakerOptions, AttemptInfo };

/** What one method overrides of the client's policies (a method takes a retry or a hedging policy, not both). */
export interface MethodConfig {
  retry?: RetryPolicy;
  hedging?: HedgingPolicy;
  /** Default timeout of this method's calls (a call's own `timeoutMs` wins). */
  timeoutMs?: number;
}

/** Message compression for gRPC calls. */
export type Compression = 'identity' | 'gzip' | 'deflate';

/** Request metadata: gRPC headers (`-bin` keys take bytes) or TTHeader / ttstream metainfo strings. */
export type RequestMetadata = Record<string, string | string[] | Uint8Array>;

/**
 * Backward metainfo: values a Kitex server sent back with a reply
 * (`metainfo.SendBackwardValue` on its side, `metainfo.RecvAllBackwardValues`
 * on a Kitex client's). Over TTHeader they are the reply's string info, as a
 * Kitex client reads them; over gRPC, response headers and trailers named
 * `rpc-backward-<key>` (gopkg metainfo's HTTP spelling; Kitex v0.14.1 itself
 * sends no backward metainfo over gRPC), keys in metainfo's `UPPER_CASE` form.
 */
export type BackwardMetadataListener = (values: Record<string, string>) => void;

/** Options for `newStreamingClient` and `newClient`. */
export interface ClientOptions {
  /**
   * Fixed targets as `host:port`: calls are spread by the balancer (round robin, as weights are
   * equal), an unreachable target passed over for the next. Give this or `resolver`.
   */
  hostPorts?: string[];
  /**
   * Where the instances come from, instead of `hostPorts`: `dns:///host:port` (A/AAAA records,
   * looked up again every 30 s and when a connection fails), `etcd://host:port[,host:port]`
   * (Kitex's etcd registry, watched; the service is the client's service name, or the one a
   * `/Service` suffix names), or a {@link Resolver} object.
   */
  resolver?: string | Resolver;
  /**
   * How calls are spread over the instances; default `weighted_round_robin` (Kitex's default:
   * interleaved by weight, plain round robin when weights are equal). `consistent_hash` sends
   * equal keys (the call's `hashKey`, or the metadata entry named by `consistentHash.metadataKey`)
   * to the same instance; `p2c` takes the less loaded of two random instances.
   */
  balancer?: BalancerName;
  /** Consistent hashing: virtual nodes (Kitex's defaults) and the metadata key that carries the hash key. */
  consistentHash?: ConsistentHashOptions & { metadataKey?: string };
  /**
   * Instances whose connections fail this many times in a row are passed over for a while
   * (default on: 3 failures, 10 s growing to 300 s, at most half the instances); `false` turns it off.
   */
  outlierEjection?: OutlierEjectionOptions | false;
  /** New instances (after the first resolution) get a share rising from 10% to full over this long; default 0 (off). */
  warmupMs?: number;
  /** Use at most this many of the instances (a stable subset, different per `subsetKey`); default all. */
  subsetSize?: number;
  /** What selects this client's subset; default random. */
  subsetKey?: string;
  /**
   * `'grpc'` (HTTP/2; the default for `newStreamingClient`), `'ttstream'` (Kitex's
   * TTHeader Streaming, for Thrift: streams over it, `genericCall` over Framed as
   * Kitex does), or a ping-pong transport (the default for `newClient` is `'ttheader'`).
   */
  transport?: 'grpc' | 'ttstream' | PingPongTransport;
  /** TLS for gRPC: `true` for the system's CAs, or CA / client certificate / server name settings. */
  tls?: TlsOptions | boolean;
  /**
   * HTTP/2 `:authority`. Default: the destination service name, as a Kitex
   * client sends it. grpc-go, grpc-js, grpcurl and ghz send the target's
   * `host:port` instead; set that (or a virtual host) when a proxy such as
   * Envoy or an ingress routes on `:authority`.
   */
  authority?: string;
  /** The caller's service name, sent as TTHeader FromService (and as the cancel path of ttstream Rst frames). */
  fromService?: string;
  connectTimeoutMs?: number;
  /** Default per-call timeout. */
  timeoutMs?: number;
  /**
   * Metadata sent with every call (a call's own metadata is added to it). Over
   * TTHeader and ttstream it is Kitex's transient metainfo (`RPC_TRANSIT_<key>`).
   */
  metadata?: RequestMetadata;
  /**
   * Persistent metainfo sent with every call: values a Kitex server passes on
   * to the services it calls in turn (`metainfo.WithPersistentValue`). TTHeader
   * and ttstream carry them as string info `RPC_PERSIST_<key>`, gRPC as headers
   * `rpc-persist-<key>` (lower case, `_` written `-`, as gopkg metainfo
   * converts them), THeader as plain headers. A call's own values are added.
   */
  persistentMetadata?: Record<string, string>;
  /** Receives the backward metainfo of every successful call (a call's own listener wins). */
  onBackwardMetadata?: BackwardMetadataListener;
  /** Told about each connection once it is ready for calls: resolved address, ALPN, the TLS peer. */
  onConnect?: (info: ConnectionInfo) => void;
  /** Default compression for gRPC calls. */
  compression?: Compression;
  /** HTTP/2 keepalive pings: a peer that does not answer in time fails its calls with UNAVAILABLE. */
  keepalive?: { intervalMs: number; timeoutMs: number };
  /**
   * Largest message accepted (default 4 MiB, as in gRPC): a gRPC message, also
   * once decompressed, or a ping-pong reply frame, also a THeader payload once
   * inflated. Larger ones fail the call with RESOURCE_EXHAUSTED.
   */
  maxReceiveMessageBytes?: number;
  /** Largest message sent. */
  maxSendMessageBytes?: number;
  /**
   * Thrift payload protocol for ping-pong: `'binary'` (default; what Kitex speaks) or
   * `'compact'` (for Apache Thrift peers over Framed, Buffered or THeader).
   */
  thriftProtocol?: 'binary' | 'compact';
  /**
   * Ping-pong transports: connections kept per address (one outstanding request
   * each; default 8). ttstream: connections its streams are multiplexed over (default 1).
   */
  maxConnectionsPerHost?: number;
  /**
   * ttstream: also send Kitex's Rst frame when a stream is cancelled or times out, so
   * that a server which knows it (Kitex ≥ 0.15, idlcall) cancels its handler at once.
   * Default false: Kitex v0.14 servers do not know the frame and close the whole
   * connection, with every stream on it; without it the end-of-stream Trailer goes
   * alone, which every version understands.
   */
  ttstreamReset?: boolean;
  /**
   * Middlewares every call passes through, the first outermost: they see and may change the
   * call's metadata, deadline and messages, answer it themselves, and see how it ended. They
   * run once per call, around the transport (and around its retries and hedged attempts).
   */
  middlewares?: readonly Middleware[];
  /** Retries for every method (see {@link RetryPolicy}); a method's `methodConfig` or a call's own policy wins. */
  retry?: RetryPolicy;
  /** Hedging for every unary and ping-pong method (see {@link HedgingPolicy}); not with `retry` on the same level. */
  hedging?: HedgingPolicy;
  /** Policies and timeouts per method name. */
  methodConfig?: Record<string, MethodConfig>;
  /** gRPC's retry throttling for this client's retries and hedges; default none. */
  retryThrottling?: RetryThrottling;
  /** Memory gRPC retries may hold to replay requests. */
  retryBuffer?: RetryBufferLimits;
  /** Circuit breakers per method and per instance; default none. */
  circuitBreaker?: CircuitBreakerOptions;
  /** Told of each attempt of calls with a retry or hedging policy (the CLI's `-v`); a call's own listener wins. */
  onAttempt?: (info: AttemptInfo) => void;
}

/** Options for one call. */
export interface CallOptions {
  /**
   * Deadline for the whole call, sent as `grpc-timeout` (or TTHeader RPCTimeout) and enforced
   * locally. ttstream carries no timeout: the deadline is ours alone (the server hears of it
   * through an Rst frame, see `ttstreamReset`).
   */
  timeoutMs?: number;
  metadata?: RequestMetadata;
  /** Persistent metainfo for this call, added to the client's (see {@link ClientOptions.persistentMetadata}). */
  persistentMetadata?: Record<string, string>;
  /**
   * For `genericCall`: receives the backward metainfo the server sent with a
   * successful reply (`{}` when it sent none; Framed and Buffered carry none).
   */
  onBackwardMetadata?: BackwardMetadataListener;
  /** Aborting cancels the call (CANCELLED). */
  signal?: AbortSignal;
  compression?: Compression;
  /** The consistent hashing key (with `balancer: 'consistent_hash'`): equal keys go to the same instance. */
  hashKey?: string;
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
  /** Middlewares for this call only, inside the client's (see {@link ClientOptions.middlewares}). */
  middlewares?: readonly Middleware[];
  /** This call's retry policy instead of the method's or client's; `false` for none. */
  retry?: RetryPolicy | false;
  /** This call's hedging policy instead of the method's or client's (unary and ping-pong); `false` for none. */
  hedging?: HedgingPolicy | false;
  /** Told of each attempt of this call when it has a retry or hedging policy. */
  onAttempt?: (info: AttemptInfo) => void;
}

/** Options for `close()`. */
export interface CloseOptions {
  /** How long calls in flight may still finish before they are cancelled; default 5000 ms. */
  graceMs?: number;
}
