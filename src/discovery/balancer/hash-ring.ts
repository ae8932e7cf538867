/**
 * The ring of consistent hashing: (hash, owner id) points kept sorted by hash, in buckets by the
 * hash's top bits. Inserting or deleting a point moves at most one bucket's worth of entries,
 * and the bucket count follows the ring's size, so a change costs O(1) in the ring's size
 * rather than a rebuild. Points may also be staged and merged in together, which a large batch
 * (a whole service read at start) does in a few linear passes.
 */

/** Points per bucket the ring aims for; it re-buckets outside [TARGET/4, TARGET*4]. */
const TARGET = 64;
const MAX_BITS = 22;
/** Owner ids must fit beside a 32-bit hash in a double's 53 bits when staged. */
const ID_BITS = 21;
const ID_SCALE = 2 ** ID_BITS;
const NONE = new Float64Array(0);

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
  /** Points on the ring (staged ones not counted until merged). */
  size = 0;
  /** Staged points, hash × 2^21 + id, not yet on the ring. */
  private staged = new Float64Array(0);
  private stagedCount = 0;

  /** Adds a point now. */
  insert(hash: number, id: number): void {
    this.put(this.bucketFor(hash, true)!, hash, id);
    this.size++;
    this.rebucketIfNeeded();
  }

  /** Adds a point at the next {@link flush} (ids below 2^21). */
  stage(hash: number, id: number): void {
    if (this.stagedCount === this.staged.length) {
      const next = new Float64Array(Math.max(1024, this.staged.length * 2));
      next.set(this.staged);
      this.staged = next;
    }
    this.staged[this.stagedCount++] = hash * ID_SCALE + id;
  }

  /**
   * Puts staged points on the ring: one by one when they are few beside the ring, else sorted
   * and merged with the ring in one pass (amortized O(1) per point either way).
   */
  flush(): void {
    const n = this.stagedCount;
    if (n === 0) return;
    this.stagedCount = 0;
    const staged = this.staged.subarray(0, n);
    if (n * 8 < this.size) {
      for (let k = 0; k < n; k++) this.insert(Math.floor(staged[k]! / ID_SCALE), staged[k]! % ID_SCALE);
    } else {
      this.merge(staged);
    }
    if (this.staged.length > 4096) this.staged = new Float64Array(0);
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

  /** Inserts into a bucket at its sorted place. */
  private put(b: Bucket, hash: number, id: number): void {
    if (b.length * 2 === b.data.length) {
      const data = new Uint32Array(b.data.length * 2);
      data.set(b.data);
      b.data = data;
    }
    const at = upperBound(b, hash);
    b.data.copyWithin(2 * at + 2, 2 * at, 2 * b.length);
    b.data[2 * at] = hash;
    b.data[2 * at + 1] = id;
    b.length++;
  }

  private bitsFor(size: number): number {
    return Math.min(MAX_BITS, Math.max(0, Math.round(Math.log2(Math.max(1, size / TARGET)))));
  }

  private rebucketIfNeeded(): void {
    const load = this.size / 2 ** this.bits;
    if (load <= TARGET * 4 && (load >= TARGET / 4 || this.bits === 0)) return;
    if (this.bitsFor(this.size) !== this.bits) this.merge(NONE);
  }

  /**
   * Re-deals the ring's points and `extra` (staged form, any order) into buckets sized for the
   * total: a counting pass, one allocation per bucket, the ring's points copied in order, the
   * extra points appended and each bucket that got some sorted (buckets are small). Linear in
   * the ring's size; no global sort.
   */
  private merge(extra: Float64Array): void {
    const old = this.buckets;
    this.size += extra.length;
    this.bits = this.bitsFor(this.size);
    const shift = 32 - this.bits;
    const index = (hash: number): number => (shift === 32 ? 0 : hash >>> shift);
    const counts = new Uint32Array(2 ** this.bits);
    for (const b of old) if (b) for (let j = 0; j < b.length; j++) counts[index(b.data[2 * j]!)]!++;
    for (let k = 0; k < extra.length; k++) counts[index(Math.floor(extra[k]! / ID_SCALE))]!++;
    const buckets = new Array<Bucket | undefined>(counts.length).fill(undefined);
    for (let i = 0; i < counts.length; i++) {
      const c = counts[i]!;
      // About its size, a quarter spare for inserts to come.
      if (c > 0) buckets[i] = { data: new Uint32Array(2 * Math.max(8, c + (c >> 2))), length: 0 };
    }
    const take = (hash: number, id: number): void => {
      const b = buckets[index(hash)]!;
      b.data[2 * b.length] = hash;
      b.data[2 * b.length + 1] = id;
      b.length++;
    };
    for (const b of old) if (b) for (let j = 0; j < b.length; j++) take(b.data[2 * j]!, b.data[2 * j + 1]!);
    if (extra.length) {
      for (let k = 0; k < extra.length; k++) take(Math.floor(extra[k]! / ID_SCALE), extra[k]! % ID_SCALE);
      for (const b of buckets) if (b) sortPairs(b);
    }
    this.buckets = buckets;
  }
}

/** Insertion sort of a bucket's pairs by hash (buckets hold tens of points; mostly sorted already). */
function sortPairs(b: Bucket): void {
  const d = b.data;
  for (let i = 1; i < b.length; i++) {
    const h = d[2 * i]!;
    if (d[2 * i - 2]! <= h) continue;
    const id = d[2 * i + 1]!;
    let j = i - 1;
    while (j >= 0 && d[2 * j]! > h) {
      d[2 * j + 2] = d[2 * j]!;
      d[2 * j + 3] = d[2 * j + 1]!;
      j--;
    }
    d[2 * j + 2] = h;
    d[2 * j + 3] = id;
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

/** Most owner ids staged points can carry. */
export const MAX_STAGED_ID = ID_SCALE - 1;
