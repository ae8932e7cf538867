/* Small helpers of the binary → JSON transcoder: JSON text of floats and strings, units, tags. */
import { asciiString, readUtf8 } from '../../bytes/utf8.js';
import { type Int64Halves } from '../../bytes/varint.js';
import { CharWriter } from '../../json/json-chars.js';
import { formatJsonDouble, quoteJsonString } from '../../json/quote.js';

export const WIRE_NAMES = ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32'];

export const h64: Int64Halves = { lo: 0, hi: 0 };

export const EMPTY = new Uint8Array(0);

/** Units a packed item may take: a comma, quotes and 20 digits with a sign, or an enum name (longer ones grow the buffer first). */
export const ITEM_ROOM = 64;

/** Zigzag-decodes a value below 2^53 whose varint started with byte `first` (its low bit: the sign). */
export function unzigzag(v: number, first: number): number {
  return (first & 1) === 0 ? v / 2 : -(v + 1) / 2;
}

/** Bytes of a tag's shortest varint form, or 0 past two bytes (runs then go one occurrence at a time). */
export function tagLength(tag: number): number {
  return tag < 0x80 ? 1 : tag < 0x4000 ? 2 : 0;
}

/** Whether `b[p…]` (before `end`) holds `tag` in its `len`-byte form. */
export function sameTag(b: Uint8Array, p: number, end: number, tag: number, len: number): boolean {
  if (p + len > end) return false;
  return len === 1 ? b[p] === tag : b[p] === ((tag & 0x7f) | 0x80) && b[p + 1] === tag >>> 7;
}

/** Writes `true` or `false` at `b[o]`; returns the end. */
export function putBool(b: Uint16Array, o: number, v: boolean): number {
  if (v) {
    b[o] = 116;
    b[o + 1] = 114;
    b[o + 2] = 117;
    b[o + 3] = 101;
    return o + 4;
  }
  b[o] = 102;
  b[o + 1] = 97;
  b[o + 2] = 108;
  b[o + 3] = 115;
  b[o + 4] = 101;
  return o + 5;
}

/** Appends one UTF-16 unit. */
export function putUnit(w: CharWriter, u: number): void {
  if (w.pos >= w.buf.length) w.ensure(1);
  w.buf[w.pos++] = u;
}

/** Float and double JSON: the special values as strings, -0 kept. */
export function formatFloat(v: number): string {
  if (v !== v) return '"NaN"';
  if (v === Infinity) return '"Infinity"';
  if (v === -Infinity) return '"-Infinity"';
  return formatJsonDouble(v);
}

/**
 * UTF-8 bytes → a quoted JSON string in one step. Printable ASCII without
 * quotes or backslashes (the common case) is sliced directly; other text is
 * validated, decoded natively, then escaped only if it needs to be.
 * Undefined for invalid UTF-8.
 */
export function jsonStringFromUtf8(buf: Uint8Array, start: number, end: number): string | undefined {
  let p = start;
  let b = 0;
  while (p < end) {
    b = buf[p]!;
    if (b < 0x20 || b >= 0x7f || b === 34 || b === 92) break;
    p++;
  }
  if (p === end) {
    // Short ASCII: the quoted string in one allocation.
    const b = buf;
    const q = start;
    switch (end - start) {
      case 0:
        return '""';
      case 1:
        return String.fromCharCode(34, b[q]!, 34);
      case 2:
        return String.fromCharCode(34, b[q]!, b[q + 1]!, 34);
      case 3:
        return String.fromCharCode(34, b[q]!, b[q + 1]!, b[q + 2]!, 34);
      case 4:
        return String.fromCharCode(34, b[q]!, b[q + 1]!, b[q + 2]!, b[q + 3]!, 34);
      case 5:
        return String.fromCharCode(34, b[q]!, b[q + 1]!, b[q + 2]!, b[q + 3]!, b[q + 4]!, 34);
      case 6:
        return String.fromCharCode(34, b[q]!, b[q + 1]!, b[q + 2]!, b[q + 3]!, b[q + 4]!, b[q + 5]!, 34);
      case 7:
        return String.fromCharCode(34, b[q]!, b[q + 1]!, b[q + 2]!, b[q + 3]!, b[q + 4]!, b[q + 5]!, b[q + 6]!, 34);
      case 8:
        return String.fromCharCode(34, b[q]!, b[q + 1]!, b[q + 2]!, b[q + 3]!, b[q + 4]!, b[q + 5]!, b[q + 6]!, b[q + 7]!, 34);
      case 9:
        return String.fromCharCode(34, b[q]!, b[q + 1]!, b[q + 2]!, b[q + 3]!, b[q + 4]!, b[q + 5]!, b[q + 6]!, b[q + 7]!, b[q + 8]!, 34);
      case 10:
        return String.fromCharCode(34, b[q]!, b[q + 1]!, b[q + 2]!, b[q + 3]!, b[q + 4]!, b[q + 5]!, b[q + 6]!, b[q + 7]!, b[q + 8]!, b[q + 9]!, 34);
      default:
        return '"' + asciiString(buf, start, end) + '"';
    }
  }
  const s = readUtf8(buf, start, end);
  return s === undefined ? undefined : quoteJsonString(s);
}

/** A JSON object from quoted keys and JSON values, in insertion order (a map field, a Struct). */
export function objectJson(m: ReadonlyMap<string, string>): string {
  let out = '{';
  let first = true;
  for (const [k, v] of m) {
    out += (first ? '' : ',') + k + ':' + v;
    first = false;
  }
  return out + '}';
}
