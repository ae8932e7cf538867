import type { CodeLike } from '../status-codes.js';

/**
 * When and how a failed call is tried again.
 *
 * Over gRPC this is gRPC's retryPolicy (grpc/proposal A6): a call is retried
 * only while it is not committed (no response headers or message arrived, its
 * requests still fit the retry buffer), after a backoff with full jitter, when
 * its status is one of `retryableCodes`; the deadline covers every attempt; the
 * server's `grpc-retry-pushback-ms` is honoured; retries carry
 * `grpc-previous-rpc-attempts`.
 *
 * Over the ping-pong transports (TTHeader, Framed, Buffered, THeader) it is
 * Kitex's failure retry: a timeout applies to each attempt, `maxDurationMs`
 * bounds them all, only connection failures and timeouts are retried unless
 * `retryableCodes` says otherwise, and a retry-ratio breaker keeps retries
 * under `maxRetryRatio` of the calls of the method.
 *
 * On every transport a retry goes to another instance when more than one is known.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included (≥ 2 to retry at all); at most 5 over gRPC (A6), 6 over ping-pong (Kitex's 5 retries). */
  maxAttempts: number;
  /** Upper bound of the first retry's random delay; default 100 ms over gRPC, 0 (none, Kitex's default) over ping-pong. */
  initialBackoffMs?: number;
  /** Largest delay bound; default 1000 ms. */
  maxBackoffMs?: number;
  /** Growth of the delay bound per retry; default 2. */
  backoffMultiplier?: number;
  /**
   * Statuses that are retried. Default: UNAVAILABLE over gRPC; UNAVAILABLE and
   * DEADLINE_EXCEEDED (connection failures and per-attempt timeouts) over ping-pong.
   */
  retryableCodes?: CodeLike[];
  /** Ping-pong: no retry starts once this long has passed since the first attempt (Kitex's max duration); default none. */
  maxDurationMs?: number;
  /**
   * Ping-pong: retries stop while they exceed this share of the method's attempts over
   * the last 10 s (Kitex's retry circuit breaker, counted once 10 attempts were seen); default 0.1.
   */
  maxRetryRatio?: number;
}

/**
 * gRPC's retry throttling: a token bucket per client that starts full at
 * `maxTokens`; each failure with a retryable (or non-fatal) status takes one
 * token, each success gives back `tokenRatio`; retries and hedges are held
 * back while the bucket is at or below half.
 */
export interface RetryThrottling {
  maxTokens: number;
  tokenRatio: number;
}

/** Memory gRPC retries may hold to replay requests (A6's buffer limits); a call that outgrows it commits. */
export interface RetryBufferLimits {
  /** Per call; default 1 MiB. */
  perCallBytes?: number;
  /** For all calls of the client together; default 16 MiB. */
  perClientBytes?: number;
}
