/**
 * A Fenwick tree over slot weights: change one weight and find the slot under a point of the
 * cumulative weight line, both in O(log n). Grows by doubling (amortized O(1) per slot).
 */
export class WeightTree {
  /** 1-based Fenwick array; `tree[i]` sums the `i & -i` slots ending at slot `i - 1`. */
  private tree = new Float64Array(17);
  private capacity = 16;
  /** The weight of each slot, to compute deltas and rebuild on growth. */
  private weights = new Float64Array(16);
  /** Sum of all weights. */
  total = 0;

  /** Sets slot `i`'s weight (negative counts as 0). */
  set(i: number, weight: number): void {
    const w = weight > 0 ? weight : 0;
    if (i >= this.capacity) this.grow(i + 1);
    const delta = w - this.weights[i]!;
    if (delta === 0) return;
    this.weights[i] = w;
    this.total += delta;
    const tree = this.tree;
    for (let k = i + 1; k <= this.capacity; k += k & -k) tree[k]! += delta;
  }

  /** The slot whose weight interval holds `point` (0 ≤ point < total); below `size`. */
  find(point: number, size: number): number {
    const tree = this.tree;
    let pos = 0;
    let rest = point;
    // The capacity is a power of two and tree[capacity] is the total, above any point: the
    // search starts one level down and never reads past the end.
    for (let step = this.capacity >>> 1; step > 0; step >>>= 1) {
      const v = tree[pos + step]!;
      if (v <= rest) {
        pos += step;
        rest -= v;
      }
    }
    // Rounding can land past the last weighted slot: step back to one that has weight.
    if (pos >= size) pos = size - 1;
    while (pos > 0 && this.weights[pos]! === 0) pos--;
    return pos;
  }

  private grow(need: number): void {
    let cap = this.capacity * 2;
    while (cap < need) cap *= 2;
    const weights = new Float64Array(cap);
    weights.set(this.weights);
    const tree = new Float64Array(cap + 1);
    // Linear-time build: each node adds itself into its parent.
    for (let k = 1; k <= cap; k++) {
      tree[k]! += weights[k - 1]!;
      const parent = k + (k & -k);
      if (parent <= cap) tree[parent]! += tree[k]!;
    }
    this.weights = weights;
    this.tree = tree;
    this.capacity = cap;
  }
}
