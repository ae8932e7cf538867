/**
 * A latency histogram in the manner of HdrHistogram: values in whole
 * microseconds go into log-linear buckets (128 per power of two, so any
 * reported percentile is within 1% of the true value), kept in one typed
 * array. Recording is a few integer operations and allocates nothing.
 * Histograms of several threads merge exactly (bucket counts add up), so
 * percentiles of a run on many cores are those of all its calls.
 */

/** A histogram as plain data, to send between threads. */
export interface HistogramState {
  readonly counts: Float64Array;
  readonly count: number;
  readonly sumUs: number;
  readonly minUs: number;
  readonly maxUs: number;
}

const SUB_BITS = 7;
const SUB_COUNT = 1 << SUB_BITS; // 128 buckets per power of two
const LINEAR_LIMIT = SUB_COUNT * 2; // below 256 µs every microsecond has its bucket
const MAX_VALUE = 0x7fffffff; // ~35 minutes in µs
const BUCKETS = LINEAR_LIMIT + (31 - SUB_BITS - 1) * SUB_COUNT;

/** Latencies in milliseconds in, percentiles in milliseconds out. */
export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  /** Values recorded. */
  count = 0;
  private sumUs = 0;
  private minUs = Infinity;
  private maxUs = 0;

  /** Records one latency given in milliseconds (fractions kept to the microsecond). */
  record(milliseconds: number): void {
    let us = Math.round(milliseconds * 1000);
    if (us < 0) us = 0;
    else if (us > MAX_VALUE) us = MAX_VALUE;
    this.counts[indexOf(us)]!++;
    this.count++;
    this.sumUs += us;
    if (us < this.minUs) this.minUs = us;
    if (us > this.maxUs) this.maxUs = us;
  }

  /** The value at or below which `p` (0–1) of the recorded values fall, in ms; 0 when empty. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const target = Math.max(1, Math.ceil(p * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= target) return Math.min(upperBoundOf(i), this.maxUs) / 1000;
    }
    return this.maxUs / 1000;
  }

  /** Largest value recorded, exact, in ms. */
  get max(): number {
    return this.maxUs / 1000;
  }

  /** Smallest value recorded, exact, in ms (0 when empty). */
  get min(): number {
    return this.count ? this.minUs / 1000 : 0;
  }

  /** Mean in ms (0 when empty). */
  get mean(): number {
    return this.count ? this.sumUs / this.count / 1000 : 0;
  }

  /** Sum of every value recorded, in ms. */
  get sum(): number {
    return this.sumUs / 1000;
  }

  /** The histogram as plain data (the counts are copied). */
  state(): HistogramState {
    return { counts: this.counts.slice(), count: this.count, sumUs: this.sumUs, minUs: this.minUs, maxUs: this.maxUs };
  }

  /** A histogram from {@link state}. */
  static from(state: HistogramState): LatencyHistogram {
    const h = new LatencyHistogram();
    h.add(state);
    return h;
  }

  /** Adds another histogram's values to this one, exactly. */
  add(other: HistogramState | LatencyHistogram): this {
    const o = other instanceof LatencyHistogram ? other.state() : other;
    const counts = this.counts;
    for (let i = 0; i < BUCKETS; i++) counts[i]! += o.counts[i]!;
    this.count += o.count;
    this.sumUs += o.sumUs;
    if (o.count > 0) {
      if (o.minUs < this.minUs) this.minUs = o.minUs;
      if (o.maxUs > this.maxUs) this.maxUs = o.maxUs;
    }
    return this;
  }

  /**
   * Counts in `n` equal-width bins from the fastest to the slowest value
   * (ghz's response time histogram), each bin marked by its upper edge in ms.
   * A fine bucket goes to the bin its upper bound falls in (within 1%).
   */
  bins(n: number): Array<{ upToMs: number; count: number }> {
    if (this.count === 0) return [];
    const lo = this.minUs;
    const hi = this.maxUs;
    const width = (hi - lo) / n;
    const out = Array.from({ length: n }, (_, i) => ({ upToMs: (i === n - 1 ? hi : lo + width * (i + 1)) / 1000, count: 0 }));
    for (let i = 0; i < BUCKETS; i++) {
      const c = this.counts[i]!;
      if (c === 0) continue;
      const v = Math.min(Math.max(upperBoundOf(i), lo), hi);
      const bin = width > 0 ? Math.min(n - 1, Math.floor((v - lo) / width)) : 0;
      out[bin]!.count += c;
    }
    return out;
  }

  /** Cumulative counts at or below each of `boundsMs` (for Prometheus `le` buckets). */
  cumulative(boundsMs: readonly number[]): number[] {
    const out = new Array<number>(boundsMs.length).fill(0);
    for (let i = 0; i < BUCKETS; i++) {
      const c = this.counts[i]!;
      if (c === 0) continue;
      const v = Math.min(upperBoundOf(i), this.maxUs) / 1000;
      for (let b = 0; b < boundsMs.length; b++) if (v <= boundsMs[b]!) out[b]! += c;
    }
    return out;
  }
}

function indexOf(us: number): number {
  if (us < LINEAR_LIMIT) return us;
  const exp = 31 - Math.clz32(us); // ≥ SUB_BITS + 1
  const sub = (us >>> (exp - SUB_BITS)) & (SUB_COUNT - 1);
  return LINEAR_LIMIT + (exp - SUB_BITS - 1) * SUB_COUNT + sub;
}

/** The largest value that falls in bucket `i`. */
function upperBoundOf(i: number): number {
  if (i < LINEAR_LIMIT) return i;
  const j = i - LINEAR_LIMIT;
  const exp = Math.floor(j / SUB_COUNT) + SUB_BITS + 1;
  const sub = j % SUB_COUNT;
  const shift = exp - SUB_BITS;
  return (SUB_COUNT + sub + 1) * 2 ** shift - 1; // not <<: 2^31 overflows int32
}
