// Shared timing loop for bench/: warm-up, then several timed runs; reports the
// median and the spread (min/max) in operations per second. Ratios between
// implementations measured in the same process run are what bench/ reports.

/**
 * Times a synchronous operation.
 * @param {() => unknown} op one operation
 * @param {{ warmupMs?: number, runMs?: number, runs?: number }} [opts]
 * @returns {{ median: number, min: number, max: number, runs: number[] }} ops/s
 */
export function measure(op, opts = {}) {
  const { warmupMs = 300, runMs = 400, runs = 5 } = opts;
  let sink;
  const until = performance.now() + warmupMs;
  while (performance.now() < until) for (let i = 0; i < 16; i++) sink = op();
  const rates = [];
  for (let r = 0; r < runs; r++) {
    let n = 0;
    const start = performance.now();
    let now = start;
    while (now - start < runMs) {
      for (let i = 0; i < 16; i++) sink = op();
      n += 16;
      now = performance.now();
    }
    rates.push((n * 1000) / (now - start));
  }
  globalThis.__benchSink = sink;
  return summarize(rates);
}

/**
 * Times an asynchronous workload. `batch()` does some work and resolves to how
 * many operations it completed (calls, messages…).
 * @param {() => Promise<number>} batch
 * @param {{ warmupMs?: number, runMs?: number, runs?: number }} [opts]
 * @returns {Promise<{ median: number, min: number, max: number, runs: number[] }>} ops/s
 */
export async function measureAsync(batch, opts = {}) {
  const { warmupMs = 500, runMs = 1000, runs = 5 } = opts;
  const until = performance.now() + warmupMs;
  while (performance.now() < until) await batch();
  const rates = [];
  for (let r = 0; r < runs; r++) {
    let n = 0;
    const start = performance.now();
    let now = start;
    while (now - start < runMs) {
      n += await batch();
      now = performance.now();
    }
    rates.push((n * 1000) / (now - start));
  }
  return summarize(rates);
}

/** Median, min and max of a list of rates. */
export function summarize(rates) {
  const sorted = [...rates].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: rates };
}

/** Formats an ops/s figure compactly (12.3k, 1.25M). */
export function formatRate(r) {
  if (r >= 1e6) return `${(r / 1e6).toFixed(2)}M`;
  if (r >= 1e3) return `${(r / 1e3).toFixed(1)}k`;
  return r.toFixed(1);
}

/**
 * Interleaved rounds of named synchronous ops (A B C, A B C, …), so a load change on a shared
 * machine hits a round's ops alike: per op the median rate, min, max, and the median per-round
 * ratio of `ops.idlcall` to it.
 * @param {Record<string, () => unknown>} ops must include `idlcall`
 * @param {number} rounds
 * @param {{ warmupMs?: number, runMs?: number }} roundOpts one round of one op
 * @returns {Record<string, { median: number, min: number, max: number, ratio: number }>}
 */
export function compareInterleaved(ops, rounds, roundOpts) {
  const names = Object.keys(ops);
  for (const n of names) measure(ops[n], { warmupMs: 300, runMs: 1, runs: 1 });
  const rates = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) for (const n of names) rates[n].push(measure(ops[n], { ...roundOpts, runs: 1 }).median);
  const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  return Object.fromEntries(names.map((n) => [n, {
    median: median(rates[n]), min: Math.min(...rates[n]), max: Math.max(...rates[n]),
    ratio: median(rates.idlcall.map((v, i) => v / rates[n][i])),
  }]));
}
