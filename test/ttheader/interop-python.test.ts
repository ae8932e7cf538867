/**
 * Interop with Apache Thrift's Python servers (Debian python3-thrift 0.17):
 * TFramedTransport and TBufferedTransport with TBinaryProtocol and
 * TCompactProtocol, and THeaderProtocol (binary and compact sub-protocols).
 * Stubs are generated at test time with `thrift --gen py`; request bodies are
 * hand-written; every reply is asserted byte for byte.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as net from 'node:net';
import { PingPongClient, ThriftApplicationError, TApplicationExceptionType, encodeEnvelope, decodeEnvelope, FrameDecoder, THeaderTransform, type PingPongTransport, type PayloadProtocol } from '../../src/ttheader/index.js';
import { Code } from '../../src/errors/index.js';
import { startPythonPeer, type PythonPeer } from '../support/python-peer.js';
import { TWriter, hex, capture } from './helpers.js';
import { oracles } from '../support/oracles.js';

const ready = oracles('thrift', 'python-thrift');
const FIXTURES = join(import.meta.dirname, '../fixtures/ttheader');
const SCRIPT = join(import.meta.dirname, '../peers/thrift_pingpong_server.py');

let genDir: string;
const peers = new Map<string, PythonPeer>();
const clients: PingPongClient[] = [];

type Combo = { transport: PingPongTransport; protocol: PayloadProtocol; server: string };
const COMBOS: Combo[] = [
  { transport: 'framed', protocol: 'thrift-binary', server: 'framed binary' },
  { transport: 'buffered', protocol: 'thrift-binary', server: 'buffered binary' },
  { transport: 'framed', protocol: 'thrift-compact', server: 'framed compact' },
  { transport: 'buffered', protocol: 'thrift-compact', server: 'buffered compact' },
  { transport: 'theader', protocol: 'thrift-binary', server: 'header binary' },
  { transport: 'theader', protocol: 'thrift-compact', server: 'header binary' },
];

beforeAll(async () => {
  if (!ready) return;
  genDir = mkdtempSync(join(tmpdir(), 'idlcall-thrift-py-'));
  for (const f of ['kitchen.thrift', 'streaming.thrift']) {
    execFileSync('thrift', ['-r', '--gen', 'py', '-out', genDir, join(FIXTURES, f)], { stdio: 'pipe' });
  }
  const wanted = [...new Set(COMBOS.map((c) => c.server))].map((s) => ['kitchen', ...s.split(' ')]);
  wanted.push(['streaming', 'framed', 'binary'], ['streaming', 'header', 'binary']);
  await Promise.all(wanted.map(async ([svc, tr, pr]) => {
    peers.set(`${svc} ${tr} ${pr}`, await startPythonPeer(SCRIPT, [genDir, svc!, tr!, pr!]));
  }));
});

afterAll(async () => {
  for (const c of clients) await c.close();
  await Promise.all([...peers.values()].map((p) => p.stop()));
  if (genDir) rmSync(genDir, { recursive: true, force: true });
});

function clientFor(key: string, transport: PingPongTransport, payloadProtocol: PayloadProtocol): PingPongClient {
  const c = new PingPongClient({ hostPorts: [`127.0.0.1:${peers.get(key)!.port}`], transport, payloadProtocol, maxConnectionsPerHost: 2 });
  clients.push(c);
  return c;
}

/** The Kitchen struct with every field set (single-element sets/maps keep the order fixed). */
function kitchen(w: TWriter): TWriter {
  w.beginStruct();
  w.boolField(1, true);
  w.field('byte', 2).byte(0xfe);
  w.field('i16', 3).i16(-300);
  w.field('i32', 4).i32(-70000);
  w.field('i64', 5).i64(-(2n ** 53n) - 7n);
  w.field('double', 6).double(-1.5);
  w.field('string', 7).string('héllo ✓');
  w.field('string', 8).string(new Uint8Array([0, 1, 0xff]));
  w.field('list', 9).listBegin('i32', 3).i32(1).i32(-2).i32(3);
  w.field('set', 10).listBegin('string', 1).string('only');
  w.field('map', 11).mapBegin('string', 'i64', 1).string('k').i64(9007199254740993n);
  w.field('map', 12).mapBegin('i32', 'struct', 1).i32(4);
  w.beginStruct().field('string', 1).string('inner').field('i64', 2).i64(12n).endStruct();
  w.field('list', 13).listBegin('list', 2).listBegin('i32', 1).i32(7).listBegin('i32', 0);
  w.field('i32', 14).i32(16);
  w.field('string', 15).string('maybe');
  w.field('struct', 16).beginStruct().field('string', 1).string('one').endStruct();
  w.field('list', 17).listBegin('bool', 3).bool(true).bool(false).bool(true);
  w.field('map', 18).mapBegin('string', 'list', 1).string('g').listBegin('struct', 1);
  w.beginStruct().field('string', 1).string('gi').endStruct();
  return w.endStruct();
}

const compactOf = (p: PayloadProtocol): boolean => p === 'thrift-compact';

describe.skipIf(!ready).each(COMBOS)('kitchen over $transport / $protocol (python $server server)', ({ transport, protocol, server }) => {
  const cli = (): PingPongClient => clientFor(`kitchen ${server}`, transport, protocol);
  const c = compactOf(protocol);

  it('Ping (method of the extended base service)', async () => {
    const r = await cli().call({ method: 'Ping', body: new TWriter(c).beginStruct().field('string', 1).string('hi').endStruct().bytes() });
    expect(hex(r!.body)).toBe(hex(new TWriter(c).beginStruct().field('string', 0).string('pong: hi').endStruct().bytes()));
  });

  it('Echo of a struct with every type comes back identical', async () => {
    const args = kitchen(new TWriter(c).beginStruct().field('struct', 1)).endStruct().bytes();
    const r = await cli().call({ method: 'Echo', body: args });
    expect(hex(r!.body)).toBe(hex(kitchen(new TWriter(c).beginStruct().field('struct', 0)).endStruct().bytes()));
  });

  it('void result, oneway then a read of what it stored', async () => {
    const client = cli();
    const v = await client.call({ method: 'Nothing', body: new TWriter(c).beginStruct().field('i32', 1).i32(5).endStruct().bytes() });
    expect(hex(v!.body)).toBe('00');
    const note = `note-${transport}-${protocol}`;
    const o = await client.call({ method: 'Notify', oneway: true, body: new TWriter(c).beginStruct().field('string', 1).string(note).endStruct().bytes() });
    expect(o).toBeUndefined();
    const r = await client.call({ method: 'LastNote', body: new Uint8Array([0]) });
    expect(hex(r!.body)).toBe(hex(new TWriter(c).beginStruct().field('string', 0).string(note).endStruct().bytes()));
  });

  it('declared exception arrives in the result struct (REPLY)', async () => {
    const r = await cli().call({ method: 'Fail', body: new TWriter(c).beginStruct().field('i32', 1).i32(7).endStruct().bytes() });
    expect(r!.messageType).toBe('reply');
    const want = new TWriter(c).beginStruct().field('struct', 1).beginStruct().field('i32', 1).i32(7).field('string', 2).string('boom').endStruct().endStruct();
    expect(hex(r!.body)).toBe(hex(want.bytes()));
  });

  it('handler crash and unknown method → ThriftApplicationError', async () => {
    const client = cli();
    const crash = await client.call({ method: 'Fail', body: new TWriter(c).beginStruct().field('i32', 1).i32(-1).endStruct().bytes() }).catch((e: unknown) => e);
    expect(crash).toBeInstanceOf(ThriftApplicationError);
    expect((crash as ThriftApplicationError).thriftExceptionType).toBe(TApplicationExceptionType.INTERNAL_ERROR);
    expect((crash as ThriftApplicationError).code).toBe(Code.INTERNAL);
    expect((crash as ThriftApplicationError).rawMessage).toBe('Internal error');
    const unknown = await client.call({ method: 'NoSuch', body: new Uint8Array([0]) }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ThriftApplicationError);
    expect((unknown as ThriftApplicationError).code).toBe(Code.UNIMPLEMENTED);
    expect((unknown as ThriftApplicationError).rawMessage).toBe('Unknown function NoSuch');
    // the connection survives an EXCEPTION reply
    await client.call({ method: 'Ping', body: new TWriter(c).beginStruct().field('string', 1).string('again').endStruct().bytes() });
  });
});

describe.skipIf(!ready)('seed streaming.thrift EchoPingPong', () => {
  const args = new TWriter().beginStruct().field('struct', 1).beginStruct().field('string', 1).string('hello').endStruct().endStruct().bytes();
  // the Kitex server's captured reply body: Python's must be identical
  const kitexReply = hex(decodeEnvelope(capture('thrift_pingpong_framed_typed').s2c).body);

  it('over Framed (TFramedTransport + TBinaryProtocol)', async () => {
    const r = await clientFor('streaming framed binary', 'framed', 'thrift-binary').call({ method: 'EchoPingPong', body: args });
    expect(hex(r!.body)).toBe(kitexReply);
  });

  it('over THeader, with headers, 50 calls at concurrency 10', async () => {
    const client = clientFor('streaming header binary', 'theader', 'thrift-binary');
    const rs = await Promise.all(Array.from({ length: 50 }, () => client.call({ method: 'EchoPingPong', body: args, metadata: { trace: 'abc' } })));
    for (const r of rs) expect(hex(r!.body)).toBe(kitexReply);
  });

  it('THeader with a zlib transform, hand-driven over a socket', async () => {
    const frame = encodeEnvelope({ transport: 'theader', payloadProtocol: 'thrift-binary', name: 'EchoPingPong', type: 1, seqId: 42, body: args, theaderTransforms: [THeaderTransform.Zlib] });
    const reply = await new Promise<Uint8Array>((resolve, reject) => {
      const s = net.connect(peers.get('streaming header binary')!.port, '127.0.0.1');
      const d = new FrameDecoder({ kind: 'length-prefixed' });
      s.on('error', reject);
      s.on('data', (chunk) => { const f = d.push(chunk); if (f.length) { s.destroy(); resolve(f[0]!); } });
      s.write(frame);
    });
    const env = decodeEnvelope(reply);
    expect([env.transport, env.seqId, env.frameSeqId, env.name]).toEqual(['theader', 42, 42, 'EchoPingPong']);
    expect(hex(env.body)).toBe(kitexReply);
  });
});
