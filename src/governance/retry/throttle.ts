import type { RetryThrottling } from './options.js';
import { UsageError } from '../../errors/usage-error.js';

/** gRPC's retry throttling token bucket (see {@link RetryThrottling}). */
export class RetryThrottle {
  private tokens: number;
  private readonly max: number;
  private readonly ratio: number;

  constructor(opts: RetryThrottling) {
    if (!(opts.maxTokens > 0 && opts.maxTokens <= 1000)) throw new UsageError('retryThrottling.maxTokens must be in (0, 1000]');
    if (!(opts.tokenRatio > 0)) throw new UsageError('retryThrottling.tokenRatio must be > 0');
    this.max = opts.maxTokens;
    // A6: decimal places beyond 3 are ignored
    this.ratio = Math.floor(opts.tokenRatio * 1000) / 1000;
    this.tokens = this.max;
  }

  /** A call (or attempt) failed with a retryable or non-fatal status, or was told not to retry. */
  failure(): void {
    this.tokens = Math.max(0, this.tokens - 1);
  }

  /** A call succeeded. */
  success(): void {
    this.tokens = Math.min(this.max, this.tokens + this.ratio);
  }

  /** Whether retries and hedges may go out now. */
  get allows(): boolean {
    return this.tokens > this.max / 2;
  }
}
