/**
 * Hostile ttstream peers, written here with raw node:net: wrong magic, a
 * frame over the limit, an unknown frame type, data on a closed stream, a
 * stream id reused, a flood of new streams, silence, a peer that never reads.
 * Each ends the affected stream or connection with a typed error; nothing
 * crashes, hangs, or holds memory beyond the limits (checked on the bytes
 * the transport reports it holds).
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Code, RpcError, jsonThriftGeneric, newGenericServer, thriftFileProvider, type Handlers } from '../../src/index.js';
import { ServerConnection, TTStreamClient, serveTTStreamConnection, type ServerStream, type TTStreamServerOptions } from '../../src/ttstream/index.js';
import { buildFrame, cutFrames, exceptionOf, messageStruct, parseFrame, FRAME, type WireFrame } from './wire.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await sleep(5);
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

/** A bare server speaking ttstream through our transport, with an echo that replies "echo: <text>". */
async function transportServer(opts: TTStreamServerOptions = {}, onStream?: (s: ServerStream) => void) {
  const conns: ServerConnection[] = [];
  const streams: ServerStream[] = [];
  const echo = async (s: ServerStream): Promise<void> => {
    for (let m = await s.recv().catch(() => undefined); m !== undefined; m = await s.recv().catch(() => undefined)) {
      const text = Buffer.from(m).toString('utf8', 7, m.length - 1);
      await s.send(messageStruct(`echo: ${text}`)).catch(() => undefined);
    }
    s.end();
  };
  const server = net.createServer((socket) => {
    socket.once('data', (first) => {
      conns.push(serveTTStreamConnection(socket, first, (s) => {
        streams.push(s);
        if (onStream) onStream(s);
        else void echo(s);
      }, opts));
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const c of conns) c.close(new RpcError(Code.UNAVAILABLE, 'test over'));
        server.close(() => r());
      }),
  );
  return { port: (server.address() as net.AddressInfo).port, conns, streams };
}

/** A raw client connection that collects frames. */
async function rawClient(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((r, j) => socket.once('connect', r).once('error', j));
  let buf: Buffer = Buffer.alloc(0);
  const frames: WireFrame[] = [];
  let closed = false;
  socket.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    const cut = cutFrames(buf);
    buf = cut.rest;
    for (const f of cut.frames) frames.push(parseFrame(f));
  });
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  cleanups.push(() => socket.destroy());
  return { socket, frames, isClosed: () => closed };
}

const open = (sid: number, method = 'Echo'): Buffer => buildFrame(FRAME.Header, sid, method, { str: { isn: 'TestService' } });
const data = (sid: number, text: string, method = 'Echo'): Buffer => buildFrame(FRAME.Data, sid, method, { payload: messageStruct(text) });
const trailer = (sid: number, method = 'Echo'): Buffer => buildFrame(FRAME.Trailer, sid, method);

describe('ttstream server against hostile clients', () => {
  it.each([
    ['wrong magic', buildFrame(FRAME.Data, 1, 'Echo', { magic: 0x1001, payload: messageStruct('x') })],
    ['no streaming flag', buildFrame(FRAME.Data, 1, 'Echo', { flags: 0, payload: messageStruct('x') })],
    ['unknown frame type', buildFrame(9, 1, 'Echo', { payload: messageStruct('x') })],
    ['a frame type that is not a digit', buildFrame(FRAME.Data, 1, 'Echo', { typeText: '33', payload: messageStruct('x') })],
    ['a header size beyond the frame', (() => { const f = buildFrame(FRAME.Data, 1, 'Echo'); f.writeUInt16BE(200, 12); return f; })()],
  ])('%s ends the connection; the server keeps serving', async (_what, bad) => {
    const srv = await transportServer();
    const c = await rawClient(srv.port);
    c.socket.write(Buffer.concat([open(1), data(1, 'ok')]));
    await until(() => c.frames.length >= 2, 'the first echo');
    c.socket.write(bad);
    await until(() => c.isClosed(), 'the connection to close');
    expect(srv.streams[0]!.signal.aborted).toBe(true);
    const d = await rawClient(srv.port);
    d.socket.write(Buffer.concat([open(1), data(1, 'again'), trailer(1)]));
    await until(() => d.frames.length >= 3, 'a new connection to be served');
    expect(d.frames[1]!.payload.toString('utf8', 7, d.frames[1]!.payload.length - 1)).toBe('echo: again');
  });

  it('a frame over the limit fails its stream and is skipped; the connection goes on, holding little', async () => {
    const srv = await transportServer({ maxReceiveMessageBytes: 64 * 1024 });
    const c = await rawClient(srv.port);
    c.socket.write(Buffer.concat([open(1), open(3)]));
    const big = buildFrame(FRAME.Data, 1, 'Echo', { payload: Buffer.alloc(4 * 1024 * 1024, 7) });
    let maxHeld = 0;
    for (let at = 0; at < big.length; at += 256 * 1024) {
      c.socket.write(big.subarray(at, at + 256 * 1024));
      await sleep(1);
      maxHeld = Math.max(maxHeld, srv.conns[0]?.bufferedBytes ?? 0);
    }
    c.socket.write(Buffer.concat([data(3, 'after'), trailer(3)]));
    await until(() => c.frames.filter((f) => f.sid === 3).length >= 3, 'stream 3 to finish');
    const one = c.frames.filter((f) => f.sid === 1);
    expect(one.map((f) => f.type)).toEqual([FRAME.Trailer]);
    expect(one[0]!.str).toMatchObject({ 'biz-status': String(Code.RESOURCE_EXHAUSTED) });
    expect(c.frames.filter((f) => f.sid === 3).map((f) => f.type)).toEqual([FRAME.Header, FRAME.Data, FRAME.Trailer]);
    expect(maxHeld).toBeLessThan(64 * 1024);
  });

  it('data after the client closed its side ends that stream; data for unknown streams is dropped', async () => {
    const srv = await transportServer({}, (s) => {
      // a handler that answers only once the client has closed its side (the echo answers at once)
      void (async () => {
        while ((await s.recv().catch(() => undefined)) !== undefined);
        await sleep(20);
        await s.send(messageStruct('late')).catch(() => undefined);
        s.end();
      })();
    });
    const c = await rawClient(srv.port);
    c.socket.write(Buffer.concat([open(1), trailer(1), data(1, 'too late'), data(77, 'nobody'), open(5), trailer(5)]));
    await until(() => c.frames.filter((f) => f.sid === 5).length >= 3, 'stream 5 to be served');
    const one = c.frames.filter((f) => f.sid === 1);
    expect(one.map((f) => f.type)).toEqual([FRAME.Trailer]);
    expect(one[0]!.str).toMatchObject({ 'biz-status': String(Code.INTERNAL), 'biz-message': 'protocol error: data after the client closed its side' });
    expect(c.frames.some((f) => f.sid === 77)).toBe(false);
    expect(c.isClosed()).toBe(false);
  });

  it('a stream id reused while open ends the first stream; the connection goes on', async () => {
    const srv = await transportServer({}, () => undefined); // handlers that never answer
    const c = await rawClient(srv.port);
    c.socket.write(Buffer.concat([open(1), open(1)]));
    await until(() => c.frames.length >= 1, 'an answer');
    expect(c.frames[0]!.type).toBe(FRAME.Trailer);
    expect(c.frames[0]!.str['biz-message']).toBe('protocol error: stream id 1 reused while open');
    expect(srv.streams[0]!.signal.aborted).toBe(true);
    expect(srv.conns[0]!.streamCount).toBe(0);
  });

  it('a flood of new streams: beyond maxConcurrentStreams each is refused at once, nothing piles up', async () => {
    const srv = await transportServer({ maxConcurrentStreams: 100 }, () => undefined);
    const c = await rawClient(srv.port);
    const frames: Buffer[] = [];
    for (let sid = 1; sid <= 3000; sid++) frames.push(open(sid));
    c.socket.write(Buffer.concat(frames));
    await until(() => c.frames.length >= 2900, 'the refusals');
    expect(srv.conns[0]!.streamCount).toBe(100);
    expect(srv.streams.length).toBe(100);
    expect(new Set(c.frames.map((f) => f.str['biz-status']))).toEqual(new Set([String(Code.RESOURCE_EXHAUSTED)]));
  });

  it('a handler that does not read: the connection stops reading past the high-water mark', async () => {
    const srv = await transportServer({}, () => undefined);
    const c = await rawClient(srv.port);
    const chunk = Buffer.concat(Array.from({ length: 64 }, () => data(1, 'x'.repeat(1000))));
    // 32 MiB, more than the server's mark and every socket buffer between us together
    c.socket.write(Buffer.concat([open(1), ...Array.from({ length: 512 }, () => chunk)]));
    await sleep(300);
    expect(srv.conns[0]!.bufferedBytes).toBeLessThan(2 * 1024 * 1024);
    expect(c.socket.writableLength).toBeGreaterThan(0); // TCP pushed back on us
  });

  it('a client that never reads: handler sends wait for the socket to drain', async () => {
    let sent = 0;
    const srv = await transportServer({}, (s) => {
      void (async () => {
        const m = messageStruct('y'.repeat(64 * 1024));
        for (;;) {
          await s.send(m);
          sent++;
        }
      })().catch(() => undefined);
    });
    const c = await rawClient(srv.port);
    c.socket.pause();
    c.socket.write(Buffer.concat([open(1), trailer(1)]));
    await sleep(300);
    const first = sent;
    await sleep(200);
    // a few MB in socket buffers at most, then the handler waits
    expect(sent * 64 * 1024).toBeLessThan(64 * 1024 * 1024);
    expect(sent).toBe(first);
  });

  it('handshake timeout: a connection that never completes a frame is closed', async () => {
    const srv = await transportServer({ handshakeTimeoutMs: 100 });
    const c = await rawClient(srv.port);
    c.socket.write(open(1).subarray(0, 10)); // detected as ttstream, never a whole frame
    await until(() => c.isClosed(), 'the handshake timeout');
  });

  it('idle timeout: a connection without streams is closed', async () => {
    const srv = await transportServer({ idleTimeoutMs: 100 });
    const c = await rawClient(srv.port);
    c.socket.write(Buffer.concat([open(1), data(1, 'x'), trailer(1)]));
    await until(() => c.frames.length >= 3, 'the stream');
    await until(() => c.isClosed(), 'the idle timeout');
  });
});

describe('the generic server survives hostile ttstream clients', () => {
  it('garbage after detection, and a handler that throws while the client is gone', async () => {
    const g = jsonThriftGeneric(await thriftFileProvider('examples/idl/streaming.thrift'));
    const handlers: Handlers<string, string> = {
      async *Echo(requests) {
        for await (const _ of requests) throw new Error('boom');
      },
    };
    const server = newGenericServer(g, handlers, { maxReceiveMessageBytes: 1024 });
    await server.start();
    cleanups.push(() => server.close());
    const c = await rawClient(server.address.port);
    c.socket.write(Buffer.concat([open(1), data(1, 'x'), open(3), buildFrame(FRAME.Data, 3, 'Echo', { payload: Buffer.alloc(4096) })]));
    await until(() => c.frames.length >= 2, 'two answers');
    expect(exceptionOf(c.frames.find((f) => f.sid === 1)!.payload).message).toBe('biz error: boom');
    expect(c.frames.find((f) => f.sid === 3)!.str['biz-status']).toBe(String(Code.RESOURCE_EXHAUSTED));
    c.socket.end(Buffer.from('not a frame at all, just bytes'));
    await until(() => c.isClosed(), 'the connection to close');
    const d = await rawClient(server.address.port);
    d.socket.write(Buffer.concat([open(1), data(1, 'y')]));
    await until(() => d.frames.length >= 1, 'a later client to be served');
  });
});

describe('ttstream client against hostile servers', () => {
  /** A server that answers every stream's Header with `reply(sid)`. */
  async function hostileServer(reply: (sid: number, socket: net.Socket) => void) {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      let buf: Buffer = Buffer.alloc(0);
      socket.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        const cut = cutFrames(buf);
        buf = cut.rest;
        for (const f of cut.frames.map(parseFrame)) if (f.type === FRAME.Header) reply(f.sid, socket);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => { for (const s of sockets) s.destroy(); server.close(); });
    return `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  }

  function client(hostPort: string, extra: Partial<ConstructorParameters<typeof TTStreamClient>[0]> = {}): TTStreamClient {
    const c = new TTStreamClient({ hostPorts: [hostPort], ...extra });
    cleanups.push(() => c.close(0));
    return c;
  }

  it.each([
    ['wrong magic', (sid: number) => buildFrame(FRAME.Header, sid, 'Echo', { magic: 0x0fff })],
    ['unknown frame type', (sid: number) => buildFrame(7, sid, 'Echo')],
    ['a truncated info block', (sid: number) => { const f = buildFrame(FRAME.Header, sid, 'Echo', { str: { a: 'b' } }); f.writeUInt16BE(0xffff, 17); return f; }],
  ])('%s: every stream on the connection fails INTERNAL; the next call connects again', async (_w, bad) => {
    let n = 0;
    const hp = await hostileServer((sid, s) => s.write(n++ === 0 ? bad(sid) : Buffer.concat([buildFrame(FRAME.Header, sid, 'Echo'), buildFrame(FRAME.Data, sid, 'Echo', { payload: messageStruct('ok') })])));
    const c = client(hp);
    const a = c.call({ method: 'Echo', service: 'TestService' });
    await expect(a.recv()).rejects.toMatchObject({ code: Code.INTERNAL, rawMessage: expect.stringMatching(/^protocol error/) });
    const b = c.call({ method: 'Echo', service: 'TestService' });
    expect(Buffer.from((await b.recv())!)).toEqual(messageStruct('ok'));
  });

  it('a frame over the receive limit fails its stream only; a second Header frame likewise', async () => {
    const hp = await hostileServer((sid, s) => {
      if (sid === 1) s.write(buildFrame(FRAME.Data, sid, 'Echo', { payload: Buffer.alloc(2 * 1024 * 1024) }));
      else if (sid === 2) s.write(Buffer.concat([buildFrame(FRAME.Header, sid, 'Echo'), buildFrame(FRAME.Header, sid, 'Echo')]));
      else s.write(buildFrame(FRAME.Data, sid, 'Echo', { payload: messageStruct('fine') }));
    });
    const c = client(hp, { maxReceiveMessageBytes: 1024 * 1024 });
    const one = c.call({ method: 'Echo', service: 'TestService' });
    await expect(one.recv()).rejects.toMatchObject({ code: Code.RESOURCE_EXHAUSTED });
    const two = c.call({ method: 'Echo', service: 'TestService' });
    await expect(two.recv()).rejects.toMatchObject({ code: Code.INTERNAL, rawMessage: 'protocol error: a second Header frame on the stream' });
    const three = c.call({ method: 'Echo', service: 'TestService' });
    expect(Buffer.from((await three.recv())!)).toEqual(messageStruct('fine'));
    expect(c.connectionCount).toBe(1);
    expect(c.bufferedBytes).toBe(0);
  });

  it('a server flooding a stream nobody reads: the client stops reading past the high-water mark', async () => {
    let serverSocket: net.Socket | undefined;
    const hp = await hostileServer((sid, s) => {
      serverSocket = s;
      const f = buildFrame(FRAME.Data, sid, 'Echo', { payload: Buffer.alloc(60 * 1024) });
      // 24 MiB, more than the client's mark and every socket buffer between us together
      s.write(Buffer.concat(Array.from({ length: 400 }, () => f)));
    });
    const c = client(hp);
    const st = c.call({ method: 'Echo', service: 'TestService' });
    await until(() => serverSocket !== undefined, 'the stream to open');
    await sleep(200);
    expect(c.bufferedBytes).toBeLessThan(2 * 1024 * 1024);
    expect(serverSocket!.writableLength).toBeGreaterThan(0);
    // reading lets the rest in
    for (let i = 0; i < 50; i++) await st.recv();
    st.cancel();
  });

  it('the server closes the connection mid-stream: UNAVAILABLE', async () => {
    const hp = await hostileServer((sid, s) => {
      s.write(buildFrame(FRAME.Header, sid, 'Echo'));
      setTimeout(() => s.destroy(), 10);
    });
    const st = client(hp).call({ method: 'Echo', service: 'TestService' });
    await expect(st.recv()).rejects.toMatchObject({ code: Code.UNAVAILABLE });
    expect(await st.headers).toEqual({});
  });

  it('a silent server: the deadline ends the call; a 30-day deadline does not fire early', async () => {
    const hp = await hostileServer(() => undefined);
    const c = client(hp);
    const quick = c.call({ method: 'Echo', service: 'TestService', timeoutMs: 30 });
    await expect(quick.recv()).rejects.toMatchObject({ code: Code.DEADLINE_EXCEEDED });
    const long = c.call({ method: 'Echo', service: 'TestService', timeoutMs: 30 * 24 * 3600 * 1000 });
    await sleep(50);
    expect(long.finished).toBe(false);
    long.cancel();
  });

  it('a stream pinned to an address that refuses: UNAVAILABLE with the cause', async () => {
    const c = client('127.0.0.1:1');
    const st = c.call({ method: 'Echo', service: 'TestService' });
    const err = (await st.recv().catch((e: unknown) => e)) as Error & { code: number };
    expect(err.code).toBe(Code.UNAVAILABLE);
    expect(err.cause).toBeInstanceOf(Error);
  });
});

