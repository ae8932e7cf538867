import type { CodeLike } from '../status-codes.js';

/**
 * Circuit breaking per instance and per method (Kitex's instance and service
 * breakers): each keeps the error rate of calls over a sliding window; past
 * `errorRate` with at least `minSamples` calls seen it opens, and calls are
 * refused (UNAVAILABLE, "circuit breaker … is open") — an open instance is
 * passed over by the balancer instead — for `openMs`; then one trial call at a
 * time goes through (half-open): success closes it, failure opens it again.
 */
export interface CircuitBreakerOptions {
  /** Share of failed calls (0–1] that opens a breaker; default 0.5 (Kitex's). */
  errorRate?: number;
  /** Calls the window must hold before the rate counts; default 200 (Kitex's). */
  minSamples?: number;
  /** Length of the sliding window; default 10000 ms. */
  windowMs?: number;
  /** How long an open breaker refuses calls before a trial; default 5000 ms. */
  openMs?: number;
  /**
   * Status codes that count as failures; default UNAVAILABLE, DEADLINE_EXCEEDED,
   * INTERNAL, UNKNOWN and RESOURCE_EXHAUSTED (what speaks of the service's or
   * the connection's health; a declared Thrift exception or INVALID_ARGUMENT does not).
   */
  failureCodes?: CodeLike[];
  /** Breakers per method; default true. */
  perMethod?: boolean;
  /** Breakers per instance (`host:port`); default true. */
  perInstance?: boolean;
}
