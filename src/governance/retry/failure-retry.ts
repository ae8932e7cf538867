/**
 * Kitex's failure retry for ping-pong calls: the attempt is repeated while it
 * fails with a retryable status, attempts remain, `maxDurationMs` has not
 * passed and the retry-ratio breaker lets it; each attempt has the call's whole
 * timeout (as a Kitex RPC timeout does).
 */
import { Code } from '../../errors/status-code.js';
import { RpcError } from '../../errors/rpc-error.js';
import { backoffDelay, type Backoff } from './backoff.js';
import type { RetryRatioLimit } from './retry-ratio.js';
import type { RetryThrottle } from './throttle.js';
import { abortedError, sleep } from './sleep.js';
import type { RetryCause } from '../attempt-info.js';

/** How a ping-pong call is retried. */
export interface FailureRetryRules {
  method: string;
  maxAttempts: number;
  backoff: Backoff;
  retryable: ReadonlySet<number>;
  maxDurationMs: number | undefined;
  /** Kitex's retry circuit breaker, with the share retries must stay under. */
  ratio: { limit: RetryRatioLimit; maxRatio: number } | undefined;
  throttle: RetryThrottle | undefined;
  signal: AbortSignal | undefined;
}

/**
 * Runs `attempt(n)` for n = 0, 1, … (with the cause for retries) until one succeeds or the
 * rules stop retrying; rejects with the last failure.
 */
export async function failureRetry<T>(rules: FailureRetryRules, attempt: (n: number, cause?: RetryCause) => Promise<T>): Promise<T> {
  const started = performance.now();
  let cause: RetryCause | undefined;
  for (let n = 0; ; n++) {
    rules.ratio?.limit.record(rules.method, n > 0, performance.now());
    try {
      const v = await attempt(n, cause);
      rules.throttle?.success();
      return v;
    } catch (e) {
      const code = e instanceof RpcError ? e.code : Code.UNKNOWN;
      if (!rules.retryable.has(code)) throw e;
      rules.throttle?.failure();
      if (n + 1 >= rules.maxAttempts || rules.signal?.aborted) throw e;
      const now = performance.now();
      if (rules.maxDurationMs !== undefined && now - started >= rules.maxDurationMs) throw e;
      if (rules.ratio && rules.ratio.limit.check(rules.method, rules.ratio.maxRatio, now) !== undefined) throw e;
      if (rules.throttle && !rules.throttle.allows) throw e;
      const delay = backoffDelay(rules.backoff, n + 1);
      if (delay > 0 && !(await sleep(delay, rules.signal))) throw abortedError(rules.signal!);
      cause = { after: { code, message: e instanceof RpcError ? e.rawMessage : String(e) }, delayMs: delay };
    }
  }
}
