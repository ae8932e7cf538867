/** The delays between attempts and the server's say in them. */

/** Exponential backoff bounds with full jitter. */
export interface Backoff {
  initialMs: number;
  maxMs: number;
  multiplier: number;
}

/**
 * The delay before retry number `n` (1-based, counted since the last pushback):
 * uniformly random in [0, min(initial × multiplier^(n-1), max)) — full jitter,
 * as grpc-go and grpc-java draw it.
 */
export function backoffDelay(b: Backoff, n: number, random: () => number = Math.random): number {
  if (b.initialMs <= 0) return 0;
  const bound = Math.min(b.initialMs * Math.pow(b.multiplier, n - 1), b.maxMs);
  return random() * bound;
}

/**
 * `grpc-retry-pushback-ms` as the server sent it: a delay in ms, `'stop'` when it
 * says not to retry (negative or not a decimal 32-bit integer), undefined when absent.
 */
export function parsePushback(value: string | string[] | undefined): number | 'stop' | undefined {
  if (value === undefined) return undefined;
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || !/^(0|[1-9][0-9]{0,9})$/.test(v)) return 'stop';
  const n = Number(v);
  return n > 0x7fffffff ? 'stop' : n;
}
