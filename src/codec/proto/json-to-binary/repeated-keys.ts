/**
 * The keys of one JSON object (a map or a Struct), to find a key given twice.
 * While there are few (most maps hold a handful) they are compared one by one,
 * keys without escapes in place in the JSON text (no string made); past that,
 * or once a key arrives as a string, they go to a Set. Reused per depth:
 * `reset()` before each object.
 */
export class RepeatedKeys {
  private text = '';
  private readonly starts = new Int32Array(FEW);
  private readonly ends = new Int32Array(FEW);
  private n = 0;
  /** Keys are in `many` (from the first string key or the FEW+1st key on). */
  private inSet = false;
  private readonly many = new Set<string>();

  reset(text: string): this {
    if (this.inSet) this.many.clear();
    this.inSet = false;
    this.text = text;
    this.n = 0;
    return this;
  }

  /** Records the key `text[start, end)` (no escapes); false when it was recorded already. */
  addSpan(start: number, end: number): boolean {
    const n = this.n;
    if (this.inSet || n === FEW) return this.add(this.text.slice(start, end));
    const text = this.text;
    const len = end - start;
    const starts = this.starts;
    const ends = this.ends;
    for (let i = 0; i < n; i++) {
      const s = starts[i]!;
      if (ends[i]! - s !== len) continue;
      let k = 0;
      while (k < len && text.charCodeAt(s + k) === text.charCodeAt(start + k)) k++;
      if (k === len) return false;
    }
    starts[n] = start;
    ends[n] = end;
    this.n = n + 1;
    return true;
  }

  /** Records `key`; false when it was recorded already. */
  add(key: string): boolean {
    if (!this.inSet) {
      for (let i = 0; i < this.n; i++) this.many.add(this.text.slice(this.starts[i]!, this.ends[i]!));
      this.inSet = true;
    }
    if (this.many.has(key)) return false;
    this.many.add(key);
    return true;
  }
}

const FEW = 8;
