/**
 * Our generic server against every Kitex v0.14.1 ttstream client capture: the
 * bytes a real Kitex client sent are replayed to our server (with handlers
 * that behave like the recording server) and our answer must equal the real
 * Kitex server's, frame for frame and byte for byte up to the order of Go's
 * maps (int and string infos). Where the captured server did something we do
 * better (silence for an unknown method or service) or could not do (an
 * old-style handler's panic), the test says what we send instead.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonThriftGeneric, newGenericServer, thriftFileProvider, type GenericServer } from '../../src/index.js';
import { byStream, canonical, capture, cutFrames, exceptionOf, framesOf, isTTStream, parseFrame, summary, type WireFrame } from './wire.js';
import { kitchenHandlers, testServiceHandlers } from './kitex-peer.js';

let testServer: GenericServer<string, string>;
let kitchenValue: (payload: Buffer) => unknown;
let kitchenServer: GenericServer<string, string>;

beforeAll(async () => {
  testServer = newGenericServer(jsonThriftGeneric(await thriftFileProvider('examples/idl/streaming.thrift')), testServiceHandlers);
  const kitchen = await thriftFileProvider('test/fixtures/ttstream/kitchen_stream.thrift');
  kitchenServer = newGenericServer(jsonThriftGeneric(kitchen), kitchenHandlers);
  // A Data payload is a Kitchen; Trailers and Headers have none.
  kitchenValue = (payload) => (payload.length === 0 || payload[0] === 0x80 ? payload.toString('hex') : JSON.parse(kitchen.decodeToJson('Kitchen', payload)));
  await Promise.all([testServer.start(), kitchenServer.start()]);
});

afterAll(async () => {
  await Promise.all([testServer?.close(), kitchenServer?.close()]);
});

/**
 * Sends `request` on a fresh connection and collects what comes back until
 * `frames` whole frames arrived (or `quietMs` passed without any byte).
 */
function exchange(port: number, request: Buffer, frames: number, quietMs = 400): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let got = Buffer.alloc(0);
    let timer = setTimeout(done, quietMs);
    function done(): void {
      clearTimeout(timer);
      socket.destroy();
      resolve(got);
    }
    socket.on('data', (d) => {
      got = Buffer.concat([got, d]);
      clearTimeout(timer);
      if (cutFrames(got).frames.length >= frames) done();
      else timer = setTimeout(done, quietMs);
    });
    socket.on('error', reject);
    socket.write(request);
  });
}

/**
 * Same streams, frame for frame. With `decode`, payloads are compared as the
 * values they decode to (the order of a struct's fields is the encoder's
 * choice: Kitex's fastcodec writes ids in ascending order, our codec the order
 * of the handler's JSON), and as bytes otherwise.
 */
function expectSameStreams(ours: WireFrame[], kitex: WireFrame[], decode?: (payload: Buffer) => unknown): void {
  const a = byStream(ours);
  const b = byStream(kitex);
  expect([...a.keys()].sort(byNumber)).toEqual([...b.keys()].sort(byNumber));
  for (const [sid, frames] of b) {
    const mine = a.get(sid)!;
    expect(mine.map(summary), `stream ${sid}`).toEqual(frames.map(summary));
    expect(mine.map((f) => canonical(f, !decode)), `stream ${sid} bytes`).toEqual(frames.map((f) => canonical(f, !decode)));
    if (decode) expect(mine.map((f) => decode(f.payload))).toEqual(frames.map((f) => decode(f.payload)));
  }
}

const byNumber = (x: number, y: number): number => x - y;

/** Captures whose server answer we reproduce exactly (up to map order). */
const same: Array<[string, 'test' | 'kitchen']> = [
  ['ttstream_bidi_generic', 'test'],
  ['ttstream_bidi_typed', 'test'],
  ['ttstream_bidi_pipelined_typed', 'test'],
  ['ttstream_client_stream_generic', 'test'],
  ['ttstream_client_stream_typed', 'test'],
  ['ttstream_server_stream_generic', 'test'],
  ['ttstream_server_stream_typed', 'test'],
  ['ttstream_interleaved_typed', 'test'],
  ['ttstream_two_streams_typed', 'test'],
  ['ttstream_metadata_typed', 'test'],
  ['ttstream_metadata_client_stream_generic', 'test'],
  ['ttstream_send_header_typed', 'test'],
  ['ttstream_bizerror_typed', 'test'],
  ['ttstream_error_handler_generic', 'test'],
  ['ttstream_exception_typed', 'test'],
  ['ttstream_cancel_typed', 'test'],
  ['ttstream_deadline_typed', 'test'],
  ['ttstream_recv_timeout_typed', 'test'],
  ['ttstream_kitchen_fanout_generic', 'kitchen'],
  ['ttstream_error_midstream', 'kitchen'],
];

describe('our server answers Kitex ttstream clients as a Kitex server does', () => {
  it.each(same)('%s', async (name, service) => {
    const { c2s, s2c } = capture(name);
    const kitex = framesOf(s2c);
    const port = (service === 'test' ? testServer : kitchenServer).address.port;
    // Streams the Kitex client opened on separate connections (the mux pool) share one here:
    // ids are per connection and distinct, so the server cannot tell.
    const ours = framesOf(await exchange(port, c2s, kitex.length));
    expectSameStreams(ours, kitex, service === 'kitchen' ? kitchenValue : undefined);
    for (const f of ours) {
      expect(f.flags).toBe(0x0002);
      expect(f.protocolId).toBe(0x10);
      expect([...f.intInfo.keys()].sort(byNumber)).toEqual([9, 27]);
    }
  });

  it.each([
    ['ttstream_pingpong_generic'],
    ['ttstream_pingpong_typed'],
    ['ttstream_unary_mode_generic'],
  ])('%s: the Framed call of a streaming-capable client is answered byte for byte', async (name) => {
    const { c2s, s2c } = capture(name);
    expect(isTTStream(c2s)).toBe(false);
    const ours = await exchange(testServer.address.port, c2s, 1);
    expect(ours.toString('hex')).toBe(s2c.toString('hex'));
  });

  it.each([
    ['ttstream_unknown_method', 1, 'unknown method NoSuchMethod'],
    ['ttstream_unknown_service', 20, 'unknown service KitchenService'],
  ] as const)('%s: Kitex sends nothing; we end the stream with TApplicationException type %i', async (name, type, message) => {
    const { c2s, s2c } = capture(name);
    expect(s2c.length).toBe(0);
    const opened = framesOf(c2s)[0]!;
    const ours = framesOf(await exchange(testServer.address.port, c2s, 1));
    expect(ours.map(summary)).toEqual([`sid=1 TRAILER ${opened.method} {} ${ours[0]!.payload.length}B`]);
    expect(exceptionOf(ours[0]!.payload)).toEqual({ name: opened.method, seqId: 1, message, type });
  });

  it('ttstream_oldgen_server: a server with old-style handlers panicked; ours, with streaming handlers, echoes', async () => {
    const { c2s, s2c } = capture('ttstream_oldgen_server');
    const kitex = framesOf(s2c);
    expect(kitex.map((f) => f.type)).toEqual([4]);
    expect(exceptionOf(kitex[0]!.payload).message).toMatch(/^panic: /);
    const ours = framesOf(await exchange(testServer.address.port, c2s, 3));
    expect(ours.map((f) => f.type)).toEqual([2, 3, 4]);
    const g = jsonThriftGeneric(await thriftFileProvider('examples/idl/streaming.thrift'));
    expect(g.method('Echo').decodeResponse(ours[1]!.payload)).toBe('{"message":"server echo: hello"}');
  });

  it('frames Kitex left for random map order are otherwise the same bytes', () => {
    // A guard on the comparison itself: the capture has frames whose int infos came 9,27 and
    // frames with 27,9; canonical() must make them equal, and must still see a one-byte change.
    const frames = framesOf(capture('ttstream_bidi_typed').c2s).filter((f) => f.type === 3);
    const orders = frames.map((f) => [...f.intInfo.keys()].join());
    expect(new Set(orders).size).toBe(2);
    const a = frames.find((f) => f.intInfo.keys().next().value === 27)!;
    const b = frames.find((f) => f.intInfo.keys().next().value === 9)!;
    expect(canonical({ ...a, payload: b.payload })).toBe(canonical(b));
    const changed = Buffer.from(b.bytes);
    changed[changed.length - 2] ^= 1;
    expect(canonical(parseFrame(changed))).not.toBe(canonical(b));
  });
});
