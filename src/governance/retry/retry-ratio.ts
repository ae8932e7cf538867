/**
 * Kitex's retry circuit breaker in its percentage form: per method, first
 * attempts count as successes and retries as failures over a 10 s window; once
 * 10 attempts were seen, no retry (or backup request) goes out while retries
 * are `maxRatio` or more of them — so retries never exceed that share of the traffic.
 */
import { SlidingWindow } from '../circuit-breaker/window.js';

const WINDOW_MS = 10_000;
/** Kitex's cbMinSample. */
const MIN_SAMPLES = 10;

/** Retry ratio limit per method. */
export class RetryRatioLimit {
  private readonly windows = new Map<string, SlidingWindow>();

  /** Counts an attempt of `method` (retry: not the first one). */
  record(method: string, retry: boolean, now: number): void {
    let w = this.windows.get(method);
    if (w === undefined) this.windows.set(method, (w = new SlidingWindow(WINDOW_MS)));
    w.record(retry, now);
  }

  /** Undefined when another retry of `method` may go out now under `maxRatio`; otherwise why not. */
  check(method: string, maxRatio: number, now: number): string | undefined {
    const w = this.windows.get(method);
    if (w === undefined) return undefined;
    const { failures, total } = w.counts(now);
    if (total < MIN_SAMPLES || failures / total < maxRatio) return undefined;
    return `retry circuit break: retries are ${((100 * failures) / total).toFixed(1)}% of ${total} attempts`;
  }
}
