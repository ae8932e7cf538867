/** Encodes bytes as standard base64 with padding (the protobuf and Kitex JSON form). */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Encodes bytes as URL-safe base64 without padding. */
export function encodeBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * Decodes standard or URL-safe base64, padded or not. Returns undefined for
 * anything else (Buffer alone would silently skip bad characters).
 */
export function decodeBase64(s: string): Uint8Array | undefined {
  let len = s.length;
  while (len > 0 && s.charCodeAt(len - 1) === 61 /* = */) len--;
  if (s.length - len > 2 || len % 4 === 1) return undefined;
  if (s.length !== len && s.length % 4 !== 0) return undefined;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    const ok =
      (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 45 || c === 95;
    if (!ok) return undefined;
  }
  const b = Buffer.from(s, 'base64');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

// Decoding table: 0..63 for both alphabets (standard and URL-safe), -1 otherwise.
const B64 = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;
B64[45] = 62; // -
B64[95] = 63; // _

/**
 * The number of bytes `s` decodes to, or -1 if it is not standard or URL-safe
 * base64 (padded or not). Checks the length and padding only; characters are
 * checked by `decodeBase64Into`.
 */
export function base64DecodedLength(s: string): number {
  let len = s.length;
  while (len > 0 && s.charCodeAt(len - 1) === 61 /* = */) len--;
  const pad = s.length - len;
  if (pad > 2 || len % 4 === 1 || (pad > 0 && s.length % 4 !== 0)) return -1;
  return ((len * 3) >>> 2);
}

/**
 * Decodes base64 `s` into `buf` at `pos` (the caller made room for
 * `base64DecodedLength(s)` bytes) without allocating. Returns the number of
 * bytes written, or -1 for a character outside both alphabets.
 */
export function decodeBase64Into(s: string, buf: Uint8Array, pos: number): number {
  let len = s.length;
  while (len > 0 && s.charCodeAt(len - 1) === 61) len--;
  let p = pos;
  let i = 0;
  const full = len & ~3;
  for (; i < full; i += 4) {
    const c0 = s.charCodeAt(i);
    const c1 = s.charCodeAt(i + 1);
    const c2 = s.charCodeAt(i + 2);
    const c3 = s.charCodeAt(i + 3);
    const a = c0 < 128 ? B64[c0]! : -1;
    const b = c1 < 128 ? B64[c1]! : -1;
    const c = c2 < 128 ? B64[c2]! : -1;
    const d = c3 < 128 ? B64[c3]! : -1;
    if ((a | b | c | d) < 0) return -1;
    buf[p++] = (a << 2) | (b >> 4);
    buf[p++] = ((b & 15) << 4) | (c >> 2);
    buf[p++] = ((c & 3) << 6) | d;
  }
  const rest = len - full;
  if (rest >= 2) {
    const c0 = s.charCodeAt(i);
    const c1 = s.charCodeAt(i + 1);
    const a = c0 < 128 ? B64[c0]! : -1;
    const b = c1 < 128 ? B64[c1]! : -1;
    if ((a | b) < 0) return -1;
    buf[p++] = (a << 2) | (b >> 4);
    if (rest === 3) {
      const c2 = s.charCodeAt(i + 2);
      const c = c2 < 128 ? B64[c2]! : -1;
      if (c < 0) return -1;
      buf[p++] = ((b & 15) << 4) | (c >> 2);
    }
  } else if (rest === 1) return -1;
  return p - pos;
}
