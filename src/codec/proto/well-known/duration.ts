import { formatNanos } from './timestamp.js';

/*
 * google.protobuf.Duration ⇄ JSON text: seconds with 0, 3, 6 or 9 fractional
 * digits and an "s" suffix ("1.5s", "-0.001s"), range ±315,576,000,000 s.
 */

/** Largest magnitude of Duration.seconds (10,000 years). */
export const DURATION_MAX_SECONDS = 315576000000;

/** JSON text (without quotes) of a duration, or undefined when invalid. */
export function formatDuration(seconds: number, nanos: number): string | undefined {
  if (Math.abs(seconds) > DURATION_MAX_SECONDS || Math.abs(nanos) > 999999999) return undefined;
  if ((seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0)) return undefined;
  const neg = seconds < 0 || nanos < 0;
  return (neg ? '-' : '') + String(Math.abs(seconds)) + formatNanos(Math.abs(nanos)) + 's';
}

const DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;

/** Parses duration text into `[seconds, nanos]` (same signs), or undefined. */
export function parseDuration(s: string): [number, number] | undefined {
  const m = DURATION.exec(s);
  if (m === null || m[2]!.length > 12) return undefined;
  let seconds = +m[2]!;
  let nanos = m[3] !== undefined ? +m[3].padEnd(9, '0') : 0;
  if (seconds > DURATION_MAX_SECONDS) return undefined;
  if (m[1] !== undefined) {
    seconds = -seconds;
    nanos = -nanos;
  }
  return [seconds === 0 ? 0 : seconds, nanos === 0 ? 0 : nanos];
}
