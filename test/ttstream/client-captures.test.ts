/**
 * Our generic client against every Kitex v0.14.1 ttstream server capture. A
 * scripted server plays the captured Kitex server: when a stream opens it
 * sends that stream's captured frames (its closing Trailer once the client
 * has sent as many messages as the Kitex client did). The test makes the
 * call the capture's Kitex client made and checks two things: what our
 * client sent equals what the Kitex client sent (frame for frame, byte for
 * byte up to Go's map order; struct fields compared as values where Kitex's
 * JSON generic wrote them in random order), and what it returns is what the
 * Kitex client got. Where Kitex's client sends nothing on cancel or deadline,
 * ours ends the stream promptly and sends an Rst and a Trailer; the tests
 * say so.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Code,
  RpcError,
  jsonThriftGeneric,
  newStreamingClient,
  thriftContentProvider,
  thriftFileProvider,
  type ClientOptions,
  type GenericClient,
  type ThriftProvider,
} from '../../src/index.js';
import { ThriftApplicationError } from '../../src/frame/index.js';
import { byStream, canonical, capture, cutFrames, exceptionOf, framesOf, isTTStream, parseFrame, summary, FRAME, type WireFrame } from './wire.js';

interface Replay {
  port: number;
  /** Everything our client sent, once it closed its connections. */
  sent(): Promise<Buffer>;
  close(): void;
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * The captured server, replayed. Streams are matched in the order they open:
 * our n-th stream gets the frames of Kitex's n-th, re-stamped with our stream
 * id. `delayMs` holds a stream's frames back that long (the captured server
 * was slow). A Framed request gets the captured Framed reply with its seq id.
 */
async function replayServer(name: string, delayMs = 0): Promise<Replay> {
  const { c2s, s2c } = capture(name);
  const sockets = new Set<net.Socket>();
  const received: Buffer[] = [];
  let closedOnce!: () => void;
  const allClosed = new Promise<void>((r) => (closedOnce = r));
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (d) => {
      received.push(d);
      pending = Buffer.concat([pending, d]);
      const { frames, rest } = cutFrames(pending);
      pending = rest;
      for (const f of frames) onFrame(socket, f);
    });
    socket.on('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0) closedOnce();
    });
  });
  const kitexIn = isTTStream(c2s) ? byStream(framesOf(c2s)) : new Map<number, WireFrame[]>();
  const kitexOut = isTTStream(s2c) || s2c.length === 0 ? byStream(s2c.length ? framesOf(s2c) : []) : new Map<number, WireFrame[]>();
  const kitexSids = [...kitexIn.keys()];
  const ours = new Map<number, { kitexSid: number; data: number }>();
  const stamp = (f: WireFrame, sid: number): Buffer => {
    const b = Buffer.from(f.bytes);
    b.writeInt32BE(sid, 8);
    if (f.payload.length > 0 && f.payload.readUInt32BE(0) === 0x80010003) {
      // an EXCEPTION message carries the stream id as its seq id
      b.writeInt32BE(sid, b.length - f.payload.length + 8 + f.payload.readUInt32BE(4));
    }
    return b;
  };
  function onFrame(socket: net.Socket, bytes: Buffer): void {
    if (!isTTStream(bytes)) {
      // Framed ping-pong: the reply with the request's seq id
      const reply = Buffer.from(s2c);
      const seq = bytes.readInt32BE(8 + bytes.readUInt32BE(8));
      reply.writeInt32BE(seq, 8 + reply.readUInt32BE(8));
      socket.write(reply);
      return;
    }
    const f = parseFrame(bytes);
    if (f.type === FRAME.Header) {
      const kitexSid = kitexSids[ours.size]!;
      ours.set(f.sid, { kitexSid, data: 0 });
      const frames = (kitexOut.get(kitexSid) ?? []).filter((x) => x.type !== FRAME.Trailer);
      const send = (): void => void socket.write(Buffer.concat(frames.map((x) => stamp(x, f.sid))));
      if (delayMs > 0) setTimeout(send, delayMs).unref();
      else send();
      return;
    }
    const s = ours.get(f.sid);
    if (s === undefined || f.type !== FRAME.Data) return;
    s.data++;
    const expected = (kitexIn.get(s.kitexSid) ?? []).filter((x) => x.type === FRAME.Data).length;
    const trailer = (kitexOut.get(s.kitexSid) ?? []).find((x) => x.type === FRAME.Trailer);
    if (s.data === expected && trailer) socket.write(stamp(trailer, f.sid));
  }
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const replay: Replay = {
    port: (server.address() as net.AddressInfo).port,
    sent: async () => {
      await allClosed;
      return Buffer.concat(received);
    },
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
  cleanups.push(() => replay.close());
  return replay;
}

async function testProvider(): Promise<ThriftProvider> {
  return thriftFileProvider('examples/idl/streaming.thrift');
}

function client(p: ThriftProvider, port: number, opts: Partial<ClientOptions> = {}): GenericClient<string, string> {
  const cli = newStreamingClient('TestService', jsonThriftGeneric(p), { hostPorts: [`127.0.0.1:${port}`], transport: 'ttstream', ...opts });
  cleanups.push(() => cli.close());
  return cli;
}

/**
 * Our client's frames equal the Kitex client's, stream by stream in the order
 * they opened (Kitex's ids came from a process-wide counter, ours count per
 * connection). `decode` compares payloads as values instead of bytes.
 */
function expectSameRequests(ours: Buffer, name: string, decode?: (p: Buffer) => unknown): void {
  const a = [...byStream(framesOf(ours)).values()];
  const b = [...byStream(framesOf(capture(name).c2s)).values()];
  expect(a.length).toBe(b.length);
  b.forEach((kitex, i) => {
    const mine = a[i]!.map((f) => restamp(f, kitex[0]!.sid));
    expect(mine.map(summary)).toEqual(kitex.map(summary));
    expect(mine.map((f) => canonical(f, !decode))).toEqual(kitex.map((f) => canonical(f, !decode)));
    if (decode) expect(mine.map((f) => decode(f.payload))).toEqual(kitex.map((f) => decode(f.payload)));
  });
}

function restamp(f: WireFrame, sid: number): WireFrame {
  const b = Buffer.from(f.bytes);
  b.writeInt32BE(sid, 8);
  return parseFrame(b);
}

/** Runs the scenario, closes the client, and returns what it sent. */
async function sentBy(replay: Replay, cli: GenericClient<string, string>): Promise<Buffer> {
  await cli.close();
  return replay.sent();
}

const msg = (m: string): string => JSON.stringify({ message: m });

describe('our client calls like a Kitex client and reads a Kitex server', () => {
  it.each([['ttstream_bidi_generic'], ['ttstream_bidi_typed']])('%s: bidi in lock step', async (name) => {
    const replay = await replayServer(name);
    const cli = client(await testProvider(), replay.port);
    const bs = await cli.bidiStreaming('Echo');
    for (let i = 1; i <= 3; i++) {
      await bs.send(msg(`hello ${i}`));
      expect(await bs.recv()).toBe(msg(`server echo: hello ${i}`));
    }
    bs.close();
    expect(await bs.recv()).toBeUndefined();
    expect(await bs.headers).toEqual({});
    expect(await bs.trailers).toEqual({});
    expectSameRequests(await sentBy(replay, cli), name);
  });

  it('ttstream_bidi_pipelined_typed: sends and half-close before reading', async () => {
    const replay = await replayServer('ttstream_bidi_pipelined_typed');
    const cli = client(await testProvider(), replay.port);
    const bs = await cli.bidiStreaming('Echo');
    for (let i = 1; i <= 3; i++) await bs.send(msg(`hello ${i}`));
    bs.close();
    const got: string[] = [];
    for await (const r of bs) got.push(r);
    expect(got).toEqual([1, 2, 3].map((i) => msg(`server echo: hello ${i}`)));
    expectSameRequests(await sentBy(replay, cli), 'ttstream_bidi_pipelined_typed');
  });

  it.each([['ttstream_client_stream_generic'], ['ttstream_client_stream_typed']])('%s', async (name) => {
    const replay = await replayServer(name);
    const cli = client(await testProvider(), replay.port);
    const cs = await cli.clientStreaming('EchoClient');
    for (let i = 1; i <= 3; i++) await cs.send(msg(`hello ${i}`));
    expect(await cs.closeAndRecv()).toBe(msg('server received 3 messages'));
    expectSameRequests(await sentBy(replay, cli), name);
  });

  it.each([['ttstream_server_stream_generic'], ['ttstream_server_stream_typed']])('%s', async (name) => {
    const replay = await replayServer(name);
    const cli = client(await testProvider(), replay.port);
    const got: string[] = [];
    for await (const r of await cli.serverStreaming('EchoServer', msg('hello'))) got.push(r);
    expect(got).toEqual([0, 1, 2].map((i) => msg(`server streaming response ${i} for request: hello`)));
    expectSameRequests(await sentBy(replay, cli), name);
  });

  it('ttstream_two_streams_typed: two streams one after the other (one connection here, ids 1 and 2)', async () => {
    const replay = await replayServer('ttstream_two_streams_typed');
    const cli = client(await testProvider(), replay.port);
    for (const m of ['a', 'b']) {
      const got: string[] = [];
      for await (const r of await cli.serverStreaming('EchoServer', msg(m))) got.push(r);
      expect(got).toEqual([0, 1, 2].map((i) => msg(`server streaming response ${i} for request: ${m}`)));
    }
    const sent = await sentBy(replay, cli);
    expect([...byStream(framesOf(sent)).keys()]).toEqual([1, 2]);
    expectSameRequests(sent, 'ttstream_two_streams_typed');
  });

  it('ttstream_interleaved_typed: two bidi streams multiplexed on one connection', async () => {
    const replay = await replayServer('ttstream_interleaved_typed');
    const cli = client(await testProvider(), replay.port);
    const a = await cli.bidiStreaming('Echo');
    const b = await cli.bidiStreaming('Echo');
    await a.send(msg('a1'));
    await b.send(msg('b1'));
    expect(await a.recv()).toBe(msg('server echo: a1'));
    expect(await b.recv()).toBe(msg('server echo: b1'));
    await b.send(msg('b2'));
    expect(await b.recv()).toBe(msg('server echo: b2'));
    a.close();
    expect(await a.recv()).toBeUndefined();
    b.close();
    expect(await b.recv()).toBeUndefined();
    const sent = await sentBy(replay, cli);
    expect(cutFrames(sent).frames.length).toBe(framesOf(capture('ttstream_interleaved_typed').c2s).length);
    expectSameRequests(sent, 'ttstream_interleaved_typed');
  });

  it('ttstream_metadata_typed: transient and persistent metainfo out, stream header and trailer in', async () => {
    const replay = await replayServer('ttstream_metadata_typed');
    const cli = client(await testProvider(), replay.port);
    const bs = await cli.bidiStreaming('Echo', { metadata: { 'x-trace': 'abc' }, persistentMetadata: { 'x-tenant': 't1' } });
    await bs.send(msg('hello'));
    expect(await bs.recv()).toBe(msg('server echo: hello'));
    bs.close();
    expect(await bs.recv()).toBeUndefined();
    expect(await bs.headers).toEqual({ 'x-tenant': 't1', 'x-trace': 'abc' });
    expect(await bs.trailers).toEqual({ 'x-tenant': 't1', 'x-trace': 'abc' });
    expectSameRequests(await sentBy(replay, cli), 'ttstream_metadata_typed');
  });

  it('ttstream_send_header_typed: a header sent early, merged', async () => {
    const replay = await replayServer('ttstream_send_header_typed');
    const cli = client(await testProvider(), replay.port, { metadata: { 'x-trace': 'abc' } });
    const bs = await cli.bidiStreaming('Echo');
    await bs.send(msg('header:early'));
    expect(await bs.headers).toEqual({ 'x-sent-header': 'early', 'x-trace': 'abc' });
    expect(await bs.recv()).toBe(msg('server echo: header:early'));
    bs.close();
    expect(await bs.recv()).toBeUndefined();
    expect(await bs.trailers).toEqual({ 'x-trace': 'abc' });
    expectSameRequests(await sentBy(replay, cli), 'ttstream_send_header_typed');
  });

  it('ttstream_metadata_client_stream_generic: the header comes with the single reply', async () => {
    const replay = await replayServer('ttstream_metadata_client_stream_generic');
    const cli = client(await testProvider(), replay.port);
    const cs = await cli.clientStreaming('EchoClient', { metadata: { 'x-trace': 'abc' } });
    await cs.send(msg('a'));
    await cs.send(msg('b'));
    expect(await cs.closeAndRecv()).toBe(msg('server received 2 messages'));
    expect(await cs.headers).toEqual({ 'x-trace': 'abc' });
    expect(await cs.trailers).toEqual({ 'x-trace': 'abc' });
    expectSameRequests(await sentBy(replay, cli), 'ttstream_metadata_client_stream_generic');
  });

  it('ttstream_bizerror_typed: a biz status in the trailer is an RpcError with that code', async () => {
    const replay = await replayServer('ttstream_bizerror_typed');
    const cli = client(await testProvider(), replay.port);
    const bs = await cli.bidiStreaming('Echo');
    await bs.send(msg('bizerror:10001:biz failed'));
    const err = (await bs.recv().catch((e: unknown) => e)) as RpcError;
    expect(err).toBeInstanceOf(RpcError);
    expect(err.code).toBe(10001);
    expect(err.rawMessage).toBe('biz failed');
    expect(err.metadata).toEqual({ 'biz-status': '10001', 'biz-message': 'biz failed' });
    expect(await bs.trailers).toEqual({ 'biz-status': '10001', 'biz-message': 'biz failed' });
    // Kitex's client answers the server's Trailer with its own: so does ours
    expectSameRequests(await sentBy(replay, cli), 'ttstream_bizerror_typed');
  });

  it.each([
    ['ttstream_error_handler_generic', 'biz error: something failed'],
    ['ttstream_exception_typed', 'biz error: KitchenError({Code:7 Message:boom})'],
    ['ttstream_oldgen_server', 'panic: [happened in biz handler, method=TestService.Echo, please check the panic at the server side] runtime error: invalid memory address or nil pointer dereference'],
  ])('%s: a TApplicationException trailer is a ThriftApplicationError', async (name, message) => {
    const replay = await replayServer(name);
    const cli = client(await testProvider(), replay.port);
    const bs = await cli.bidiStreaming('Echo');
    const requests = framesOf(capture(name).c2s).filter((f) => f.type === FRAME.Data).map((f) => f.payload);
    const texts = requests.map((p) => p.toString('utf8', 7, p.length - 1));
    let err: unknown;
    for (const t of texts) {
      await bs.send(msg(t));
      err = await bs.recv().then(
        (r) => expect(r).toBe(msg(`server echo: ${t}`)),
        (e: unknown) => e,
      );
    }
    expect(err).toBeInstanceOf(ThriftApplicationError);
    expect((err as ThriftApplicationError).thriftExceptionType).toBe(6);
    expect((err as RpcError).code).toBe(Code.INTERNAL);
    expect((err as RpcError).rawMessage).toBe(message);
    expectSameRequests(await sentBy(replay, cli), name);
  });

  it('ttstream_kitchen_fanout_generic: server streaming of the kitchen-sink struct', async () => {
    const replay = await replayServer('ttstream_kitchen_fanout_generic');
    const p = await thriftFileProvider('test/fixtures/ttstream/kitchen_stream.thrift');
    const cli = newStreamingClient('KitchenService', jsonThriftGeneric(p), { hostPorts: [`127.0.0.1:${replay.port}`], transport: 'ttstream' });
    cleanups.push(() => cli.close());
    const got: unknown[] = [];
    for await (const r of await cli.serverStreaming('Fanout', '{"item":{"text":"t","ints":[1,2],"must":"x"},"count":2}')) got.push(JSON.parse(r));
    expect(got).toHaveLength(2);
    expect(got[0]).toMatchObject({ text: 't', ints: [1, 2], must: 'x', inner: { name: '', children: [] } });
    // Kitex's JSON generic wrote the struct's fields in Go map order: compare values
    expectSameRequests(await sentBy(replay, cli), 'ttstream_kitchen_fanout_generic', (b) => (b.length ? JSON.parse(p.decodeToJson('FanoutRequest', b)) : null));
  });

  it('ttstream_error_midstream: messages, then the handler error', async () => {
    const replay = await replayServer('ttstream_error_midstream');
    const p = await thriftFileProvider('test/fixtures/ttstream/kitchen_stream.thrift');
    const cli = newStreamingClient('KitchenService', jsonThriftGeneric(p), { hostPorts: [`127.0.0.1:${replay.port}`], transport: 'ttstream' });
    cleanups.push(() => cli.close());
    const ss = await cli.serverStreaming('Fanout', '{"item":{"text":"t","must":"x"},"count":3,"fail_after":2}');
    expect(JSON.parse((await ss.recv())!)).toMatchObject({ text: 't' });
    expect(JSON.parse((await ss.recv())!)).toMatchObject({ text: 't' });
    const err = (await ss.recv().catch((e: unknown) => e)) as RpcError;
    expect(err).toBeInstanceOf(ThriftApplicationError);
    expect(err.rawMessage).toBe('biz error: rpc error: code = 13 desc = fanout failed after 2');
    // the Kitex client was a generated one (fixed-size fields first): compare values
    expectSameRequests(await sentBy(replay, cli), 'ttstream_error_midstream', (b) => (b.length ? JSON.parse(p.decodeToJson('FanoutRequest', b)) : null));
  });

  it.each([['ttstream_pingpong_generic', 'EchoPingPong', 'server pong: hello'], ['ttstream_pingpong_typed', 'EchoPingPong', 'server pong: hello'], ['ttstream_unary_mode_generic', 'EchoUnary', 'server unary: hello']])(
    '%s: genericCall on a ttstream client goes Framed, byte for byte',
    async (name, method, reply) => {
      const replay = await replayServer(name);
      const cli = client(await testProvider(), replay.port);
      expect(await cli.genericCall(method, msg('hello'))).toBe(msg(reply));
      expect((await sentBy(replay, cli)).toString('hex')).toBe(capture(name).c2s.toString('hex'));
    },
  );
});

/**
 * What Kitex v0.14.1's client does not do: on cancel and deadline it sent
 * nothing and kept the stream; ours ends the call at once and tells the
 * server (Rst with the reason, then a Trailer), after the same frames as Kitex.
 */
describe('cancel and deadlines end the stream promptly and tell the server', () => {
  /** Our frames: Kitex's first `count` (all by default), then Rst (when `reset`) and Trailer. */
  function expectKitexThenReset(sent: Buffer, name: string, type: number, reset: boolean, count?: number): WireFrame[] {
    const kitex = framesOf(capture(name).c2s).slice(0, count);
    const ours = framesOf(sent);
    expect(ours.slice(0, kitex.length).map((f) => canonical(f))).toEqual(kitex.map((f) => canonical(f)));
    const extra = ours.slice(kitex.length);
    expect(extra.map((f) => f.type)).toEqual(reset ? [FRAME.Rst, FRAME.Trailer] : [FRAME.Trailer]);
    if (reset) {
      const ex = exceptionOf(extra[0]!.payload);
      expect(ex).toMatchObject({ name: kitex[0]!.method, seqId: 1, type });
    }
    expect(extra.at(-1)!.payload.length).toBe(0);
    return extra;
  }

  it('ttstream_cancel_typed with ttstreamReset (Kitex ≥ 0.15 servers): cancel() → CANCELLED now, Rst and Trailer; later sends fail', async () => {
    const replay = await replayServer('ttstream_cancel_typed');
    const cli = client(await testProvider(), replay.port, { ttstreamReset: true });
    const bs = await cli.bidiStreaming('Echo');
    await bs.send(msg('hello'));
    expect(await bs.recv()).toBe(msg('server echo: hello'));
    bs.cancel();
    await expect(bs.recv()).rejects.toMatchObject({ code: Code.CANCELLED });
    await expect(bs.send(msg('after cancel'))).rejects.toMatchObject({ code: Code.CANCELLED });
    // Kitex's client still sent "after cancel" (its third frame); ours had ended the stream
    expectKitexThenReset(await sentBy(replay, cli), 'ttstream_cancel_typed', 12007, true, 2);
  });

  it('ttstream_cancel_typed by default (safe with Kitex v0.14 servers): a Trailer alone', async () => {
    const replay = await replayServer('ttstream_cancel_typed');
    const cli = client(await testProvider(), replay.port);
    const abort = new AbortController();
    const bs = await cli.bidiStreaming('Echo', { signal: abort.signal });
    await bs.send(msg('hello'));
    expect(await bs.recv()).toBe(msg('server echo: hello'));
    abort.abort();
    await expect(bs.recv()).rejects.toMatchObject({ code: Code.CANCELLED });
    expectKitexThenReset(await sentBy(replay, cli), 'ttstream_cancel_typed', 12007, false, 2);
  });

  it.each([['ttstream_deadline_typed'], ['ttstream_recv_timeout_typed']])('%s: the deadline passes before the slow reply → DEADLINE_EXCEEDED', async (name) => {
    const replay = await replayServer(name, 400);
    const cli = client(await testProvider(), replay.port);
    const bs = await cli.bidiStreaming('Echo', { timeoutMs: 50 });
    await bs.send(msg('sleep:1000:slow'));
    await expect(bs.recv()).rejects.toMatchObject({ code: Code.DEADLINE_EXCEEDED });
    expectKitexThenReset(await sentBy(replay, cli), name, 12015, false);
  });

  it('ttstream_unknown_method: a Kitex server is silent; the deadline ends the call', async () => {
    const replay = await replayServer('ttstream_unknown_method');
    const text = (await import('node:fs')).readFileSync('examples/idl/streaming.thrift', 'utf8');
    const p = await thriftContentProvider(text.replace('service TestService {', 'service TestService {\n    Response NoSuchMethod (1: Request req) (streaming.mode="bidirectional"),'));
    const cli = client(p, replay.port, { ttstreamReset: true });
    const bs = await cli.bidiStreaming('NoSuchMethod', { timeoutMs: 50 });
    await bs.send(msg('hello'));
    await expect(bs.recv()).rejects.toMatchObject({ code: Code.DEADLINE_EXCEEDED });
    expectKitexThenReset(await sentBy(replay, cli), 'ttstream_unknown_method', 12015, true);
  });

  it('ttstream_unknown_service: the same for a service the server does not have', async () => {
    const replay = await replayServer('ttstream_unknown_service');
    const p = await thriftFileProvider('test/fixtures/ttstream/kitchen_stream.thrift');
    const cli = newStreamingClient('KitchenService', jsonThriftGeneric(p), { hostPorts: [`127.0.0.1:${replay.port}`], transport: 'ttstream', timeoutMs: 50, ttstreamReset: true });
    cleanups.push(() => cli.close());
    const bs = await cli.bidiStreaming('Chat');
    await bs.send('{"text":"t","must":"x"}');
    await expect(bs.recv()).rejects.toMatchObject({ code: Code.DEADLINE_EXCEEDED });
    const sent = framesOf(await sentBy(replay, cli));
    const kitex = framesOf(capture('ttstream_unknown_service').c2s);
    expect(sent.slice(0, 2).map((f) => canonical(f, false))).toEqual(kitex.map((f) => canonical(f, false)));
    expect(JSON.parse(p.decodeToJson('Kitchen', sent[1]!.payload))).toEqual(JSON.parse(p.decodeToJson('Kitchen', kitex[1]!.payload)));
    expect(sent.slice(2).map((f) => f.type)).toEqual([FRAME.Rst, FRAME.Trailer]);
  });
});
