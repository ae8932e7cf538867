/**
 * A bench run's report: the threads' results merged exactly (histogram
 * buckets, timelines and counts add up; percentiles are read from the merged
 * histogram, never averaged), in the shape `--format json` prints. The other
 * formats are views of it.
 */
import type { CallMode } from '../../index.js';
import { LatencyHistogram } from '../histogram.js';
import type { DetailRows, LoadResult } from './load.js';
import { Timeline } from './timeline.js';

/** ghz's latency distribution percentages. */
const DISTRIBUTION = [10, 25, 50, 75, 90, 95, 99, 99.9] as const;
/** Bins of the response time histogram, as ghz draws it. */
const HISTOGRAM_BINS = 10;

/** How the run was set up, for the report's header. */
export interface RunSetup {
  readonly name: string | undefined;
  readonly target: string;
  readonly method: string;
  readonly mode: CallMode;
  readonly transport: string;
  readonly concurrency: number;
  readonly workers: number;
  readonly clients: number;
  readonly countErrors: boolean;
  readonly skipFirst: number;
}

/** The report (`--format json`). Latencies in milliseconds. */
export interface BenchReport {
  /** --name, or null. */
  name: string | null;
  /** When the run ended (ISO 8601). */
  date: string;
  target: string;
  method: string;
  mode: CallMode;
  transport: string;
  concurrency: number;
  /** Worker threads that made calls (--cpus). */
  workers: number;
  /** Clients across the threads; each has its own connections. */
  clients: number;
  /** Connections opened during the run (HTTP/2 sessions or TCP sockets, reconnections included). */
  connections: number;
  /** Calls sent to each instance, when the target resolved to more than one (dns:, etcd://). */
  instances?: Record<string, number>;
  /** Calls reported (not skipped), whatever their outcome. */
  total: number;
  ok: number;
  errors: number;
  /** Calls made but left out of the report (--skip-first). */
  skipped: number;
  /** Failed calls' share of all calls made, skipped ones included (what --max-error-rate checks). */
  errorRate: number;
  durationMs: number;
  callsPerSec: number;
  messages: { sent: number; received: number; perSec: number };
  /** Latency of OK calls (of every call with --count-errors). */
  latencyMs: { min: number; mean: number; p50: number; p90: number; p99: number; p999: number; max: number };
  countErrors: boolean;
  latencyDistribution: Array<{ percentage: number; latencyMs: number }>;
  /** ghz's response time histogram: equal-width bins from the fastest to the slowest call, marked by their upper edge. */
  histogram: Array<{ markMs: number; count: number; frequency: number }>;
  /** Calls completed per time slot from the start. */
  timeline: { slotMs: number; ok: number[]; failed: number[] };
  /** Calls by status: OK, gRPC code names, DECLARED_EXCEPTION, CLIENT_ERROR. */
  statusCodes: Record<string, number>;
  /** Distinct error messages with their counts. */
  errorMessages: Record<string, number>;
  /** CPU time of the whole process (every thread) during the run; percent is of one core. */
  cpu: { userMs: number; systemMs: number; percent: number; perCallUs: number };
}

const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits;

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/** Merges the threads' results into one report. `cpu` is the process's CPU use over the run. */
export function mergeResults(setup: RunSetup, results: readonly LoadResult[], cpu: NodeJS.CpuUsage): BenchReport {
  const ok = new LatencyHistogram();
  const failed = new LatencyHistogram();
  const timeline = new Timeline();
  const statusCodes: Record<string, number> = {};
  const errorMessages: Record<string, number> = {};
  const instances: Record<string, number> = {};
  let calls = 0;
  let failures = 0;
  let reported = 0;
  let okCount = 0;
  let sent = 0;
  let received = 0;
  let connections = 0;
  let endMs = 0;
  for (const r of results) {
    ok.add(r.okLatency);
    failed.add(r.failedLatency);
    timeline.add(r.timeline);
    addCounts(statusCodes, r.statusCodes);
    addCounts(errorMessages, r.errorMessages);
    addCounts(instances, r.instances);
    calls += r.calls;
    failures += r.failures;
    reported += r.reported;
    okCount += r.ok;
    sent += r.messagesSent;
    received += r.messagesReceived;
    connections += r.connections;
    endMs = Math.max(endMs, r.endMs);
  }
  const h = setup.countErrors ? ok.add(failed) : ok;
  const seconds = endMs / 1000;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const tl = timeline.state();
  return {
    name: setup.name ?? null,
    date: new Date().toISOString(),
    target: setup.target,
    method: setup.method,
    mode: setup.mode,
    transport: setup.transport,
    concurrency: setup.concurrency,
    workers: setup.workers,
    clients: setup.clients,
    connections,
    ...(Object.keys(instances).length > 1 ? { instances: Object.fromEntries(Object.entries(instances).sort(([a], [b]) => (a < b ? -1 : 1))) } : {}),
    total: reported,
    ok: okCount,
    errors: reported - okCount,
    skipped: calls - reported,
    errorRate: calls ? failures / calls : 0,
    durationMs: round(endMs),
    callsPerSec: seconds > 0 ? round(reported / seconds, 1) : 0,
    messages: { sent, received, perSec: seconds > 0 ? round((sent + received) / seconds, 1) : 0 },
    latencyMs: {
      min: h.min,
      mean: round(h.mean),
      p50: h.percentile(0.5),
      p90: h.percentile(0.9),
      p99: h.percentile(0.99),
      p999: h.percentile(0.999),
      max: h.max,
    },
    countErrors: setup.countErrors,
    latencyDistribution: h.count ? DISTRIBUTION.map((p) => ({ percentage: p, latencyMs: h.percentile(p / 100) })) : [],
    histogram: h.bins(HISTOGRAM_BINS).map((b) => ({ markMs: round(b.upToMs), count: b.count, frequency: round(b.count / h.count, 4) })),
    timeline: { slotMs: tl.slotMs, ok: [...tl.ok], failed: [...tl.failed] },
    // OK first, then the failures, most frequent first.
    statusCodes: Object.fromEntries(Object.entries(statusCodes).sort(([a, x], [b, y]) => (a === 'OK' ? -1 : b === 'OK' ? 1 : y - x))),
    errorMessages: Object.fromEntries(Object.entries(errorMessages).sort(([, x], [, y]) => y - x)),
    cpu: {
      userMs: round(cpu.user / 1000, 1),
      systemMs: round(cpu.system / 1000, 1),
      percent: endMs > 0 ? round((cpuMs / endMs) * 100, 1) : 0,
      perCallUs: calls ? round((cpuMs * 1000) / calls, 1) : 0,
    },
  };
}

/** The threads' per-call rows, in one table (for CSV and InfluxDB details). */
export function mergeDetails(results: readonly LoadResult[]): Array<{ latencyMs: number; atMs: number; status: string; error: string }> {
  const rows: Array<{ latencyMs: number; atMs: number; status: string; error: string }> = [];
  for (const r of results) {
    const d: DetailRows | undefined = r.details;
    if (!d) continue;
    for (let i = 0; i < d.length; i++) {
      const e = d.error[i]!;
      rows.push({ latencyMs: d.latencyMs[i]!, atMs: d.atMs[i]!, status: d.statusNames[d.status[i]!]!, error: e < 0 ? '' : d.errorTexts[e]! });
    }
  }
  return rows.sort((a, b) => a.atMs - b.atMs);
}
