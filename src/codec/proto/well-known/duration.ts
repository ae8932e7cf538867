import { digitsAt, digitsEnd, formatNanos, nanosAt, type SecondsNanos } from './timestamp.js';

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

/**
 * Parses duration text `text[start, end)` (`-?\d+(\.\d{1,9})?s`, up to 12 integer digits)
 * into `out` (same signs); false when invalid or out of range.
 */
export function parseDuration(text: string, start: number, end: number, out: SecondsNanos): boolean {
  let p = start;
  const neg = text.charCodeAt(p) === 45;
  if (neg) p++;
  const d0 = p;
  p = digitsEnd(text, p, end);
  if (p === d0 || p - d0 > 12) return false;
  let seconds = digitsAt(text, d0, p - d0);
  let nanos = 0;
  if (text.charCodeAt(p) === 46 /* . */) {
    const f = p + 1;
    p = digitsEnd(text, f, end);
    if ((nanos = nanosAt(text, f, p)) < 0) return false;
  }
  if (p + 1 !== end || text.charCodeAt(p) !== 115 /* s */ || seconds > DURATION_MAX_SECONDS) return false;
  if (neg) {
    seconds = -seconds;
    nanos = -nanos;
  }
  out.seconds = seconds === 0 ? 0 : seconds;
  out.nanos = nanos === 0 ? 0 : nanos;
  return true;
}
