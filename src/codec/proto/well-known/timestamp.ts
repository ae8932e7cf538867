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

// Upper-case `T` and `Z` only: RFC 3339 allows lower case, the protobuf JSON mapping does not.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/** Parses RFC 3339 text into `[seconds, nanos]`, or undefined when invalid or out of range. */
export function parseTimestamp(s: string): [number, number] | undefined {
  const m = RFC3339.exec(s);
  if (m === null) return undefined;
  const year = +m[1]!;
  const month = +m[2]!;
  const day = +m[3]!;
  const hour = +m[4]!;
  const minute = +m[5]!;
  const second = +m[6]!;
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) return undefined;
  const nanos = m[7] !== undefined ? +m[7].padEnd(9, '0') : 0;
  let seconds = Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
  // Date.UTC maps years 0..99 to 1900..1999.
  if (year < 100) seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  if (m[9] !== undefined) {
    const oh = +m[10]!;
    const om = +m[11]!;
    if (oh > 23 || om > 59) return undefined;
    const off = (oh * 60 + om) * 60;
    seconds += m[9] === '+' ? -off : off;
  }
  if (seconds < TIMESTAMP_MIN_SECONDS || seconds > TIMESTAMP_MAX_SECONDS) return undefined;
  return [seconds, nanos];
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
