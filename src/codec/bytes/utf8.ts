const encoder = new TextEncoder();
const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Writes `s` as UTF-8 into `buf` at `pos` (the caller made room: up to 3
 * bytes per UTF-16 unit). Lone surrogates become U+FFFD, as TextEncoder does.
 * Returns the number of bytes written.
 */
export function writeUtf8(s: string, buf: Uint8Array, pos: number): number {
  const len = s.length;
  if (len > 64) return encoder.encodeInto(s, buf.subarray(pos)).written;
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

/**
 * Decodes UTF-8 bytes `[start, end)` to a string; returns undefined if they
 * are not valid UTF-8 (the caller reports where).
 */
export function readUtf8(buf: Uint8Array, start: number, end: number): string | undefined {
  if (end - start > 32) {
    try {
      return fatalDecoder.decode(buf.subarray(start, end));
    } catch {
      return undefined;
    }
  }
  let out = '';
  let p = start;
  while (p < end) {
    const b = buf[p]!;
    if (b < 0x80) {
      out += String.fromCharCode(b);
      p++;
      continue;
    }
    // Short non-ASCII strings: validate and decode through the native decoder.
    try {
      return out + fatalDecoder.decode(buf.subarray(p, end));
    } catch {
      return undefined;
    }
  }
  return out;
}
