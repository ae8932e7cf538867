/**
 * Issue 19, the gRPC side and the pieces shared with it: deadlines beyond what
 * Node can arm (client and server), handshake and idle timeouts of HTTP/2
 * connections, MAX_CONCURRENT_STREAMS, split messages that reserve only what
 * arrived, handler failures that end as a status, and a close() that always
 * ends. Hostile peers are raw node:net sockets and raw node:http2 sessions.
 */
import http2 from 'node:http2';
import { afterAll, describe, expect, it } from 'vitest';
import { newStreamingClient, Code, type ServerContext } from '../../src/index.js';
import { EnvelopeDecoder } from '../../src/http2/index.js';
import { startHostileServer } from '../support/hostile-h2-server.js';
import { closeAll, closedWithin, connectRaw, eventually, MiB, protoGeneric, rpcError, serve, track } from './helpers.js';

afterAll(closeAll);

const DAYS_30 = 30 * 24 * 3600 * 1000;

/** A gRPC message frame (5-byte prefix) of the proto Request `{message}`. */
async function grpcFrame(message: string): Promise<Buffer> {
  const body = (await protoGeneric()).method('Echo').encodeRequest(JSON.stringify({ message }));
  const out = Buffer.alloc(5 + body.length);
  out.writeUInt32BE(body.length, 1);
  out.set(body, 5);
  return out;
}

/** A raw node:http2 session to `port`, closed by closeAll. */
function rawSession(port: number): http2.ClientHttp2Session {
  const s = http2.connect(`http://127.0.0.1:${port}`);
  s.on('error', () => undefined);
  track({ close: async () => void s.destroy() });
  return s;
}

/** Sends one raw gRPC request; resolves with the response headers and trailers merged. */
function rawCall(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body: Buffer): Promise<http2.IncomingHttpHeaders> {
  return new Promise((resolve, reject) => {
    const st = session.request({ ':method': 'POST', 'content-type': 'application/grpc', te: 'trailers', ...headers });
    let got: http2.IncomingHttpHeaders = {};
    st.on('response', (h) => (got = { ...got, ...h }));
    st.on('trailers', (h) => (got = { ...got, ...h }));
    st.on('data', () => undefined);
    st.on('close', () => resolve(got));
    st.on('error', reject);
    st.end(body);
  });
}

describe('6. deadlines beyond what Node can arm (gRPC)', () => {
  it('a 30-day timeoutMs does not fire at once; the server sees the deadline', async () => {
    let seen: number | undefined;
    const server = await serve(await protoGeneric(), {
      Echo: async (req, ctx: ServerContext) => {
        seen = ctx.deadline;
        await new Promise((r) => setTimeout(r, 100));
        return req;
      },
    });
    const cli = track(newStreamingClient('faults', await protoGeneric(), { hostPorts: [server.hostPort] }));
    expect(await cli.genericCall('Echo', '{"message":"x"}', { timeoutMs: DAYS_30 })).toBe('{"message":"x"}');
    expect(seen! - Date.now()).toBeGreaterThan(DAYS_30 - 3600_000);
  });

  it('a server receiving grpc-timeout: 9999H serves the call instead of failing it at once', async () => {
    const server = await serve(await protoGeneric(), { Echo: async (req) => (await new Promise((r) => setTimeout(r, 100)), req) });
    const got = await rawCall(rawSession(server.address.port), { ':path': '/faults.FaultService/Echo', 'grpc-timeout': '9999H' }, await grpcFrame('x'));
    expect(got['grpc-status']).toBe('0');
  });
});

describe('9. handshake and idle timeouts (HTTP/2)', () => {
  it('half a preface, or a preface without SETTINGS, is closed after handshakeTimeoutMs', async () => {
    const server = await serve(await protoGeneric(), { Echo: (r) => r }, { handshakeTimeoutMs: 300 });
    const half = await connectRaw(server.address.port);
    half.write('PRI * HTTP/2.0\r\n');
    const noSettings = await connectRaw(server.address.port);
    noSettings.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    expect(await closedWithin(half, 10_000)).toBe(true);
    expect(await closedWithin(noSettings, 10_000)).toBe(true);
    expect(await eventually(() => server.diagnostics().connections === 0, 2000)).toBe(true);
  });

  it('idle sessions get GOAWAY and are closed; a session with a call in flight is kept', async () => {
    const server = await serve(
      await protoGeneric(),
      { Echo: async (req) => (await new Promise((r) => setTimeout(r, 700)), req) },
      { idleTimeoutMs: 300 },
    );
    const idle = Array.from({ length: 50 }, () => rawSession(server.address.port));
    const busy = rawSession(server.address.port);
    const call = rawCall(busy, { ':path': '/faults.FaultService/Echo' }, await grpcFrame('slow'));
    const goaways = idle.map((s) => new Promise<boolean>((r) => s.once('goaway', () => r(true))));
    const closed = idle.map((s) => new Promise<boolean>((r) => s.once('close', () => r(true))));
    expect(await Promise.all(goaways)).toEqual(idle.map(() => true));
    expect(await Promise.all(closed)).toEqual(idle.map(() => true));
    expect((await call)['grpc-status']).toBe('0');
    expect(await eventually(() => server.diagnostics().grpcSessions === 0, 5000)).toBe(true);
  });
});

describe('maxConcurrentStreams', () => {
  it('is announced in SETTINGS: 100 by default, or as configured', async () => {
    for (const [opts, want] of [[{}, 100], [{ maxConcurrentStreams: 7 }, 7]] as const) {
      const server = await serve(await protoGeneric(), { Echo: (r) => r }, opts);
      const s = rawSession(server.address.port);
      const settings = await new Promise<http2.Settings>((r) => s.once('remoteSettings', r));
      expect(settings.maxConcurrentStreams).toBe(want);
    }
  });
});

describe('10. a message split across reads reserves what arrived, not what it announces', () => {
  it('a prefix announcing 4 MiB followed by 15 bytes holds 256 bytes at most', () => {
    const d = new EnvelopeDecoder({ onEnvelope: () => undefined }, 4 * MiB);
    const head = Buffer.alloc(5 + 15);
    head.writeUInt32BE(4 * MiB, 1);
    d.push(head);
    expect(d.partial).toBe(true);
    expect(d.heldBytes).toBeLessThanOrEqual(256);
  });

  it('500 streams each sending 15 bytes of a 4 MiB message cost the server next to nothing', async () => {
    const server = await serve(await protoGeneric(), { Echo: (r) => r }, { maxConcurrentStreams: 1000 });
    const session = rawSession(server.address.port);
    await new Promise((r) => session.once('remoteSettings', r));
    const before = process.memoryUsage().arrayBuffers;
    const head = Buffer.alloc(5 + 15);
    head.writeUInt32BE(4 * MiB - 1, 1);
    const streams = Array.from({ length: 500 }, () => {
      const st = session.request({ ':method': 'POST', ':path': '/faults.FaultService/Echo', 'content-type': 'application/grpc', te: 'trailers' });
      st.on('error', () => undefined);
      st.write(head);
      return st;
    });
    // wait until the server has read every stream's bytes
    await new Promise<void>((r) => session.ping(() => r()));
    await new Promise((r) => setTimeout(r, 200));
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(grown).toBeLessThan(64 * MiB); // it was 500 × 1 MiB reserved up front
    for (const st of streams) st.close();
  });
});

describe('1. (gRPC) handler failures end as a status', () => {
  it('bad header or trailer names, an error whose text cannot be read: each call gets a status, the server serves on', async () => {
    const server = await serve(await protoGeneric(), {
      Echo: (req, ctx: ServerContext) => {
        const { message } = JSON.parse(req) as { message: string };
        if (message === 'header') ctx.setHeader('bad name', 'x');
        if (message === 'trailer') ctx.setTrailer('bad name', 'x');
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        if (message === 'unprintable') throw Object.create(null);
        return req;
      },
    });
    const cli = track(newStreamingClient('faults', await protoGeneric(), { hostPorts: [server.hostPort] }));
    for (const m of ['header', 'trailer', 'unprintable']) {
      const e = await rpcError(cli.genericCall('Echo', JSON.stringify({ message: m })));
      expect([Code.INTERNAL, Code.UNKNOWN], m).toContain(e.code);
    }
    expect(await cli.genericCall('Echo', '{"message":"ok"}')).toBe('{"message":"ok"}');
  });
});

describe('12. close() always ends (gRPC)', () => {
  it('a call stuck on a silent server is cancelled after the grace; close() resolves', async () => {
    const hostile = await startHostileServer();
    hostile.handler = () => undefined; // accepts the stream, never answers
    track(hostile);
    const cli = newStreamingClient('faults', await protoGeneric(), { hostPorts: [`127.0.0.1:${hostile.port}`] });
    const stuck = cli.genericCall('Echo', '{"message":"x"}');
    await eventually(() => hostile.openStreams === 1, 5000);
    const failed = rpcError(stuck);
    await cli.close({ graceMs: 100 });
    expect((await failed).code).toBe(Code.CANCELLED);
  });

  it('a call that finishes within the grace completes normally', async () => {
    const server = await serve(await protoGeneric(), { Echo: async (req) => (await new Promise((r) => setTimeout(r, 100)), req) });
    const cli = newStreamingClient('faults', await protoGeneric(), { hostPorts: [server.hostPort] });
    const call = cli.genericCall('Echo', '{"message":"x"}');
    await new Promise((r) => setTimeout(r, 20));
    await cli.close({ graceMs: 10_000 });
    expect(await call).toBe('{"message":"x"}');
  });
});
