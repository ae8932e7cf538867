/**
 * Hedging (gRPC's hedgingPolicy, Kitex's backup request) against two idlcall servers, one of
 * them slow: the fast answer wins, and the slow server sees its call cancelled — RST_STREAM over
 * gRPC, the connection closed over ping-pong — through its handler's AbortSignal.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Code, RpcError, newClient, newStreamingClient, type AttemptInfo, type ClientOptions, type Generic } from '../../src/index.js';
import { echoRequest, useServers, type MisbehavingServer } from './pingpong-server.js';

const fixture = useServers('slow', 'fast');
let generic: Generic<string, string>;
let slow: MisbehavingServer;
let fast: MisbehavingServer;

beforeAll(() => {
  generic = fixture.generic;
  [slow, fast] = fixture.servers as [MisbehavingServer, MisbehavingServer];
});

const key = fixture.key;

/** Waits (bounded) until `cond` holds; the server learns of a cancellation a moment after the client sent it. */
async function eventually(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
}

const cases: [string, 'EchoUnary' | 'EchoPingPong', (o: ClientOptions) => ReturnType<typeof newClient<string, string>>][] = [
  ['gRPC unary', 'EchoUnary', (o) => newStreamingClient('echo', generic, o)],
  ['ping-pong over TTHeader', 'EchoPingPong', (o) => newClient('echo', generic, { ...o, transport: 'ttheader' })],
  ['ping-pong over Framed', 'EchoPingPong', (o) => newClient('echo', generic, { ...o, transport: 'framed' })],
];

for (const [name, method, make] of cases) {
  describe(`hedging: ${name}`, () => {
    it('the fast instance answers; the slow one sees its attempt cancelled', async () => {
      const k = key();
      const attempts: AttemptInfo[] = [];
      const c = make({
        hostPorts: [slow.hostPort, fast.hostPort],
        // long enough that the fast instance always answers a first attempt before its hedge is due, even on a busy machine
        hedging: { maxAttempts: 2, hedgingDelayMs: 300, maxRetryRatio: 1 },
        onAttempt: (x) => attempts.push(x),
      });
      try {
        for (let i = 0; i < 4; i++) {
          const res = JSON.parse(await c.genericCall(method, echoRequest({ key: k, slowAt: 'slow', delayMs: 5000, text: String(i) }))) as { message: string };
          expect(res.message).toMatch(new RegExp(`^fast:${i}:\\d+$`));
        }
        // the balancer sent some first attempts to the slow instance; each of those got a hedge to the fast one
        const hedges = attempts.filter((x) => x.kind === 'hedge');
        const slowCalls = slow.logs.get(k)?.calls ?? 0;
        expect(slowCalls).toBeGreaterThan(0);
        expect(hedges.length).toBe(slowCalls);
        expect(hedges.every((x) => x.hostPort === fast.hostPort)).toBe(true);
        expect(fast.logs.get(k)!.calls).toBe(4);
        // the client is still open: what cancelled the slow attempts is the hedge's win, not close()
        await eventually(() => slow.logs.get(k)!.cancelled === slowCalls);
        expect(slow.logs.get(k)!.cancelled).toBe(slowCalls);
      } finally {
        await c.close({ graceMs: 0 });
      }
    });

    it('a non-fatal failure sends the next attempt at once; a fatal one ends the call', async () => {
      const k = key();
      const c = make({ hostPorts: [fast.hostPort], hedging: { maxAttempts: 3, hedgingDelayMs: 60_000, nonFatalCodes: ['UNAVAILABLE', 'INTERNAL'], maxRetryRatio: 1 } });
      try {
        // two quick failures, then an answer: without the shortcut this would wait a minute
        const res = JSON.parse(await c.genericCall(method, echoRequest({ key: k, failFirst: 2, text: 'n' }))) as { message: string };
        expect(res.message).toBe('fast:n:3');
        const k2 = key();
        const err = (await c.genericCall(method, echoRequest({ key: k2, failFirst: 2 }), { hedging: { maxAttempts: 3, hedgingDelayMs: 60_000 } }).catch((e: unknown) => e)) as RpcError;
        expect(err).toBeInstanceOf(RpcError);
        expect([Code.UNAVAILABLE, Code.INTERNAL]).toContain(err.code);
        expect(fast.logs.get(k2)!.calls).toBe(1);
      } finally {
        await c.close();
      }
    });
  });
}
