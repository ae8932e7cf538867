/**
 * gRPC retries (grpc/proposal A6) against real servers that fail the first N calls of a key:
 * grpc-python (the oracle) and idlcall's own server. What crosses the wire is asserted on the
 * server: how many calls arrived and the `grpc-previous-rpc-attempts` each carried.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code, RpcError, jsonPbGeneric, newStreamingClient, protoFileProvider, type AttemptInfo, type ClientOptions, type Generic } from '../../src/index.js';
import { startPythonPeer, type PythonPeer } from '../support/python-peer.js';
import { oracles } from '../support/oracles.js';
import { FLAKY_PROTO, startFlakyServer, type FlakyServer } from './flaky-server.js';

const python = oracles('python-grpc', 'python-grpc-tools');
let generic: Generic<string, string>;
let peer: PythonPeer | undefined;
let own: FlakyServer;
let own2: FlakyServer;
let keySeq = 0;

beforeAll(async () => {
  generic = jsonPbGeneric(await protoFileProvider(FLAKY_PROTO));
  own = await startFlakyServer();
  own2 = await startFlakyServer();
  if (python) peer = await startPythonPeer('test/peers/grpc_flaky_server.py', [FLAKY_PROTO]);
}, 60_000);

afterAll(async () => {
  await Promise.all([own?.close(), own2?.close(), peer?.stop()]);
});

const RETRY = { maxAttempts: 4, initialBackoffMs: 5, maxBackoffMs: 20, backoffMultiplier: 2, retryableCodes: ['UNAVAILABLE' as const] };

function client(hostPorts: string[], extra: Partial<ClientOptions> = {}) {
  return newStreamingClient('flaky', generic, { hostPorts, retry: RETRY, ...extra });
}

/** A fresh key per test: the servers count per key. */
function key(): string {
  return `k${++keySeq}`;
}

async function logOf(hostPort: string, k: string): Promise<{ calls: number; previous: string[]; cancelled: number }> {
  const c = newStreamingClient('flaky', generic, { hostPorts: [hostPort] });
  try {
    const log = JSON.parse(await c.genericCall('Calls', JSON.stringify({ key: k }))) as { calls?: number; previous?: string[]; cancelled?: number };
    return { calls: log.calls ?? 0, previous: log.previous ?? [], cancelled: log.cancelled ?? 0 };
  } finally {
    await c.close();
  }
}

const peers: [string, () => string, boolean][] = [
  ['grpc-python', () => `127.0.0.1:${peer!.port}`, python],
  ['idlcall server', () => own.hostPort, true],
];

for (const [name, address, present] of peers) {
  describe.skipIf(!present)(`gRPC retries against ${name}`, () => {
    it('retries a unary call failing UNAVAILABLE twice; the server sees 3 calls with grpc-previous-rpc-attempts 1 and 2', async () => {
      const k = key();
      const attempts: AttemptInfo[] = [];
      const c = client([address()], { onAttempt: (a) => attempts.push(a) });
      try {
        const res = JSON.parse(await c.genericCall('Unary', JSON.stringify({ key: k, failFirst: 2, code: Code.UNAVAILABLE, text: 'hi' })));
        expect(res).toEqual({ text: 'hi', call: 3 });
      } finally {
        await c.close();
      }
      expect(await logOf(address(), k)).toEqual({ calls: 3, previous: ['', '1', '2'], cancelled: 0 });
      expect(attempts.map((a) => [a.attempt, a.kind, a.after?.code])).toEqual([
        [1, 'first', undefined],
        [2, 'retry', Code.UNAVAILABLE],
        [3, 'retry', Code.UNAVAILABLE],
      ]);
    });

    it('does not retry a status outside retryableCodes', async () => {
      const k = key();
      const c = client([address()]);
      try {
        const err = await c.genericCall('Unary', JSON.stringify({ key: k, failFirst: 1, code: Code.INVALID_ARGUMENT })).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(RpcError);
        expect((err as RpcError).code).toBe(Code.INVALID_ARGUMENT);
      } finally {
        await c.close();
      }
      expect((await logOf(address(), k)).calls).toBe(1);
    });

    it('stops after maxAttempts with the last failure', async () => {
      const k = key();
      const c = client([address()], { retry: { ...RETRY, maxAttempts: 3 } });
      try {
        const err = (await c.genericCall('Unary', JSON.stringify({ key: k, failFirst: 10, code: Code.UNAVAILABLE })).catch((e: unknown) => e)) as RpcError;
        expect(err.code).toBe(Code.UNAVAILABLE);
        expect(err.rawMessage).toBe('failure #3');
      } finally {
        await c.close();
      }
      expect((await logOf(address(), k)).calls).toBe(3);
    });

    it('a server stream whose response started is committed: its failure is not retried', async () => {
      const k = key();
      const c = client([address()]);
      try {
        const s = await c.serverStreaming('Stream', JSON.stringify({ key: k, failFirst: 1, code: Code.UNAVAILABLE, text: 'one' }));
        // Nothing read yet: the response headers alone commit the call, before its failure arrives.
        await s.trailers;
        expect(JSON.parse((await s.recv())!)).toEqual({ text: 'one', call: 1 });
        const err = (await s.recv().catch((e: unknown) => e)) as RpcError;
        expect(err).toBeInstanceOf(RpcError);
        expect(err.code).toBe(Code.UNAVAILABLE);
      } finally {
        await c.close();
      }
      expect((await logOf(address(), k)).calls).toBe(1);
    });

    it('a client stream is replayed from the buffer on the retry', async () => {
      const k = key();
      const c = client([address()]);
      try {
        const s = await c.clientStreaming('Collect');
        for (const text of ['a', 'b', 'c']) await s.send(JSON.stringify({ key: k, failFirst: 1, code: Code.UNAVAILABLE, text }));
        expect(JSON.parse(await s.closeAndRecv())).toEqual({ text: 'a,b,c', call: 2 });
      } finally {
        await c.close();
      }
      expect(await logOf(address(), k)).toMatchObject({ calls: 2, previous: ['', '1'] });
    });

    it('a client stream that outgrows the retry buffer commits and is not retried', async () => {
      const k = key();
      const c = client([address()], { retryBuffer: { perCallBytes: 40 } });
      try {
        const s = await c.clientStreaming('Collect');
        for (const text of ['a', 'b', 'c', 'd']) await s.send(JSON.stringify({ key: k, failFirst: 1, code: Code.UNAVAILABLE, text }));
        const err = (await s.closeAndRecv().catch((e: unknown) => e)) as RpcError;
        expect(err.code).toBe(Code.UNAVAILABLE);
      } finally {
        await c.close();
      }
      expect((await logOf(address(), k)).calls).toBe(1);
    });

    it('retry throttling: failures drain the token bucket and retries stop at half', async () => {
      const k = key();
      // 4 tokens, threshold 2: the first call fails (3 left, retried), fails again (2: no more retries)
      const c = client([address()], { retry: { ...RETRY, maxAttempts: 5 }, retryThrottling: { maxTokens: 4, tokenRatio: 0.1 } });
      try {
        const req = JSON.stringify({ key: k, failFirst: 100, code: Code.UNAVAILABLE });
        await expect(c.genericCall('Unary', req)).rejects.toThrow(RpcError);
        expect((await logOf(address(), k)).calls).toBe(2);
        // the bucket is at 2, then 1: the next call is not retried at all
        await expect(c.genericCall('Unary', req)).rejects.toThrow(RpcError);
        expect((await logOf(address(), k)).calls).toBe(3);
      } finally {
        await c.close();
      }
    });

    it('a call option turns retries off (retry: false)', async () => {
      const k = key();
      const c = client([address()]);
      try {
        await expect(c.genericCall('Unary', JSON.stringify({ key: k, failFirst: 1, code: Code.UNAVAILABLE }), { retry: false })).rejects.toThrow(RpcError);
      } finally {
        await c.close();
      }
      expect((await logOf(address(), k)).calls).toBe(1);
    });

    it('methodConfig gives one method its own policy', async () => {
      const k = key();
      const c = newStreamingClient('flaky', generic, { hostPorts: [address()], methodConfig: { Unary: { retry: { ...RETRY, maxAttempts: 2 } } } });
      try {
        await expect(c.genericCall('Unary', JSON.stringify({ key: k, failFirst: 5, code: Code.UNAVAILABLE }))).rejects.toThrow(RpcError);
      } finally {
        await c.close();
      }
      expect((await logOf(address(), k)).calls).toBe(2);
    });
  });
}

describe.skipIf(!python)('gRPC retry pushback from grpc-python (grpc-retry-pushback-ms)', () => {
  const address = (): string => `127.0.0.1:${peer!.port}`;

  it('a pushback of N ms is honoured: the call is retried', async () => {
    const k = key();
    const attempts: AttemptInfo[] = [];
    const c = client([address()], { onAttempt: (a) => attempts.push(a) });
    try {
      const res = JSON.parse(await c.genericCall('Unary', JSON.stringify({ key: k, failFirst: 1, code: Code.UNAVAILABLE, pushback: '30', text: 'x' })));
      expect(res).toEqual({ text: 'x', call: 2 });
    } finally {
      await c.close();
    }
    // the retry waited exactly the pushback, not a random backoff
    expect(attempts[1]).toMatchObject({ kind: 'retry', delayMs: 30 });
    expect((await logOf(address(), k)).previous).toEqual(['', '1']);
  });

  for (const pushback of ['-1', 'soon']) {
    it(`a pushback of "${pushback}" means do not retry`, async () => {
      const k = key();
      const c = client([address()]);
      try {
        const err = (await c.genericCall('Unary', JSON.stringify({ key: k, failFirst: 3, code: Code.UNAVAILABLE, pushback })).catch((e: unknown) => e)) as RpcError;
        expect(err.code).toBe(Code.UNAVAILABLE);
      } finally {
        await c.close();
      }
      expect((await logOf(address(), k)).calls).toBe(1);
    });
  }
});

describe('gRPC retries go to another instance when more than one is known', () => {
  it('the retry of a call that failed on one server goes to the other', async () => {
    const k = key();
    const attempts: AttemptInfo[] = [];
    const c = client([own.hostPort, own2.hostPort], { onAttempt: (a) => attempts.push(a) });
    try {
      // each server fails its first call of the key: attempts 1 and 2 fail on different servers, 3 succeeds
      const res = JSON.parse(await c.genericCall('Unary', JSON.stringify({ key: k, failFirst: 1, code: Code.UNAVAILABLE, text: 'x' })));
      expect(res).toEqual({ text: 'x', call: 2 });
    } finally {
      await c.close();
    }
    expect(new Set(attempts.slice(0, 2).map((a) => a.hostPort))).toEqual(new Set([own.hostPort, own2.hostPort]));
    expect(own.logs.get(k)!.calls + own2.logs.get(k)!.calls).toBe(3);
    expect([...own.logs.get(k)!.previous, ...own2.logs.get(k)!.previous].sort()).toEqual(['', '1', '2']);
  });
});

describe('gRPC retries end with the call', () => {
  const slowBackoff = { maxAttempts: 3, initialBackoffMs: 60_000, maxBackoffMs: 60_000, retryableCodes: ['UNAVAILABLE' as const] };

  it('aborting the call during a backoff ends it at once with CANCELLED; nothing more is sent', async () => {
    const k = key();
    const ac = new AbortController();
    const c = newStreamingClient('flaky', generic, { hostPorts: [own.hostPort], retry: slowBackoff });
    try {
      const result = c.genericCall('Unary', JSON.stringify({ key: k, failFirst: 5, code: Code.UNAVAILABLE }), { signal: ac.signal }).catch((e: unknown) => e);
      for (let i = 0; i < 200 && !own.logs.get(k); i++) await new Promise((r) => setTimeout(r, 10));
      ac.abort();
      const err = (await result) as RpcError;
      expect(err).toBeInstanceOf(RpcError);
      expect(err.code).toBe(Code.CANCELLED);
    } finally {
      await c.close();
    }
    expect(own.logs.get(k)!.calls).toBe(1);
  });

  it('cancelling a stream during a backoff ends it at once', async () => {
    const k = key();
    const c = newStreamingClient('flaky', generic, { hostPorts: [own.hostPort], retry: slowBackoff });
    try {
      const s = await c.clientStreaming('Collect');
      await s.send(JSON.stringify({ key: k, failFirst: 5, code: Code.UNAVAILABLE, text: 'a' }));
      const result = s.closeAndRecv().catch((e: unknown) => e);
      for (let i = 0; i < 200 && !own.logs.get(k); i++) await new Promise((r) => setTimeout(r, 10));
      s.cancel('enough');
      const err = (await result) as RpcError;
      expect(err.code).toBe(Code.CANCELLED);
      expect(err.rawMessage).toBe('enough');
    } finally {
      await c.close();
    }
    expect(own.logs.get(k)!.calls).toBe(1);
  });

  it('no retry starts when its backoff would outlast the deadline', async () => {
    const k = key();
    const c = newStreamingClient('flaky', generic, { hostPorts: [own.hostPort], retry: slowBackoff, timeoutMs: 2000 });
    try {
      // the backoff is at most 60 s and at least 0: a retry that would wait past the deadline is not made
      const err = (await c.genericCall('Unary', JSON.stringify({ key: k, failFirst: 5, code: Code.UNAVAILABLE }), { retry: { ...slowBackoff, initialBackoffMs: 1e9, maxBackoffMs: 1e9 } }).catch((e: unknown) => e)) as RpcError;
      expect(err.code).toBe(Code.UNAVAILABLE);
    } finally {
      await c.close();
    }
    expect(own.logs.get(k)!.calls).toBe(1);
  });
});

describe('methodConfig timeoutMs', () => {
  it("is the method's default deadline; a call's own timeoutMs wins", async () => {
    const c = newStreamingClient('flaky', generic, { hostPorts: [own.hostPort], methodConfig: { Unary: { timeoutMs: 50 } } });
    try {
      const err = (await c.genericCall('Unary', JSON.stringify({ key: key(), delayMs: 5000 })).catch((e: unknown) => e)) as RpcError;
      expect(err.code).toBe(Code.DEADLINE_EXCEEDED);
      expect(JSON.parse(await c.genericCall('Unary', JSON.stringify({ key: key(), delayMs: 100, text: 'late' }), { timeoutMs: 5000 }))).toMatchObject({ text: 'late' });
    } finally {
      await c.close({ graceMs: 0 });
    }
  });
});
