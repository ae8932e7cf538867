/**
 * `dns:` targets against a tiny DNS server on loopback: the resolver follows a changed answer
 * (on its period, and soon after a connection fails), reports only what changed, and a client
 * keeps its connection to an address that remains while it drops one that went.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dnsResolver,
  jsonThriftGeneric,
  newClient,
  newGenericServer,
  newStreamingClient,
  thriftFileProvider,
  type GenericServer,
  type InstanceChange,
} from '../../src/index.js';
import { parseDnsTarget } from '../../src/discovery/index.js';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.js';
import { startProxy, type TcpProxy } from '../support/tcp-proxy.js';

const IDL = 'examples/idl/streaming.thrift';
const NAME = 'svc.idlcall.test';

/** Polls until `cond` holds (bounded). */
async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let dns: TestDnsServer;
const servers: GenericServer<string, string>[] = [];
/** Two instances at 127.0.0.2:P and 127.0.0.3:P (one port, as DNS instances share it), each a counting forwarder to a server. */
let proxies: TcpProxy[] = [];
let port = 0;

beforeAll(async () => {
  dns = await startDnsServer();
  const g = jsonThriftGeneric(await thriftFileProvider(IDL));
  for (const name of ['two', 'three']) {
    const reply = (req: string): string => JSON.stringify({ message: `${name}:${JSON.parse(req).message}` });
    const s = newGenericServer(g, { EchoPingPong: reply, EchoUnary: reply });
    await s.start();
    servers.push(s);
  }
  const first = await startProxy('127.0.0.2', 0, servers[0]!.hostPort);
  port = first.port;
  proxies = [first, await startProxy('127.0.0.3', port, servers[1]!.hostPort)];
});

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await Promise.all(servers.map((s) => s.close()));
  await dns?.close();
});

describe('dns: targets', () => {
  it('parse as gRPC names them', () => {
    expect(parseDnsTarget('dns:///example.com:50051')).toEqual({ authority: undefined, host: 'example.com', port: 50051 });
    expect(parseDnsTarget('dns://10.0.0.2:53/example.com')).toEqual({ authority: '10.0.0.2:53', host: 'example.com', port: 443 });
    expect(parseDnsTarget('dns:[::1]:8888')).toEqual({ authority: undefined, host: '::1', port: 8888 });
    expect(() => parseDnsTarget('dns:///a:b:c')).toThrow(/host\[:port\]/);
  });

  it('the resolver reports the first answer whole, then only what changed', async () => {
    dns.set(NAME, ['10.0.0.1']);
    const r = dnsResolver(`dns://${dns.authority}/${NAME}:7000`, { refreshMs: 30 });
    const changes: InstanceChange[] = [];
    const stop = r.watch!('any', (c) => changes.push(c));
    await until(() => changes.length === 1, 'the first answer');
    expect(changes[0]).toEqual({ full: true, upsert: [{ address: '10.0.0.1:7000', weight: 10, tags: {} }] });
    dns.set(NAME, ['10.0.0.1', '10.0.0.2']);
    await until(() => changes.length === 2, 'a join');
    expect(changes[1]).toEqual({ upsert: [{ address: '10.0.0.2:7000', weight: 10, tags: {} }], remove: [] });
    dns.set(NAME, ['10.0.0.2']);
    await until(() => changes.length === 3, 'a leave');
    expect(changes[2]).toEqual({ upsert: [], remove: ['10.0.0.1:7000'] });
    // Unchanged answers report nothing.
    const asked = dns.queries;
    await until(() => dns.queries > asked + 4, 'more lookups');
    expect(changes).toHaveLength(3);
    stop();
    await r.close?.();
  });

  it('a client follows a changed answer, keeping its connection to the address that stays', async () => {
    dns.set(NAME, ['127.0.0.2']);
    const g = jsonThriftGeneric(await thriftFileProvider(IDL));
    const cli = newStreamingClient('streaming', g, { resolver: dnsResolver(`dns://${dns.authority}/${NAME}:${port}`, { refreshMs: 50 }) });
    try {
      const who = async (): Promise<string> => JSON.parse(await cli.genericCall('EchoUnary', '{"message":"hi"}')).message as string;
      expect(await who()).toBe('two:hi');
      const acceptedBefore = proxies[0]!.accepted;
      dns.set(NAME, ['127.0.0.2', '127.0.0.3']);
      const seen = new Set<string>();
      await until(async () => {
        seen.add(await who());
        return seen.has('three:hi');
      }, 'calls to the new address');
      expect(seen.has('two:hi')).toBe(true);
      expect(proxies[0]!.accepted).toBe(acceptedBefore); // the same connection throughout
      dns.set(NAME, ['127.0.0.3']);
      // The address that left loses its connection; calls go to the one that stays.
      await until(() => proxies[0]!.open === 0, 'the connection to the address that left to close');
      for (let i = 0; i < 5; i++) expect(await who()).toBe('three:hi');
    } finally {
      await cli.close();
    }
  });

  it('looks again soon after a connection fails, however long the period (ping-pong)', async () => {
    dns.set(NAME, ['127.0.0.2']);
    const g = jsonThriftGeneric(await thriftFileProvider(IDL));
    const cli = newClient('streaming', g, {
      resolver: dnsResolver(`dns://${dns.authority}/${NAME}:${port}`, { refreshMs: 600_000, minRefreshMs: 0 }),
    });
    try {
      const who = async (): Promise<string> => JSON.parse(await cli.genericCall('EchoPingPong', '{"message":"hi"}')).message as string;
      expect(await who()).toBe('two:hi');
      // The instance at .2 goes away and DNS now answers .3; the period alone would not notice for 10 minutes.
      dns.set(NAME, ['127.0.0.3']);
      await proxies[0]!.close();
      proxies[0] = await startProxy('127.0.0.4', 0, servers[0]!.hostPort); // keep afterAll simple
      await until(async () => {
        try {
          return (await who()) === 'three:hi';
        } catch {
          return false; // the failing call is what triggers the lookup
        }
      }, 'the client to move to the new answer');
    } finally {
      await cli.close();
    }
  });
});
