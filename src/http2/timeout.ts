/** The largest value grpc-timeout allows: at most 8 ASCII digits. */
const MAX_DIGITS_VALUE = 99_999_999;

/**
 * Encodes a timeout in milliseconds as a `grpc-timeout` value, in the finest unit
 * whose value fits in 8 digits (`250m`, `1200S`...). Non-positive timeouts become `1n`
 * so the server sees an already-expired deadline rather than none.
 */
export function encodeTimeout(ms: number): string {
  if (!(ms > 0)) return '1n';
  if (ms < 1) {
    const us = Math.ceil(ms * 1000);
    return `${us}u`;
  }
  const whole = Math.ceil(ms);
  if (whole <= MAX_DIGITS_VALUE) return `${whole}m`;
  const s = Math.ceil(whole / 1000);
  if (s <= MAX_DIGITS_VALUE) return `${s}S`;
  const m = Math.ceil(s / 60);
  if (m <= MAX_DIGITS_VALUE) return `${m}M`;
  return `${Math.min(Math.ceil(m / 60), MAX_DIGITS_VALUE)}H`;
}

const UNIT_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 };

/**
 * Parses a `grpc-timeout` value into milliseconds; undefined when absent or malformed
 * (the spec's 1–8 digits followed by one of H M S m u n).
 */
export function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{1,8})([HMSmun])$/.exec(value);
  if (m === null) return undefined;
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}
