/**
 * The offline commands as subprocesses: list, describe, encode (compared
 * byte for byte with protoc --encode), decode (of protoc-made bytes) and
 * --help for every command.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALIASES, aliasTable } from '../../src/cli/aliases.js';
import { FIXTURES, ROOT, jsonLines, runCli } from './helpers.js';
import { oracles } from '../support/oracles.js';

const SEED_PROTO = join(ROOT, 'examples/idl/streaming.proto');
const SEED_THRIFT = join(ROOT, 'examples/idl/streaming.thrift');
const ITEMS_PROTO = join(FIXTURES, 'cli_test.proto');
const ITEMS_THRIFT = join(FIXTURES, 'cli_test.thrift');

/** protoc's encoding of test/fixtures/cli/item.txtpb. */
function protocEncode(): Buffer {
  return execFileSync('protoc', ['--encode=clitest.Item', '-I', FIXTURES, 'cli_test.proto'], {
    cwd: FIXTURES,
    input: readFileSync(join(FIXTURES, 'item.txtpb')),
  });
}

/** item.txtpb in the proto3 canonical JSON mapping. */
const ITEM_JSON = {
  name: 'widget',
  id: '-9007199254740993',
  scores: [1, -2, 300],
  color: 'GREEN',
  attrs: { k: '42' },
  inner: { flag: true, ratio: 0.5 },
  blob: 'AQL/',
  note: '',
  delta: -7,
  big: '18446744073709551615',
};

describe.concurrent('idlcall list', () => {
  it('lists services, methods and streaming modes of a .proto', async () => {
    const r = await runCli(['list', '--idl', SEED_PROTO]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^pb\.StreamingService\n/);
    expect(r.stdout).toMatch(/StreamRequestEcho\s+client streaming\s+\(stream pb\.Request\) returns \(pb\.Response\)/);
    expect(r.stdout).toMatch(/StreamResponseEcho\s+server streaming/);
    expect(r.stdout).toMatch(/BidirectionalEcho\s+bidi streaming/);
    expect(r.stdout).toMatch(/UnaryEcho\s+unary/);
  });

  it('lists a .thrift with --json, ping-pong included', async () => {
    const r = await runCli(['list', '--idl', SEED_THRIFT, '--json']);
    expect(r.code).toBe(0);
    const [doc] = jsonLines(r.stdout) as Array<{ idl: string; services: Array<{ name: string; methods: Array<{ name: string; mode: string }> }> }>;
    expect(doc!.idl).toBe('thrift');
    expect(doc!.services[0]!.name).toBe('TestService');
    expect(doc!.services[0]!.methods.map((m) => [m.name, m.mode])).toEqual([
      ['Echo', 'bidirectional'],
      ['EchoClient', 'client'],
      ['EchoServer', 'server'],
      ['EchoUnary', 'unary'],
      ['EchoPingPong', 'pingpong'],
    ]);
  });
});

describe.concurrent('idlcall describe', () => {
  it('a message, with nested types, maps and enums', async () => {
    const r = await runCli(['describe', '--idl', ITEMS_PROTO, 'Item']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('message Item {');
    expect(r.stdout).toContain('  message Inner {');
    expect(r.stdout).toContain('  map<string, int64> attrs = 5;');
    expect(r.stdout).toContain('  repeated int32 scores = 3;');
    expect(r.stdout).toContain('  clitest.Color color = 4;');
    expect(r.stdout).toContain('  optional string note = 8;');
    const e = await runCli(['describe', '--idl', ITEMS_PROTO, 'clitest.Color']);
    expect(e.stdout).toContain('enum Color {\n  COLOR_UNSPECIFIED = 0;\n  RED = 1;\n  GREEN = 2;\n}');
  });

  it('a message lists the extensions loaded for it, with their JSON keys; an extension by name', async () => {
    const idl = join(ROOT, 'test/fixtures/proto-codec/extensions-more.proto');
    const r = await runCli(['describe', '--idl', idl, 'ext.Base']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  extensions 100 to 199;');
    expect(r.stdout).toContain('extend ext.Base {\n  optional string note = 100; // JSON key "[ext.note]"');
    expect(r.stdout).toContain('  optional bytes raw = 111; // JSON key "[ext.Detail.raw]"');
    expect(r.stdout).toContain('  optional sint32 more = 150; // JSON key "[ext.more.more]"');
    const x = await runCli(['describe', '--idl', idl, 'ext.more.more']);
    expect(x.stdout).toContain('// ext.more.more\nextend ext.Base {\n  optional sint32 more = 150;');
  });

  it('a proto service and method', async () => {
    const r = await runCli(['describe', '--idl', SEED_PROTO, 'StreamingService']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('rpc BidirectionalEcho (stream pb.Request) returns (stream pb.Response);');
    const m = await runCli(['describe', '--idl', SEED_PROTO, 'pb.StreamingService.UnaryEcho']);
    expect(m.stdout).toContain('rpc UnaryEcho (pb.Request) returns (pb.Response);');
  });

  it('Thrift structs, exceptions and services', async () => {
    const s = await runCli(['describe', '--idl', ITEMS_THRIFT, 'Item']);
    expect(s.code).toBe(0);
    expect(s.stdout).toContain('struct Item {\n  1: required string name,\n  2: i64 id,\n  3: list<i32> scores,\n  4: optional map<string, string> attrs,\n}');
    const x = await runCli(['describe', '--idl', ITEMS_THRIFT, 'NotFound']);
    expect(x.stdout).toContain('exception NotFound {');
    const svc = await runCli(['describe', '--idl', ITEMS_THRIFT, 'ItemService']);
    expect(svc.stdout).toContain('Reply Get(1: Item item) throws (1: NotFound nf),');
  });

  it('an unknown symbol exits 1 and names the known ones', async () => {
    const r = await runCli(['describe', '--idl', ITEMS_PROTO, 'Nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('clitest.Item');
  });
});

describe.skipIf(!oracles('protoc')).concurrent('idlcall encode / decode against protoc 3.21', () => {
  it('encode --out raw equals protoc --encode byte for byte', async () => {
    const r = await runCli(['encode', '--idl', ITEMS_PROTO, 'clitest.Item', '-d', JSON.stringify(ITEM_JSON), '--out', 'raw']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdoutBytes.toString('hex')).toBe(protocEncode().toString('hex'));
  });

  it('encode --out hex / base64 and JSON from stdin', async () => {
    const hex = await runCli(['encode', '--idl', ITEMS_PROTO, 'Item', '--out', 'hex'], { input: JSON.stringify(ITEM_JSON) });
    expect(hex.stdout).toBe(protocEncode().toString('hex') + '\n');
    const b64 = await runCli(['encode', '--idl', ITEMS_PROTO, 'Item', '--out', 'base64', '-d', JSON.stringify(ITEM_JSON)]);
    expect(b64.stdout).toBe(protocEncode().toString('base64') + '\n');
  });

  it('decode of protoc-made bytes (raw on stdin, and hex via -d) gives the expected JSON', async () => {
    const raw = await runCli(['decode', '--idl', ITEMS_PROTO, 'clitest.Item'], { input: protocEncode() });
    expect(raw.code).toBe(0);
    expect(raw.stdout).toContain('"id":"-9007199254740993"'); // exact in the text
    expect(jsonLines(raw.stdout)).toEqual([ITEM_JSON]);
    const hex = await runCli(['decode', '--idl', ITEMS_PROTO, 'Item', '--in', 'hex', '-d', protocEncode().toString('hex')]);
    expect(jsonLines(hex.stdout)).toEqual([ITEM_JSON]);
  });

  it('Thrift encode | decode round trip, binary and compact', async () => {
    for (const protocol of ['binary', 'compact']) {
      const json = '{"name":"n","id":9007199254740993,"scores":[1,2]}';
      const enc = await runCli(['encode', '--idl', ITEMS_THRIFT, 'Item', '--protocol', protocol, '--out', 'base64', '-d', json]);
      expect(enc.code).toBe(0);
      const dec = await runCli(['decode', '--idl', ITEMS_THRIFT, 'Item', '--protocol', protocol, '--in', 'base64'], { input: enc.stdout });
      expect(dec.code).toBe(0);
      expect(dec.stdout).toContain('"id":9007199254740993');
      expect(dec.stdout).toContain('"name":"n"');
    }
  });

  it('bad input exits 1: unknown type, truncated bytes, not hex', async () => {
    const t = await runCli(['encode', '--idl', ITEMS_PROTO, 'Itme', '-d', '{}']);
    expect(t.code).toBe(1);
    expect(t.stderr).toContain('did you mean "Item"?');
    const d = await runCli(['decode', '--idl', ITEMS_PROTO, 'Item'], { input: protocEncode().subarray(0, 5) });
    expect(d.code).toBe(1);
    const h = await runCli(['decode', '--idl', ITEMS_PROTO, 'Item', '--in', 'hex', '-d', 'zz']);
    expect(h.code).toBe(1);
    expect(h.stderr).toContain('not hex');
  });
});

describe.concurrent('--help', () => {
  it.each(['call', 'list', 'describe', 'encode', 'decode', 'serve', 'bench'])('idlcall %s --help shows usage and examples', async (cmd) => {
    const r = await runCli([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: idlcall ${cmd}`);
    expect(r.stdout).toContain('Examples:');
  });

  it('idlcall --help and the README show the same table of the other tools\' spellings, every one of them', async () => {
    const r = await runCli(['--help']);
    const table = aliasTable();
    expect(r.stdout).toContain(table);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(table);
    for (const a of ALIASES) expect(table).toMatch(new RegExp(`^ {2}-{1,2}${a.spelling}\\b`, 'm'));
    expect(table).toContain('Where the tools disagree:');
  });

  it('idlcall --help documents the exit codes; an unknown command exits 1', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('64+code');
    expect(r.stdout).toContain('declared exception');
    const u = await runCli(['cal']);
    expect(u.code).toBe(1);
    expect(u.stderr).toContain('unknown command');
  });
});
