import type { ByteWriter } from '../bytes/byte-writer.js';

/*
 * Writing JSON text as UTF-8 bytes into a ByteWriter, for transcoders whose
 * input is already UTF-8 (wire strings are copied byte for byte, escaped on
 * the way, never decoded to JS strings). The caller turns the finished
 * buffer into one string with a single native decode.
 */

const HEX = [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102];

/** Appends an ASCII string byte for byte (numbers, keys known to be ASCII). */
export function writeAscii(w: ByteWriter, s: string): void {
  const n = s.length;
  if (w.pos + n > w.buf.length) w.ensure(n);
  const b = w.buf;
  let p = w.pos;
  for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
  w.pos = p;
}

/** Appends bytes (precomputed JSON fragments). */
export function writeRaw(w: ByteWriter, bytes: Uint8Array): void {
  const n = bytes.length;
  if (w.pos + n > w.buf.length) w.ensure(n);
  const b = w.buf;
  let p = w.pos;
  if (n < 32) for (let i = 0; i < n; i++) b[p++] = bytes[i]!;
  else {
    b.set(bytes, p);
    p += n;
  }
  w.pos = p;
}

/** Appends the decimal text of a safe integer (|v| < 2^53). */
export function writeIntText(w: ByteWriter, v: number): void {
  if (w.pos + 22 > w.buf.length) w.ensure(22);
  const b = w.buf;
  let p = w.pos;
  if (v < 0) {
    b[p++] = 45;
    v = -v;
  }
  if (v < 10) {
    b[p++] = 48 + v;
    w.pos = p;
    return;
  }
  let digits = 1;
  if (v <= 0x7fffffff) {
    for (let t = v; t >= 10; t = (t / 10) | 0) digits++;
    let q = p + digits;
    w.pos = q;
    while (v >= 10) {
      const d = (v / 10) | 0;
      b[--q] = 48 + v - d * 10;
      v = d;
    }
    b[--q] = 48 + v;
    return;
  }
  // Above 2^31: split into a high part and nine low digits so both loops run
  // on small integers (v < 2^53, so hi·1e9 + lo is exact).
  const hi = Math.floor(v / 1e9);
  let lo = v - hi * 1e9;
  let h = hi;
  for (let t = h; t >= 10; t = (t / 10) | 0) digits++;
  let q = p + digits;
  const end = q + 9;
  w.pos = end;
  while (h >= 10) {
    const d = (h / 10) | 0;
    b[--q] = 48 + h - d * 10;
    h = d;
  }
  b[--q] = 48 + h;
  for (let e = end; e > p + digits; ) {
    const d = (lo / 10) | 0;
    b[--e] = 48 + lo - d * 10;
    lo = d;
  }
}

/**
 * Appends UTF-8 bytes `src[start, end)` as a JSON string literal (quotes
 * included), escaping `"`, `\` and control characters like JSON.stringify.
 * Validates the UTF-8 as it copies: returns -1 (all ASCII), -2 (valid, with
 * non-ASCII), or the offset in `src` of the first invalid sequence (the
 * caller reports it; `w` is then garbage past its position on entry).
 */
export function writeJsonStringUtf8(w: ByteWriter, src: Uint8Array, start: number, end: number): number {
  if (w.pos + (end - start) + 2 > w.buf.length) w.ensure(end - start + 2);
  let b = w.buf;
  let o = w.pos;
  let result = -1;
  b[o++] = 34;
  for (let p = start; p < end; p++) {
    const c = src[p]!;
    if (c < 0x80) {
      if (c >= 0x20 && c !== 34 && c !== 92) {
        b[o++] = c;
        continue;
      }
      // Escapes take up to 6 bytes for 1: make room for the worst case of the rest.
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
    let n: number;
    let min: number;
    let cp: number;
    if (c >= 0xc2 && c <= 0xdf) {
      n = 2;
      min = 0x80;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 3;
      min = 0x800;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 4;
      min = 0x10000;
      cp = c & 0x07;
    } else return p;
    if (p + n > end) return p;
    for (let k = 1; k < n; k++) {
      const d = src[p + k]!;
      if ((d & 0xc0) !== 0x80) return p;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return p;
    result = -2;
    b[o++] = c;
    b[o++] = src[p + 1]!;
    if (n > 2) b[o++] = src[p + 2]!;
    if (n > 3) b[o++] = src[p + 3]!;
    p += n - 1;
  }
  b[o++] = 34;
  w.pos = o;
  return result;
}

/** Appends a JS string as a JSON string literal in UTF-8. */
export function writeJsonString(w: ByteWriter, s: string): void {
  const n = s.length;
  if (w.pos + n * 3 + 2 > w.buf.length) w.ensure(n * 3 + 2);
  const b = w.buf;
  let o = w.pos;
  b[o++] = 34;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x80 && c !== 34 && c !== 92) {
      b[o++] = c;
      continue;
    }
    // Anything else: hand the rest to the general path.
    w.pos = o;
    writeSlow(w, s, i);
    return;
  }
  b[o++] = 34;
  w.pos = o;
}

const encoder = new TextEncoder();

function writeSlow(w: ByteWriter, s: string, from: number): void {
  const rest = JSON.stringify(s.slice(from)); // escapes like JSON.stringify by construction
  const bytes = encoder.encode(rest.slice(1));
  w.ensure(bytes.length);
  w.buf.set(bytes, w.pos);
  w.pos += bytes.length;
}

let u16 = new Uint16Array(1024);
let u16bytes = Buffer.from(u16.buffer);

/**
 * The text of `buf[0, end)`, which must be valid UTF-8. `nonAscii` lists the
 * byte ranges (start, end pairs, ascending) that may hold bytes ≥ 0x80;
 * `null` means "anywhere", an empty list "nowhere" (then the text is a fast
 * one-byte copy). Mixed text is widened to UTF-16 here — ASCII stretches by a
 * native typed-array copy, the listed ranges decoded — and handed over in one
 * native copy: several times faster than V8's UTF-8 decoder.
 */
export function utf8Text(buf: Uint8Array, end: number, nonAscii: readonly number[] | null = null): string {
  const view = Buffer.from(buf.buffer, buf.byteOffset, end);
  if (nonAscii !== null && nonAscii.length === 0) return view.toString('latin1', 0, end);
  if (end < 64) return view.toString('utf8', 0, end);
  let o16 = u16;
  let o16bytes = u16bytes;
  if (o16.length < end) {
    o16 = new Uint16Array(Math.max(end, o16.length * 2));
    o16bytes = Buffer.from(o16.buffer);
    // Keep the scratch for next time unless it is huge.
    if (end <= 1 << 20) {
      u16 = o16;
      u16bytes = o16bytes;
    }
  }
  let o = 0;
  if (nonAscii === null) o = widen(buf, 0, end, o16, 0);
  else {
    let p = 0;
    for (let i = 0; i < nonAscii.length; i += 2) {
      const a = nonAscii[i]!;
      const b = nonAscii[i + 1]!;
      if (a - p > 96) {
        o16.set(buf.subarray(p, a), o);
        o += a - p;
      } else {
        // Short ASCII stretch: a loop beats allocating a subarray.
        for (let q = p; q < a; q++) o16[o++] = buf[q]!;
      }
      o = widen(buf, a, b, o16, o);
      p = b;
    }
    if (end > p) {
      o16.set(buf.subarray(p, end), o);
      o += end - p;
    }
  }
  return o16bytes.toString('utf16le', 0, o * 2);
}

/** Decodes valid UTF-8 `buf[p, end)` into UTF-16 units at `o16[o]`; returns the new `o`. */
function widen(buf: Uint8Array, p: number, end: number, o16: Uint16Array, o: number): number {
  while (p < end) {
    const c = buf[p]!;
    if (c < 0x80) {
      o16[o++] = c;
      p++;
    } else if (c < 0xe0) {
      o16[o++] = ((c & 0x1f) << 6) | (buf[p + 1]! & 0x3f);
      p += 2;
    } else if (c < 0xf0) {
      o16[o++] = ((c & 0x0f) << 12) | ((buf[p + 1]! & 0x3f) << 6) | (buf[p + 2]! & 0x3f);
      p += 3;
    } else {
      const cp = ((c & 0x07) << 18) | ((buf[p + 1]! & 0x3f) << 12) | ((buf[p + 2]! & 0x3f) << 6) | (buf[p + 3]! & 0x3f);
      const x = cp - 0x10000;
      o16[o++] = 0xd800 | (x >> 10);
      o16[o++] = 0xdc00 | (x & 0x3ff);
      p += 4;
    }
  }
  return o;
}

const B64 = new Uint8Array(64);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((ch, i) => (B64[i] = ch.charCodeAt(0)));

/** Appends `src[start, end)` as a quoted, padded standard-base64 JSON string. */
export function writeJsonBase64(w: ByteWriter, src: Uint8Array, start: number, end: number): void {
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
 * negative zero). Values with at most 9 decimals and 15 significant digits
 * take a fast path: the smallest k with round(v·10^k)/10^k === v gives the
 * shortest round-tripping digits (with under 16 digits only one candidate can
 * round-trip, so it is the one V8 prints); everything else goes through
 * String(v).
 */
export function writeDoubleText(w: ByteWriter, v: number): void {
  if ((v | 0) === v) {
    if (v !== 0 || 1 / v > 0) {
      writeIntText(w, v);
      return;
    }
    writeAscii(w, '-0');
    return;
  }
  const a = v < 0 ? -v : v;
  if (a < 9007199254740992 && Math.floor(a) === a) {
    writeIntText(w, v);
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
  writeAscii(w, String(v));
}

/** Writes m·10^-k as fixed-point decimal text (m > 0, the last digit non-zero or k minimal). */
function writeFixed(w: ByteWriter, neg: boolean, m: number, k: number): void {
  if (w.pos + 26 > w.buf.length) w.ensure(26);
  const b = w.buf;
  let digits = 1;
  if (m <= 0x7fffffff) for (let t = m; t >= 10; t = (t / 10) | 0) digits++;
  else for (let t = m; t >= 10; t = Math.floor(t / 10)) digits++;
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
