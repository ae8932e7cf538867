const encoder = new TextEncoder();

/**
 * Writes `s` as UTF-8 into `buf` at `pos` (the caller made room: up to 3
 * bytes per UTF-16 unit). Lone surrogates become U+FFFD, as TextEncoder does,
 * or with `strict` make it return -1 (what was written is then garbage).
 * Returns the number of bytes written.
 */
export function writeUtf8(s: string, buf: Uint8Array, pos: number, strict = false): number {
  const len = s.length;
  if (len > 64) {
    if (strict && !(s as unknown as { isWellFormed(): boolean }).isWellFormed()) return -1;
    return encoder.encodeInto(s, buf.subarray(pos)).written;
  }
  let p = pos;
  for (let i = 0; i < len; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      buf[p++] = c;
    } else if (c < 0x800) {
      buf[p++] = 0xc0 | (c >> 6);
      buf[p++] = 0x80 | (c & 63);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < len ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          i++;
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          buf[p++] = 0xf0 | (c >> 18);
          buf[p++] = 0x80 | ((c >> 12) & 63);
          buf[p++] = 0x80 | ((c >> 6) & 63);
          buf[p++] = 0x80 | (c & 63);
          continue;
        }
        if (strict) return -1;
        c = 0xfffd;
      }
      buf[p++] = 0xe0 | (c >> 12);
      buf[p++] = 0x80 | ((c >> 6) & 63);
      buf[p++] = 0x80 | (c & 63);
    }
  }
  return p - pos;
}

/** The UTF-8 byte length of `s` (lone surrogates counted as U+FFFD, 3 bytes). */
export function utf8Length(s: string): number {
  const len = s.length;
  let n = len;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < len) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2; // 4 bytes for 2 units
        i++;
      } else n += 2;
    } else n += 2;
  }
  return n;
}

// Node's native slicers: fast, but they do not validate (hence isValidUtf8).
const latin1Slice = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string;
const utf8Slice = Buffer.prototype.utf8Slice as (this: Uint8Array, start: number, end: number) => string;

/**
 * Decodes UTF-8 bytes `[start, end)` to a string; returns undefined if they
 * are not valid UTF-8 (the caller reports where).
 */
export function readUtf8(buf: Uint8Array, start: number, end: number): string | undefined {
  let p = start;
  while (p < end && buf[p]! < 0x80) p++;
  if (p === end) return asciiString(buf, start, end);
  if (!isValidUtf8(buf, p, end)) return undefined;
  return utf8Slice.call(buf, start, end);
}

/** Bytes known to be ASCII as a string (short ones built directly, longer ones natively). */
export function asciiString(buf: Uint8Array, start: number, end: number): string {
  if (end - start <= 8) {
    let out = '';
    for (let p = start; p < end; p++) out += String.fromCharCode(buf[p]!);
    return out;
  }
  return latin1Slice.call(buf, start, end);
}

/**
 * Strict UTF-8 validation (RFC 3629): no overlong forms, no surrogates, nothing
 * above U+10FFFF, no truncated sequences.
 */
export function isValidUtf8(buf: Uint8Array, start: number, end: number): boolean {
  let p = start;
  while (p < end) {
    const b = buf[p]!;
    if (b < 0x80) {
      p++;
      continue;
    }
    if (b < 0xc2) return false; // continuation byte or overlong 2-byte lead
    if (b < 0xe0) {
      if (p + 1 >= end || (buf[p + 1]! & 0xc0) !== 0x80) return false;
      p += 2;
      continue;
    }
    if (b < 0xf0) {
      if (p + 2 >= end) return false;
      const b1 = buf[p + 1]!;
      if ((b1 & 0xc0) !== 0x80 || (buf[p + 2]! & 0xc0) !== 0x80) return false;
      if (b === 0xe0 && b1 < 0xa0) return false; // overlong
      if (b === 0xed && b1 >= 0xa0) return false; // surrogate
      p += 3;
      continue;
    }
    if (b > 0xf4 || p + 3 >= end) return false;
    const b1 = buf[p + 1]!;
    if ((b1 & 0xc0) !== 0x80 || (buf[p + 2]! & 0xc0) !== 0x80 || (buf[p + 3]! & 0xc0) !== 0x80) return false;
    if (b === 0xf0 && b1 < 0x90) return false; // overlong
    if (b === 0xf4 && b1 >= 0x90) return false; // above U+10FFFF
    p += 4;
  }
  return true;
}
