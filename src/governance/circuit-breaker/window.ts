/**
 * Counts of successes and failures over a sliding time window, kept in a ring
 * of buckets: recording and reading cost a few additions, nothing is allocated
 * after construction. Shared by the circuit breakers and by the retry-ratio
 * limit (which counts retries as its "failures").
 */

const BUCKETS = 10;

/** A sliding window of success / failure counts. */
export class SlidingWindow {
  private readonly ok = new Float64Array(BUCKETS);
  private readonly bad = new Float64Array(BUCKETS);
  private readonly bucketMs: number;
  /** Index (time / bucketMs) of the newest bucket written. */
  private head = 0;

  constructor(windowMs: number) {
    this.bucketMs = Math.max(1, windowMs / BUCKETS);
  }

  /** Adds one outcome at time `now` (ms, monotonic). */
  record(failed: boolean, now: number): void {
    const i = this.advance(now);
    if (failed) this.bad[i]!++;
    else this.ok[i]!++;
  }

  /** Failures and total outcomes in the window ending at `now`. */
  counts(now: number): { failures: number; total: number } {
    this.advance(now);
    let failures = 0;
    let total = 0;
    for (let i = 0; i < BUCKETS; i++) {
      failures += this.bad[i]!;
      total += this.ok[i]! + this.bad[i]!;
    }
    return { failures, total };
  }

  /** Forgets everything (a breaker that closes starts afresh). */
  reset(): void {
    this.ok.fill(0);
    this.bad.fill(0);
  }

  /** Clears the buckets that fell out of the window; returns the slot for `now`. */
  private advance(now: number): number {
    const idx = Math.floor(now / this.bucketMs);
    const stale = idx - this.head;
    if (stale > 0) {
      for (let k = 1; k <= Math.min(stale, BUCKETS); k++) {
        const slot = (this.head + k) % BUCKETS;
        this.ok[slot] = 0;
        this.bad[slot] = 0;
      }
      this.head = idx;
    }
    return this.head % BUCKETS;
  }
}
