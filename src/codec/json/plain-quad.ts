/*
 * Plain UTF-8 string contents four bytes per loop turn (binary → JSON). Every turn of a
 * loop over typed arrays reloads and rechecks them (V8 keeps nothing across the loop's
 * interrupt check), so fewer turns is what pays. The loop lives here, out of the
 * per-string function, which stays small enough to inline: strings shorter than
 * QUAD_RUN_MIN never enter it. (The same loop over a JS string's charCodeAt, JSON →
 * binary, saved no instructions: each charCodeAt checks the string's representation
 * again, and that is most of its cost.)
 */

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

/** String length (bytes) from which the contents are copied four per turn. */
export const QUAD_RUN_MIN = 16;

/**
 * Copies bytes `src[p…]` (before `end`) to UTF-16 units `out[o…]` four at a time while they are
 * plain (see plainQuad); returns where it stopped: at `end`, or at a quad holding a
 * byte that is not plain, or in the last three bytes, which the caller's loop takes.
 */
export function copyPlainBytes(src: Uint8Array, p: number, end: number, out: Uint16Array, o: number): number {
  for (const last = end - 4; p <= last; p += 4, o += 4) {
    const c0 = src[p]!;
    const c1 = src[p + 1]!;
    const c2 = src[p + 2]!;
    const c3 = src[p + 3]!;
    if (!plainQuad(c0 | (c1 << 8) | (c2 << 16) | (c3 << 24))) break;
    out[o] = c0;
    out[o + 1] = c1;
    out[o + 2] = c2;
    out[o + 3] = c3;
  }
  return p;
}
