import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeclaredException,
  RpcError,
  jsonThriftGeneric,
  newClient,
  thriftFileProvider,
  type ThriftProvider,
} from '../../src/index.js';
import { startPythonPeer, type PythonPeer } from '../support/python-peer.js';
import { oracles } from '../support/oracles.js';

// The whole client stack (IDL → JSON codec → ping-pong transport) against Apache Thrift's
// Python servers, for an IDL with every type, an include, `extends`, void, oneway and a
// declared exception: Framed and Buffered with binary and compact, and THeader.
const IDL = 'test/fixtures/ttheader/kitchen.thrift';
const SERVER = 'test/peers/thrift_pingpong_server.py';
const ready = oracles('thrift', 'python-thrift');

const inner = '{"name":"in","weight":-9223372036854775808}';
// Sets and maps hold one entry each: Python's set order is not ours to assert.
const KITCHEN =
  `{"flag":true,"tiny":-8,"small":-300,"medium":-2147483648,"big":9007199254740993,"ratio":0.1,` +
  `"text":"héllo \\"q\\" 😀","blob":"AAEC/w==","numbers":[1,-2,3],"tags":["only"],"counts":{"x":9223372036854775807},` +
  `"inners":{"-7":${inner}},"matrix":[[1,2],[],[3]],"color":16,"maybe":"m","one":${inner},"bits":[true,false],` +
  `"groups":{"g":[${inner},{"name":"second"}]}}`;

let provider: ThriftProvider;
let genDir: string;
const peers: PythonPeer[] = [];

beforeAll(async () => {
  if (!ready) return;
  provider = await thriftFileProvider(IDL);
  genDir = mkdtempSync(join(tmpdir(), 'idlcall-gen-'));
  execFileSync('thrift', ['--gen', 'py', '-r', '-out', genDir, IDL], { stdio: 'ignore' });
});

afterAll(async () => {
  await Promise.all(peers.map((p) => p.stop()));
  if (genDir) rmSync(genDir, { recursive: true, force: true });
});

const combos = [
  ['framed', 'binary', 'framed binary'],
  ['buffered', 'binary', 'buffered binary'],
  ['framed', 'compact', 'framed compact'],
  ['buffered', 'compact', 'buffered compact'],
  ['theader', 'binary', 'header binary'],
  ['theader', 'compact', 'header binary'],
] as const;

describe.skipIf(!ready)('generic ping-pong client ⇄ Apache Thrift Python servers (kitchen IDL)', () => {
  it.each(combos)('%s / %s', async (transport, thriftProtocol, server) => {
    const peer = await startPythonPeer(SERVER, [genDir, 'kitchen', ...server.split(' ')]);
    peers.push(peer);
    const cli = newClient('KitchenService', jsonThriftGeneric(provider), {
      hostPorts: [`127.0.0.1:${peer.port}`],
      transport,
      thriftProtocol,
    });
    try {
      // Inherited through `extends base.BaseService`.
      expect(await cli.genericCall('Ping', '"hi"')).toBe('"pong: hi"');
      // Every type, echoed by Python: what it decoded from our bytes, re-encoded by Python.
      const canonical = provider.decodeToJson('Kitchen', provider.encodeJson('Kitchen', KITCHEN));
      expect(await cli.genericCall('Echo', KITCHEN)).toBe(canonical);
      expect(canonical).toContain('"big":9007199254740993');
      expect(canonical).toContain('"counts":{"x":9223372036854775807}');
      // void, oneway, then a read of what the oneway stored.
      expect(await cli.genericCall('Nothing', '5')).toBe('null');
      expect(await cli.genericCall('Notify', '"remember me"')).toBeUndefined();
      expect(await cli.genericCall('LastNote', '{}')).toBe('"remember me"');
      // A declared exception rejects with its JSON; a crash is a TApplicationException.
      const declared = await cli.genericCall('Fail', '7').catch((e: unknown) => e);
      expect(declared).toBeInstanceOf(DeclaredException);
      expect((declared as DeclaredException).typeName).toMatch(/KitchenError$/);
      expect(JSON.parse((declared as DeclaredException).json)).toEqual({ code: 7, message: 'boom' });
      expect(await cli.genericCall('Fail', '0')).toBe('0');
      const crash = await cli.genericCall('Fail', '-1').catch((e: unknown) => e);
      expect(crash).toBeInstanceOf(RpcError);
    } finally {
      await cli.close();
    }
  });
});
