/**
 * The keys of one JSON object (a map or a Struct), to find a key given twice,
 * without making a string per key. A key is recorded as a span of the JSON
 * text (a key without escapes) or as a number pair (an integer map key by
 * value, so `"01"` and `"1"` are one key). While there are few (most maps hold
 * a handful) they are compared one by one; past that they go to an
 * open-addressing hash table of entry numbers, reused across objects: a slot
 * counts only when it holds the current fill's stamp, so nothing is cleared.
 * A key with escapes (rare) moves the spans to a Set of strings. Reused per
 * depth: `reset()` before each object.
 */
export class RepeatedKeys {
  private text = '';
  /** Entry i: span `[a[i], b[i])` of `text`, or the number pair `(a[i], b[i])`. */
  private a = new Int32Array(FEW * 2);
  private b = new Int32Array(FEW * 2);
  /** Hash of entry i (filled once the table is in use). */
  private hashes = new Int32Array(FEW * 2);
  private n = 0;
  /**
   * While the keys are compared one by one: a bit per recorded key (from its length and last
   * unit, or its value), so a key whose bit is clear is new without comparing it to any.
   */
  private bits = 0;
  /** Open addressing: entry number + 1 per slot; in use past FEW entries. */
  private table = new Int32Array(0);
  /** Per slot: the `stamp` of the fill that took it (a slot of an earlier fill is free). */
  private stamps = new Int32Array(0);
  /** The current fill's stamp, never 0 (the stamp of a slot never taken). */
  private stamp = 1;
  private hashed = false;
  /** Keys are in `many` (from the first key with escapes on). */
  private inSet = false;
  private readonly many = new Set<string>();

  reset(text: string): this {
    if (this.inSet) this.many.clear();
    this.inSet = false;
    this.hashed = false;
    this.bits = 0;
    this.text = text;
    this.n = 0;
    return this;
  }

  /** Records the key `text[start, end)` (no escapes); false when it was recorded already. */
  addSpan(start: number, end: number): boolean {
    if (this.inSet) return this.add(this.text.slice(start, end));
    const text = this.text;
    const len = end - start;
    const a = this.a;
    const b = this.b;
    if (!this.hashed) {
      const n = this.n;
      const bit = 1 << ((len + text.charCodeAt(end - 1)) & 31);
      if ((this.bits & bit) !== 0) {
        for (let i = 0; i < n; i++) {
          const s = a[i]!;
          if (b[i]! - s === len && sameSpan(text, s, start, len)) return false;
        }
      }
      this.bits |= bit;
      if (n < FEW) {
        a[n] = start;
        b[n] = end;
        this.n = n + 1;
        return true;
      }
      this.hashAll(true);
    }
    const h = spanHash(text, start, end);
    const table = this.table;
    const stamps = this.stamps;
    const stamp = this.stamp;
    const hashes = this.hashes;
    const mask = table.length - 1;
    let slot = h & mask;
    for (; stamps[slot] === stamp; slot = (slot + 1) & mask) {
      const i = table[slot]! - 1;
      const s = a[i]!;
      if (hashes[i] === h && b[i]! - s === len && sameSpan(text, s, start, len)) return false;
    }
    this.push(slot, h, start, end);
    return true;
  }

  /** Records the number pair `(x, y)` (an integer key's value); false when it was recorded already. */
  addNumber(x: number, y: number): boolean {
    const a = this.a;
    const b = this.b;
    if (!this.hashed) {
      const n = this.n;
      const bit = 1 << ((x ^ (x >>> 5) ^ (x >>> 12) ^ y) & 31);
      if ((this.bits & bit) !== 0) for (let i = 0; i < n; i++) if (a[i] === (x | 0) && b[i] === (y | 0)) return false;
      this.bits |= bit;
      if (n < FEW) {
        a[n] = x;
        b[n] = y;
        this.n = n + 1;
        return true;
      }
      this.hashAll(false);
    }
    const h = pairHash(x, y);
    const table = this.table;
    const stamps = this.stamps;
    const stamp = this.stamp;
    const mask = table.length - 1;
    let slot = h & mask;
    for (; stamps[slot] === stamp; slot = (slot + 1) & mask) {
      const i = table[slot]! - 1;
      if (a[i] === (x | 0) && b[i] === (y | 0)) return false;
    }
    this.push(slot, h, x, y);
    return true;
  }

  /** Records `key` (a key read with escapes decoded); false when it was recorded already. */
  add(key: string): boolean {
    if (!this.inSet) {
      for (let i = 0; i < this.n; i++) this.many.add(this.text.slice(this.a[i]!, this.b[i]!));
      this.inSet = true;
    }
    if (this.many.has(key)) return false;
    this.many.add(key);
    return true;
  }

  /** Appends entry (x, y) with hash `h` at free `slot`, growing arrays and table as needed. */
  private push(slot: number, h: number, x: number, y: number): void {
    const n = this.n;
    if (n === this.a.length) {
      this.a = grow(this.a);
      this.b = grow(this.b);
      this.hashes = grow(this.hashes);
    }
    this.a[n] = x;
    this.b[n] = y;
    this.hashes[n] = h;
    this.n = n + 1;
    if ((n + 1) * 2 > this.table.length) this.rehash();
    else {
      this.table[slot] = n + 1;
      this.stamps[slot] = this.stamp;
    }
  }

  /** Moves the FEW compared-one-by-one entries into the table (hashing them). */
  private hashAll(spans: boolean): void {
    const n = this.n;
    for (let i = 0; i < n; i++) this.hashes[i] = spans ? spanHash(this.text, this.a[i]!, this.b[i]!) : pairHash(this.a[i]!, this.b[i]!);
    this.hashed = true;
    if (this.table.length < 64) this.rehash();
    else this.fill();
  }

  /** Grows the table to at least 4 slots per entry and refills it (from the stored hashes). */
  private rehash(): void {
    let size = this.table.length < 64 ? 64 : this.table.length;
    while (size < this.n * 4) size *= 2;
    this.table = new Int32Array(size);
    this.stamps = new Int32Array(size);
    this.stamp = 1;
    this.fill();
  }

  /** Puts every entry in the table under a fresh stamp, by its stored hash. */
  private fill(): void {
    this.nextStamp();
    const { table, stamps, stamp, hashes } = this;
    const mask = table.length - 1;
    for (let i = 0; i < this.n; i++) {
      let slot = hashes[i]! & mask;
      while (stamps[slot] === stamp) slot = (slot + 1) & mask;
      table[slot] = i + 1;
      stamps[slot] = stamp;
    }
  }

  /** A stamp no slot holds yet (on wrap-around, the stamps are cleared). */
  private nextStamp(): void {
    if (++this.stamp === 0x7fffffff) {
      this.stamps.fill(0);
      this.stamp = 1;
    }
  }
}

const FEW = 8;

function sameSpan(text: string, s: number, start: number, len: number): boolean {
  let k = 0;
  while (k < len && text.charCodeAt(s + k) === text.charCodeAt(start + k)) k++;
  return k === len;
}

/** FNV-1a over the UTF-16 units of `text[start, end)`. */
function spanHash(text: string, start: number, end: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h ^ (h >>> 15);
}

function pairHash(x: number, y: number): number {
  const h = Math.imul(x ^ Math.imul(y, 0x85ebca6b), 0x9e3779b1);
  return h ^ (h >>> 16);
}

function grow(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const g = new Int32Array(a.length * 2);
  g.set(a);
  return g;
}
