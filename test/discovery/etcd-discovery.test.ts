/**
 * Discovery through a real etcd in Kitex's registry layout: idlcall servers register
 * themselves (visible to etcdctl exactly as kitex-contrib/registry-etcd writes them, gone on
 * shutdown and, after a kill, when the lease runs out); instances that etcdctl writes in that
 * layout — here a grpc-python server — are found; joins and leaves reach a running client
 * through the watch; weights and tags come through.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  etcdRegistry,
  jsonPbGeneric,
  newGenericServer,
  newStreamingClient,
  protoFileProvider,
  type GenericClient,
  type GenericServer,
  type Generic,
} from '../../src/index.js';
import { startEtcd, type EtcdServer } from '../support/etcd.js';
import { oracles } from '../support/oracles.js';
import { startPythonPeer, type PythonPeer } from '../support/python-peer.js';
import { ROOT } from '../cli/helpers.js';

const ready = oracles('etcd', 'etcdctl', 'python-grpc', 'python-grpc-tools');
const IDL = 'test/fixtures/generic/gpt_engine.proto';
const PREFIX = 'kitex/registry-etcd/gpt/';

/** Polls until `cond` holds, for at most `ms`. */
async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.skipIf(!ready)('discovery through etcd in Kitex layout', () => {
  let etcd: EtcdServer;
  let generic: Generic<string, string>;
  let python: PythonPeer;
  const servers: GenericServer<string, string>[] = [];
  const clients: GenericClient<string, string>[] = [];

  /** An idlcall server for service `gpt` that says who it is, registered in etcd. */
  async function startServer(name: string, extra: { weight?: number; tags?: Record<string, string> } = {}): Promise<GenericServer<string, string>> {
    const s = newGenericServer(
      generic,
      { Ask: (req: string) => JSON.stringify({ text: `${name}: ${JSON.parse(req).prompt}` }) },
      { registry: `etcd://${etcd.endpoint}`, registryInfo: { serviceName: 'gpt', ...extra } },
    );
    await s.start();
    servers.push(s);
    return s;
  }

  function client(opts: Parameters<typeof newStreamingClient>[2] = {}): GenericClient<string, string> {
    const c = newStreamingClient('gpt', generic, { resolver: `etcd://${etcd.endpoint}`, ...opts });
    clients.push(c);
    return c;
  }

  const who = async (c: GenericClient<string, string>, opts = {}): Promise<string> =>
    (JSON.parse(await c.genericCall('Ask', '{"prompt":"hi"}', opts)).text as string).split(':')[0]!;

  const keys = async (): Promise<string[]> => (await etcd.ctl('get', '--prefix', PREFIX, '--keys-only')).split('\n').filter(Boolean);

  beforeAll(async () => {
    etcd = await startEtcd();
    generic = jsonPbGeneric(await protoFileProvider(IDL));
    python = await startPythonPeer('test/peers/grpc_pb_server.py', [IDL]);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(servers.map((s) => s.close()));
    await python?.stop();
    await etcd?.stop();
  });

  it("a server's registration is what kitex-contrib/registry-etcd writes, under a 60 s lease", async () => {
    const s = await startServer('one');
    const out = await etcd.ctl('get', '--prefix', PREFIX, '-w', 'json');
    const kvs = (JSON.parse(out) as { kvs: { key: string; value: string }[] }).kvs;
    expect(kvs).toHaveLength(1);
    const key = Buffer.from(kvs[0]!.key, 'base64').toString();
    const value = Buffer.from(kvs[0]!.value, 'base64').toString();
    expect(key).toBe(`${PREFIX}${s.hostPort}`);
    // Go's json.Marshal of registry-etcd's instanceInfo{Network, Address, Weight, Tags(nil)}.
    expect(value).toBe(`{"network":"tcp","address":"${s.hostPort}","weight":10,"tags":null}`);
    // Lease IDs are 64-bit: read the decimal digits, not a rounded JSON number.
    const lease = BigInt(/"lease":(\d+)/.exec(out)![1]!);
    const ttl = await etcd.ctl('lease', 'timetolive', lease.toString(16));
    expect(ttl).toMatch(/granted with TTL\(60s\)/);
  });

  it('finds instances that etcdctl writes in that layout (a grpc-python server) beside registered ones, tags included', async () => {
    const py = `127.0.0.1:${python.port}`;
    await etcd.ctl('put', `${PREFIX}${py}`, JSON.stringify({ network: 'tcp', address: py, weight: 10, tags: { lang: 'python' } }));
    await startServer('two');
    const c = client({ balancer: 'round_robin' });
    const seen = new Set<string>();
    for (let i = 0; i < 9; i++) seen.add(await who(c));
    expect([...seen].sort()).toEqual(['answer', 'one', 'two']); // grpc-python answers "answer: …"
    expect(c.instances().find((i) => i.address === py)?.tags).toEqual({ lang: 'python' });
  });

  it('instances joining and leaving reach a running client within a second', async () => {
    const c = client({ balancer: 'round_robin' });
    await who(c);
    const s = await startServer('three');
    const t0 = Date.now();
    await until(() => c.instances().some((i) => i.address === s.hostPort), 'the join', 1000);
    const joinedMs = Date.now() - t0;
    const seen = new Set<string>();
    for (let i = 0; i < 8; i++) seen.add(await who(c));
    expect(seen.has('three')).toBe(true);
    await s.close(); // deregisters before closing
    await until(() => !c.instances().some((i) => i.address === s.hostPort), 'the leave', 1000);
    const py = `127.0.0.1:${python.port}`;
    await etcd.ctl('del', `${PREFIX}${py}`);
    await until(() => !c.instances().some((i) => i.address === py), 'the etcdctl delete', 1000);
    for (let i = 0; i < 6; i++) expect(['one', 'two']).toContain(await who(c));
    expect(joinedMs).toBeLessThan(1000);
  });

  it("a server's key disappears when it shuts down", async () => {
    const s = await startServer('four');
    expect(await keys()).toContain(`${PREFIX}${s.hostPort}`);
    await s.close();
    expect(await keys()).not.toContain(`${PREFIX}${s.hostPort}`);
  });

  it("a killed server's key disappears when its lease expires, and watching clients drop it", async () => {
    const c = client();
    await who(c);
    // A separate process that registers with a 2 s lease, then is killed without deregistering.
    const script = `
      import { jsonPbGeneric, protoFileProvider, newGenericServer, etcdRegistry } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist/index.js')).href)};
      const g = jsonPbGeneric(await protoFileProvider(${JSON.stringify(join(ROOT, IDL))}));
      const s = newGenericServer(g, { Ask: () => '{"text":"killed: yes"}' }, {
        registry: etcdRegistry(${JSON.stringify(etcd.endpoint)}, { ttlSeconds: 2 }),
        registryInfo: { serviceName: 'gpt' },
      });
      await s.start();
      console.log(s.hostPort);
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const hostPort = await new Promise<string>((resolve, reject) => {
        child.stdout!.setEncoding('utf8').once('data', (d: string) => resolve(d.trim()));
        child.once('exit', (code) => reject(new Error(`the child exited (${code})`)));
      });
      await until(() => c.instances().some((i) => i.address === hostPort), 'the child to register');
      expect(await keys()).toContain(`${PREFIX}${hostPort}`);
      child.kill('SIGKILL');
      await until(async () => !(await keys()).includes(`${PREFIX}${hostPort}`), 'the lease to expire', 10_000);
      await until(() => !c.instances().some((i) => i.address === hostPort), 'the client to drop it', 1000);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('weights registered in etcd shape the spread; consistent hashing keeps a key on one instance', async () => {
    const heavy = await startServer('heavy', { weight: 40 });
    const c = client({ balancer: 'weighted_random' });
    await until(() => c.instances().some((i) => i.address === heavy.hostPort && i.weight === 40), 'the heavy instance');
    const n = 600;
    let hits = 0;
    for (let i = 0; i < n; i++) if ((await who(c)) === 'heavy') hits++;
    // one, two (weight 10 each) and heavy (40): two thirds of the calls, give or take.
    expect(hits / n).toBeGreaterThan(0.55);
    expect(hits / n).toBeLessThan(0.78);
    const h = client({ balancer: 'consistent_hash' });
    for (const key of ['alice', 'bob', 'carol']) {
      const first = await who(h, { hashKey: key });
      for (let i = 0; i < 5; i++) expect(await who(h, { hashKey: key })).toBe(first);
    }
  });

  it('a registry shared by two servers deregisters each on its own', async () => {
    const registry = etcdRegistry(etcd.endpoint);
    try {
      const mk = async (): Promise<GenericServer<string, string>> => {
        const s = newGenericServer(generic, { Ask: () => '{"text":"shared: x"}' }, { registry, registryInfo: { serviceName: 'gpt', tags: { shared: 'yes' } } });
        await s.start();
        return s;
      };
      const [a, b] = [await mk(), await mk()];
      expect(await keys()).toEqual(expect.arrayContaining([`${PREFIX}${a.hostPort}`, `${PREFIX}${b.hostPort}`]));
      expect(await etcd.ctl('get', `${PREFIX}${a.hostPort}`, '--print-value-only')).toContain('"tags":{"shared":"yes"}');
      await a.close();
      expect(await keys()).not.toContain(`${PREFIX}${a.hostPort}`);
      expect(await keys()).toContain(`${PREFIX}${b.hostPort}`);
      await b.close();
    } finally {
      await registry.close?.();
    }
  });

  it('after etcd crashes and restarts, watches resume and registrations stay', async () => {
    const c = client({ balancer: 'round_robin' });
    // A 2 s lease: it outlives the restart only if keep-alives resume over a new stream.
    const registry = etcdRegistry(etcd.endpoint, { ttlSeconds: 2 });
    const s = newGenericServer(generic, { Ask: () => '{"text":"survivor: yes"}' }, { registry, registryInfo: { serviceName: 'gpt' } });
    await s.start();
    servers.push(s);
    await until(() => c.instances().some((i) => i.address === s.hostPort), 'the registration');
    await etcd.restart();
    const late = await startServer('late'); // registered after the restart
    await until(() => c.instances().some((i) => i.address === late.hostPort), 'the watch to resume', 15_000);
    await new Promise((r) => setTimeout(r, 3000));
    expect(await keys()).toContain(`${PREFIX}${s.hostPort}`);
    expect(c.instances().some((i) => i.address === s.hostPort)).toBe(true);
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) seen.add(await who(c));
    expect(seen.has('survivor') && seen.has('late')).toBe(true);
    await s.close();
    await registry.close?.();
  });
});
