/**
 * The keys of one JSON object (a map or a Struct), to find a key given twice,
 * without making a string per key. A key is recorded as a span of the JSON
 * text (a key without escapes) or as a number pair (an integer map key by
 * value, so `"01"` and `"1"` are one key). While there are few (most maps hold
 * a handful) they are compared one by one; past that they go to an
 * open-addressing hash table of entry numbers. A key with escapes (rare) moves
 * the spans to a Set of strings. Reused per depth: `reset()` before each object.
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
  /** Open addressing: entry number + 1 per slot, 0 when free; in use past FEW entries. */
  private table = new Int32Array(0);
  private hashed = false;
  /** Keys are in `many` (from the first key with escapes on). */
  private inSet = false;
  private readonly many = new Set<string>();

  reset(text: string): this {
    if (this.inSet) this.many.clear();
    if (this.hashed) this.table.fill(0);
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
    const mask = table.length - 1;
    let slot = h & mask;
    for (let e = table[slot]!; e !== 0; e = table[(slot = (slot + 1) & mask)]!) {
      const i = e - 1;
      const s = a[i]!;
      if (this.hashes[i] === h && b[i]! - s === len && sameSpan(text, s, start, len)) return false;
    }
    this.push(slot, h, start, end, true);
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
    const mask = table.length - 1;
    let slot = h & mask;
    for (let e = table[slot]!; e !== 0; e = table[(slot = (slot + 1) & mask)]!) {
      const i = e - 1;
      if (a[i] === (x | 0) && b[i] === (y | 0)) return false;
    }
    this.push(slot, h, x, y, false);
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
  private push(slot: number, h: number, x: number, y: number, spans: boolean): void {
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
    if ((n + 1) * 2 > this.table.length) this.hashAll(spans);
    else this.table[slot] = n + 1;
  }

  /** (Re)builds the table from the entries, at most half full. */
  private hashAll(spans: boolean): void {
    const n = this.n;
    let size = this.table.length < 64 ? 64 : this.table.length;
    while (size < n * 4) size *= 2;
    if (size !== this.table.length) this.table = new Int32Array(size);
    else this.table.fill(0);
    const table = this.table;
    const mask = size - 1;
    for (let i = 0; i < n; i++) {
      const h = spans ? spanHash(this.text, this.a[i]!, this.b[i]!) : pairHash(this.a[i]!, this.b[i]!);
      this.hashes[i] = h;
      let slot = h & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = i + 1;
    }
    this.hashed = true;
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
