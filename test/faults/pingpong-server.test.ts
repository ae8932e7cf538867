/**
 * Issue 19, server side of the ping-pong transports: hostile clients written
 * with raw node:net. Each test names the point of the issue it checks. Memory
 * is asserted on what the server reports holding (`diagnostics()`), or on the
 * RSS of a server in a child process, with generous bounds; never on timings.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { newClient, newStreamingClient, Code, RpcError } from '../../src/index.js';
import { THeaderTransform } from '../../src/ttheader/index.js';
import {
  closeAll,
  closedWithin,
  connectRaw,
  eventually,
  quiescent,
  replies,
  requestFrame,
  serve,
  startChildServer,
  thriftGeneric,
  track,
  MiB,
  rpcError,
} from './helpers.js';

afterAll(closeAll);

const echo = (req: string): string => JSON.stringify({ message: (JSON.parse(req) as { message: string }).message });

describe('1. a reply that cannot be encoded never takes the server down', () => {
  it('an unfit declared exception or reply headers over 64 KiB end as an error reply; the process lives on', async () => {
    const child = await startChildServer('thrift', 'hostile');
    const g = await thriftGeneric();
    const hostPorts = [`127.0.0.1:${child.port}`];
    for (const transport of ['ttheader', 'ttheader-unframed', 'framed', 'buffered', 'theader'] as const) {
      const cli = track(newClient('faults', g, { hostPorts, transport }));
      // the declared exception's JSON does not fit Oops (code is an i32): TApplicationException INTERNAL_ERROR
      const unfit = await rpcError(cli.genericCall('Echo', '{"message":"unfit exception"}'));
      expect(unfit.code, transport).toBe(Code.INTERNAL);
      expect(unfit.message, transport).toMatch(/code/);
      // a 70 KB reply header: TTHeader caps its header at 64 KiB, so the reply goes without it
      const big = cli.genericCall('Echo', '{"message":"huge header"}');
      if (transport.startsWith('ttheader')) expect((await rpcError(big)).message, transport).toMatch(/65535/);
      else expect(await big, transport).toBe('{"message":"huge header"}'); // Framed/Buffered drop headers, THeader's fit
      expect(await cli.genericCall('Echo', '{"message":"still here"}'), transport).toBe('{"message":"still here"}');
    }
    // Over gRPC the same handler ends the call with a status.
    const grpc = track(newStreamingClient('faults', g, { hostPorts }));
    expect((await rpcError(grpc.genericCall('Echo', '{"message":"unfit exception"}'))).code).not.toBe(Code.OK);
    expect(await grpc.genericCall('Echo', '{"message":"still here"}')).toBe('{"message":"still here"}');
    expect(child.alive).toBe(true);
  });
});

describe('1. (ttstream) a stream whose end cannot be encoded never takes the server down', () => {
  it('headers or trailers over 64 KiB, an error message over 64 KiB: the stream fails, the server serves on', async () => {
    const big = 'x'.repeat(70_000);
    const server = await serve(await thriftGeneric(), {
      async *Updates(req, ctx) {
        const { message } = JSON.parse(req) as { message: string };
        if (message === 'header') ctx.setHeader('echo', big);
        if (message === 'trailer') ctx.setTrailer('echo', big);
        if (message === 'status') throw new RpcError(Code.ABORTED, big);
        yield JSON.stringify({ message });
      },
    });
    const cli = track(newStreamingClient('faults', await thriftGeneric(), { hostPorts: [server.hostPort], transport: 'ttstream' }));
    const collect = async (message: string): Promise<string[]> => {
      const out: string[] = [];
      for await (const m of await cli.serverStreaming('Updates', JSON.stringify({ message }))) out.push(m);
      return out;
    };
    for (const m of ['header', 'trailer', 'status']) {
      const e = await rpcError(collect(m));
      expect(e.code, m).not.toBe(Code.OK);
    }
    expect(await collect('fine')).toEqual(['{"message":"fine"}']);
    expect(server.diagnostics().ttstreamConnections).toBe(1);
  });
});

describe('2. back-pressure on ping-pong connections', () => {
  it('a client that pipelines and never reads: the server stops reading, holds a bounded amount, then serves everything in order', async () => {
    let handled = 0;
    const server = await serve(await thriftGeneric(), {
      Echo: (req) => {
        handled++;
        return echo(req);
      },
    });
    const sock = await connectRaw(server.address.port);
    sock.pause(); // never read: replies pile up in the kernel, then in the server
    const message = 'm'.repeat(32 * 1024);
    const n = 600; // ~19 MB of requests
    for (let i = 1; i <= n; i++) sock.write(await requestFrame('framed', JSON.stringify({ message }), i));
    // Wait until the server makes no more progress (it is blocked on us), then look at what it holds.
    expect(await quiescent(() => handled, 500, 15_000)).toBe(true);
    const d = server.diagnostics();
    expect(handled).toBeLessThan(n);
    expect(d.pingPongQueuedRequests).toBeLessThanOrEqual(64 + 2); // maxPipelinedRequests, plus one read's worth
    expect(d.pingPongBufferedBytes).toBeLessThan(4 * MiB);
    // Reading again lets everything through, in order.
    const got = replies(sock);
    sock.resume();
    expect(await eventually(() => got.length === n, 20_000)).toBe(true);
    expect(got.map((r) => r.seqId)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(handled).toBe(n);
  });

  it('maxPipelinedRequests caps the requests read ahead per connection', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const server = await serve(await thriftGeneric(), { Echo: async (req) => (await gate, echo(req)) }, { maxPipelinedRequests: 4 });
    const sock = await connectRaw(server.address.port);
    const got = replies(sock);
    const n = 100;
    const frames: Uint8Array[] = [];
    for (let i = 1; i <= n; i++) frames.push(await requestFrame('framed', JSON.stringify({ message: 'q'.repeat(16 * 1024) }), i));
    sock.write(Buffer.concat(frames)); // 1.6 MB: many reads' worth, while the first call hangs
    expect(await quiescent(() => server.diagnostics().pingPongQueuedRequests, 300, 5000)).toBe(true);
    // reading stopped once 4 were waiting; the read that crossed the cap may have brought a few more
    const queued = server.diagnostics().pingPongQueuedRequests;
    expect(queued).toBeGreaterThanOrEqual(4);
    expect(queued).toBeLessThanOrEqual(4 + 4);
    release();
    expect(await eventually(() => got.length === n, 10_000)).toBe(true);
    expect(got.map((r) => r.seqId)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  });

  it('RSS of a server process stays bounded while 256 MB are pushed at it by a client that reads late', async () => {
    const child = await startChildServer('thrift', 'echo');
    const base = await child.resetPeak();
    const sock = await connectRaw(child.port);
    sock.pause();
    const frame = await requestFrame('framed', JSON.stringify({ message: 'r'.repeat(64 * 1024) }), 1);
    const n = 4096; // 4096 × 64 KiB = 256 MiB
    for (let i = 0; i < n; i++) sock.write(frame);
    // blocked: the server may hold a few MB, never the 256 MB sent its way
    expect(await quiescent(async () => (await child.memory()).handled, 500, 30_000)).toBe(true);
    const blocked = await child.memory();
    expect(blocked.peakRss - base.rss).toBeLessThan(96 * MiB);
    expect(blocked.handled).toBeLessThan(n);
    let count = 0;
    let pending = 0;
    sock.on('data', (c: Buffer) => {
      // count replies by their length prefixes, without keeping them
      let p = 0;
      while (p < c.length) {
        if (pending === 0) {
          pending = c.readUInt32BE(p) + 4; // replies are written whole, so a length never straddles reads here
        }
        const take = Math.min(pending, c.length - p);
        pending -= take;
        p += take;
        if (pending === 0) count++;
      }
    });
    sock.resume();
    expect(await eventually(() => count === n, 60_000)).toBe(true);
    const after = await child.memory();
    expect(after.handled).toBe(n);
    expect(after.peakRss - base.rss).toBeLessThan(96 * MiB);
  });
});

describe('a client that goes away', () => {
  it('aborts the signal of the call it left (CANCELLED), also one a handler asks for only afterwards', async () => {
    const seen: unknown[] = [];
    let asked: () => void = () => undefined;
    const hangingUp = new Promise<void>((r) => (asked = r));
    const server = await serve(await thriftGeneric(), {
      Echo: async (req, ctx) => {
        const { message } = JSON.parse(req) as { message: string };
        if (message === 'late') {
          asked();
          await new Promise((r) => setTimeout(r, 200)); // the client is gone by now
          seen.push(ctx.signal.aborted && (ctx.signal.reason as RpcError).code);
          return req;
        }
        seen.push(await new Promise((r) => ctx.signal.addEventListener('abort', () => r((ctx.signal.reason as RpcError).code))));
        return req;
      },
    });
    for (const message of ['early', 'late']) {
      const sock = await connectRaw(server.address.port);
      sock.write(await requestFrame('framed', JSON.stringify({ message }), 1));
      if (message === 'late') await hangingUp;
      else await new Promise((r) => setTimeout(r, 100));
      sock.destroy();
    }
    expect(await eventually(() => seen.length === 2, 5000)).toBe(true);
    expect(seen).toEqual([Code.CANCELLED, Code.CANCELLED]);
  });
});

describe('3. THeader zlib payloads are inflated only up to the receive limit', () => {
  it('a small frame inflating to 16 MiB is refused under a 1 MiB limit (connection closed, handler never called); one under the limit is served', async () => {
    let handled = 0;
    const server = await serve(
      await thriftGeneric(),
      {
        Echo: (req) => {
          handled++;
          return echo(req);
        },
      },
      { maxReceiveMessageBytes: MiB },
    );
    const bomb = await requestFrame('theader', JSON.stringify({ message: 'z'.repeat(16 * MiB) }), 1, { theaderTransforms: [THeaderTransform.Zlib] });
    expect(bomb.length).toBeLessThan(100_000); // 16 MiB of payload in it: a zlib bomb
    const sock = await connectRaw(server.address.port);
    for (let i = 0; i < 50; i++) sock.write(bomb); // pipelined: ~0.8 MB on the wire, 800 MiB if inflated
    expect(await closedWithin(sock, 10_000)).toBe(true);
    expect(handled).toBe(0);
    expect(server.diagnostics().pingPongBufferedBytes).toBeLessThan(MiB);

    const ok = await connectRaw(server.address.port);
    const got = replies(ok);
    ok.write(await requestFrame('theader', JSON.stringify({ message: 'y'.repeat(100_000) }), 7, { theaderTransforms: [THeaderTransform.Zlib] }));
    expect(await eventually(() => got.length === 1, 5000)).toBe(true);
    expect(got[0]!.seqId).toBe(7);
    expect(got[0]!.theaderTransforms).toEqual([THeaderTransform.Zlib]);
    expect(handled).toBe(1);
  });
});

describe('4. the server receive limit is 4 MiB by default', () => {
  it('a 5 MiB request (or 6 MB of empty structs) closes the connection unserved; 3 MiB is served', async () => {
    let handled = 0;
    const server = await serve(await thriftGeneric(), {
      Echo: (req) => {
        handled++;
        return echo(req);
      },
    });
    const empties = `{"message":"","empties":[${'{},'.repeat(6_000_000 - 1)}{}]}`;
    for (const json of [JSON.stringify({ message: 'b'.repeat(5 * MiB) }), empties]) {
      const sock = await connectRaw(server.address.port);
      sock.write(await requestFrame('framed', json, 1));
      expect(await closedWithin(sock, 10_000)).toBe(true);
    }
    expect(handled).toBe(0);
    const sock = await connectRaw(server.address.port);
    const got = replies(sock);
    sock.write(await requestFrame('framed', JSON.stringify({ message: 'c'.repeat(3 * MiB) }), 2));
    expect(await eventually(() => got.length === 1, 10_000)).toBe(true);
    expect(handled).toBe(1);
  });
});

describe('7. read buffers shrink after a large request; idle connections are closed', () => {
  it('after a 3 MiB request the connection holds (almost) nothing; idle, it is closed', async () => {
    const server = await serve(await thriftGeneric(), { Echo: echo }, { idleTimeoutMs: 300 });
    const sock = await connectRaw(server.address.port);
    const got = replies(sock);
    sock.write(await requestFrame('framed', JSON.stringify({ message: 'd'.repeat(3 * MiB) }), 1));
    expect(await eventually(() => got.length === 1, 10_000)).toBe(true);
    expect(await eventually(() => server.diagnostics().pingPongBufferedBytes <= 64 * 1024, 2000)).toBe(true);
    expect(server.diagnostics().pingPongConnections).toBe(1);
    expect(await closedWithin(sock, 10_000)).toBe(true);
    expect(await eventually(() => server.diagnostics().connections === 0, 2000)).toBe(true);
  });

  it('a call that outlasts idleTimeoutMs is not cut: only connections without calls are idle', async () => {
    const server = await serve(await thriftGeneric(), { Echo: async (req) => (await new Promise((r) => setTimeout(r, 600)), echo(req)) }, { idleTimeoutMs: 200 });
    const cli = track(newClient('faults', await thriftGeneric(), { hostPorts: [server.hostPort], transport: 'framed' }));
    expect(await cli.genericCall('Echo', '{"message":"slow"}')).toBe('{"message":"slow"}');
  });
});

describe('9. handshake and idle timeouts (ping-pong side)', () => {
  it('silent connections, and one that never completes a frame, are closed after handshakeTimeoutMs', async () => {
    const server = await serve(await thriftGeneric(), { Echo: echo }, { handshakeTimeoutMs: 300 });
    const silent = await Promise.all(Array.from({ length: 200 }, () => connectRaw(server.address.port)));
    const partial = await connectRaw(server.address.port);
    partial.write((await requestFrame('framed', '{"message":"never finished"}', 1)).subarray(0, 12));
    expect(await eventually(() => server.diagnostics().connections === 201, 5000)).toBe(true);
    const closed = await Promise.all([...silent, partial].map((s) => closedWithin(s, 10_000)));
    expect(closed.every(Boolean)).toBe(true);
    expect(await eventually(() => server.diagnostics().connections === 0, 2000)).toBe(true);
  });

  it('a connection that sends a whole frame in time is past its handshake', async () => {
    const server = await serve(await thriftGeneric(), { Echo: echo }, { handshakeTimeoutMs: 200, idleTimeoutMs: 0 });
    const sock = await connectRaw(server.address.port);
    const got = replies(sock);
    sock.write(await requestFrame('ttheader', '{"message":"hi"}', 1));
    expect(await eventually(() => got.length === 1, 5000)).toBe(true);
    expect(await closedWithin(sock, 600)).toBe(false); // idleTimeoutMs 0: kept
  });

  it('maxConnections: connections over the limit are closed as they arrive', async () => {
    const server = await serve(await thriftGeneric(), { Echo: echo }, { maxConnections: 3 });
    const socks = await Promise.all(Array.from({ length: 6 }, () => connectRaw(server.address.port)));
    const closed = await Promise.all(socks.map((s) => closedWithin(s, 500)));
    expect(closed.filter(Boolean)).toHaveLength(3);
    expect(server.diagnostics().connections).toBe(3);
    // the ones kept are served
    const kept = socks.find((_, i) => !closed[i])!;
    const got = replies(kept);
    kept.write(await requestFrame('framed', '{"message":"in"}', 1));
    expect(await eventually(() => got.length === 1, 5000)).toBe(true);
  });
});
