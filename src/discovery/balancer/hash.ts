/**
 * 32-bit hashing for consistent hashing and subsetting: a string hash in the manner of
 * MurmurHash3 (two UTF-16 code units per round) and its finalizer as a mixer.
 */

/** MurmurHash3's 32-bit finalizer: every input bit affects every output bit. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A well-mixed unsigned 32-bit hash of `s`. */
export function hash32(s: string, seed = 0): number {
  let h = seed | 0;
  const n = s.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    let k = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i < n) {
    let k = s.charCodeAt(i);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
  }
  return mix32(h ^ n);
}

/**
 * The `i`-th point of the family seeded by `base` (the virtual nodes of one instance). Points of
 * two families coincide only by chance (a 2^-32 event per pair), never by a shift of `i`.
 */
export function pointHash(base: number, i: number): number {
  return mix32(base ^ mix32((Math.imul(i, 0x9e3779b9) + 0x7f4a7c15) | 0));
}
