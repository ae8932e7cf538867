/**
 * The ring of consistent hashing: (hash, owner id) points kept sorted by hash, in buckets by the
 * hash's top bits. Inserting or deleting a point moves at most one bucket's worth of entries,
 * and the bucket count follows the ring's size (re-bucketing is linear and rare: amortized O(1)
 * per point), so a change costs O(1) in the ring's size rather than a rebuild.
 */

/** Points per bucket the ring aims for; it re-buckets outside [TARGET/4, TARGET*4]. */
const TARGET = 256;
const MAX_BITS = 20;

/** One bucket: pairs (hash, id) at [2k, 2k+1], sorted by hash. */
interface Bucket {
  data: Uint32Array;
  /** Pairs in use. */
  length: number;
}

/** A position on the ring. */
export interface RingCursor {
  bucket: number;
  pos: number;
}

export class HashRing {
  private bits = 0;
  private buckets: (Bucket | undefined)[] = [undefined];
  /** Points on the ring. */
  size = 0;

  insert(hash: number, id: number): void {
    const b = this.bucketFor(hash, true)!;
    if (b.length * 2 === b.data.length) {
      const data = new Uint32Array(Math.max(16, b.data.length * 2));
      data.set(b.data);
      b.data = data;
    }
    const at = upperBound(b, hash);
    b.data.copyWithin(2 * at + 2, 2 * at, 2 * b.length);
    b.data[2 * at] = hash;
    b.data[2 * at + 1] = id;
    b.length++;
    this.size++;
    this.rebucketIfNeeded();
  }

  /** Removes the point (hash, id); false when it is not there. */
  delete(hash: number, id: number): boolean {
    const b = this.bucketFor(hash, false);
    if (!b) return false;
    // Equal hashes (from different owners) sit together just before the upper bound.
    let at = upperBound(b, hash) - 1;
    while (at >= 0 && b.data[2 * at] === hash && b.data[2 * at + 1] !== id) at--;
    if (at < 0 || b.data[2 * at] !== hash) return false;
    b.data.copyWithin(2 * at, 2 * at + 2, 2 * b.length);
    b.length--;
    this.size--;
    if (b.length === 0) this.buckets[this.indexOf(hash)] = undefined;
    else if (b.length * 8 < b.data.length && b.data.length > 16) b.data = b.data.slice(0, b.data.length / 2);
    this.rebucketIfNeeded();
    return true;
  }

  /** Moves `c` to the first point whose hash is above `hash` (wrapping); false on an empty ring. */
  seek(hash: number, c: RingCursor): boolean {
    if (this.size === 0) return false;
    const i = this.indexOf(hash);
    const b = this.buckets[i];
    if (b) {
      const at = upperBound(b, hash);
      if (at < b.length) {
        c.bucket = i;
        c.pos = at;
        return true;
      }
    }
    c.bucket = i;
    c.pos = b ? b.length : 0;
    this.advance(c);
    return true;
  }

  /** Moves `c` to the next point (wrapping). The ring must not be empty. */
  advance(c: RingCursor): void {
    const b = this.buckets[c.bucket];
    if (b && c.pos + 1 < b.length) {
      c.pos++;
      return;
    }
    const n = this.buckets.length;
    let i = c.bucket;
    do i = i + 1 === n ? 0 : i + 1;
    while (!this.buckets[i]);
    c.bucket = i;
    c.pos = 0;
  }

  /** The owner id at `c`. */
  idAt(c: RingCursor): number {
    return this.buckets[c.bucket]!.data[2 * c.pos + 1]!;
  }

  private indexOf(hash: number): number {
    return this.bits === 0 ? 0 : hash >>> (32 - this.bits);
  }

  private bucketFor(hash: number, create: boolean): Bucket | undefined {
    const i = this.indexOf(hash);
    let b = this.buckets[i];
    if (!b && create) b = this.buckets[i] = { data: new Uint32Array(16), length: 0 };
    return b;
  }

  private rebucketIfNeeded(): void {
    const load = this.size / 2 ** this.bits;
    if (load <= TARGET * 4 && (load >= TARGET / 4 || this.bits === 0)) return;
    const bits = Math.min(MAX_BITS, Math.max(0, Math.round(Math.log2(Math.max(1, this.size / TARGET)))));
    if (bits === this.bits) return;
    // The buckets hold the ring in order; deal its points into the new buckets in one pass.
    const old = this.buckets;
    this.bits = bits;
    this.buckets = new Array<Bucket | undefined>(2 ** bits).fill(undefined);
    for (const b of old) {
      if (!b) continue;
      for (let k = 0; k < b.length; k++) {
        const hash = b.data[2 * k]!;
        const nb = this.bucketFor(hash, true)!;
        if (nb.length * 2 === nb.data.length) {
          const data = new Uint32Array(nb.data.length * 2);
          data.set(nb.data);
          nb.data = data;
        }
        nb.data[2 * nb.length] = hash;
        nb.data[2 * nb.length + 1] = b.data[2 * k + 1]!;
        nb.length++;
      }
    }
  }
}

/** The first index in `b` whose hash is above `hash` (b.length when none). */
function upperBound(b: Bucket, hash: number): number {
  let lo = 0;
  let hi = b.length;
  const d = b.data;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (d[2 * mid]! <= hash) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
