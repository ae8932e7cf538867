import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  jsonPbGeneric,
  jsonThriftGeneric,
  newGenericServer,
  protoFileProvider,
  thriftFileProvider,
  type GenericServer,
} from '../../src/index.js';
import { seedProtoHandlers, seedThriftHandlers } from '../../src/demo/seed-handlers.js';

// Requests captured from real Kitex v0.14.1 clients are replayed against our generic server
// (with the replies the Kitex example server gives); our answers must equal the bytes the
// real Kitex server sent back.
const WIRE = fileURLToPath(new URL('../fixtures/wire', import.meta.url));

let thriftServer: GenericServer<string, string>;
let pbServer: GenericServer<string, string>;

beforeAll(async () => {
  thriftServer = newGenericServer(jsonThriftGeneric(await thriftFileProvider('examples/idl/streaming.thrift')), seedThriftHandlers);
  pbServer = newGenericServer(jsonPbGeneric(await protoFileProvider('examples/idl/streaming.proto')), seedProtoHandlers);
  await Promise.all([thriftServer.start(), pbServer.start()]);
});

afterAll(async () => {
  await Promise.all([thriftServer?.close(), pbServer?.close()]);
});

/** Sends the captured request bytes and collects the answer until it is as long as Kitex's. */
function exchange(port: number, request: Uint8Array, expectedLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let n = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(Buffer.concat(chunks));
    }, 5000);
    socket.on('data', (d) => {
      chunks.push(d);
      n += d.length;
      if (n >= expectedLength) {
        clearTimeout(timer);
        socket.destroy();
        resolve(Buffer.concat(chunks));
      }
    });
    socket.on('error', reject);
    socket.write(request);
  });
}

const thriftCaptures = [
  'thrift_pingpong_ttheader_generic',
  'thrift_pingpong_ttheader_typed',
  'thrift_pingpong_ttheader_unframed_typed',
  'thrift_pingpong_ttheader_rpctimeout',
  'thrift_pingpong_framed_typed',
  'thrift_pingpong_buffered_typed',
  'thrift_unknown_method_ttheader',
];

describe('generic server answers captured Kitex requests byte for byte like a Kitex server', () => {
  it.each(thriftCaptures)('%s', async (name) => {
    const c2s = readFileSync(`${WIRE}/${name}.c2s.bin`);
    const s2c = readFileSync(`${WIRE}/${name}.s2c.bin`);
    const ours = await exchange(thriftServer.address.port, c2s, s2c.length);
    expect(ours.toString('hex')).toBe(s2c.toString('hex'));
  });

  it('pb_ttheader_pingpong_generic (Kitex protobuf over TTHeader)', async () => {
    const c2s = readFileSync(`${WIRE}/pb_ttheader_pingpong_generic.c2s.bin`);
    const s2c = readFileSync(`${WIRE}/pb_ttheader_pingpong_generic.s2c.bin`);
    const ours = await exchange(pbServer.address.port, c2s, s2c.length);
    expect(ours.toString('hex')).toBe(s2c.toString('hex'));
  });
});
