/**
 * The CLI with discovery targets: `call` and `bench` against `etcd://host:port/Service` (servers
 * registered in a real etcd) and `dns:///host:port`; bench spreads its calls over the resolved
 * instances and counts each.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonPbGeneric, newGenericServer, protoFileProvider, type GenericServer } from '../../src/index.js';
import { seedProtoHandlers } from '../../src/demo/seed-handlers.js';
import type { BenchReport } from '../../src/cli/bench/report.js';
import { startEtcd, type EtcdServer } from '../support/etcd.js';
import { oracles } from '../support/oracles.js';
import { ROOT, runCli } from './helpers.js';

const PROTO = join(ROOT, 'examples/idl/streaming.proto');
const servers: GenericServer<string, string>[] = [];

async function seedServer(opts: Parameters<typeof newGenericServer>[2] = {}): Promise<GenericServer<string, string>> {
  const s = newGenericServer(jsonPbGeneric(await protoFileProvider(PROTO)), seedProtoHandlers, opts);
  await s.start();
  servers.push(s);
  return s;
}

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('dns:/// targets', () => {
  it('call resolves the name (the hosts file here) and reaches the server', async () => {
    const s = await seedServer();
    const r = await runCli(['call', `dns:///localhost:${s.address.port}`, 'pb.StreamingService/UnaryEcho', '--idl', PROTO, '-d', '{"message":"hi"}']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ message: 'Echo: hi' });
    expect(r.code).toBe(0);
  });

  it('a malformed target is a usage error', async () => {
    const r = await runCli(['call', 'etcd://nohost/svc', 'UnaryEcho', '--idl', PROTO]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not host:port/);
  });
});

const ready = oracles('etcd', 'etcdctl');

describe.skipIf(!ready)('etcd:// targets', () => {
  let etcd: EtcdServer;
  const registered: GenericServer<string, string>[] = [];

  beforeAll(async () => {
    etcd = await startEtcd();
    for (let i = 0; i < 2; i++) registered.push(await seedServer({ registry: `etcd://${etcd.endpoint}`, registryInfo: { serviceName: 'echo' } }));
  });

  afterAll(async () => {
    await Promise.all(registered.map((s) => s.close()));
    await etcd?.stop();
  });

  it('call finds the service in Kitex\'s etcd layout', async () => {
    const r = await runCli(['call', `etcd://${etcd.endpoint}/echo`, 'pb.StreamingService/UnaryEcho', '--idl', PROTO, '-d', '{"message":"hi"}']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ message: 'Echo: hi' });
  });

  it('a service nobody registered fails UNAVAILABLE (exit 78)', async () => {
    const r = await runCli(['call', `etcd://${etcd.endpoint}/nobody`, 'pb.StreamingService/UnaryEcho', '--idl', PROTO, '-d', '{}']);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/no instances of nobody/);
  });

  it('bench spreads the calls over the resolved instances and counts each', async () => {
    const r = await runCli(['bench', `etcd://${etcd.endpoint}/echo`, 'pb.StreamingService/UnaryEcho', '--idl', PROTO, '-d', '{"message":"b"}', '-n', '400', '-c', '8', '--cpus', '1', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as BenchReport;
    expect(s.ok).toBe(400);
    const counts = Object.entries(s.instances ?? {});
    expect(counts.map(([a]) => a).sort()).toEqual(registered.map((x) => x.hostPort).sort());
    expect(counts.reduce((n, [, c]) => n + c, 0)).toBe(400);
    for (const [, c] of counts) expect(c).toBe(200); // equal weights: round robin
  });
});
