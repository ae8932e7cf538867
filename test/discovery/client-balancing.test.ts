/**
 * Balancing inside the generic client, against real idlcall servers on loopback (gRPC and
 * TTHeader ping-pong): failover and outlier ejection of an unreachable instance, least-request
 * balancing toward a faster server, hash keys from call options and metadata, connections
 * closed when an instance leaves, and a 10,000-instance service of which only a subset is used.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Code,
  RpcError,
  jsonThriftGeneric,
  newClient,
  newGenericServer,
  newStreamingClient,
  thriftFileProvider,
  type ClientOptions,
  type Generic,
  type GenericClient,
  type GenericServer,
  type Instance,
  type InstanceChange,
  type Resolver,
} from '../../src/index.js';
import { hash32 } from '../../src/discovery/balancer/hash.js';
import { freePort } from '../support/etcd.js';
import { startProxy } from '../support/tcp-proxy.js';

const IDL = 'examples/idl/streaming.thrift';
let generic: Generic<string, string>;
const servers: GenericServer<string, string>[] = [];
let dead = '';

const transports = [
  { name: 'gRPC', make: (o: ClientOptions) => newStreamingClient('streaming', generic, o), method: 'EchoUnary' },
  { name: 'TTHeader ping-pong', make: (o: ClientOptions) => newClient('streaming', generic, o), method: 'EchoPingPong' },
];

async function server(name: string, delayMs = 0): Promise<GenericServer<string, string>> {
  const reply = async (req: string): Promise<string> => {
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    return JSON.stringify({ message: `${name}:${JSON.parse(req).message}` });
  };
  const s = newGenericServer(generic, {
    EchoUnary: reply,
    EchoPingPong: reply,
    async *EchoServer(req: string) {
      yield await reply(req);
    },
  });
  await s.start();
  servers.push(s);
  return s;
}

const who = async (c: GenericClient<string, string>, method: string, opts = {}): Promise<string> =>
  (JSON.parse(await c.genericCall(method, '{"message":"x"}', opts)).message as string).split(':')[0]!;

/** A resolver the test drives. */
function pushResolver(initial: readonly Instance[]): Resolver & { push(c: InstanceChange): void } {
  let listener: ((c: InstanceChange) => void) | undefined;
  return {
    resolve: () => Promise.resolve(initial),
    watch(_s, l) {
      listener = l;
      l({ full: true, upsert: initial });
      return () => (listener = undefined);
    },
    push: (c) => listener?.(c),
  };
}

beforeAll(async () => {
  generic = jsonThriftGeneric(await thriftFileProvider(IDL));
  await server('a');
  await server('b');
  dead = `127.0.0.1:${await freePort()}`;
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

for (const t of transports) {
  describe(`over ${t.name}`, () => {
    it('passes over an unreachable instance within the call, then ejects it', async () => {
      const c = t.make({ hostPorts: [dead, servers[0]!.hostPort, servers[1]!.hostPort], balancer: 'round_robin' });
      try {
        const seen = new Set<string>();
        for (let i = 0; i < 30; i++) seen.add(await who(c, t.method)); // none fails
        expect([...seen].sort()).toEqual(['a', 'b']);
        const d = c.instances().find((i) => i.address === dead)!;
        expect(d).toMatchObject({ ejected: true, state: 'failing' });
        // Ejected: no further picks go its way.
        const picks = d.picks;
        for (let i = 0; i < 10; i++) await who(c, t.method);
        expect(c.instances().find((i) => i.address === dead)!.picks).toBe(picks);
        expect(c.instances().filter((i) => i.state === 'ready').map((i) => i.address).sort()).toEqual([servers[0]!.hostPort, servers[1]!.hostPort].sort());
      } finally {
        await c.close();
      }
    });

    it('fails UNAVAILABLE naming the address when the only instance is unreachable', async () => {
      const c = t.make({ hostPorts: [dead] });
      try {
        const err = await c.genericCall(t.method, '{"message":"x"}').catch((e: unknown) => e);
        expect(err).toBeInstanceOf(RpcError);
        expect((err as RpcError).code).toBe(Code.UNAVAILABLE);
        expect((err as RpcError).message).toContain(dead);
      } finally {
        await c.close();
      }
    });

    it('p2c sends most concurrent calls to the faster of two servers', async () => {
      const slow = await server('slow', 40);
      const fast = await server('fast');
      const c = t.make({ hostPorts: [slow.hostPort, fast.hostPort], balancer: 'p2c', maxConnectionsPerHost: 32 });
      try {
        const counts = new Map<string, number>();
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            for (let i = 0; i < 12; i++) {
              const w = await who(c, t.method);
              counts.set(w, (counts.get(w) ?? 0) + 1);
            }
          }),
        );
        expect(counts.get('fast') ?? 0).toBeGreaterThan(3 * (counts.get('slow') ?? 0));
        expect(c.instances().every((i) => i.inflight === 0)).toBe(true);
      } finally {
        await c.close();
      }
    });

    it('consistent hashing: the hash key from the call, or from a metadata entry', async () => {
      const more = [servers[0]!.hostPort, servers[1]!.hostPort, (await server('c')).hostPort];
      const c = t.make({ hostPorts: more, balancer: 'consistent_hash', consistentHash: { metadataKey: 'x-user' } });
      try {
        for (const user of ['u1', 'u2', 'u3', 'u4']) {
          const a = await who(c, t.method, { hashKey: user });
          const b = await who(c, t.method, { metadata: { 'x-user': user } });
          expect(b).toBe(a);
          for (let i = 0; i < 3; i++) expect(await who(c, t.method, { hashKey: user })).toBe(a);
        }
      } finally {
        await c.close();
      }
    });

    it('closes its connections to an instance that leaves', async () => {
      const proxies = [await startProxy('127.0.0.1', 0, servers[0]!.hostPort), await startProxy('127.0.0.1', 0, servers[1]!.hostPort)];
      const addr = proxies.map((p) => `127.0.0.1:${p.port}`);
      const r = pushResolver(addr.map((address) => ({ address, weight: 10, tags: {} })));
      const c = t.make({ resolver: r, balancer: 'round_robin' });
      try {
        for (let i = 0; i < 4; i++) await who(c, t.method);
        expect(proxies.map((p) => p.open)).toEqual([1, 1]);
        r.push({ remove: [addr[0]!] });
        for (let end = Date.now() + 3000; proxies[0]!.open > 0 && Date.now() < end; ) await new Promise((res) => setTimeout(res, 10));
        expect(proxies[0]!.open).toBe(0);
        for (let i = 0; i < 4; i++) expect(await who(c, t.method)).toBe('b');
        expect(proxies[0]!.accepted).toBe(1);
      } finally {
        await c.close();
        await Promise.all(proxies.map((p) => p.close()));
      }
    });
  });
}

describe('over ttstream (streams)', () => {
  const make = (o: ClientOptions): GenericClient<string, string> => newStreamingClient('streaming', generic, { ...o, transport: 'ttstream' });
  const whoStreams = async (c: GenericClient<string, string>): Promise<string> => {
    const out: string[] = [];
    for await (const m of await c.serverStreaming('EchoServer', '{"message":"x"}')) out.push((JSON.parse(m).message as string).split(':')[0]!);
    return out.join(',');
  };

  it('passes over an unreachable instance when a stream opens, then ejects it', async () => {
    const c = make({ hostPorts: [dead, servers[0]!.hostPort, servers[1]!.hostPort], balancer: 'round_robin' });
    try {
      const seen = new Set<string>();
      for (let i = 0; i < 15; i++) seen.add(await whoStreams(c));
      expect([...seen].sort()).toEqual(['a', 'b']);
      expect(c.instances().find((i) => i.address === dead)).toMatchObject({ ejected: true, state: 'failing' });
    } finally {
      await c.close();
    }
  });

  it('closes its connection to an instance that leaves', async () => {
    const proxies = [await startProxy('127.0.0.1', 0, servers[0]!.hostPort), await startProxy('127.0.0.1', 0, servers[1]!.hostPort)];
    const addr = proxies.map((p) => `127.0.0.1:${p.port}`);
    const r = pushResolver(addr.map((address) => ({ address, weight: 10, tags: {} })));
    const c = make({ resolver: r, balancer: 'round_robin' });
    try {
      for (let i = 0; i < 4; i++) await whoStreams(c);
      expect(proxies.map((p) => p.open)).toEqual([1, 1]);
      r.push({ remove: [addr[0]!] });
      for (let end = Date.now() + 3000; proxies[0]!.open > 0 && Date.now() < end; ) await new Promise((res) => setTimeout(res, 10));
      expect(proxies[0]!.open).toBe(0);
      for (let i = 0; i < 4; i++) expect(await whoStreams(c)).toBe('b');
    } finally {
      await c.close();
      await Promise.all(proxies.map((p) => p.close()));
    }
  });
});

describe('a 10,000-instance service', () => {
  it('with subsetSize 4 connects to 4 instances only, however many calls', async () => {
    const real = [servers[0]!.hostPort, servers[1]!.hostPort, (await server('d')).hostPort, (await server('e')).hostPort];
    // A subset key under which the four real servers outrank every other instance (rendezvous
    // hashing keeps the top scores); the others are addresses nobody listens on.
    let key = '';
    let floor = 0;
    for (let k = 0; floor < 0.6 * 2 ** 32; k++) {
      key = `client-${k}`;
      const seed = hash32(key);
      floor = Math.min(...real.map((a) => hash32(a, seed)));
    }
    const seed = hash32(key);
    const others: Instance[] = [];
    for (let i = 0; others.length < 10_000 - real.length; i++) {
      const address = `127.0.${10 + (i >> 16)}.${(i >> 8) & 255}:${1024 + (i & 255)}`;
      if (hash32(address, seed) < floor) others.push({ address, weight: 10, tags: {} });
    }
    const all = [...others, ...real.map((address) => ({ address, weight: 10, tags: {} }))];
    const c = newStreamingClient('streaming', generic, { resolver: pushResolver(all), subsetSize: 4, subsetKey: key });
    try {
      const seen = new Set<string>();
      for (let i = 0; i < 200; i++) seen.add(await who(c, 'EchoUnary'));
      expect(seen.size).toBe(4);
      const status = c.instances();
      expect(status).toHaveLength(10_000);
      expect(status.filter((i) => i.used).map((i) => i.address).sort()).toEqual([...real].sort());
      expect(status.filter((i) => i.state !== 'idle' || i.picks > 0).map((i) => i.address).sort()).toEqual([...real].sort());
    } finally {
      await c.close();
    }
  });
});
