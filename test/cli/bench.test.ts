/**
 * `idlcall bench` as a subprocess against in-process generic servers that
 * count the calls they serve: the reported totals must match the server's
 * own counts. Timings are printed, never asserted.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchReport } from '../../src/cli/bench/report.js';
import { FIXTURES, runCli } from './helpers.js';
import { startServers, type TestServers } from './servers.js';

const ITEMS_PROTO = join(FIXTURES, 'cli_test.proto');
const ITEMS_THRIFT = join(FIXTURES, 'cli_test.thrift');

let servers: TestServers;

beforeAll(async () => {
  servers = await startServers();
});

afterAll(async () => {
  await servers?.close();
});

async function bench(args: string[]): Promise<BenchReport> {
  const r = await runCli(['bench', ...args, '--json'], { timeoutMs: 60_000 });
  expect(r.stderr).toBe(''); // no progress line when not on a terminal
  expect(r.code).toBe(0);
  const s = JSON.parse(r.stdout) as BenchReport;
  console.log(`bench ${args.slice(0, 2).join(' ')} ${s.mode}/${s.transport}: ${s.total} calls, ${s.callsPerSec} calls/s, ` +
    `${s.messages.perSec} msgs/s, p50 ${s.latencyMs.p50} ms, p99 ${s.latencyMs.p99} ms, client CPU ${s.cpu.percent}%`);
  return s;
}

describe('idlcall bench: totals agree with the server', () => {
  it('unary over gRPC, concurrency 64, --total 4000: exactly 4000 calls counted on both sides', async () => {
    const before = servers.counts.count;
    const s = await bench([servers.items, 'ItemService/Count', '--idl', ITEMS_PROTO, '-d', '{"name":"b","id":"1"}', '-c', '64', '--total', '4000']);
    expect(servers.counts.count - before).toBe(4000);
    expect(s.total).toBe(4000);
    expect(s.ok).toBe(4000);
    expect(s.statusCodes).toEqual({ OK: 4000 });
    expect(s.messages).toMatchObject({ sent: 4000, received: 4000 });
    const l = s.latencyMs;
    expect(l.min).toBeLessThanOrEqual(l.p50);
    expect(l.p50).toBeLessThanOrEqual(l.p90);
    expect(l.p90).toBeLessThanOrEqual(l.p99);
    expect(l.p99).toBeLessThanOrEqual(l.p999);
    expect(l.p999).toBeLessThanOrEqual(l.max);
    expect(s.cpu.percent).toBeGreaterThan(0);
  });

  it('Thrift ping-pong over TTHeader on 2 connections, concurrency 64', async () => {
    const before = servers.counts.thriftCount;
    const s = await bench([servers.thriftItems, 'ItemService/Count', '--idl', ITEMS_THRIFT, '-d', '{"name":"t"}', '-c', '64', '--connections', '2', '-n', '3000', '--transport', 'ttheader']);
    expect(s.transport).toBe('ttheader');
    expect(s.total).toBe(3000);
    expect(servers.counts.thriftCount - before).toBe(3000);
  });

  it('--duration: every call the bench reports was served (within 1%)', async () => {
    const before = servers.counts.count;
    const s = await bench([servers.items, 'Count', '--idl', ITEMS_PROTO, '-d', '{}', '-c', '64', '--duration', '1s']);
    const served = servers.counts.count - before;
    expect(s.total).toBeGreaterThan(0);
    expect(Math.abs(served - s.total)).toBeLessThanOrEqual(Math.ceil(served * 0.01));
  });

  it('bidirectional streams: --stream-messages per call, messages counted on both sides', async () => {
    const before = servers.counts.streamMessages;
    const s = await bench([servers.items, 'CountStream', '--idl', ITEMS_PROTO, '-d', '{"name":"s"}', '-c', '16', '-n', '200', '--stream-messages', '5']);
    expect(s.mode).toBe('bidirectional');
    expect(s.total).toBe(200);
    expect(s.messages).toMatchObject({ sent: 1000, received: 1000 });
    expect(servers.counts.streamMessages - before).toBe(1000);
  });

  it('bidirectional streams over ttstream, concurrency 16 multiplexed on one connection', async () => {
    const s = await bench([servers.seedThrift, 'Echo', '--idl', join(FIXTURES, '../../../examples/idl/streaming.thrift'), '-d', '{"message":"b"}', '-c', '16', '-n', '200', '--stream-messages', '5', '--transport', 'ttstream']);
    expect(s).toMatchObject({ mode: 'bidirectional', transport: 'ttstream', total: 200, ok: 200, messages: { sent: 1000, received: 1000 } });
  });

  it('failures are counted by status code with their messages; --rps paces without changing totals', async () => {
    const s = await bench([servers.items, 'Find', '--idl', ITEMS_PROTO, '-d', '{"name":"z"}', '-c', '4', '-n', '40', '--rps', '400', '--max-error-rate', '1']);
    expect(s.total).toBe(40);
    expect(s.ok).toBe(0);
    expect(s.statusCodes).toEqual({ NOT_FOUND: 40 });
    expect(s.errorMessages).toEqual({ 'NOT_FOUND: no item z': 40 });
  });

  it('client streaming and server streaming modes', async () => {
    const thrift = await bench([servers.seedThrift, 'EchoClient', '--idl', join(FIXTURES, '../../../examples/idl/streaming.thrift'), '-d', '{"message":"c"}', '-c', '8', '-n', '50', '--stream-messages', '3']);
    expect(thrift).toMatchObject({ mode: 'client', total: 50, ok: 50, messages: { sent: 150, received: 50 } });
    const server = await bench([servers.seedProto, 'StreamResponseEcho', '--idl', join(FIXTURES, '../../../examples/idl/streaming.proto'), '-d', '{"message":"s"}', '-c', '8', '-n', '50']);
    expect(server).toMatchObject({ mode: 'server', total: 50, ok: 50, messages: { sent: 50, received: 150 } });
  });

  it('the text summary (without --json): rates, percentiles, the response time histogram, the latency distribution, status codes', async () => {
    const r = await runCli(['bench', servers.items, 'Count', '--idl', ITEMS_PROTO, '-d', '{}', '-c', '2', '-n', '10', '--name', 'smoke']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Name: +smoke/);
    expect(r.stdout).toContain('Calls/sec:');
    expect(r.stdout).toContain('p99.9');
    expect(r.stdout).toMatch(/Response time histogram:\n( +[\d.]+ ms \[\d+\] +\|∎*\n){10}/);
    expect(r.stdout).toMatch(/Latency distribution:\n +10 % in .*\n +25 % in/);
    expect(r.stdout).toContain('[OK]  10 calls');
    expect(r.stdout).toMatch(/Client CPU: .* µs per call\)/);
  });

  it('a bad request fails fast with exit 1 before any call', async () => {
    const before = servers.counts.count;
    const r = await runCli(['bench', servers.items, 'Count', '--idl', ITEMS_PROTO, '-d', '{"nope":1}', '-n', '10']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nope');
    expect(servers.counts.count).toBe(before);
  });
});
