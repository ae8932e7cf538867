/**
 * `idlcall bench` as ghz users run it, as subprocesses against the suite's servers that count
 * what they serve: worker threads (--cpus) with exact, merged totals and one request numbering,
 * request arrays, data files and templates, --skip-first, --count-errors, the error-rate gate,
 * truthful connection counts, and every report format. Timings are never asserted.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/cli/histogram.js';
import { Timeline } from '../../src/cli/bench/timeline.js';
import type { BenchReport } from '../../src/cli/bench/report.js';
import { FIXTURES, runCli } from './helpers.js';
import { startServers, type TestServers } from './servers.js';

const ITEMS_PROTO = join(FIXTURES, 'cli_test.proto');
const ITEMS_THRIFT = join(FIXTURES, 'cli_test.thrift');

let servers: TestServers;
let tmp = '';

beforeAll(async () => {
  servers = await startServers();
  tmp = mkdtempSync(join(tmpdir(), 'idlcall-bench-'));
});

afterAll(async () => {
  await servers?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Runs bench with `-O json` and returns the report (exit code checked). */
async function benchJson(args: string[], code = 0): Promise<BenchReport> {
  const r = await runCli(['bench', ...args, '-O', 'json'], { timeoutMs: 60_000 });
  expect(r.code, r.stderr).toBe(code);
  return JSON.parse(r.stdout) as BenchReport;
}

/** How many times each value occurs. */
function tally(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

// One at a time: the tests read the server's counters before and after each run.
describe('bench: threads, requests and totals', () => {
  it('--cpus 2: two threads share the load; {{.RequestNumber}} numbers every call of the run exactly once', async () => {
    const before = servers.counts.names.length;
    const r = await benchJson([servers.items, 'Count', '--idl', ITEMS_PROTO, '-d', '{"name":"n{{.RequestNumber}}"}', '-n', '300', '-c', '8', '--cpus', '2']);
    const names = servers.counts.names.slice(before);
    expect(r.workers).toBe(2);
    expect(r.total).toBe(300);
    expect(names).toHaveLength(300);
    expect(new Set(names)).toEqual(new Set(Array.from({ length: 300 }, (_, i) => `n${i}`)));
    // The merged histogram holds every call: its bins add up to the total.
    expect(r.histogram.reduce((n, b) => n + b.count, 0)).toBe(300);
    expect(r.timeline.ok.reduce((n, c) => n + c, 0)).toBe(300);
    const d = r.latencyDistribution.map((x) => x.latencyMs);
    expect([...d].sort((a, b) => a - b)).toEqual(d);
  });

  it('connections are counted as opened: one per thread over gRPC, one per call in flight for ping-pong', async () => {
    const grpc = await benchJson([servers.items, 'Count', '--idl', ITEMS_PROTO, '-n', '40', '-c', '8', '--cpus', '2']);
    expect(grpc).toMatchObject({ workers: 2, clients: 2, connections: 2 });
    const pp = await benchJson([servers.thriftItems, 'Count', '--idl', ITEMS_THRIFT, '-d', '{"name":"p"}', '-n', '64', '-c', '8', '--cpus', '1']);
    expect(pp).toMatchObject({ transport: 'ttheader', workers: 1, clients: 1, connections: 8 });
    const summary = await runCli(['bench', servers.thriftItems, 'Count', '--idl', ITEMS_THRIFT, '-d', '{"name":"p"}', '-n', '16', '-c', '4', '--cpus', '1']);
    expect(summary.stdout).toContain('Concurrency:   4 on 1 thread, 1 client, 4 connections opened');
  });

  it('a JSON array and a data file (NDJSON) are used round-robin, across threads', async () => {
    let before = servers.counts.names.length;
    await benchJson([servers.items, 'Count', '--idl', ITEMS_PROTO, '-d', '[{"name":"a"},{"name":"b"},{"name":"c"}]', '-n', '30', '-c', '3', '--cpus', '2']);
    expect(tally(servers.counts.names.slice(before))).toEqual({ a: 10, b: 10, c: 10 });
    const file = join(tmp, 'requests.ndjson');
    writeFileSync(file, '{"name":"x"}\n{"name":"y"}\n');
    before = servers.counts.names.length;
    await benchJson([servers.items, 'Count', '--idl', ITEMS_PROTO, '--data-file', file, '-n', '20', '-c', '2', '--cpus', '1']);
    expect(tally(servers.counts.names.slice(before))).toEqual({ x: 10, y: 10 });
  });

  it('{{.UUID}} and {{.TimestampUnix}} are filled in for each call; an unknown template field is refused up front', async () => {
    const before = servers.counts.names.length;
    const t0 = Math.floor(Date.now() / 1000);
    await benchJson([servers.items, 'Count', '--idl', ITEMS_PROTO, '-d', '{"name":"{{.UUID}} {{ .TimestampUnix }}"}', '-n', '20', '-c', '2']);
    const names = servers.counts.names.slice(before);
    const uuids = names.map((n) => n.split(' ')[0]!);
    expect(new Set(uuids).size).toBe(20);
    for (const n of names) {
      expect(n).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12} \d+$/);
      expect(Number(n.split(' ')[1])).toBeGreaterThanOrEqual(t0);
    }
    const bad = await runCli(['bench', servers.items, 'Count', '--idl', ITEMS_PROTO, '-d', '{"name":"{{randomString 8}}"}', '-n', '2']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('template {{randomString 8}} is not supported');
  });

  it('--skip-first leaves the first calls out of the report; they are still made', async () => {
    const before = servers.counts.count;
    const r = await benchJson([servers.items, 'Count', '--idl', ITEMS_PROTO, '-n', '50', '-c', '4', '--skip-first', '10']);
    expect(servers.counts.count - before).toBe(50);
    expect(r).toMatchObject({ total: 40, ok: 40, skipped: 10 });
    expect(r.histogram.reduce((n, b) => n + b.count, 0)).toBe(40);
  });

  it('ghz spellings: --proto --call -i --insecure -m --skipFirst -O', async () => {
    const before = servers.counts.tags.length;
    const r = await runCli(['bench', '--proto', 'cli_test.proto', '-i', `${FIXTURES},${tmp}`, '--call', 'clitest.ItemService.Count', '--insecure', '-m', '{"x-bench":"ghz"}', '--skipFirst', '2', '-n', '12', '-c', '2', '-O', 'json', servers.items]);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as BenchReport).total).toBe(10);
    expect(servers.counts.tags.slice(before)).toEqual(Array(12).fill('ghz'));
  });
});

describe('bench: failures and the error-rate gate', () => {
  it('a dead port: every call fails, exit 2 with the failure rate; no connection opened', async () => {
    const r = await runCli(['bench', '127.0.0.1:1', 'Count', '--idl', ITEMS_PROTO, '-n', '50', '-c', '4']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('idlcall bench: 50 of 50 calls failed (100.0%), more than --max-error-rate 0 allows\n');
    expect(r.stdout).toContain('Calls:         50 (0 OK, 50 failed)');
    expect(r.stdout).toContain('0 connections opened');
    expect(r.stdout).toContain('UNAVAILABLE: no reachable target among 127.0.0.1:1 (cause: connect ECONNREFUSED 127.0.0.1:1)');
  });

  it('--max-error-rate lets a share of failures pass; --count-errors puts failed calls into the latency statistics', async () => {
    const tolerated = await benchJson([servers.items, 'Fail', '--idl', ITEMS_PROTO, '-d', '{"id":"5"}', '-n', '20', '-c', '2', '--max-error-rate', '1']);
    expect(tolerated).toMatchObject({ total: 20, ok: 0, errors: 20, errorRate: 1, statusCodes: { NOT_FOUND: 20 } });
    expect(tolerated.histogram).toEqual([]);
    const counted = await benchJson([servers.items, 'Fail', '--idl', ITEMS_PROTO, '-d', '{"id":"5"}', '-n', '20', '-c', '2', '--max-error-rate', '1', '--count-errors']);
    expect(counted.histogram.reduce((n, b) => n + b.count, 0)).toBe(20);
    const gate = await benchJson([servers.items, 'Fail', '--idl', ITEMS_PROTO, '-d', '{"id":"5"}', '-n', '20', '-c', '2', '--max-error-rate', '0.5'], 2);
    expect(gate.errorRate).toBe(1);
  });
});

describe('bench: report formats', () => {
  const base = (): string[] => [servers.items, 'Count', '--idl', ITEMS_PROTO, '-n', '30', '-c', '3', '--cpus', '2'];

  it('csv: one row per call; influx-details likewise; influx-summary: one line', async () => {
    const csv = await runCli(['bench', ...base(), '-O', 'csv']);
    const rows = csv.stdout.trim().split('\n');
    expect(rows[0]).toBe('duration (ms),status,error,end (ms)');
    expect(rows.slice(1)).toHaveLength(30);
    for (const row of rows.slice(1)) expect(row).toMatch(/^\d+\.\d{3},OK,,\d+\.\d{3}$/);
    const details = await runCli(['bench', ...base(), '-O', 'influx-details']);
    expect(details.stdout.trim().split('\n')).toHaveLength(30);
    const influx = await runCli(['bench', ...base(), '-O', 'influx-summary', '--name', 'a run']);
    expect(influx.stdout).toMatch(/^idlcall_run,name=a\\ run,target=127\.0\.0\.1:\d+,method=ItemService\/Count,mode=unary,transport=grpc,concurrency=3,workers=2 count=30i,ok=30i,errors=0i,total=\d+i,average=\d+i,fastest=\d+i,slowest=\d+i,median=\d+i,p95=\d+i,p99=\d+i,rps=[\d.]+ \d{19}\n$/);
  });

  it('prometheus: text exposition with a cumulative histogram ending at +Inf = the count', async () => {
    const r = await runCli(['bench', ...base(), '-O', 'prometheus']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    for (const line of lines) expect(line).toMatch(/^(# (HELP|TYPE) idlcall_\w+ .+|idlcall_\w+\{[^}]*\} [\d.e+-]+)$/);
    const buckets = lines.filter((l) => l.startsWith('idlcall_run_latency_seconds_bucket')).map((l) => Number(l.split(' ').pop()));
    expect(buckets).toHaveLength(11);
    expect([...buckets].sort((a, b) => a - b)).toEqual(buckets);
    expect(buckets[buckets.length - 1]).toBe(30);
    expect(lines).toContainEqual(expect.stringMatching(/^idlcall_run_latency_seconds_count\{.*\} 30$/));
    expect(lines).toContainEqual(expect.stringMatching(/^idlcall_run_status_calls\{.*status="OK"\} 30$/));
  });

  it('-o FILE writes the report there and nothing to stdout; pretty is indented JSON', async () => {
    const file = join(tmp, 'report.json');
    const r = await runCli(['bench', ...base(), '-O', 'pretty', '-o', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^\{\n {2}"name"/);
    expect((JSON.parse(text) as BenchReport).total).toBe(30);
  });
});

describe('merging measurements of several threads is exact', () => {
  it('two histograms added bucket by bucket give the percentiles of one that saw every value', () => {
    const whole = new LatencyHistogram();
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    let x = 7;
    for (let i = 0; i < 10_000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const v = (x % 500_000) / 1000;
      whole.record(v);
      (i % 3 === 0 ? a : b).record(v);
    }
    const merged = LatencyHistogram.from(a.state()).add(b);
    for (const p of [0.1, 0.5, 0.9, 0.99, 0.999]) expect(merged.percentile(p)).toBe(whole.percentile(p));
    expect([merged.min, merged.max, merged.count, merged.sum]).toEqual([whole.min, whole.max, whole.count, whole.sum]);
    expect(merged.bins(10)).toEqual(whole.bins(10));
  });

  it('timelines of different lengths merge at the coarser slot width, keeping every call', () => {
    const short = new Timeline();
    const long = new Timeline();
    for (let t = 0; t < 5_000; t += 10) short.record(t, true);
    for (let t = 0; t < 120_000; t += 100) long.record(t, t % 200 === 0);
    const merged = new Timeline().add(short.state()).add(long.state());
    const s = merged.state();
    expect(s.slotMs).toBe(long.state().slotMs);
    expect(s.slotMs).toBeGreaterThan(100);
    expect([...s.ok].reduce((n, c) => n + c, 0)).toBe(500 + 600);
    expect([...s.failed].reduce((n, c) => n + c, 0)).toBe(600);
  });
});
