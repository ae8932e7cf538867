import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  jsonPbGeneric,
  jsonThriftGeneric,
  newClient,
  protoFileProvider,
  thriftFileProvider,
  type Generic,
  type PingPongTransport,
} from '../../src/index.js';
import { decodeEnvelope } from '../../src/ttheader/index.js';

// Our generic client makes the same call a real Kitex v0.14.1 generic client made in the
// captures: the request must match Kitex's (sequence id and the order of info entries, which
// Kitex takes from a Go map, aside), and the captured Kitex reply must decode to its result.
const WIRE = fileURLToPath(new URL('../fixtures/wire', import.meta.url));
const servers: net.Server[] = [];

afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A one-shot server: records the request, answers with the captured reply bytes. */
async function replayServer(reply: Buffer, requestLength: number): Promise<{ port: number; request: Promise<Buffer> }> {
  let gotRequest!: (b: Buffer) => void;
  const request = new Promise<Buffer>((r) => (gotRequest = r));
  const server = net.createServer((socket) => {
    const chunks: Buffer[] = [];
    let n = 0;
    socket.on('data', (d) => {
      chunks.push(d);
      n += d.length;
      if (n >= requestLength) {
        const req = Buffer.concat(chunks);
        gotRequest(req);
        socket.write(restamp(reply, decodeEnvelope(req).seqId));
      }
    });
    socket.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, request };
}

/**
 * Kitex's reply carries the sequence id of the captured call; give it ours, in the TTHeader
 * and in the message header (TTHeader + Framed layout: header, frame length, magic/type,
 * name, seq id). Everything else stays Kitex's bytes.
 */
function restamp(reply: Buffer, seqId: number): Buffer {
  const out = Buffer.from(reply);
  const headerEnd = 14 + out.readUInt16BE(12) * 4;
  const nameLength = out.readUInt32BE(headerEnd + 8);
  out.writeInt32BE(seqId, 8);
  out.writeInt32BE(seqId, headerEnd + 12 + nameLength);
  return out;
}

async function callLikeCapture(name: string, generic: Generic<string, string>, method: string, transport: PingPongTransport, json: string) {
  const c2s = readFileSync(`${WIRE}/${name}.c2s.bin`);
  const s2c = readFileSync(`${WIRE}/${name}.s2c.bin`);
  const { port, request } = await replayServer(s2c, c2s.length);
  // The captured clients were named after the IDL service, which Kitex sends as ToService.
  const cli = newClient(generic.serviceName, generic, { hostPorts: [`127.0.0.1:${port}`], transport });
  try {
    const result = await cli.genericCall(method, json).catch((e: unknown) => e);
    const ours = decodeEnvelope(await request);
    const kitex = decodeEnvelope(c2s);
    return { result, ours, kitex, oursBytes: await request, kitexBytes: c2s };
  } finally {
    await cli.close();
  }
}

describe('generic client requests equal captured Kitex generic-client requests', () => {
  it('thrift_pingpong_ttheader_generic: TTHeader (+Framed) ping-pong', async () => {
    const g = jsonThriftGeneric(await thriftFileProvider('examples/idl/streaming.thrift'));
    const { result, ours, kitex, oursBytes, kitexBytes } = await callLikeCapture(
      'thrift_pingpong_ttheader_generic', g, 'EchoPingPong', 'ttheader', '{"message":"hello"}',
    );
    expect(oursBytes.length).toBe(kitexBytes.length);
    expect(ours.transport).toBe('ttheader');
    expect(ours.intInfo).toEqual(kitex.intInfo);
    expect(ours.strInfo).toEqual(kitex.strInfo);
    expect(ours.name).toBe(kitex.name);
    expect(ours.type).toBe(kitex.type);
    expect(Buffer.from(ours.body).toString('hex')).toBe(Buffer.from(kitex.body).toString('hex'));
    expect(JSON.parse(result as string)).toEqual({ message: 'server pong: hello' });
  });

  it('pb_ttheader_pingpong_generic: Kitex protobuf over TTHeader', async () => {
    const g = jsonPbGeneric(await protoFileProvider('examples/idl/streaming.proto'));
    const { result, ours, kitex, oursBytes, kitexBytes } = await callLikeCapture(
      'pb_ttheader_pingpong_generic', g, 'UnaryEcho', 'ttheader', '{"message":"hello"}',
    );
    expect(oursBytes.length).toBe(kitexBytes.length);
    expect(ours.payloadProtocol).toBe('kitex-protobuf');
    expect(ours.intInfo).toEqual(kitex.intInfo);
    expect(ours.strInfo).toEqual(kitex.strInfo);
    expect(ours.name).toBe('UnaryEcho');
    expect(Buffer.from(ours.body).toString('hex')).toBe(Buffer.from(kitex.body).toString('hex'));
    expect(JSON.parse(result as string)).toEqual({ message: 'Echo: hello' });
  });
});
