/*
 * Writing JSON text as UTF-16 code units (Thrift and protobuf → JSON). The JS string is
 * the end product, so the text is built in its final encoding: wire strings
 * are validated and decoded from UTF-8 while they are copied and escaped, and
 * the finished buffer becomes a string in one native copy. (Writing UTF-8 and
 * widening at the end cost a second pass over every output byte.)
 */

import { constants } from 'node:buffer';
import { CodecError } from '../../errors/codec-error.js';
import { QUAD_RUN_MIN, copyPlainBytes } from './plain-quad.js';

/** Units per piece of long text (as V8's JSON.stringify: 16K). */
const CHUNK = 16384;

/** Node's native UTF-16 slicer, called directly (Buffer#toString checks its arguments and looks the encoding up first). */
const ucs2Slice = Buffer.prototype.ucs2Slice as (this: Buffer, start: number, end: number) => string;

/** The longest string the engine can make (V8: 2^29 - 24 units): JSON output past it cannot be returned. */
export const MAX_JSON_CHARS = constants.MAX_STRING_LENGTH;

/** The CodecError for output that would pass {@link MAX_JSON_CHARS}. */
function tooLong(): CodecError {
  return new CodecError('', `the JSON text would be longer than ${MAX_JSON_CHARS} characters, the longest string JavaScript allows`, undefined, 'serialize');
}

/**
 * The engine's own "string too long" failures (a RangeError from V8, Node's
 * ERR_STRING_TOO_LONG) as a CodecError; anything else is returned as is.
 * Decoders pass what they catch through this, so no raw RangeError escapes.
 */
export function asStringLimitError(e: unknown): unknown {
  if (e instanceof RangeError && /string length/i.test(e.message)) return tooLong();
  if (e instanceof Error && (e as { code?: unknown }).code === 'ERR_STRING_TOO_LONG') return tooLong();
  return e;
}

/**
 * A growable UTF-16 output buffer, reused across decodes: `reset()` keeps the
 * allocation. Writers store into the public `buf`/`pos` directly.
 */
export class CharWriter {
  buf: Uint16Array;
  pos = 0;
  /** A Buffer over `buf`'s memory, for the final native conversion. */
  private bytes: Buffer;

  constructor(initialChars = 4096) {
    this.buf = new Uint16Array(initialChars);
    this.bytes = Buffer.from(this.buf.buffer);
  }

  /** Forgets what was written; drops a buffer that grew past `keepChars` (a one-off huge message). */
  reset(keepChars = 1 << 20): this {
    if (this.buf.length > keepChars) {
      this.buf = new Uint16Array(keepChars >>> 2);
      this.bytes = Buffer.from(this.buf.buffer);
    }
    this.pos = 0;
    return this;
  }

  /**
   * Makes room for `n` more units. Output that could never become a string
   * fails here, before a buffer is grown for it (and the one held is let go).
   */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    if (need > MAX_JSON_CHARS) {
      this.buf = new Uint16Array(4096);
      this.bytes = Buffer.from(this.buf.buffer);
      this.pos = 0;
      throw tooLong();
    }
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    if (size > MAX_JSON_CHARS) size = MAX_JSON_CHARS;
    const next = new Uint16Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.bytes = Buffer.from(next.buffer);
  }

  /**
   * The text of units `[from, to)` (V8 stores each piece one byte per char
   * when it can). Long text is returned as a concatenation of pieces of at
   * most CHUNK units, the shape V8's own JSON.stringify returns (a rope of
   * ≤16K-char parts). One flat string of hundreds of KB is a large-object
   * allocation (fresh pages every call) that cost a quarter of a 200 KB
   * decode; pieces this size come from the young generation. Whoever needs it
   * flat pays the same for our rope as for JSON.stringify's.
   */
  text(from = 0, to = this.pos): string {
    if (to - from <= CHUNK) return ucs2Slice.call(this.bytes, from * 2, to * 2);
    const b = this.buf;
    let s = '';
    while (from < to) {
      let cut = from + CHUNK < to ? from + CHUNK : to;
      // Keep surrogate pairs whole within a piece.
      if (cut < to && (b[cut - 1]! & 0xfc00) === 0xd800) cut--;
      s += ucs2Slice.call(this.bytes, from * 2, cut * 2);
      from = cut;
    }
    return s;
  }
}

/**
 * Removes the member whose key text is `keyColon` (units of `"name":`, from
 * `keyFrom` on) from the object being written at `open` (just after its `{`),
 * with one separating comma; returns false when there is none. For the rare
 * decoder that meets a field twice and keeps the last value: the output is
 * rescanned, so decoding pays nothing for it until it happens.
 */
export function removeMember(w: CharWriter, open: number, keyColon: Uint16Array, keyFrom: number): boolean {
  const b = w.buf;
  const end = w.pos;
  const kn = keyColon.length - keyFrom;
  let p = open;
  while (p < end) {
    const start = p;
    let same = start + kn <= end;
    for (let k = 0; same && k < kn; k++) same = b[start + k] === keyColon[keyFrom + k];
    p = skipJsonValue(b, skipJsonString(b, p) + 1, end); // the key, its ':', the value
    if (same) {
      let from = start;
      let to = p;
      if (to < end) to++; // the comma after it…
      else if (from > open) from--; // …or, for the last member, the one before it
      b.copyWithin(from, to, end);
      w.pos = end - (to - from);
      return true;
    }
    p++; // the comma
  }
  return false;
}

/** Offset after the JSON string starting at `p` (its opening quote). */
function skipJsonString(b: Uint16Array, p: number): number {
  for (p++; b[p] !== 34; p++) if (b[p] === 92) p++; // a backslash escapes the next unit
  return p + 1;
}

/** Offset after the JSON value at `p` (which lies in an object still open at `end`). */
function skipJsonValue(b: Uint16Array, p: number, end: number): number {
  let depth = 0;
  while (p < end) {
    const c = b[p]!;
    if (c === 34) {
      p = skipJsonString(b, p);
      if (depth === 0) return p;
      continue;
    }
    if (c === 123 || c === 91) depth++; // { [
    else if (c === 125 || c === 93) {
      if (--depth === 0) return p + 1; // } ]
    } else if (c === 44 && depth === 0) return p; // , ends a scalar
    p++;
  }
  return p;
}

/** A string's UTF-16 units (precomputed keys and names, written or compared without charCodeAt calls). */
export function toUnits(s: string): Uint16Array {
  const u = new Uint16Array(s.length);
  for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
  return u;
}

/** Appends a JS string unit for unit (no escaping: numbers, precomputed JSON). */
export function writeChars(w: CharWriter, s: string): void {
  const n = s.length;
  if (w.pos + n > w.buf.length) w.ensure(n);
  const b = w.buf;
  let p = w.pos;
  for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
  w.pos = p;
}

/** Appends precomputed units (quoted keys). */
export function writeUnits(w: CharWriter, u: Uint16Array): void {
  const n = u.length;
  if (w.pos + n > w.buf.length) w.ensure(n);
  const b = w.buf;
  let p = w.pos;
  for (let i = 0; i < n; i++) b[p++] = u[i]!;
  w.pos = p;
}

/** Appends the decimal text of a safe integer (|v| < 2^53). */
export function writeIntChars(w: CharWriter, v: number): void {
  if (w.pos + 22 > w.buf.length) w.ensure(22);
  w.pos = putIntUnits(w.buf, w.pos, v);
}

/**
 * Writes the decimal text of a safe integer at `b[p]` and returns its end; the
 * caller has made room for 22 units (loops that keep their own cursor use this).
 */
export function putIntUnits(b: Uint16Array, p: number, v: number): number {
  if (v < 0) {
    b[p++] = 45;
    v = -v;
  }
  if (v < 10) {
    b[p] = 48 + v;
    return p + 1;
  }
  if (v <= 0x7fffffff) return writeSmall(b, p, v);
  // Above 2^31: a high part and nine low digits, so both are written from small
  // integers (v < 2^53, so hi·1e9 + lo is exact).
  const h = Math.floor(v / 1e9);
  return putNineDigits(b, writeSmall(b, p, h), v - h * 1e9);
}

/** Writes 0 ≤ v < 1e9 as exactly nine digits (zero-padded) at `q`; returns the end. */
function putNineDigits(b: Uint16Array, q: number, v: number): number {
  let e = q + 9;
  const end = e;
  while (e > q + 1) {
    const d = (v / 100) | 0;
    const r = (v - d * 100) << 1;
    b[--e] = DIGIT_PAIRS[r + 1]!;
    b[--e] = DIGIT_PAIRS[r]!;
    v = d;
  }
  b[q] = 48 + v;
  return end;
}

/** Writes 0 ≤ v < 2^31 at `p`; returns the end. Digits counted by comparisons, not divisions. */
function writeSmall(b: Uint16Array, p: number, v: number): number {
  const digits =
    v < 100000
      ? v < 100
        ? v < 10
          ? 1
          : 2
        : v < 1000
          ? 3
          : v < 10000
            ? 4
            : 5
      : v < 10000000
        ? v < 1000000
          ? 6
          : 7
        : v < 100000000
          ? 8
          : v < 1000000000
            ? 9
            : 10;
  const end = p + digits;
  let q = end;
  // Two digits per division, from a table of the pairs 00…99.
  while (v >= 100) {
    const d = (v / 100) | 0;
    const r = (v - d * 100) << 1;
    b[--q] = DIGIT_PAIRS[r + 1]!;
    b[--q] = DIGIT_PAIRS[r]!;
    v = d;
  }
  if (v >= 10) {
    b[--q] = DIGIT_PAIRS[(v << 1) + 1]!;
    b[--q] = DIGIT_PAIRS[v << 1]!;
  } else b[--q] = 48 + v;
  return end;
}

/** The character codes of "00", "01", … "99". */
const DIGIT_PAIRS = new Uint16Array(200);
for (let i = 0; i < 100; i++) {
  DIGIT_PAIRS[2 * i] = 48 + ((i / 10) | 0);
  DIGIT_PAIRS[2 * i + 1] = 48 + (i % 10);
}

const HEX = [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102];

/**
 * 0: copy as is; 1: needs escaping (`"`, `\`, controls); 2: first byte of a
 * multi-byte UTF-8 sequence (or invalid). One load per byte on the hot path.
 */
const CLASS = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) CLASS[c] = 1;
CLASS[34] = 1;
CLASS[92] = 1;
for (let c = 0x80; c < 256; c++) CLASS[c] = 2;

/**
 * Appends UTF-8 bytes `src[start, end)` as a JSON string literal (quotes
 * included), escaping `"`, `\` and control characters like JSON.stringify and
 * decoding to UTF-16 on the way. Returns -1 when valid, or the offset in
 * `src` of the first invalid sequence (the caller reports it; `w` is then
 * garbage past its position on entry).
 */
export function writeJsonStringUtf8Chars(w: CharWriter, src: Uint8Array, start: number, end: number): number {
  // UTF-8 never takes fewer bytes than UTF-16 units; escapes grow below.
  if (w.pos + (end - start) + 2 > w.buf.length) w.ensure(end - start + 2);
  const b = w.buf;
  let o = w.pos;
  b[o++] = 34;
  let p = start;
  if (end - start >= QUAD_RUN_MIN) {
    const q = copyPlainBytes(src, p, end, b, o);
    o += q - p;
    p = q;
  }
  // Short strings, the tail, and the quad that stopped the loop above; anything not plain goes to the general path.
  for (; p < end; p++) {
    const c = src[p]!;
    if (CLASS[c] !== 0) return writeRest(w, src, p, end, o);
    b[o++] = c;
  }
  b[o++] = 34;
  w.pos = o;
  return -1;
}

/** writeJsonStringUtf8Chars from `src[from]`, output at `o` (the opening quote is written). */
function writeRest(w: CharWriter, src: Uint8Array, from: number, end: number, o: number): number {
  let b = w.buf;
  for (let p = from; p < end; p++) {
    const c = src[p]!;
    const cls = CLASS[c]!;
    if (cls === 0) {
      b[o++] = c;
      continue;
    }
    if (cls === 1) {
      // Escapes take up to 6 units for 1: make room for the worst case of the rest.
      w.pos = o;
      w.ensure(6 + (end - p) * 6);
      b = w.buf;
      b[o++] = 92;
      switch (c) {
        case 34:
          b[o++] = 34;
          break;
        case 92:
          b[o++] = 92;
          break;
        case 8:
          b[o++] = 98;
          break;
        case 9:
          b[o++] = 116;
          break;
        case 10:
          b[o++] = 110;
          break;
        case 12:
          b[o++] = 102;
          break;
        case 13:
          b[o++] = 114;
          break;
        default:
          b[o++] = 117;
          b[o++] = 48;
          b[o++] = 48;
          b[o++] = HEX[c >> 4]!;
          b[o++] = HEX[c & 15]!;
      }
      continue;
    }
    // Multi-byte sequence: check length, continuation bytes, overlongs, surrogates, range.
    if (c >= 0xc2 && c <= 0xdf) {
      if (p + 2 > end) return p;
      const d = src[p + 1]!;
      if ((d & 0xc0) !== 0x80) return p;
      b[o++] = ((c & 0x1f) << 6) | (d & 0x3f);
      p += 1;
    } else if (c >= 0xe0 && c <= 0xef) {
      if (p + 3 > end) return p;
      const d = src[p + 1]!;
      const e = src[p + 2]!;
      if ((d & 0xc0) !== 0x80 || (e & 0xc0) !== 0x80) return p;
      const cp = ((c & 0x0f) << 12) | ((d & 0x3f) << 6) | (e & 0x3f);
      if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)) return p;
      b[o++] = cp;
      p += 2;
    } else if (c >= 0xf0 && c <= 0xf4) {
      if (p + 4 > end) return p;
      const d = src[p + 1]!;
      const e = src[p + 2]!;
      const f = src[p + 3]!;
      if ((d & 0xc0) !== 0x80 || (e & 0xc0) !== 0x80 || (f & 0xc0) !== 0x80) return p;
      const cp = ((c & 0x07) << 18) | ((d & 0x3f) << 12) | ((e & 0x3f) << 6) | (f & 0x3f);
      if (cp < 0x10000 || cp > 0x10ffff) return p;
      const x = cp - 0x10000;
      // Four bytes became two units: the room reserved above still holds.
      b[o++] = 0xd800 | (x >> 10);
      b[o++] = 0xdc00 | (x & 0x3ff);
      p += 3;
    } else return p;
  }
  b[o++] = 34;
  w.pos = o;
  return -1;
}

/** Appends a JS string as a JSON string literal, escaped like JSON.stringify. */
export function writeJsonStringChars(w: CharWriter, s: string): void {
  writeChars(w, JSON.stringify(s));
}

const B64 = new Uint8Array(64);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((ch, i) => (B64[i] = ch.charCodeAt(0)));

/** Appends `src[start, end)` as a quoted, padded standard-base64 JSON string. */
export function writeJsonBase64Chars(w: CharWriter, src: Uint8Array, start: number, end: number): void {
  const n = end - start;
  const need = 4 * Math.ceil(n / 3) + 2;
  if (w.pos + need > w.buf.length) w.ensure(need);
  const b = w.buf;
  let o = w.pos;
  b[o++] = 34;
  let p = start;
  for (; p + 3 <= end; p += 3) {
    const v = (src[p]! << 16) | (src[p + 1]! << 8) | src[p + 2]!;
    b[o++] = B64[v >> 18]!;
    b[o++] = B64[(v >> 12) & 63]!;
    b[o++] = B64[(v >> 6) & 63]!;
    b[o++] = B64[v & 63]!;
  }
  const rest = end - p;
  if (rest === 1) {
    const v = src[p]! << 16;
    b[o++] = B64[v >> 18]!;
    b[o++] = B64[(v >> 12) & 63]!;
    b[o++] = 61;
    b[o++] = 61;
  } else if (rest === 2) {
    const v = (src[p]! << 16) | (src[p + 1]! << 8);
    b[o++] = B64[v >> 18]!;
    b[o++] = B64[(v >> 12) & 63]!;
    b[o++] = B64[(v >> 6) & 63]!;
    b[o++] = 61;
  }
  b[o++] = 34;
  w.pos = o;
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/**
 * Appends a finite double exactly as `String(v)` would write it (`-0` for
 * negative zero); the same fast path as json-bytes' `writeDoubleText`:
 * values with at most 9 decimals and 15 significant digits are written from
 * the smallest k with round(v·10^k)/10^k === v (with under 16 digits only one
 * candidate can round-trip, so it is the one V8 prints); everything else goes
 * through String(v).
 */
export function writeDoubleChars(w: CharWriter, v: number): void {
  if ((v | 0) === v) {
    if (v !== 0 || 1 / v > 0) {
      writeIntChars(w, v);
      return;
    }
    writeChars(w, '-0');
    return;
  }
  const a = v < 0 ? -v : v;
  if (a < 9007199254740992 && Math.floor(a) === a) {
    writeIntChars(w, v);
    return;
  }
  if (a >= 1e-6 && a < 1e15) {
    for (let k = 1; k <= 9; k++) {
      const p = POW10[k]!;
      const m = Math.round(a * p);
      if (m >= 1e15) break;
      if (m / p === a) {
        writeFixed(w, v < 0, m, k);
        return;
      }
    }
  }
  writeChars(w, String(v));
}

/** Writes m·10^-k as fixed-point decimal text (m > 0, k minimal). */
function writeFixed(w: CharWriter, neg: boolean, m: number, k: number): void {
  if (w.pos + 26 > w.buf.length) w.ensure(26);
  const b = w.buf;
  if (m <= 0x7fffffff) {
    writeFixedSmall(w, neg, m, k);
    return;
  }
  let digits = 1;
  for (let t = m; t >= 10; t = Math.floor(t / 10)) digits++;
  let p = w.pos;
  if (neg) b[p++] = 45;
  const intDigits = digits - k;
  if (intDigits <= 0) {
    b[p++] = 48;
    b[p++] = 46;
    for (let i = intDigits; i < 0; i++) b[p++] = 48;
    let q = p + digits;
    const end = q;
    while (q > p) {
      const d = Math.floor(m / 10);
      b[--q] = 48 + (m - d * 10);
      m = d;
    }
    w.pos = end;
    return;
  }
  const end = p + digits + 1;
  let q = end;
  for (let i = 0; i < k; i++) {
    const d = Math.floor(m / 10);
    b[--q] = 48 + (m - d * 10);
    m = d;
  }
  b[--q] = 46;
  while (q > p) {
    const d = Math.floor(m / 10);
    b[--q] = 48 + (m - d * 10);
    m = d;
  }
  w.pos = end;
}

/**
 * writeFixed for m < 2^31: the integer part, the point, then the k fraction
 * digits (zero-padded), all from int32 arithmetic.
 */
function writeFixedSmall(w: CharWriter, neg: boolean, m: number, k: number): void {
  const b = w.buf;
  let p = w.pos;
  if (neg) b[p++] = 45;
  const scale = POW10[k]!;
  // Exact: the quotient of integers below 2^31 is never rounded up to the next integer.
  const whole = (m / scale) | 0;
  let frac = m - whole * scale;
  p = writeSmall(b, p, whole);
  b[p++] = 46; // .
  const end = p + k;
  for (let q = end; q > p; ) {
    const d = (frac / 10) | 0;
    b[--q] = 48 + frac - d * 10;
    frac = d;
  }
  w.pos = end;
}
