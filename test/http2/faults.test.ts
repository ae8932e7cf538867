import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import http2 from 'node:http2';
import net from 'node:net';
import zlib from 'node:zlib';
import { Code, RpcError } from '../../src/errors/index.js';
import { GrpcChannel, unaryCall } from '../../src/http2/index.js';
import type { ChannelOptions, ClientCall, RequestMetadata } from '../../src/http2/index.js';
import { frame, startHostileServer } from '../support/hostile-h2-server.js';
import type { HostileServer } from '../support/hostile-h2-server.js';
import { activeResources, settleResources } from '../support/resources.js';
import type { ResourceCounts } from '../support/resources.js';

const { NGHTTP2_CANCEL, NGHTTP2_INTERNAL_ERROR, NGHTTP2_REFUSED_STREAM, NGHTTP2_NO_ERROR } = http2.constants;
const GRPC_OK = { ':status': 200, 'content-type': 'application/grpc' };

let srv: HostileServer;
let baseline: ResourceCounts;
let channel: GrpcChannel | undefined;

function open(extra: Partial<ChannelOptions> = {}): GrpcChannel {
  channel = new GrpcChannel({ hostPorts: [`127.0.0.1:${srv.port}`], ...extra });
  return channel;
}

async function codeOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return Code.OK;
  } catch (e) {
    if (!(e instanceof RpcError)) throw e;
    return e.code;
  }
}

async function drainCode(call: ClientCall): Promise<{ code: number; messages: number }> {
  let messages = 0;
  try {
    while ((await call.recv()) !== undefined) messages++;
    return { code: Code.OK, messages };
  } catch (e) {
    return { code: (e as RpcError).code, messages };
  }
}

/** Responds with headers, data and status trailers. */
function respondWithTrailers(stream: http2.ServerHttp2Stream, data: Buffer[], trailers: Record<string, string>): void {
  stream.respond(GRPC_OK, { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers(trailers));
  for (const d of data) stream.write(d);
  stream.end();
}

beforeAll(async () => {
  srv = await startHostileServer();
  baseline = activeResources();
});
afterAll(async () => {
  await srv.close();
});
beforeEach(() => {
  srv.handler = (stream) => stream.respond({ ...GRPC_OK, 'grpc-status': '0' }, { endStream: true });
});
afterEach(async () => {
  await channel?.close();
  channel = undefined;
  // Nothing may leak: no stream open on the server, no socket/timer left in this process.
  expect(await srv.settle()).toBe(0);
  expect(await settleResources(baseline)).toEqual({});
});

describe('status from the wire', () => {
  it('server resets mid-stream (INTERNAL_ERROR → INTERNAL) after one message', async () => {
    srv.handler = (stream) => {
      stream.respond(GRPC_OK);
      stream.write(frame(Buffer.from('one')));
      setTimeout(() => stream.close(NGHTTP2_INTERNAL_ERROR), 20);
    };
    const call = open().call({ path: '/t.S/M' });
    call.closeSend();
    expect(await drainCode(call)).toEqual({ code: Code.INTERNAL, messages: 1 });
  });

  it('RST_STREAM CANCEL → CANCELLED, REFUSED_STREAM → UNAVAILABLE', async () => {
    const ch = open();
    srv.handler = (stream) => stream.close(NGHTTP2_CANCEL);
    expect(await codeOf(unaryCall(ch, { path: '/t.S/M' }, Buffer.from('x')))).toBe(Code.CANCELLED);
    srv.handler = (stream) => stream.close(NGHTTP2_REFUSED_STREAM);
    expect(await codeOf(unaryCall(ch, { path: '/t.S/M' }, Buffer.from('x')))).toBe(Code.UNAVAILABLE);
  });

  it('GOAWAY during calls: refused streams UNAVAILABLE, next call reconnects', async () => {
    const ch = open();
    let n = 0;
    srv.handler = (stream, _h, session) => {
      if (++n === 2) {
        // Second stream arrives: tell the client only stream 1 will be processed.
        session.goaway(NGHTTP2_NO_ERROR, 1);
        return;
      }
      // Stream 1 hangs until after the GOAWAY, then completes normally.
      setTimeout(() => respondWithTrailers(stream, [frame(Buffer.from('ok'))], { 'grpc-status': '0' }), 50);
    };
    const first = codeOf(unaryCall(ch, { path: '/t.S/M' }, Buffer.from('a')));
    await new Promise((r) => setTimeout(r, 20));
    const second = codeOf(unaryCall(ch, { path: '/t.S/M' }, Buffer.from('b')));
    expect(await first).toBe(Code.OK);
    expect(await second).toBe(Code.UNAVAILABLE);
    srv.handler = (stream) => respondWithTrailers(stream, [frame(Buffer.from('again'))], { 'grpc-status': '0' });
    const r = await unaryCall(ch, { path: '/t.S/M' }, Buffer.from('c'));
    expect(Buffer.from(r.message).toString()).toBe('again');
  });

  it('GOAWAY with an error code fails running calls UNAVAILABLE', async () => {
    srv.handler = (_stream, _h, session) => setTimeout(() => session.goaway(NGHTTP2_INTERNAL_ERROR, 0), 10);
    expect(await codeOf(unaryCall(open(), { path: '/t.S/M' }, Buffer.from('x')))).toBe(Code.UNAVAILABLE);
  });

  it('connection dropped mid-message → UNAVAILABLE', async () => {
    srv.handler = (stream) => {
      stream.respond(GRPC_OK);
      stream.write(frame(Buffer.alloc(10), 0, 100));
      setTimeout(() => srv.dropConnections(), 20);
    };
    const ch = open();
    expect(await codeOf(unaryCall(ch, { path: '/t.S/M' }, Buffer.from('x')))).toBe(Code.UNAVAILABLE);
    // The dead session is replaced on the next call.
    srv.handler = (stream) => respondWithTrailers(stream, [frame(Buffer.from('back'))], { 'grpc-status': '0' });
    expect(await codeOf(unaryCall(ch, { path: '/t.S/M' }, Buffer.from('x')))).toBe(Code.OK);
  });

  it('trailers missing → INTERNAL', async () => {
    srv.handler = (stream) => {
      stream.respond(GRPC_OK);
      stream.end(frame(Buffer.from('data')));
    };
    expect(await codeOf(unaryCall(open(), { path: '/t.S/M' }, Buffer.from('x')))).toBe(Code.INTERNAL);
  });

  it('HTTP 503 → UNAVAILABLE, 404 → UNIMPLEMENTED, 401 → UNAUTHENTICATED', async () => {
    const ch = open();
    for (const [http, code] of [
      [503, Code.UNAVAILABLE],
      [404, Code.UNIMPLEMENTED],
      [401, Code.UNAUTHENTICATED],
    ] as const) {
      srv.handler = (stream) => {
        stream.respond({ ':status': http, 'content-type': 'text/plain' });
        stream.end('nope');
      };
      expect(await codeOf(unaryCall(ch, { path: '/t.S/M' }, Buffer.from('x')))).toBe(code);
    }
  });

  it('a grpc-status in a trailers-only response wins over the HTTP status', async () => {
    srv.handler = (stream) => stream.respond({ ':status': 503, 'grpc-status': '8', 'grpc-message': 'slow down' }, { endStream: true });
    const err = (await unaryCall(open(), { path: '/t.S/M' }, Buffer.from('x')).catch((e: unknown) => e)) as RpcError;
    expect(err.code).toBe(Code.RESOURCE_EXHAUSTED);
    expect(err.rawMessage).toBe('slow down');
  });

  it('wrong content-type with HTTP 200 → UNKNOWN', async () => {
    srv.handler = (stream) => {
      stream.respond({ ':status': 200, 'content-type': 'text/html' });
      stream.end('<html>');
    };
    expect(await codeOf(unaryCall(open(), { path: '/t.S/M' }, Buffer.from('x')))).toBe(Code.UNKNOWN);
  });

  it('length prefix larger than the data, then OK trailers → INTERNAL', async () => {
    srv.handler = (stream) => respondWithTrailers(stream, [frame(Buffer.alloc(10), 0, 100)], { 'grpc-status': '0' });
    expect(await codeOf(unaryCall(open(), { path: '/t.S/M' }, Buffer.from('x')))).toBe(Code.INTERNAL);
  });

  it('an announced ~4 GiB (largest u32; 5 GB does not fit) length → RESOURCE_EXHAUSTED without allocating', async () => {
    srv.handler = (stream) => {
      stream.respond(GRPC_OK);
      stream.write(frame(Buffer.alloc(16), 0, 0xffffffff));
    };
    const before = process.memoryUsage().arrayBuffers;
    expect(await codeOf(unaryCall(open(), { path: '/t.S/M' }, Buffer.from('x')))).toBe(Code.RESOURCE_EXHAUSTED);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 << 20);
  });

  it('a 1 MB gzip bomb (inflates to 1 GiB) → RESOURCE_EXHAUSTED, memory bounded', async () => {
    // 32 copies of one gzip member of 32 MiB of zeros: ~1 MB compressed, 1 GiB inflated.
    const member = zlib.gzipSync(Buffer.alloc(32 << 20), { level: 9 });
    const bomb = Buffer.concat(Array.from({ length: 32 }, () => member));
    expect(bomb.length).toBeGreaterThan(900_000);
    srv.handler = (stream) => {
      stream.respond({ ...GRPC_OK, 'grpc-encoding': 'gzip' });
      stream.write(frame(bomb, 1));
    };
    const before = process.memoryUsage().arrayBuffers;
    const err = await unaryCall(open({ maxReceiveMessageBytes: 4 << 20 }), { path: '/t.S/M' }, Buffer.from('x')).catch((e: RpcError) => e);
    expect((err as RpcError).code).toBe(Code.RESOURCE_EXHAUSTED);
    expect((err as RpcError).message).toMatch(/decompressed/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(128 << 20);
  });

  it('compressed flag without grpc-encoding → INTERNAL', async () => {
    srv.handler = (stream) => respondWithTrailers(stream, [frame(zlib.gzipSync('hi'), 1)], { 'grpc-status': '0' });
    expect(await codeOf(unaryCall(open(), { path: '/t.S/M' }, Buffer.from('x')))).toBe(Code.INTERNAL);
  });

  it('a message larger than maxReceiveMessageBytes → RESOURCE_EXHAUSTED', async () => {
    srv.handler = (stream) => respondWithTrailers(stream, [frame(Buffer.alloc(2000))], { 'grpc-status': '0' });
    expect(await codeOf(unaryCall(open({ maxReceiveMessageBytes: 1000 }), { path: '/t.S/M' }, Buffer.from('x')))).toBe(
      Code.RESOURCE_EXHAUSTED,
    );
  });

  it('a message larger than maxSendMessageBytes → RESOURCE_EXHAUSTED, stream reset', async () => {
    srv.handler = () => {};
    const call = open({ maxSendMessageBytes: 100 }).call({ path: '/t.S/M' });
    expect(await codeOf(call.send(Buffer.alloc(101)))).toBe(Code.RESOURCE_EXHAUSTED);
    expect((await call.status).code).toBe(Code.RESOURCE_EXHAUSTED);
  });

  it('trailers-only error with percent-encoded message', async () => {
    srv.handler = (stream) =>
      stream.respond({ ...GRPC_OK, 'grpc-status': '5', 'grpc-message': 'no %C3%BC thing %25' }, { endStream: true });
    const err = (await unaryCall(open(), { path: '/t.S/M' }, Buffer.from('x')).catch((e: unknown) => e)) as RpcError;
    expect(err.code).toBe(Code.NOT_FOUND);
    expect(err.rawMessage).toBe('no ü thing %');
  });
});

describe('deadlines, cancellation, back-pressure', () => {
  it('a server that never answers: the deadline fires → DEADLINE_EXCEEDED, stream reset', async () => {
    let seenTimeout: string | undefined;
    srv.handler = (_stream, headers) => {
      seenTimeout = headers['grpc-timeout'] as string;
    };
    expect(await codeOf(unaryCall(open(), { path: '/t.S/M', timeoutMs: 150 }, Buffer.from('x')))).toBe(Code.DEADLINE_EXCEEDED);
    expect(seenTimeout).toMatch(/^\d+m$/);
    expect(await srv.settle()).toBe(0);
    expect(srv.closedRstCodes.at(-1)).toBe(NGHTTP2_CANCEL);
  });

  it('AbortSignal cancels: CANCELLED locally, RST_STREAM(CANCEL) on the wire', async () => {
    srv.handler = () => {};
    const ac = new AbortController();
    const p = unaryCall(open(), { path: '/t.S/M', signal: ac.signal }, Buffer.from('x'));
    setTimeout(() => ac.abort(), 30);
    expect(await codeOf(p)).toBe(Code.CANCELLED);
    expect(await srv.settle()).toBe(0);
    expect(srv.closedRstCodes.at(-1)).toBe(NGHTTP2_CANCEL);
  });

  it('an already-aborted signal never opens a stream', async () => {
    const ac = new AbortController();
    ac.abort();
    const ch = open();
    expect(await codeOf(unaryCall(ch, { path: '/t.S/M', signal: ac.signal }, Buffer.from('x')))).toBe(Code.CANCELLED);
    expect(ch.sessionCount).toBe(0);
  });

  it('a server that stops reading: sender waits, memory stays flat, the call ends by itself', async () => {
    srv.handler = (stream) => stream.pause();
    const call = open().call({ path: '/t.S/M', timeoutMs: 1500 });
    const msg = Buffer.alloc(1 << 20, 1);
    const before = process.memoryUsage();
    let sent = 0;
    let code: number = Code.OK;
    try {
      for (let i = 0; i < 256; i++) {
        await call.send(msg);
        sent++;
      }
    } catch (e) {
      code = (e as RpcError).code;
    }
    const after = process.memoryUsage();
    expect(code).toBe(Code.DEADLINE_EXCEEDED);
    // Flow control stopped it after a few windows' worth, not 256 MB.
    expect(sent).toBeLessThan(32);
    expect(after.arrayBuffers + after.heapUsed - before.arrayBuffers - before.heapUsed).toBeLessThan(48 << 20);
  });

  it('back-pressure holds for a burst of small (batched) messages too', async () => {
    srv.handler = (stream) => stream.pause();
    const call = open().call({ path: '/t.S/M', timeoutMs: 800 });
    const msg = Buffer.alloc(64, 2);
    let sent = 0;
    let code: number = Code.OK;
    try {
      for (let i = 0; i < 2_000_000; i++) {
        await call.send(msg);
        sent++;
      }
    } catch (e) {
      code = (e as RpcError).code;
    }
    expect(code).toBe(Code.DEADLINE_EXCEEDED);
    // About a flow-control window's worth (64 KiB / 69 bytes), not 2 million.
    expect(sent).toBeLessThan(50_000);
  });

  it('a slow reader pushes back on the server instead of buffering everything', async () => {
    let written = 0;
    let stop = false;
    srv.handler = (stream) => {
      stream.respond(GRPC_OK);
      const chunk = frame(Buffer.alloc(64 << 10));
      const pump = (): void => {
        while (!stop && written < 4096) {
          written++;
          if (!stream.write(chunk)) {
            stream.once('drain', pump);
            return;
          }
        }
      };
      pump();
      stream.on('close', () => (stop = true));
    };
    const call = open().call({ path: '/t.S/M' });
    call.closeSend();
    await call.recv();
    await new Promise((r) => setTimeout(r, 300));
    // 4096 × 64 KiB = 256 MiB would have been written without back-pressure.
    expect(written).toBeLessThan(512);
    call.cancel();
    expect(await codeOf(call.recv())).toBe(Code.CANCELLED);
  });
});

describe('connections', () => {
  it('honours MAX_CONCURRENT_STREAMS by queueing calls', async () => {
    const limited = await startHostileServer({ maxConcurrentStreams: 2 });
    try {
      let active = 0;
      let peak = 0;
      limited.handler = (stream) => {
        peak = Math.max(peak, ++active);
        stream.on('close', () => active--);
        setTimeout(() => respondWithTrailers(stream, [frame(Buffer.from('ok'))], { 'grpc-status': '0' }), 20);
      };
      const ch = new GrpcChannel({ hostPorts: [`127.0.0.1:${limited.port}`] });
      const codes = await Promise.all(Array.from({ length: 8 }, () => codeOf(unaryCall(ch, { path: '/t.S/M' }, Buffer.from('x')))));
      expect(codes).toEqual(Array(8).fill(Code.OK));
      expect(peak).toBeLessThanOrEqual(2);
      await ch.close();
      expect(await limited.settle()).toBe(0);
    } finally {
      await limited.close();
    }
  });

  it('round-robin moves past an unreachable target; all unreachable → UNAVAILABLE', async () => {
    const dead = net.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const deadPort = (dead.address() as net.AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    srv.handler = (stream) => respondWithTrailers(stream, [frame(Buffer.from('ok'))], { 'grpc-status': '0' });
    const ch = open({ hostPorts: [`127.0.0.1:${deadPort}`, `127.0.0.1:${srv.port}`] });
    for (let i = 0; i < 4; i++) expect(await codeOf(unaryCall(ch, { path: '/t.S/M' }, Buffer.from('x')))).toBe(Code.OK);
    await ch.close();
    channel = new GrpcChannel({ hostPorts: [`127.0.0.1:${deadPort}`] });
    expect(await codeOf(unaryCall(channel, { path: '/t.S/M' }, Buffer.from('x')))).toBe(Code.UNAVAILABLE);
  });

  it('round-robin spreads calls over all targets', async () => {
    const other = await startHostileServer();
    try {
      const hits = [0, 0];
      srv.handler = (stream) => {
        hits[0]++;
        respondWithTrailers(stream, [frame(Buffer.from('a'))], { 'grpc-status': '0' });
      };
      other.handler = (stream) => {
        hits[1]++;
        respondWithTrailers(stream, [frame(Buffer.from('b'))], { 'grpc-status': '0' });
      };
      const ch = open({ hostPorts: [`127.0.0.1:${srv.port}`, `127.0.0.1:${other.port}`] });
      for (let i = 0; i < 10; i++) await unaryCall(ch, { path: '/t.S/M' }, Buffer.from('x'));
      expect(hits).toEqual([5, 5]);
      expect(ch.sessionCount).toBe(2);
      await ch.close();
      expect(await other.settle()).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('connect timeout: a peer that accepts but never speaks HTTP/2 → UNAVAILABLE', async () => {
    const sockets = new Set<net.Socket>();
    const mute = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
    try {
      channel = new GrpcChannel({ hostPorts: [`127.0.0.1:${(mute.address() as net.AddressInfo).port}`], connectTimeoutMs: 150 });
      expect(await codeOf(unaryCall(channel, { path: '/t.S/M' }, Buffer.from('x')))).toBe(Code.UNAVAILABLE);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => mute.close(() => r()));
    }
  });

  it('keepalive: a peer that stops acknowledging pings fails the call UNAVAILABLE', async () => {
    // Speaks just enough HTTP/2 (its SETTINGS) to be "connected", then goes silent.
    const sockets = new Set<net.Socket>();
    const zombie = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
      s.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]));
      s.resume();
    });
    await new Promise<void>((r) => zombie.listen(0, '127.0.0.1', r));
    try {
      channel = new GrpcChannel({
        hostPorts: [`127.0.0.1:${(zombie.address() as net.AddressInfo).port}`],
        keepalive: { intervalMs: 50, timeoutMs: 100 },
      });
      const err = (await unaryCall(channel, { path: '/t.S/M' }, Buffer.from('x')).catch((e: unknown) => e)) as RpcError;
      expect(err.code).toBe(Code.UNAVAILABLE);
      expect(err.message).toMatch(/keepalive/);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => zombie.close(() => r()));
    }
  });

  it('idle sessions are closed; the next call reconnects', async () => {
    srv.handler = (stream) => respondWithTrailers(stream, [frame(Buffer.from('ok'))], { 'grpc-status': '0' });
    const ch = open({ idleTimeoutMs: 50 });
    await unaryCall(ch, { path: '/t.S/M' }, Buffer.from('x'));
    expect(ch.sessionCount).toBe(1);
    for (let i = 0; i < 100 && ch.sessionCount > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(ch.sessionCount).toBe(0);
    expect(await codeOf(unaryCall(ch, { path: '/t.S/M' }, Buffer.from('x')))).toBe(Code.OK);
  });

  it('close() drains running calls, then refuses new ones', async () => {
    srv.handler = (stream) => setTimeout(() => respondWithTrailers(stream, [frame(Buffer.from('ok'))], { 'grpc-status': '0' }), 50);
    const ch = open();
    const running = unaryCall(ch, { path: '/t.S/M' }, Buffer.from('x'));
    await new Promise((r) => setTimeout(r, 10));
    const closed = ch.close();
    expect(await codeOf(running)).toBe(Code.OK);
    await closed;
    expect(await codeOf(unaryCall(ch, { path: '/t.S/M' }, Buffer.from('x')))).toBe(Code.UNAVAILABLE);
  });
});

describe('request validation', () => {
  it('refuses reserved and malformed metadata before sending anything', () => {
    const ch = open();
    const bad: RequestMetadata[] = [
      { 'grpc-timeout': '1S' },
      { ':path': '/x' },
      { 'content-type': 'text/plain' },
      { te: 'gzip' },
      { 'bad name': 'x' },
      { 'x-ok': 'caf\u00e9' },
      { 'x-ok': 'line\nbreak' },
      { 'x-plain': Buffer.from([1]) },
    ];
    for (const md of bad) {
      expect(() => ch.call({ path: '/t.S/M', metadata: md })).toThrow(RpcError);
    }
    expect(ch.sessionCount).toBe(0);
  });

  it('sends the documented request headers', async () => {
    let seen: http2.IncomingHttpHeaders = {};
    srv.handler = (stream, headers) => {
      seen = headers;
      respondWithTrailers(stream, [frame(Buffer.from('ok'))], { 'grpc-status': '0' });
    };
    await unaryCall(
      open({ authority: 'TestService', userAgent: 'ua/1' }),
      {
        path: '/echo.TestService/Echo',
        contentType: 'application/grpc+thrift',
        timeoutMs: 2500,
        compression: 'gzip',
        metadata: { 'X-Up': 'v', 'k-bin': Buffer.from([0xff, 0xfe]) },
        extraHeaders: { 'destination-service': 'TestService' },
      },
      Buffer.from('x'),
    );
    expect(seen[':method']).toBe('POST');
    expect(seen[':path']).toBe('/echo.TestService/Echo');
    expect(seen[':authority']).toBe('TestService');
    expect(seen['content-type']).toBe('application/grpc+thrift');
    expect(seen.te).toBe('trailers');
    expect(seen['user-agent']).toBe('ua/1');
    expect(seen['grpc-timeout']).toMatch(/^\d+m$/);
    expect(seen['grpc-encoding']).toBe('gzip');
    expect(seen['grpc-accept-encoding']).toContain('gzip');
    expect(seen['x-up']).toBe('v');
    expect(seen['k-bin']).toBe('//4');
    expect(seen['destination-service']).toBe('TestService');
  });
});
