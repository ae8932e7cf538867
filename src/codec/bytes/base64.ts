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
