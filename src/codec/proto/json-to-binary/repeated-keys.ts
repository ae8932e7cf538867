/**
 * The keys of one JSON object (a map or a Struct), to find a key given twice:
 * compared one by one while there are few (most maps hold a handful), then in a
 * Set. Reused per depth: `reset()` before each object.
 */
export class RepeatedKeys {
  private readonly few: string[] = [];
  private n = 0;
  private readonly many = new Set<string>();

  reset(): this {
    if (this.n > FEW) this.many.clear();
    this.n = 0;
    return this;
  }

  /** Records `key`; false when it was recorded already. */
  add(key: string): boolean {
    const n = this.n;
    const few = this.few;
    if (n < FEW) {
      for (let i = 0; i < n; i++) if (few[i] === key) return false;
      few[n] = key;
      this.n = n + 1;
      return true;
    }
    if (n === FEW) for (let i = 0; i < FEW; i++) this.many.add(few[i]!);
    this.n = n + 1;
    if (this.many.has(key)) return false;
    this.many.add(key);
    return true;
  }
}

const FEW = 8;
