/* The word test behind the four-at-a-time loops over JSON string contents (both directions). */

/**
 * Whether the four bytes packed in `v` (little-endian) are all printable ASCII
 * (0x20…0x7f) other than `"` and `\`: the bytes JSON text takes as they are. Word
 * tests for "some byte below 0x20" and "some byte equal to x" (exact as yes/no
 * answers once no byte has its high bit set, which keeps every term below 2^31).
 */
export function plainQuad(v: number): boolean {
  if ((v & 0x80808080) !== 0) return false;
  const q = v ^ 0x22222222; // a '"' byte becomes 0
  const s = v ^ 0x5c5c5c5c; // a '\' byte becomes 0
  return ((((v - 0x20202020) & ~v) | ((q - 0x01010101) & ~q) | ((s - 0x01010101) & ~s)) & 0x80808080) === 0;
}
