import { UsageError } from '../errors/usage-error.js';

/**
 * What one server accepts from its peers, per connection and in total. Every
 * transport on the port (gRPC, the ping-pong transports, and any later one)
 * reads its limits from here, so they share one set of defaults.
 */
export interface ConnectionLimits {
  /** A connection with no call in flight for this long is closed; 0 never closes one. */
  readonly idleTimeoutMs: number;
  /**
   * Time a new connection has to show it speaks a protocol: the first whole
   * ping-pong frame, or the HTTP/2 preface and SETTINGS; 0 waits for ever.
   */
  readonly handshakeTimeoutMs: number;
  /** Connections held at once; more are closed as they arrive. */
  readonly maxConnections: number;
  /** Ping-pong requests read ahead of the one being served, per connection, before reading stops. */
  readonly maxPipelinedRequests: number;
  /** Largest message received (frame, gRPC message, and each after decompression). */
  readonly maxReceiveMessageBytes: number;
  /** gRPC streams open at once on one HTTP/2 connection (SETTINGS_MAX_CONCURRENT_STREAMS). */
  readonly maxConcurrentStreams: number;
}

/** Five minutes: Kitex closes idle connections after 10, nginx after 1–3. */
export const DEFAULT_IDLE_TIMEOUT_MS = 300_000;
/** Ten seconds to send a first frame or the HTTP/2 preface. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** gRPC's default receive limit, here for every transport. */
export const DEFAULT_MAX_RECEIVE_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Ping-pong requests read ahead per connection (they are served one at a time, in order). */
export const DEFAULT_MAX_PIPELINED_REQUESTS = 64;
/**
 * HTTP/2 streams per connection. grpc-go and Kitex announce no limit; 100 is
 * the floor RFC 9113 recommends and what grpc-go and Kitex clients assume
 * before a server's SETTINGS arrive; nginx uses 128.
 */
export const DEFAULT_MAX_CONCURRENT_STREAMS = 100;

/** Limits as given by a user: any of them, the rest default. */
export type ConnectionLimitOptions = { readonly [K in keyof ConnectionLimits]?: number | undefined };

/** Fills in the defaults and checks each value (a UsageError names a bad one). */
export function resolveLimits(o: ConnectionLimitOptions = {}): ConnectionLimits {
  return {
    idleTimeoutMs: check('idleTimeoutMs', o.idleTimeoutMs, DEFAULT_IDLE_TIMEOUT_MS, 0),
    handshakeTimeoutMs: check('handshakeTimeoutMs', o.handshakeTimeoutMs, DEFAULT_HANDSHAKE_TIMEOUT_MS, 0),
    maxConnections: check('maxConnections', o.maxConnections, Infinity, 1),
    maxPipelinedRequests: check('maxPipelinedRequests', o.maxPipelinedRequests, DEFAULT_MAX_PIPELINED_REQUESTS, 1),
    maxReceiveMessageBytes: check('maxReceiveMessageBytes', o.maxReceiveMessageBytes, DEFAULT_MAX_RECEIVE_MESSAGE_BYTES, 1),
    maxConcurrentStreams: check('maxConcurrentStreams', o.maxConcurrentStreams, DEFAULT_MAX_CONCURRENT_STREAMS, 1, 0xffffffff),
  };
}

function check(name: string, v: number | undefined, dflt: number, min: number, max = Infinity): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || Number.isNaN(v) || v < min || v > max || (Number.isFinite(v) && !Number.isInteger(v))) {
    throw new UsageError(`${name} must be an integer from ${min}${max === Infinity ? ' up' : ` to ${max}`}, not ${String(v)}`);
  }
  return v;
}
