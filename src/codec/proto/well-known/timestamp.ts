/*
 * google.protobuf.Timestamp ⇄ RFC 3339 text, as the proto3 JSON mapping
 * specifies: output in UTC with "Z" and 0, 3, 6 or 9 fractional digits;
 * input with any offset, `T` and `Z` in upper case. Range 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z.
 */

/** Seconds of 0001-01-01T00:00:00Z. */
export const TIMESTAMP_MIN_SECONDS = -62135596800;
/** Seconds of 9999-12-31T23:59:59Z (nanos may add up to a second more). */
export const TIMESTAMP_MAX_SECONDS = 253402300799;

/** Formats nanoseconds as `.123`, `.123456` or `.123456789` (empty for 0). */
export function formatNanos(nanos: number): string {
  if (nanos === 0) return '';
  let s = String(nanos).padStart(9, '0');
  if (s.endsWith('000000')) s = s.slice(0, 3);
  else if (s.endsWith('000')) s = s.slice(0, 6);
  return '.' + s;
}

/** "00".."99". */
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + i);

/**
 * RFC 3339 text of a timestamp, or undefined when out of range. The date comes from
 * the day number by arithmetic (Howard Hinnant's civil_from_days), a few times faster
 * than a Date and its ISO string.
 */
export function formatTimestamp(seconds: number, nanos: number): string | undefined {
  if (seconds < TIMESTAMP_MIN_SECONDS || seconds > TIMESTAMP_MAX_SECONDS || nanos < 0 || nanos > 999999999) return undefined;
  const days = Math.floor(seconds / 86400);
  let rest = seconds - days * 86400;
  const hour = (rest / 3600) | 0;
  rest -= hour * 3600;
  const minute = (rest / 60) | 0;
  const second = rest - minute * 60;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return (year >= 1000 ? String(year) : String(year).padStart(4, '0')) + '-' + TWO_DIGITS[month]! + '-' + TWO_DIGITS[day]! + 'T' +
    TWO_DIGITS[hour]! + ':' + TWO_DIGITS[minute]! + ':' + TWO_DIGITS[second]! + formatNanos(nanos) + 'Z';
}

/** A parsed Timestamp or Duration. */
export interface SecondsNanos {
  seconds: number;
  nanos: number;
}

/** The value of the `n` decimal digits at `text[p]`, or -1 if one is not a digit. */
export function digitsAt(text: string, p: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(p + i) - 48;
    if (!(c >= 0 && c <= 9)) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** The end of the run of decimal digits at `text[p]` (at most up to `end`). */
export function digitsEnd(text: string, p: number, end: number): number {
  while (p < end && text.charCodeAt(p) >= 48 && text.charCodeAt(p) <= 57) p++;
  return p;
}

/**
 * Nanoseconds from the fraction digits `text[p, end)` (1 to 9 of them, scaled to 9
 * places), or -1 when there are none, more than 9, or a non-digit.
 */
export function nanosAt(text: string, p: number, end: number): number {
  const n = end - p;
  if (n < 1 || n > 9) return -1;
  const v = digitsAt(text, p, n);
  return v < 0 ? -1 : v * NANO_SCALE[n]!;
}

const NANO_SCALE = [1, 100000000, 10000000, 1000000, 100000, 10000, 1000, 100, 10, 1];

/**
 * Parses RFC 3339 text `text[start, end)` into `out`; false when invalid or out of range.
 * Upper-case `T` and `Z` only: RFC 3339 allows lower case, the protobuf JSON mapping does not.
 * Read by hand (no RegExp, no substring): `YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)`.
 */
export function parseTimestamp(text: string, start: number, end: number, out: SecondsNanos): boolean {
  if (end - start < 20) return false;
  const year = digitsAt(text, start, 4);
  const month = digitsAt(text, start + 5, 2);
  const day = digitsAt(text, start + 8, 2);
  const hour = digitsAt(text, start + 11, 2);
  const minute = digitsAt(text, start + 14, 2);
  const second = digitsAt(text, start + 17, 2);
  if (
    (year | month | day | hour | minute | second) < 0 ||
    text.charCodeAt(start + 4) !== 45 || text.charCodeAt(start + 7) !== 45 || text.charCodeAt(start + 10) !== 84 /* T */ ||
    text.charCodeAt(start + 13) !== 58 || text.charCodeAt(start + 16) !== 58
  ) return false;
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) return false;
  let p = start + 19;
  let nanos = 0;
  if (text.charCodeAt(p) === 46 /* . */) {
    const f = p + 1;
    p = digitsEnd(text, f, end);
    if ((nanos = nanosAt(text, f, p)) < 0) return false;
  }
  let seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  const z = text.charCodeAt(p);
  if (z === 90 /* Z */) {
    if (p + 1 !== end) return false;
  } else if (z === 43 || z === 45) {
    if (p + 6 !== end || text.charCodeAt(p + 3) !== 58) return false;
    const oh = digitsAt(text, p + 1, 2);
    const om = digitsAt(text, p + 4, 2);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return false;
    const off = (oh * 60 + om) * 60;
    seconds += z === 43 ? -off : off;
  } else return false;
  if (seconds < TIMESTAMP_MIN_SECONDS || seconds > TIMESTAMP_MAX_SECONDS) return false;
  out.seconds = seconds;
  out.nanos = nanos;
  return true;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}
