/**
 * Text views of a bench report, as ghz users know them: the summary (with
 * the response time histogram and latency distribution), CSV of the calls,
 * InfluxDB line protocol (one summary line, or one line per call) and the
 * Prometheus text exposition format. `html-report.ts` has the HTML page.
 */
import { ms, num } from '../format.js';
import type { BenchReport } from './report.js';

/** Per-call rows, for csv and influx-details. */
export type CallRow = { latencyMs: number; atMs: number; status: string; error: string };

const BAR = '∎';
const BAR_WIDTH = 40;

/** The text summary (`--format summary`, the default). */
export function summaryText(r: BenchReport): string {
  const streaming = r.mode !== 'unary' && r.mode !== 'pingpong';
  const lines = ['Summary:'];
  if (r.name) lines.push(`  Name:          ${r.name}`);
  lines.push(
    `  Target:        ${r.target} ${r.method} (${r.mode} over ${r.transport})`,
    `  Concurrency:   ${r.concurrency} on ${r.workers} thread${r.workers === 1 ? '' : 's'}, ${r.clients} client${r.clients === 1 ? '' : 's'}, ` +
      `${r.connections} connection${r.connections === 1 ? '' : 's'} opened`,
    `  Calls:         ${num(r.total)} (${num(r.ok)} OK, ${num(r.errors)} failed${r.skipped ? `; ${num(r.skipped)} more skipped` : ''})`,
    ...Object.entries(r.instances ?? {}).map(([address, n], i) => `${i ? '                 ' : '  Instances:     '}${address}: ${num(n)} calls`),
    `  Total time:    ${(r.durationMs / 1000).toFixed(3)} s`,
    `  Calls/sec:     ${num(r.callsPerSec, 1)}${r.errors ? ` (${num((r.callsPerSec * r.ok) / Math.max(r.total, 1), 1)} OK)` : ''}`,
  );
  if (streaming) lines.push(`  Messages/sec:  ${num(r.messages.perSec, 1)} (${num(r.messages.sent)} sent, ${num(r.messages.received)} received)`);
  lines.push(
    `  Client CPU:    ${r.cpu.percent.toFixed(1)}% of one core (user ${num(r.cpu.userMs)} ms, system ${num(r.cpu.systemMs)} ms; ${r.cpu.perCallUs.toFixed(1)} µs per call)`,
  );
  const l = r.latencyMs;
  const what = r.countErrors ? 'every call' : 'OK calls';
  if (r.histogram.length) {
    lines.push(
      '',
      `Latency (${what}):`,
      `  min ${ms(l.min)}   mean ${ms(l.mean)}   max ${ms(l.max)}`,
      `  p50 ${ms(l.p50)}   p90 ${ms(l.p90)}   p99 ${ms(l.p99)}   p99.9 ${ms(l.p999)}`,
      '',
      'Response time histogram:',
      ...histogramLines(r),
      '',
      'Latency distribution:',
      ...r.latencyDistribution.map((d) => `  ${String(d.percentage).padStart(4)} % in ${ms(d.latencyMs)}`),
    );
  } else {
    lines.push('', `Latency: no ${what} to measure`);
  }
  lines.push('', 'Status code distribution:');
  for (const [code, n] of Object.entries(r.statusCodes)) lines.push(`  [${code}]  ${num(n)} calls`);
  if (Object.keys(r.errorMessages).length) {
    lines.push('', 'Error distribution:');
    for (const [msg, n] of Object.entries(r.errorMessages)) lines.push(`  [${num(n)}]  ${msg}`);
  }
  return lines.join('\n') + '\n';
}

function histogramLines(r: BenchReport): string[] {
  const max = Math.max(...r.histogram.map((b) => b.count), 1);
  const marks = r.histogram.map((b) => b.markMs.toFixed(3));
  const counts = r.histogram.map((b) => `[${b.count}]`);
  const w0 = Math.max(...marks.map((m) => m.length));
  const w1 = Math.max(...counts.map((c) => c.length));
  return r.histogram.map((b, i) => `  ${marks[i]!.padStart(w0)} ms ${counts[i]!.padEnd(w1)} |${BAR.repeat(Math.round((b.count / max) * BAR_WIDTH))}`);
}

/** CSV of the calls, as ghz writes it, plus when each ended (ms after the start). */
export function csvText(rows: readonly CallRow[]): string {
  const quote = (s: string): string => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const lines = ['duration (ms),status,error,end (ms)'];
  for (const row of rows) lines.push(`${row.latencyMs.toFixed(3)},${row.status},${quote(row.error)},${row.atMs.toFixed(3)}`);
  return lines.join('\n') + '\n';
}

/** InfluxDB line protocol: escapes for tag values and measurement names. */
function influxTag(s: string): string {
  return s.replace(/[ ,=\\]/g, (c) => `\\${c}`);
}

function influxTags(r: BenchReport): string {
  const tags: Array<[string, string]> = [];
  if (r.name) tags.push(['name', r.name]);
  tags.push(['target', r.target], ['method', r.method], ['mode', r.mode], ['transport', r.transport], ['concurrency', String(r.concurrency)], ['workers', String(r.workers)]);
  return tags.map(([k, v]) => `${k}=${influxTag(v)}`).join(',');
}

const ns = (msValue: number): number => Math.round(msValue * 1e6);

/** `--format influx-summary`: one line for the run (durations in ns, as ghz writes them). */
export function influxSummary(r: BenchReport): string {
  const fields = [
    `count=${r.total}i`,
    `ok=${r.ok}i`,
    `errors=${r.errors}i`,
    `total=${ns(r.durationMs)}i`,
    `average=${ns(r.latencyMs.mean)}i`,
    `fastest=${ns(r.latencyMs.min)}i`,
    `slowest=${ns(r.latencyMs.max)}i`,
    `median=${ns(r.latencyMs.p50)}i`,
    `p95=${ns(r.latencyDistribution.find((d) => d.percentage === 95)?.latencyMs ?? 0)}i`,
    `p99=${ns(r.latencyMs.p99)}i`,
    `rps=${r.callsPerSec.toFixed(2)}`,
  ];
  return `idlcall_run,${influxTags(r)} ${fields.join(',')} ${Date.parse(r.date)}000000\n`;
}

/** `--format influx-details`: one line per call. */
export function influxDetails(r: BenchReport, rows: readonly CallRow[]): string {
  const tags = influxTags(r);
  const endOfRun = Date.parse(r.date) - r.durationMs;
  const field = (s: string): string => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  return rows
    .map(
      (row) =>
        `idlcall_detail,${tags},hasError=${row.error !== ''} latency=${ns(row.latencyMs)}i,status=${field(row.status)},error=${field(row.error)} ${Math.round(endOfRun + row.atMs)}000000\n`,
    )
    .join('');
}

/** Milliseconds as seconds, without float noise (0.000667, not 0.0006670000000000001). */
function sec(msValue: number): number {
  return Number((msValue / 1000).toPrecision(12));
}

/** Prometheus label values: backslash, quote and newline escaped. */
function label(s: string): string {
  return s.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/**
 * `--format prometheus`: the text exposition format. Gauges for the run, the
 * latency as a histogram (cumulative `le` buckets in seconds, ending at
 * `+Inf`) and as a summary (quantiles), the calls by status.
 */
export function prometheusText(r: BenchReport, cumulative: (boundsMs: readonly number[]) => number[], count: number, sumMs: number): string {
  const labels = `name="${label(r.name ?? '')}",target="${label(r.target)}",method="${label(r.method)}",transport="${label(r.transport)}"`;
  const out: string[] = [];
  const gauge = (name: string, help: string, value: number): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name}{${labels}} ${value}`);
  };
  gauge('idlcall_run_calls', 'Calls reported by the run.', r.total);
  gauge('idlcall_run_errors', 'Calls that failed.', r.errors);
  gauge('idlcall_run_duration_seconds', 'Length of the run.', sec(r.durationMs));
  gauge('idlcall_run_calls_per_second', 'Calls per second.', r.callsPerSec);
  gauge('idlcall_run_latency_mean_seconds', 'Mean latency.', sec(r.latencyMs.mean));
  gauge('idlcall_run_latency_min_seconds', 'Fastest call.', sec(r.latencyMs.min));
  gauge('idlcall_run_latency_max_seconds', 'Slowest call.', sec(r.latencyMs.max));
  const bounds = r.histogram.map((b) => b.markMs);
  const cum = cumulative(bounds);
  out.push('# HELP idlcall_run_latency_seconds Latency of the measured calls.', '# TYPE idlcall_run_latency_seconds histogram');
  bounds.forEach((b, i) => out.push(`idlcall_run_latency_seconds_bucket{${labels},le="${sec(b)}"} ${cum[i]}`));
  out.push(
    `idlcall_run_latency_seconds_bucket{${labels},le="+Inf"} ${count}`,
    `idlcall_run_latency_seconds_sum{${labels}} ${sec(sumMs)}`,
    `idlcall_run_latency_seconds_count{${labels}} ${count}`,
  );
  out.push('# HELP idlcall_run_latency_quantile_seconds Latency distribution of the measured calls.', '# TYPE idlcall_run_latency_quantile_seconds summary');
  for (const d of r.latencyDistribution) out.push(`idlcall_run_latency_quantile_seconds{${labels},quantile="${d.percentage / 100}"} ${sec(d.latencyMs)}`);
  out.push(`idlcall_run_latency_quantile_seconds_sum{${labels}} ${sec(sumMs)}`, `idlcall_run_latency_quantile_seconds_count{${labels}} ${count}`);
  out.push('# HELP idlcall_run_status_calls Calls by status.', '# TYPE idlcall_run_status_calls gauge');
  for (const [code, n] of Object.entries(r.statusCodes)) out.push(`idlcall_run_status_calls{${labels},status="${label(code)}"} ${n}`);
  return out.join('\n') + '\n';
}
