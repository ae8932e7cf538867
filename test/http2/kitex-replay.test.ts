import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { RpcError } from '../../src/errors/index.js';
import { GrpcChannel, createGrpcServer } from '../../src/http2/index.js';
import { activeResources, settleResources } from '../support/resources.js';
import type { ResourceCounts } from '../support/resources.js';

// Replays what a real Kitex v0.14.1 server sent (test/fixtures/wire) to our client,
// and checks that our client's gRPC messages are byte-identical to Kitex's own client's.
const WIRE = new URL('../fixtures/wire/', import.meta.url);

interface Frame {
  type: number;
  flags: number;
  stream: number;
  bytes: Buffer; // the whole frame, header included
  payload: Buffer;
}

function frames(buf: Buffer, skipPreface: boolean): Frame[] {
  let pos = skipPreface ? 24 : 0;
  const out: Frame[] = [];
  while (pos + 9 <= buf.length) {
    const len = buf.readUIntBE(pos, 3);
    if (pos + 9 + len > buf.length) break;
    out.push({
      type: buf[pos + 3]!,
      flags: buf[pos + 4]!,
      stream: buf.readUInt32BE(pos + 5) & 0x7fffffff,
      bytes: buf.subarray(pos, pos + 9 + len),
      payload: buf.subarray(pos + 9, pos + 9 + len),
    });
    pos += 9 + len;
  }
  return out;
}

/** gRPC messages carried by the DATA frames of stream 1. */
function grpcMessages(fs: Frame[]): Buffer[] {
  const data = Buffer.concat(fs.filter((f) => f.type === 0 && f.stream === 1).map((f) => f.payload));
  const out: Buffer[] = [];
  for (let p = 0; p + 5 <= data.length; ) {
    const n = data.readUInt32BE(p + 1);
    out.push(data.subarray(p + 5, p + 5 + n));
    p += 5 + n;
  }
  return out;
}

interface Scenario {
  name: string;
  path: string;
  authority: string;
  contentType: string;
  requests: Buffer[];
  responses: Buffer[];
  code: number;
  message: string;
  s2c: Frame[];
}

/**
 * What each capture's request headers and final status say (read off the captures once, so the
 * test needs no HPACK decoder of its own: our client's node:http2 decodes the status frames).
 */
const CAPTURED: Record<string, { path: string; authority: string; contentType: string; code: number; message: string }> = {
  pb_grpc_unary_generic: { path: '/pb.StreamingService/UnaryEcho', authority: 'StreamingService', contentType: 'application/grpc', code: 0, message: '' },
  pb_grpc_client_stream_generic: { path: '/pb.StreamingService/StreamRequestEcho', authority: 'StreamingService', contentType: 'application/grpc', code: 0, message: '' },
  pb_grpc_fail: { path: '/search.gpt_engine.GPTStreamService/Fail', authority: 'GPTStreamService', contentType: 'application/grpc', code: 5, message: 'not here [biz error]' },
  pb_grpc_fanout_fail: { path: '/search.gpt_engine.GPTStreamService/Fanout', authority: 'GPTStreamService', contentType: 'application/grpc', code: 9, message: 'stop [biz error]' },
  thrift_grpc_unary_generic: { path: '/TestService/EchoUnary', authority: 'TestService', contentType: 'application/grpc+thrift', code: 0, message: '' },
  thrift_grpc_unary_typed: { path: '/echo.TestService/EchoUnary', authority: 'TestService', contentType: 'application/grpc+thrift', code: 0, message: '' },
  thrift_grpc_pingpong_method_generic: { path: '/TestService/EchoPingPong', authority: 'TestService', contentType: 'application/grpc+thrift', code: 0, message: '' },
  thrift_grpc_bidi_generic: { path: '/TestService/Echo', authority: 'TestService', contentType: 'application/grpc+thrift', code: 0, message: '' },
  thrift_grpc_bidi_typed: { path: '/echo.TestService/Echo', authority: 'TestService', contentType: 'application/grpc+thrift', code: 0, message: '' },
  thrift_grpc_client_stream_typed: { path: '/echo.TestService/EchoClient', authority: 'TestService', contentType: 'application/grpc+thrift', code: 0, message: '' },
  thrift_grpc_server_stream_typed: { path: '/echo.TestService/EchoServer', authority: 'TestService', contentType: 'application/grpc+thrift', code: 0, message: '' },
  thrift_grpc_exception: { path: '/kitchen.KitchenService/Fail', authority: 'KitchenService', contentType: 'application/grpc+thrift', code: 0, message: '' },
  thrift_grpc_fanout_error: {
    path: '/kitchen.KitchenService/Fanout',
    authority: 'KitchenService',
    contentType: 'application/grpc+thrift',
    code: 13,
    message: 'KitchenError({Code:7 Message:boom}) [biz error]',
  },
  thrift_grpc_unary_typed_with_deadline: { path: '/echo.TestService/EchoUnary', authority: 'TestService', contentType: 'application/grpc+thrift', code: 0, message: '' },
};

function load(name: string): Scenario {
  const c2s = frames(readFileSync(new URL(`${name}.c2s.bin`, WIRE)), true);
  const s2c = frames(readFileSync(new URL(`${name}.s2c.bin`, WIRE)), false);
  return { name, ...CAPTURED[name]!, requests: grpcMessages(c2s), responses: grpcMessages(s2c), s2c };
}

/**
 * A TCP peer that plays back a capture: the server's SETTINGS at once, everything else
 * once our client's request stream ended — minus PING ACKs, which answered the Kitex
 * client's pings (node rightly treats an unsolicited PING ACK as a protocol error).
 */
async function replayServer(s: Scenario): Promise<{ port: number; received: () => Frame[]; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let got = Buffer.alloc(0);
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('error', () => {});
    sock.on('close', () => sockets.delete(sock));
    const [first, ...rest] = s.s2c;
    sock.write(first!.bytes);
    let sent = false;
    sock.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      // Our test client sends everything and half-closes before reading, so the reply may follow END_STREAM.
      if (!sent && frames(got, true).some((f) => (f.type === 0 || f.type === 1) && f.stream === 1 && (f.flags & 1) === 1)) {
        sent = true;
        sock.write(Buffer.concat(rest.filter((f) => !(f.type === 6 && (f.flags & 1) === 1)).map((f) => f.bytes)));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    received: () => frames(got, true),
    close: async () => {
      for (const sock of sockets) sock.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const SCENARIOS = [
  'pb_grpc_unary_generic',
  'pb_grpc_client_stream_generic',
  'pb_grpc_fail',
  'pb_grpc_fanout_fail',
  'thrift_grpc_unary_generic',
  'thrift_grpc_unary_typed',
  'thrift_grpc_pingpong_method_generic',
  'thrift_grpc_bidi_generic',
  'thrift_grpc_bidi_typed',
  'thrift_grpc_client_stream_typed',
  'thrift_grpc_server_stream_typed',
  'thrift_grpc_exception',
  'thrift_grpc_fanout_error',
];

describe('Kitex v0.14.1 server captures replayed to our client', () => {
  let baseline: ResourceCounts;
  beforeAll(() => {
    baseline = activeResources();
  });
  afterAll(async () => {
    expect(await settleResources(baseline)).toEqual({});
  });

  for (const name of SCENARIOS) {
    it(name, async () => {
      const s = load(name);
      const peer = await replayServer(s);
      const channel = new GrpcChannel({ hostPorts: [`127.0.0.1:${peer.port}`], authority: s.authority, userAgent: 'kitex/v0.14.1' });
      try {
        const call = channel.call({ path: s.path, contentType: s.contentType, timeoutMs: 5000 });
        for (const m of s.requests) await call.send(m);
        call.closeSend();
        const got: Buffer[] = [];
        let code = 0;
        let message = '';
        try {
          for (let m = await call.recv(); m !== undefined; m = await call.recv()) got.push(Buffer.from(m));
        } catch (e) {
          code = (e as RpcError).code;
          message = (e as RpcError).rawMessage;
        }
        expect(got.map((b) => b.toString('hex'))).toEqual(s.responses.map((b) => b.toString('hex')));
        expect(code).toBe(s.code);
        expect(message).toBe(s.message);
        // What we put on the wire is what Kitex's client put there, message for message.
        expect(grpcMessages(peer.received()).map((b) => b.toString('hex'))).toEqual(s.requests.map((b) => b.toString('hex')));
      } finally {
        await channel.close();
        await peer.close();
      }
    });
  }
});

describe('Kitex v0.14.1 client captures replayed to our server', () => {
  for (const name of [
    'pb_grpc_unary_generic',
    'pb_grpc_client_stream_generic',
    'thrift_grpc_bidi_typed',
    'thrift_grpc_unary_typed_with_deadline',
  ]) {
    it(name, async () => {
      const s = load(name);
      const raw = readFileSync(new URL(`${name}.c2s.bin`, WIRE));
      const baseline = activeResources();
      const seen: { path: string; metadata: Record<string, string | string[]>; deadline: number | undefined; messages: Buffer[] }[] = [];
      const server = createGrpcServer(async (call) => {
        const messages: Buffer[] = [];
        for (let m = await call.recv(); m !== undefined; m = await call.recv()) messages.push(Buffer.from(m));
        seen.push({ path: call.path, metadata: call.metadata, deadline: call.deadline, messages });
        await call.send(Buffer.from('ok'));
      });
      const { port } = await server.listen(0, '127.0.0.1');
      // The client's bytes minus its PING ACKs (they answered the Kitex server's pings).
      const cs = frames(raw, true).filter((f) => !(f.type === 6 && (f.flags & 1) === 1));
      const sock = net.connect(port, '127.0.0.1');
      sock.on('error', () => {});
      let reply = Buffer.alloc(0);
      sock.on('data', (d: Buffer) => (reply = Buffer.concat([reply, d])));
      await new Promise<void>((r) => sock.once('connect', () => r()));
      sock.write(Buffer.concat([raw.subarray(0, 24), ...cs.map((f) => f.bytes)]));
      for (let i = 0; i < 300 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      // Wait for our END_STREAM on stream 1 (the trailers) before hanging up.
      for (let i = 0; i < 300 && !frames(reply, false).some((f) => f.type === 1 && f.stream === 1 && (f.flags & 1) === 1); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      sock.destroy();
      await server.close();
      expect(seen).toHaveLength(1);
      expect(seen[0]!.path).toBe(s.path);
      expect(seen[0]!.metadata['destination-service']).toBe(s.authority);
      expect(seen[0]!.messages.map((b) => b.toString('hex'))).toEqual(s.requests.map((b) => b.toString('hex')));
      if (name.endsWith('with_deadline')) expect(seen[0]!.deadline).toBeGreaterThan(Date.now() - 60_000);
      else expect(seen[0]!.deadline).toBeUndefined();
      expect(grpcMessages(frames(reply, false)).map((b) => b.toString())).toEqual(['ok']);
      expect(await settleResources(baseline)).toEqual({});
    });
  }
});
