// A fixed-size log-bucketed latency histogram: recording is one Math.log and one
// array increment, no allocation, so it can sit in a hot loop of RPC calls.
// Buckets grow by 2% from 1 µs to ~60 s; percentiles are exact to within a bucket.

const GROWTH = 1.02;
const LN_GROWTH = Math.log(GROWTH);
const MIN_US = 1;
const BUCKETS = Math.ceil(Math.log(60e6 / MIN_US) / LN_GROWTH) + 2;

export class Histogram {
  constructor() {
    this.counts = new Float64Array(BUCKETS);
    this.total = 0;
  }

  /** Records one latency in milliseconds. */
  record(ms) {
    const us = ms * 1000;
    let i = us <= MIN_US ? 0 : Math.floor(Math.log(us / MIN_US) / LN_GROWTH) + 1;
    if (i >= BUCKETS) i = BUCKETS - 1;
    this.counts[i]++;
    this.total++;
  }

  reset() {
    this.counts.fill(0);
    this.total = 0;
  }

  /** The p-th percentile (0–100) in milliseconds: the upper edge of its bucket. */
  percentile(p) {
    if (this.total === 0) return NaN;
    const target = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= target) return (i === 0 ? MIN_US : MIN_US * GROWTH ** i) / 1000;
    }
    return (MIN_US * GROWTH ** (BUCKETS - 1)) / 1000;
  }
}
