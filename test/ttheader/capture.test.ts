/**
 * Byte-for-byte checks against the Kitex v0.14.1 captures in test/fixtures/wire:
 * our client's request equals Kitex's (seq id and info order normalised) and
 * our client reads Kitex's replies, replayed by a scripted server.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { PingPongClient, decodeEnvelope, decodeTTHeaderFrame, ThriftApplicationError, ServerRequestReader, FrameDecoder, IntInfoKey, type PingPongTransport, type PayloadProtocol, type PingPongClientOptions } from '../../src/ttheader/index.js';
import { Code } from '../../src/errors/index.js';
import { capture, hex, startServer, type ScriptedServer } from './helpers.js';

/** Overwrites the sequence ids (TTHeader and message) of a whole frame. */
function withSeq(frame: Uint8Array, seq: number, buffered: boolean): Uint8Array {
  const out = new Uint8Array(frame); // a copy (Buffer#slice would be a view)
  const dv = new DataView(out.buffer);
  const env = decodeEnvelope(out, buffered);
  if (env.frameSeqId !== undefined) dv.setInt32(8, seq);
  dv.setInt32(env.body.byteOffset - out.byteOffset - 4, seq);
  return out;
}

/** Compares two TTHeader frames field by field; info blocks as maps (their order is Go map order). */
function expectSameTTHeader(ours: Uint8Array, kitex: Uint8Array): void {
  const a = decodeTTHeaderFrame(ours);
  const b = decodeTTHeaderFrame(kitex);
  expect(ours.length).toBe(kitex.length);
  expect(a.headerLength).toBe(b.headerLength);
  expect(a.flags).toBe(b.flags);
  expect(a.protocolId).toBe(b.protocolId);
  expect(a.transforms).toEqual(b.transforms);
  expect(a.intInfo).toEqual(b.intInfo);
  expect(a.strInfo).toEqual(b.strInfo);
  expect(hex(a.payload)).toBe(hex(b.payload));
}

const servers: ScriptedServer[] = [];
const clients: PingPongClient[] = [];
afterAll(async () => {
  for (const c of clients) await c.close();
  for (const s of servers) await s.close();
});

/** A server that answers each request with the capture's reply, re-stamped with the request's seq id. */
async function replayServer(s2c: Uint8Array, buffered: boolean): Promise<ScriptedServer> {
  const readers = new Map<unknown, ServerRequestReader>();
  const srv = await startServer((sock, _all, chunk) => {
    let r = readers.get(sock);
    if (!r) readers.set(sock, (r = new ServerRequestReader()));
    for (const req of r.push(chunk)) {
      if (s2c.length > 0) sock.write(withSeq(s2c, req.seqId, buffered));
    }
  });
  servers.push(srv);
  return srv;
}

function client(port: number, transport: PingPongTransport, payloadProtocol: PayloadProtocol = 'thrift-binary', extra: Partial<PingPongClientOptions> = {}): PingPongClient {
  const c = new PingPongClient({ hostPorts: [`127.0.0.1:${port}`], transport, payloadProtocol, ...extra });
  clients.push(c);
  return c;
}

/** The body (args struct or bare message) of a capture's request. */
function requestBody(c2s: Uint8Array, buffered = false): Uint8Array {
  return decodeEnvelope(c2s, buffered).body.slice();
}

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
}

describe('TTHeader requests match Kitex byte for byte', () => {
  it('thrift_pingpong_ttheader_generic: identical bytes (TTHeader+Framed, isn, 6 int keys)', async () => {
    const { c2s, s2c } = capture('thrift_pingpong_ttheader_generic');
    const srv = await replayServer(s2c, false);
    const cli = client(srv.port, 'ttheader');
    const reply = await cli.call({ method: 'EchoPingPong', body: requestBody(c2s), idlServiceName: 'TestService', toService: 'TestService' });
    // seq id 1 is the first on a fresh connection, and our info order is the capture's: exact equality
    expect(hex(srv.received[0]!)).toBe(hex(c2s));
    expect(reply?.messageType).toBe('reply');
    expect(hex(reply!.body)).toBe(hex(decodeEnvelope(s2c).body));
    expect(reply!.headers.intInfo).toEqual(new Map([[IntInfoKey.MsgType, '2']]));
    expect(reply!.headers.strInfo.size).toBe(0);
  });

  it('thrift_pingpong_ttheader_typed: same layout as generic', async () => {
    const { c2s, s2c } = capture('thrift_pingpong_ttheader_typed');
    const srv = await replayServer(s2c, false);
    const cli = client(srv.port, 'ttheader');
    await cli.call({ method: 'EchoPingPong', body: requestBody(c2s), idlServiceName: 'TestService' });
    expectSameTTHeader(withSeq(srv.received[0]!, 2, false), c2s);
  });

  it('thrift_pingpong_ttheader_unframed_typed: TransportType unframed, 21 words with padding, bare message', async () => {
    const { c2s, s2c } = capture('thrift_pingpong_ttheader_unframed_typed');
    const srv = await replayServer(s2c, false);
    const cli = client(srv.port, 'ttheader-unframed');
    const reply = await cli.call({ method: 'EchoPingPong', body: requestBody(c2s), idlServiceName: 'TestService' });
    expect(hex(withSeq(srv.received[0]!, 3, false))).toBe(hex(c2s));
    expect(hex(reply!.body)).toBe(hex(decodeEnvelope(s2c).body));
  });

  it('thrift_pingpong_ttheader_rpctimeout: RPCTimeout "3000" from timeoutMs', async () => {
    const { c2s, s2c } = capture('thrift_pingpong_ttheader_rpctimeout');
    const srv = await replayServer(s2c, false);
    const cli = client(srv.port, 'ttheader');
    const reply = await cli.call({ method: 'EchoPingPong', body: requestBody(c2s), idlServiceName: 'TestService', timeoutMs: 3000 });
    expect(hex(withSeq(srv.received[0]!, 20, false))).toBe(hex(c2s));
    expect(decodeTTHeaderFrame(srv.received[0]!).intInfo.get(IntInfoKey.RPCTimeout)).toBe('3000');
    expect(reply?.messageType).toBe('reply');
  });

  it('thrift_ping_ttheader and thrift_exception_ttheader (declared exception arrives as a REPLY, returned raw)', async () => {
    for (const [name, method] of [['thrift_ping_ttheader', 'Ping'], ['thrift_exception_ttheader', 'Fail']] as const) {
      const { c2s, s2c } = capture(name);
      const srv = await replayServer(s2c, false);
      const cli = client(srv.port, 'ttheader');
      const reply = await cli.call({ method, body: requestBody(c2s), idlServiceName: 'KitchenService' });
      expectSameTTHeader(withSeq(srv.received[0]!, decodeEnvelope(c2s).seqId, false), c2s);
      expect(hex(reply!.body)).toBe(hex(decodeEnvelope(s2c).body));
    }
    // the declared exception: result struct field 1 = KitchenError{1: 7, 2: "boom"}
    const body = decodeEnvelope(capture('thrift_exception_ttheader').s2c).body;
    expect(hex(body)).toBe('0c0001' + '080001' + '00000007' + '0b0002' + '00000004' + hex(new TextEncoder().encode('boom')) + '00' + '00');
  });

  it('thrift_oneway_ttheader: MsgType 4, ONEWAY message, resolves without a reply', async () => {
    const { c2s } = capture('thrift_oneway_ttheader');
    const srv = await replayServer(new Uint8Array(0), false);
    const cli = client(srv.port, 'ttheader');
    const r = await cli.call({ method: 'Notify', body: requestBody(c2s), idlServiceName: 'KitchenService', oneway: true });
    expect(r).toBeUndefined();
    await waitFor(() => (srv.received[0]?.length ?? 0) >= c2s.length);
    expectSameTTHeader(withSeq(srv.received[0]!, 8, false), c2s);
  });

  it('thrift_unknown_method_ttheader: EXCEPTION → ThriftApplicationError, crrst drops the connection', async () => {
    const { c2s, s2c } = capture('thrift_unknown_method_ttheader');
    const srv = await replayServer(s2c, false);
    const cli = client(srv.port, 'ttheader');
    const err = await cli.call({ method: 'NoSuchMethod', body: requestBody(c2s), toService: 'TestService' }).catch((e: unknown) => e);
    expectSameTTHeader(withSeq(srv.received[0]!, 9, false), c2s);
    expect(err).toBeInstanceOf(ThriftApplicationError);
    const e = err as ThriftApplicationError;
    expect(e.code).toBe(Code.UNIMPLEMENTED);
    expect(e.thriftExceptionType).toBe(1);
    expect(e.rawMessage).toBe('unknown method NoSuchMethod');
    expect(e.metadata).toEqual({ crrst: '1', 'thrift-exception-type': '1' });
    // crrst: the next call needs a new connection
    await cli.call({ method: 'NoSuchMethod', body: requestBody(c2s), toService: 'TestService' }).catch(() => undefined);
    expect(srv.connections).toBe(2);
  });

  it('pb_ttheader_pingpong_generic: Kitex protobuf envelope inside TTHeader+Framed, protocol id 0', async () => {
    const { c2s, s2c } = capture('pb_ttheader_pingpong_generic');
    const srv = await replayServer(s2c, false);
    const cli = client(srv.port, 'ttheader', 'kitex-protobuf');
    const reply = await cli.call({ method: 'UnaryEcho', body: requestBody(c2s), idlServiceName: 'StreamingService' });
    expectSameTTHeader(withSeq(srv.received[0]!, 23, false), c2s);
    expect(hex(reply!.body)).toBe('0a0b' + hex(new TextEncoder().encode('Echo: hello')));
  });
});

describe('Framed and Buffered requests match Kitex byte for byte', () => {
  it('thrift_pingpong_framed_typed', async () => {
    const { c2s, s2c } = capture('thrift_pingpong_framed_typed');
    const srv = await replayServer(s2c, false);
    const cli = client(srv.port, 'framed');
    const reply = await cli.call({ method: 'EchoPingPong', body: requestBody(c2s) });
    expect(hex(withSeq(srv.received[0]!, 4, false))).toBe(hex(c2s));
    expect(hex(reply!.body)).toBe(hex(decodeEnvelope(s2c).body));
    expect(reply!.headers.intInfo.size + reply!.headers.strInfo.size).toBe(0);
  });

  it('thrift_pingpong_buffered_typed', async () => {
    const { c2s, s2c } = capture('thrift_pingpong_buffered_typed');
    const srv = await replayServer(s2c, true);
    const cli = client(srv.port, 'buffered');
    const reply = await cli.call({ method: 'EchoPingPong', body: requestBody(c2s, true) });
    expect(hex(withSeq(srv.received[0]!, 5, true))).toBe(hex(c2s));
    expect(hex(reply!.body)).toBe(hex(decodeEnvelope(s2c, true).body));
  });
});

describe('captured replies decode, whatever the TCP chunking', () => {
  const cases: Array<[string, boolean]> = [
    ['thrift_pingpong_ttheader_generic', false], ['thrift_pingpong_ttheader_unframed_typed', false],
    ['thrift_unknown_method_ttheader', false], ['thrift_exception_ttheader', false], ['pb_ttheader_pingpong_generic', false],
    ['thrift_pingpong_framed_typed', false], ['thrift_pingpong_buffered_typed', true],
  ];
  it.each(cases)('%s split at every byte and doubled in one chunk', (name, buffered) => {
    for (const dir of ['c2s', 's2c'] as const) {
      const bytes = capture(name)[dir];
      const whole = decodeEnvelope(bytes, buffered);
      const delim = buffered ? { kind: 'buffered' as const, encoding: 'binary' as const } : { kind: 'length-prefixed' as const };
      for (let cut = 1; cut < bytes.length; cut++) {
        const d = new FrameDecoder(delim);
        expect(d.push(bytes.subarray(0, cut))).toEqual([]);
        const frames = d.push(bytes.subarray(cut));
        expect(frames.length).toBe(1);
        expect(hex(frames[0]!)).toBe(hex(bytes));
      }
      const two = new Uint8Array(bytes.length * 2);
      two.set(bytes, 0);
      two.set(bytes, bytes.length);
      const frames = new FrameDecoder(delim).push(two);
      expect(frames.map((f) => decodeEnvelope(f, buffered).name)).toEqual([whole.name, whole.name]);
    }
  });

  it('the server-side reader recognises every captured request', () => {
    const expected: Record<string, [string, string]> = {
      thrift_pingpong_ttheader_generic: ['ttheader', 'thrift-binary'],
      thrift_pingpong_ttheader_unframed_typed: ['ttheader-unframed', 'thrift-binary'],
      pb_ttheader_pingpong_generic: ['ttheader', 'kitex-protobuf'],
      thrift_pingpong_framed_typed: ['framed', 'thrift-binary'],
      thrift_pingpong_buffered_typed: ['buffered', 'thrift-binary'],
      thrift_oneway_ttheader: ['ttheader', 'thrift-binary'],
    };
    for (const [name, [t, p]] of Object.entries(expected)) {
      const reqs = new ServerRequestReader().push(capture(name).c2s);
      expect(reqs.length).toBe(1);
      expect([reqs[0]!.transport, reqs[0]!.payloadProtocol]).toEqual([t, p]);
    }
  });
});
