/**
 * Circuit breakers: the state machine on a clock the test moves, then per method and per
 * instance against idlcall servers over gRPC and TTHeader — an open breaker refuses calls
 * without sending them (the server's count stands still), a trial after `openMs` closes it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Code, RpcError, newClient, newStreamingClient, type ClientOptions, type Generic, type RequestMetadata } from '../../src/index.js';
import { CircuitBreaker } from '../../src/governance/circuit-breaker/index.js';
import { echoRequest, useServers, type MisbehavingServer } from './pingpong-server.js';

describe('CircuitBreaker state machine', () => {
  const settings = { errorRate: 0.5, minSamples: 4, windowMs: 1000, openMs: 500 };

  it('stays closed below the minimum sample, opens at the error rate, refuses while open', () => {
    const b = new CircuitBreaker(settings);
    for (let i = 0; i < 3; i++) b.record(true, 10);
    expect(b.state(10)).toBe('closed'); // 3 failures, but fewer than 4 samples
    b.record(false, 20);
    expect(b.state(20)).toBe('closed'); // 3 of 4 failed, but only a failure opens it
    b.record(true, 30);
    expect(b.state(30)).toBe('open'); // 4 of 5
    expect(b.allow(40)).toBe(false);
  });

  it('old outcomes leave the window', () => {
    const b = new CircuitBreaker(settings);
    for (let i = 0; i < 3; i++) b.record(true, 0);
    b.record(true, 2000); // the first three are out of the 1 s window: one sample
    expect(b.state(2000)).toBe('closed');
  });

  it('half-open after openMs: one trial at a time; its failure reopens, its success closes', () => {
    const b = new CircuitBreaker(settings);
    for (let i = 0; i < 4; i++) b.record(true, 0);
    expect(b.state(499)).toBe('open');
    expect(b.state(500)).toBe('half-open');
    expect(b.allow(500)).toBe(true);
    expect(b.allow(501)).toBe(false); // the trial is under way
    b.record(true, 510);
    expect(b.state(510)).toBe('open');
    expect(b.allow(1009)).toBe(false);
    expect(b.allow(1010)).toBe(true);
    b.record(false, 1020);
    expect(b.state(1020)).toBe('closed');
    expect(b.allow(1020)).toBe(true);
  });

  it('a trial cancelled by the caller frees the slot without a verdict', () => {
    const b = new CircuitBreaker(settings);
    for (let i = 0; i < 4; i++) b.record(true, 0);
    expect(b.allow(600)).toBe(true);
    b.abandon();
    expect(b.state(600)).toBe('half-open');
    expect(b.allow(600)).toBe(true);
  });
});

const fixture = useServers('a', 'b');
let generic: Generic<string, string>;
let a: MisbehavingServer;
let b: MisbehavingServer;

beforeAll(() => {
  generic = fixture.generic;
  [a, b] = fixture.servers as [MisbehavingServer, MisbehavingServer];
});

const key = fixture.key;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const failure = (p: Promise<unknown>): Promise<RpcError> => p.then(() => { throw new Error('the call succeeded'); }, (e: unknown) => e as RpcError);

const cases: [string, 'EchoUnary' | 'EchoPingPong', (o: ClientOptions) => ReturnType<typeof newClient<string, string>>][] = [
  ['gRPC', 'EchoUnary', (o) => newStreamingClient('echo', generic, o)],
  ['TTHeader', 'EchoPingPong', (o) => newClient('echo', generic, { ...o, transport: 'ttheader' })],
];

for (const [name, method, make] of cases) {
  describe(`circuit breakers over ${name}`, () => {
    it('a method breaker opens on failures, refuses calls unsent, and a trial after openMs closes it', async () => {
      const k = key();
      const c = make({ hostPorts: [a.hostPort], circuitBreaker: { errorRate: 0.5, minSamples: 4, openMs: 1000, failureCodes: ['UNAVAILABLE', 'INTERNAL'], perInstance: false } });
      try {
        for (let i = 0; i < 4; i++) await failure(c.genericCall(method, echoRequest({ key: k, failFirst: 100 })));
        expect(a.logs.get(k)!.calls).toBe(4);
        const refused = await failure(c.genericCall(method, echoRequest({ key: k })));
        expect(refused.code).toBe(Code.UNAVAILABLE);
        expect(refused.rawMessage).toBe(`circuit breaker for echo/${method} is open`);
        expect(a.logs.get(k)!.calls).toBe(4); // not sent
        await sleep(1100);
        // half-open: a trial that fails opens it again
        await failure(c.genericCall(method, echoRequest({ key: k, failFirst: 100 })));
        expect(a.logs.get(k)!.calls).toBe(5);
        expect((await failure(c.genericCall(method, echoRequest({ key: k })))).rawMessage).toMatch(/is open$/);
        await sleep(1100);
        // a trial that succeeds closes it
        const k2 = key();
        JSON.parse(await c.genericCall(method, echoRequest({ key: k2, text: 'ok' })));
        for (let i = 0; i < 3; i++) await c.genericCall(method, echoRequest({ key: k2 }));
        expect(a.logs.get(k2)!.calls).toBe(4);
      } finally {
        await c.close();
      }
    });

    it('a trial that never went out (bad metadata) leaves the half-open breaker free for the next', async () => {
      const k = key();
      const c = make({ hostPorts: [a.hostPort], circuitBreaker: { errorRate: 0.5, minSamples: 1, openMs: 100, failureCodes: ['UNAVAILABLE', 'INTERNAL'], perMethod: false } });
      try {
        await failure(c.genericCall(method, echoRequest({ key: k, failFirst: 1 })));
        await sleep(150);
        // gRPC refuses a reserved header name, TTHeader a binary value, before anything is sent
        const bad: RequestMetadata = method === 'EchoUnary' ? { 'grpc-x': 'y' } : { x: new Uint8Array(1) };
        await expect(c.genericCall(method, echoRequest({ key: k }), { metadata: bad })).rejects.toThrow();
        expect(JSON.parse(await c.genericCall(method, echoRequest({ key: k, text: 't' }))).message).toBe('a:t:2');
      } finally {
        await c.close();
      }
    });

    it('an instance breaker takes the failing instance out of the rotation; all open → UNAVAILABLE', async () => {
      const k = key();
      const opts: ClientOptions = {
        hostPorts: [a.hostPort, b.hostPort],
        circuitBreaker: { errorRate: 0.5, minSamples: 3, openMs: 60_000, failureCodes: ['UNAVAILABLE', 'INTERNAL'], perMethod: false },
      };
      const c = make(opts);
      const c2 = make(opts);
      try {
        // instance a fails every call: after three of them its breaker opens
        for (let i = 0; i < 8; i++) await c.genericCall(method, echoRequest({ key: k, failFirst: 1000, failAt: 'a' })).catch(() => undefined);
        expect(a.logs.get(k)!.calls).toBe(3);
        const before = b.logs.get(k)!.calls;
        for (let i = 0; i < 6; i++) expect(JSON.parse(await c.genericCall(method, echoRequest({ key: k, failAt: 'a' }))).message).toMatch(/^b:/);
        expect(b.logs.get(k)!.calls).toBe(before + 6);
        expect(a.logs.get(k)!.calls).toBe(3);
        // another client, both instances failing: both breakers open after three calls each, and nothing is left
        const k2 = key();
        for (let i = 0; i < 6; i++) await failure(c2.genericCall(method, echoRequest({ key: k2, failFirst: 1000 })));
        const err = await failure(c2.genericCall(method, echoRequest({ key: k2 })));
        expect(err.code).toBe(Code.UNAVAILABLE);
        expect(err.rawMessage).toBe('circuit breaker is open for every instance of echo');
        expect([a.logs.get(k2)!.calls, b.logs.get(k2)!.calls]).toEqual([3, 3]);
      } finally {
        await Promise.all([c.close(), c2.close()]);
      }
    });
  });
}
