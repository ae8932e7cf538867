import type { CodeLike } from '../status-codes.js';

/**
 * Hedging (gRPC's hedgingPolicy; Kitex's backup request) for unary and ping-pong
 * calls: the first attempt goes at once; while no answer has come, another
 * goes every `hedgingDelayMs` (to another instance when one is known), up to
 * `maxAttempts`; the first answer wins and the others are cancelled (gRPC:
 * RST_STREAM CANCEL; ping-pong: the connection the losing request waits on is
 * closed, the only way that protocol has to tell the server). A status in
 * `nonFatalCodes` sends the next attempt at once; any other failure ends the
 * call. The deadline covers all attempts. Streaming methods are not hedged.
 */
export interface HedgingPolicy {
  /** Attempts in all, the first included; at most 5 (A6). */
  maxAttempts: number;
  /** Wait before each further attempt; default 0 (all at once). */
  hedgingDelayMs?: number;
  /** Failures after which the next attempt goes at once instead of ending the call; default none. */
  nonFatalCodes?: CodeLike[];
  /**
   * Ping-pong: backup requests stop while they exceed this share of the method's attempts
   * over the last 10 s (Kitex's retry circuit breaker, which backup requests share); default 0.1.
   */
  maxRetryRatio?: number;
}
