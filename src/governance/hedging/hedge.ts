/**
 * The hedging driver, for any transport: starts attempts on a timer, settles
 * with the first answer and cancels the rest (grpc/proposal A6's hedging rules).
 */
import { Code } from '../../errors/status-code.js';
import { RpcError } from '../../errors/rpc-error.js';
import { parsePushback } from '../retry/backoff.js';
import type { RetryThrottle } from '../retry/throttle.js';

/** One attempt in flight. */
export interface HedgeAttempt<T> {
  readonly result: Promise<T>;
  cancel(reason: string): void;
}

/** How a hedged call runs. */
export interface HedgeRules {
  maxAttempts: number;
  delayMs: number;
  nonFatal: ReadonlySet<number>;
  throttle?: RetryThrottle | undefined;
  /** Asked before each attempt after the first: a reason not to send it, or undefined. */
  holdBack?: (() => string | undefined) | undefined;
}

/** Why a losing attempt is cancelled. */
export const HEDGE_LOST = 'another hedged attempt answered first';

/**
 * Runs `start(n)` for n = 0, 1, … as the rules allow and settles with the first
 * success, or the first fatal failure, or — when every attempt failed non-fatally —
 * the last failure. `start` may throw (nothing was sent): that counts as the attempt's failure.
 */
export function hedge<T>(rules: HedgeRules, start: (n: number) => HedgeAttempt<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const live: (HedgeAttempt<T> | undefined)[] = [];
    let sent = 0;
    let outstanding = 0;
    let done = false;
    /** No more attempts will be started. */
    let stopped = false;
    let lastError: unknown;
    let timer: NodeJS.Timeout | undefined;

    const cancelOthers = (winner: number): void => {
      for (let i = 0; i < live.length; i++) if (i !== winner) live[i]?.cancel(HEDGE_LOST);
    };
    const settleFailure = (): void => {
      if (done || outstanding > 0 || (!stopped && sent < rules.maxAttempts)) return;
      done = true;
      clearTimeout(timer);
      reject(lastError);
    };
    const launch = (): void => {
      clearTimeout(timer);
      timer = undefined;
      if (done || stopped || sent >= rules.maxAttempts) return settleFailure();
      if (sent > 0) {
        const why = rules.throttle && !rules.throttle.allows ? 'retry throttling' : rules.holdBack?.();
        if (why !== undefined) {
          stopped = true;
          return settleFailure();
        }
      }
      const n = sent++;
      // The next attempt's timer runs from before this one's synchronous work (routing, encoding,
      // the HTTP/2 request), so that work does not push the hedge back.
      if (sent < rules.maxAttempts) timer = setTimeout(launch, rules.delayMs);
      let a: HedgeAttempt<T>;
      try {
        a = start(n);
      } catch (e) {
        outstanding++;
        return onFailure(n, e);
      }
      live[n] = a;
      outstanding++;
      a.result.then(
        (v) => onSuccess(n, v),
        (e: unknown) => onFailure(n, e),
      );
    };
    const onSuccess = (n: number, v: T): void => {
      live[n] = undefined;
      outstanding--;
      if (done) return;
      done = true;
      clearTimeout(timer);
      rules.throttle?.success();
      cancelOthers(n);
      resolve(v);
    };
    const onFailure = (n: number, e: unknown): void => {
      live[n] = undefined;
      outstanding--;
      if (done) return;
      lastError = e;
      const code = e instanceof RpcError ? e.code : Code.UNKNOWN;
      const pushback = e instanceof RpcError ? parsePushback(e.metadata['grpc-retry-pushback-ms']) : undefined;
      if (!rules.nonFatal.has(code)) {
        if (pushback === 'stop') rules.throttle?.failure();
        done = true;
        clearTimeout(timer);
        cancelOthers(n);
        reject(e);
        return;
      }
      rules.throttle?.failure();
      if (pushback === 'stop') {
        stopped = true;
        clearTimeout(timer);
        return settleFailure();
      }
      if (typeof pushback === 'number') {
        clearTimeout(timer);
        timer = setTimeout(launch, pushback);
        return;
      }
      launch();
    };
    launch();
  });
}
