/**
 * Kitex's failure retry for ping-pong calls, over TTHeader and Framed, against idlcall's
 * generic server: per-attempt timeouts retried, other failures only when `retryableCodes` says
 * so, the max duration, the retry-ratio breaker, another instance. Counted on the server.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Code, RpcError, newClient, type AttemptInfo, type ClientOptions, type Generic } from '../../src/index.js';
import { echoRequest, useServers, type MisbehavingServer } from './pingpong-server.js';

const fixture = useServers('a', 'b');
let generic: Generic<string, string>;
let a: MisbehavingServer;
let b: MisbehavingServer;

beforeAll(() => {
  generic = fixture.generic;
  [a, b] = fixture.servers as [MisbehavingServer, MisbehavingServer];
});

const key = fixture.key;

for (const transport of ['ttheader', 'framed'] as const) {
  describe(`ping-pong failure retry over ${transport}`, () => {
    const client = (extra: Partial<ClientOptions> = {}, hostPorts = [a.hostPort]) =>
      newClient('echo', generic, { hostPorts, transport, retry: { maxAttempts: 3 }, ...extra });

    it('retries attempts that time out (each attempt has the whole timeout, as in Kitex)', async () => {
      const k = key();
      const attempts: AttemptInfo[] = [];
      const c = client({ timeoutMs: 500, onAttempt: (x) => attempts.push(x) });
      try {
        const res = JSON.parse(await c.genericCall('EchoPingPong', echoRequest({ key: k, slowFirst: 2, delayMs: 5000, text: 't' })));
        expect(res).toEqual({ message: 'a:t:3' });
      } finally {
        await c.close();
      }
      expect(a.logs.get(k)!.calls).toBe(3);
      expect(attempts.map((x) => [x.kind, x.after?.code])).toEqual([
        ['first', undefined],
        ['retry', Code.DEADLINE_EXCEEDED],
        ['retry', Code.DEADLINE_EXCEEDED],
      ]);
    });

    it('does not retry an application exception by default', async () => {
      const k = key();
      const c = client();
      try {
        const err = (await c.genericCall('EchoPingPong', echoRequest({ key: k, failFirst: 1 })).catch((e: unknown) => e)) as RpcError;
        expect(err).toBeInstanceOf(RpcError);
        expect(err.code).toBe(Code.INTERNAL);
      } finally {
        await c.close();
      }
      expect(a.logs.get(k)!.calls).toBe(1);
    });

    it('retries it when retryableCodes says so', async () => {
      const k = key();
      const c = client({ retry: { maxAttempts: 3, retryableCodes: ['INTERNAL'] } });
      try {
        expect(JSON.parse(await c.genericCall('EchoPingPong', echoRequest({ key: k, failFirst: 2, text: 'r' })))).toEqual({ message: 'a:r:3' });
      } finally {
        await c.close();
      }
      expect(a.logs.get(k)!.calls).toBe(3);
    });

    it('no retry starts once maxDurationMs has passed', async () => {
      const k = key();
      const c = client({ timeoutMs: 50, retry: { maxAttempts: 6, maxDurationMs: 1 } });
      try {
        const err = (await c.genericCall('EchoPingPong', echoRequest({ key: k, slowFirst: 9, delayMs: 2000 })).catch((e: unknown) => e)) as RpcError;
        expect(err.code).toBe(Code.DEADLINE_EXCEEDED);
      } finally {
        await c.close();
      }
      expect(a.logs.get(k)!.calls).toBe(1);
    });

    it('the retry-ratio breaker keeps retries under 10% of the attempts once 10 were seen', async () => {
      const k = key();
      const c = client({ retry: { maxAttempts: 2, retryableCodes: ['INTERNAL'] } });
      try {
        for (let i = 0; i < 20; i++) await expect(c.genericCall('EchoPingPong', echoRequest({ key: k, failFirst: 1000 }))).rejects.toThrow(RpcError);
      } finally {
        await c.close();
      }
      // 5 calls retried (10 attempts, half of them retries), then none: 20 first attempts + 5 retries
      expect(a.logs.get(k)!.calls).toBe(25);
    });

    it('a retry goes to the other instance', async () => {
      const k = key();
      const attempts: AttemptInfo[] = [];
      const c = client({ retry: { maxAttempts: 3, retryableCodes: ['INTERNAL'] }, onAttempt: (x) => attempts.push(x) }, [a.hostPort, b.hostPort]);
      try {
        // each server fails its first call of the key: attempts 1 and 2 fail on different servers, 3 succeeds
        const res = JSON.parse(await c.genericCall('EchoPingPong', echoRequest({ key: k, failFirst: 1, text: 'o' }))) as { message: string };
        expect(res.message).toMatch(/^[ab]:o:2$/);
      } finally {
        await c.close();
      }
      expect(new Set(attempts.slice(0, 2).map((x) => x.hostPort))).toEqual(new Set([a.hostPort, b.hostPort]));
      expect(a.logs.get(k)!.calls + b.logs.get(k)!.calls).toBe(3);
    });
  });
}
