/**
 * A timer for any delay. Node fires timers longer than 2^31-1 ms (about 24.8
 * days) after 1 ms; here such delays are chained instead, so a 30-day
 * deadline means 30 days.
 */

/** Node's largest timer delay. */
const MAX_DELAY = 0x7fffffff;

/** A pending {@link setLongTimeout}. */
export interface LongTimeout {
  clear(): void;
}

/** Calls `fn` once after `ms` (negative and NaN mean now). */
export function setLongTimeout(ms: number, fn: () => void): LongTimeout {
  let timer: NodeJS.Timeout;
  const arm = (left: number): void => {
    if (left <= MAX_DELAY) timer = setTimeout(fn, Math.max(0, left || 0));
    else timer = setTimeout(arm, MAX_DELAY, left - MAX_DELAY);
  };
  arm(ms);
  return { clear: () => clearTimeout(timer) };
}
