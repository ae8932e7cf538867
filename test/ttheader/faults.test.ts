/**
 * Hostile servers: each fault gives a clear RpcError, the broken connection is
 * dropped, and the next call on the same client succeeds. No socket or timer
 * outlives the client.
 */
import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import * as net from 'node:net';
import { join } from 'node:path';
import { startPythonPeer } from '../support/python-peer.js';
import { PingPongClient, ServerRequestReader, encodeServerReply, FrameDecoder, type ServerRequest, type PingPongTransport } from '../../src/ttheader/index.js';
import { RpcError, Code } from '../../src/errors/index.js';
import { startServer, TWriter, type ScriptedServer } from './helpers.js';
import { activeResources, settleResources, type ResourceCounts } from '../support/resources.js';

type Behaviour = (sock: net.Socket, req: ServerRequest, reply: Uint8Array) => void;

const ok: Behaviour = (sock, _req, reply) => sock.write(reply);
const resultBody = new TWriter().field('string', 0).string('pong').stop().bytes();
const argsBody = new TWriter().field('string', 1).string('ping').stop().bytes();

/** A server whose n-th request (over all connections) gets behaviour n, then `ok`. */
async function scripted(behaviours: Behaviour[]): Promise<ScriptedServer & { requests: number }> {
  const state = { n: 0 };
  const readers = new WeakMap<net.Socket, ServerRequestReader>();
  const srv = await startServer((sock, _all, chunk) => {
    let r = readers.get(sock);
    if (!r) readers.set(sock, (r = new ServerRequestReader()));
    for (const req of r.push(chunk)) {
      const b = behaviours[state.n++] ?? ok;
      b(sock, req, encodeServerReply(req, { body: resultBody }));
    }
  });
  return Object.defineProperty(srv, 'requests', { get: () => state.n }) as ScriptedServer & { requests: number };
}

let resourcesBefore: ResourceCounts;
beforeAll(() => { resourcesBefore = activeResources(); });

const toClose: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const c of toClose) await c.close();
});

function newClient(port: number, transport: PingPongTransport = 'ttheader', extra: Partial<ConstructorParameters<typeof PingPongClient>[0]> = {}): PingPongClient {
  const c = new PingPongClient({ hostPorts: [`127.0.0.1:${port}`], transport, ...extra });
  toClose.push(c);
  return c;
}

async function expectRpcError(p: Promise<unknown>, code: number, message: RegExp): Promise<RpcError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(RpcError);
  expect((e as RpcError).code).toBe(code);
  expect((e as RpcError).message).toMatch(message);
  return e as RpcError;
}

const call = (c: PingPongClient, extra: Partial<Parameters<PingPongClient['call']>[0]> = {}) => c.call({ method: 'Ping', body: argsBody, ...extra });

describe.each(['ttheader', 'framed', 'buffered', 'theader'] as const)('faults over %s', (transport) => {
  it('server closes mid-reply → UNAVAILABLE, then recovers', async () => {
    const srv = await scripted([(sock, _r, reply) => { sock.write(reply.subarray(0, reply.length - 3)); setTimeout(() => sock.destroy(), 10); }]);
    toClose.push(srv);
    const c = newClient(srv.port, transport);
    await expectRpcError(call(c), Code.UNAVAILABLE, /closed mid-reply/);
    const r = await call(c);
    expect(Buffer.from(r!.body)).toEqual(Buffer.from(resultBody));
    expect(srv.connections).toBe(2);
  });

  it('wrong sequence id → INTERNAL, connection dropped, then recovers', async () => {
    const srv = await scripted([(sock, req) => sock.write(encodeServerReply({ ...req, seqId: req.seqId + 1 }, { body: resultBody }))]);
    toClose.push(srv);
    const c = newClient(srv.port, transport);
    await expectRpcError(call(c), Code.INTERNAL, /sequence id mismatch: sent 1, reply has 2/);
    await call(c);
    expect(srv.connections).toBe(2);
  });

  it('garbage bytes → INTERNAL protocol error, then recovers', async () => {
    const garbage = transport === 'buffered'
      ? Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n')
      : Buffer.from('0000000cdeadbeefdeadbeefdeadbeef', 'hex');
    const srv = await scripted([(sock) => sock.write(garbage)]);
    toClose.push(srv);
    const c = newClient(srv.port, transport);
    await expectRpcError(call(c), Code.INTERNAL, /protocol error/);
    await call(c);
  });

  it('slow server past the timeout → DEADLINE_EXCEEDED, connection dropped, then recovers', async () => {
    const srv = await scripted([() => { /* never answers */ }]);
    toClose.push(srv);
    const c = newClient(srv.port, transport);
    await expectRpcError(call(c, { timeoutMs: 50 }), Code.DEADLINE_EXCEEDED, /timed out after 50 ms/);
    const r = await call(c, { timeoutMs: 5000 });
    expect(r?.messageType).toBe('reply');
    expect(srv.connections).toBe(2);
  });
});

describe('frame limits', () => {
  it('a 2 GB length is refused at once, without waiting for or allocating the body', async () => {
    const srv = await scripted([(sock) => sock.write(Buffer.from('7fffffff10000000', 'hex'))]);
    toClose.push(srv);
    const c = newClient(srv.port, 'ttheader');
    // the server keeps the socket open and sends nothing more: only an up-front refusal can end this call
    await expectRpcError(call(c), Code.RESOURCE_EXHAUSTED, /frame of 2147483647 bytes exceeds the limit of 4194304/);
    await call(c);
  });

  it('the decoder holds only what arrived: 4 bytes announcing 4 GB', () => {
    const d = new FrameDecoder({ kind: 'length-prefixed' }, 1024);
    expect(() => d.push(new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toThrow(/exceeds the limit of 1024/);
    const d2 = new FrameDecoder({ kind: 'length-prefixed' }, 1024);
    expect(d2.push(new Uint8Array([0, 0, 3, 0, 1, 2]))).toEqual([]);
    expect(d2.pending).toBe(6);
  });

  it('a Buffered string claiming 2 GB is refused by the skipper', async () => {
    const evil = new Uint8Array(Buffer.from('800100020000000450696e67000000010b00007fffffff', 'hex'));
    const srv = await scripted([(sock) => sock.write(evil)]);
    toClose.push(srv);
    const c = newClient(srv.port, 'buffered', { maxFrameBytes: 1 << 20 });
    await expectRpcError(call(c), Code.RESOURCE_EXHAUSTED, /string would make the message exceed 1048576 bytes/);
    await call(c);
  });

  it('maxFrameBytes applies to replies', async () => {
    const big = new TWriter().field('string', 0).string('x'.repeat(5000)).stop().bytes();
    const srv = await scripted([(sock, req) => sock.write(encodeServerReply(req, { body: big }))]);
    toClose.push(srv);
    const c = newClient(srv.port, 'framed', { maxFrameBytes: 4096 });
    await expectRpcError(call(c), Code.RESOURCE_EXHAUSTED, /exceeds the limit of 4096/);
  });
});

describe('connections and the pool', () => {
  it('connection refused → UNAVAILABLE', async () => {
    const srv = await scripted([]);
    const port = srv.port;
    await srv.close();
    const c = newClient(port, 'ttheader', { connectTimeoutMs: 1000 });
    await expectRpcError(call(c), Code.UNAVAILABLE, /connect to 127\.0\.0\.1:\d+ failed/);
  });

  it('connect timeout → UNAVAILABLE; a shorter call timeout → DEADLINE_EXCEEDED', async () => {
    // a listener that never accepts: once its one-slot queue is taken, connects hang
    const peer = await startPythonPeer(join(import.meta.dirname, '../peers/thrift_blackhole.py'));
    const filler = net.connect(peer.port, '127.0.0.1');
    await new Promise((r) => filler.once('connect', r));
    try {
      const c = newClient(peer.port, 'framed', { connectTimeoutMs: 100 });
      await expectRpcError(call(c), Code.UNAVAILABLE, /connect to 127\.0\.0\.1:\d+ timed out after 100 ms/);
      const c2 = newClient(peer.port, 'framed', { connectTimeoutMs: 300 });
      await expectRpcError(call(c2, { timeoutMs: 50 }), Code.DEADLINE_EXCEEDED, /timed out after 50 ms/);
      await new Promise((r) => setTimeout(r, 350)); // let the abandoned connect attempt time out too
    } finally {
      filler.destroy();
      await peer.stop();
    }
  });

  it('an aborted signal → CANCELLED; an already-aborted one fails before connecting', async () => {
    const srv = await scripted([() => {}]);
    toClose.push(srv);
    const c = newClient(srv.port, 'framed');
    const ac = new AbortController();
    const p = call(c, { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await expectRpcError(p, Code.CANCELLED, /call cancelled/);
    await expectRpcError(call(c, { signal: AbortSignal.abort() }), Code.CANCELLED, /cancelled/);
    await call(c);
  });

  it('one request per connection: 20 concurrent calls use at most maxConnectionsPerHost connections', async () => {
    let inFlightMax = 0;
    let inFlight = 0;
    const delayed: Behaviour = (sock, _r, reply) => { inFlight++; inFlightMax = Math.max(inFlightMax, inFlight); setTimeout(() => { inFlight--; sock.write(reply); }, 5); };
    const srv = await scripted(Array.from({ length: 20 }, () => delayed));
    toClose.push(srv);
    const c = newClient(srv.port, 'ttheader', { maxConnectionsPerHost: 3 });
    const replies = await Promise.all(Array.from({ length: 20 }, () => call(c)));
    expect(replies.every((r) => r?.messageType === 'reply')).toBe(true);
    expect(srv.connections).toBe(3);
    expect(inFlightMax).toBeLessThanOrEqual(3);
    // idle connections are reused
    await call(c);
    expect(srv.connections).toBe(3);
  });

  it('closes a connection idle for idleTimeoutMs, but never one whose call outlasts it', async () => {
    const slow: Behaviour = (sock, _r, reply) => { setTimeout(() => sock.write(reply), 800); };
    const srv = await scripted([ok, slow]);
    toClose.push(srv);
    const c = newClient(srv.port, 'framed', { idleTimeoutMs: 400, maxConnectionsPerHost: 1 });
    await call(c); // idle from here: its timer is armed
    await new Promise((r) => setTimeout(r, 20));
    await call(c); // lent out again long before the timer fires, and busy for 800 ms, past it
    expect(srv.connections).toBe(1);
    await new Promise((r) => setTimeout(r, 20));
    await call(c); // idle for 20 ms only: still the same connection
    expect(srv.connections).toBe(1);
    await new Promise((r) => setTimeout(r, 900));
    await call(c); // idle past the timeout: closed, a new one opened
    expect(srv.connections).toBe(2);
  });

  it('an unsolicited frame breaks only that connection', async () => {
    const srv = await scripted([(sock, _r, reply) => { sock.write(reply); setTimeout(() => sock.write(reply), 5); }]);
    toClose.push(srv);
    const c = newClient(srv.port, 'framed');
    await call(c);
    await new Promise((r) => setTimeout(r, 30));
    await call(c);
    expect(srv.connections).toBe(2);
  });

  it('round-robins over hosts', async () => {
    const a = await scripted([]);
    const b = await scripted([]);
    toClose.push(a, b);
    const c = new PingPongClient({ hostPorts: [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`], transport: 'framed' });
    toClose.push(c);
    for (let i = 0; i < 4; i++) await call(c);
    expect([a.requests, b.requests]).toEqual([2, 2]);
  });

  it('close() cancels calls in flight and refuses later calls', async () => {
    const srv = await scripted([() => {}]);
    toClose.push(srv);
    const c = newClient(srv.port, 'framed');
    const p = call(c);
    await new Promise((r) => setTimeout(r, 20));
    await c.close();
    await expectRpcError(p, Code.CANCELLED, /client is closed/);
    await expectRpcError(call(c), Code.UNAVAILABLE, /client is closed/);
  });

  it('a request that cannot be encoded fails without using up a connection', async () => {
    const srv = await scripted([]);
    toClose.push(srv);
    const c = newClient(srv.port, 'ttheader', { maxConnectionsPerHost: 1 });
    await expectRpcError(call(c, { metadata: { big: 'x'.repeat(70_000) } }), Code.RESOURCE_EXHAUSTED, /65535/);
    await call(c);
  });

  it('invalid option combinations are refused up front', () => {
    expect(() => new PingPongClient({ hostPorts: ['127.0.0.1:1'], transport: 'buffered', payloadProtocol: 'kitex-protobuf' })).toThrow(/kitex-protobuf/);
    expect(() => new PingPongClient({ hostPorts: ['127.0.0.1:1'], transport: 'ttheader', payloadProtocol: 'thrift-compact' })).toThrow(/compact/);
    expect(() => new PingPongClient({ hostPorts: ['localhost'], transport: 'framed' })).toThrow(/host:port/);
  });

  it('leaves no sockets or timers behind', async () => {
    for (const x of toClose.splice(0)) await x.close();
    expect(await settleResources(resourcesBefore)).toEqual({});
  });
});
