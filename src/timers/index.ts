/**
 * Timers that Node can really arm. `setTimeout` takes at most 2^31-1 ms
 * (about 24.8 days); a longer delay is clamped to 1 ms with only a warning, so a
 * 30-day deadline would fire at once. Like grpc-js, a deadline that far away is
 * treated as no local deadline at all (it is still sent to the peer).
 */

/** The longest delay `setTimeout` honours, in milliseconds. */
export const MAX_TIMER_MS = 0x7fffffff;

/**
 * `setTimeout(fn, ms, arg)` for a delay Node can honour; `undefined` (no timer)
 * when `ms` is beyond {@link MAX_TIMER_MS} or not a number. Negative delays
 * fire on the next turn, as with `setTimeout`.
 */
export function armTimer<A>(ms: number, fn: (arg: A) => void, arg: A): NodeJS.Timeout | undefined {
  if (!(ms <= MAX_TIMER_MS)) return undefined;
  return setTimeout(fn, ms > 0 ? ms : 0, arg);
}
