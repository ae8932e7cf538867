/**
 * Issue 19, the codec points: JSON that would pass the engine's string limit
 * is a CodecError, and a Thrift field sent twice decodes to its last value, as
 * Apache Thrift's Python library (the oracle) and Kitex do.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ThriftCodec } from '../../src/codec/thrift/index.js';
import { CharWriter, MAX_JSON_CHARS } from '../../src/codec/json/json-chars.js';
import { CodecError, protoContentProvider, thriftContentProvider } from '../../src/index.js';
import { codecError } from '../support/codec-error.js';
import type { ThriftStruct, ThriftType } from '../../src/idl-parser/thrift/descriptor.js';
import { fixture, FIXTURES, st } from '../codec/thrift/fixture.js';
import { fromOurJson, normalize } from '../codec/thrift/gen.js';
import { TWriter } from '../ttheader/helpers.js';
import { oracles, PYTHON } from '../support/oracles.js';

const PEER = fileURLToPath(new URL('../peers/thrift_codec_peer.py', import.meta.url));

describe('8. JSON output past the string limit', () => {
  // 403 MB of bytes is 537 million characters of base64: one more than a string can hold. The
  // array is never written, so its pages are never touched: it costs address space, not memory.
  const size = Math.ceil(((MAX_JSON_CHARS - 1) / 4) * 3);

  it('protoProvider.decodeToJson throws a CodecError naming the field, not a RangeError', () => {
    const p = protoContentProvider('syntax = "proto3"; package big; message Big { bytes data = 1; }');
    const bytes = new Uint8Array(size + 6);
    let n = size;
    let o = 1;
    bytes[0] = 0x0a; // field 1, length-delimited
    while (n >= 0x80) {
      bytes[o++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    bytes[o++] = n;
    const e = codecError(() => p.decodeToJson('Big', bytes.subarray(0, o + size)));
    expect(e.path).toBe('Big.data');
    expect(e.message).toMatch(/longer than 536870888 characters/);
  });

  it('thriftProvider.decodeToJson throws a CodecError naming the field, not a RangeError', () => {
    const p = thriftContentProvider('struct Big { 1: binary data }');
    const bytes = new Uint8Array(7 + size + 1);
    bytes.set([11, 0, 1], 0); // field 1: string/binary
    new DataView(bytes.buffer).setUint32(3, size);
    const e = codecError(() => p.decodeToJson('Big', bytes));
    expect(e.path).toBe('Big.data');
    expect(e.message).toMatch(/longer than 536870888 characters/);
  });

  it('output that grows past the limit piece by piece fails at the piece that crosses it, before any buffer is grown', () => {
    const w = new CharWriter(16);
    w.pos = MAX_JSON_CHARS - 1; // as if that much had been written
    expect(() => w.ensure(2)).toThrow(CodecError);
    expect(w.buf.length).toBeLessThan(1 << 20); // nothing was allocated for it, and the writer is usable again
    expect(w.pos).toBe(0);
  });
});

const ready = oracles('thrift', 'python-thrift');

describe.skipIf(!ready)('11. a Thrift field sent twice: the last value wins (Apache Thrift as the oracle)', () => {
  let dir = '';
  let everything: ThriftStruct;
  let leaf: ThriftStruct;
  const codec = new ThriftCodec();
  const structType = (s: ThriftStruct): ThriftType => ({ kind: 'struct', struct: s });
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

  /** Apache Thrift's Python decode of each (protocol, type, bytes), in its canonical form. */
  function pythonDecodes(reqs: Array<{ proto: 'binary' | 'compact'; type: string; bytes: Uint8Array }>): unknown[] {
    const input = reqs.map((q) => JSON.stringify({ op: 'decode', proto: q.proto, type: q.type, hex: hex(q.bytes) })).join('\n') + '\n';
    const r = spawnSync(PYTHON, [PEER, dir, 'tcodec', 'tbase'], { input, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.trim().split('\n').map((l) => {
      const a = JSON.parse(l) as { value?: unknown; error?: string };
      expect(a.error).toBeUndefined();
      return a.value;
    });
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'idlcall-faults-py-'));
    const g = spawnSync('thrift', ['--gen', 'py', '-r', '-out', dir, join(FIXTURES, 'tcodec.thrift')], { encoding: 'utf8' });
    expect(g.status, g.stderr).toBe(0);
    const reg = await fixture();
    everything = st(reg, 'Everything');
    leaf = st(reg, 'Leaf');
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every field of Everything sent twice (binary): our JSON is the second value, re-encodes, and matches Python', () => {
    const first = codec.encodeJson(everything, JSON.stringify({ str: 'first', i: 1, leaf: { name: 'a', weight: 1 }, longs: [1, 2], counts: { a: 1 }, choice: { text: 't' } }));
    const second = codec.encodeJson(everything, JSON.stringify({ str: 'second', i: 2, leaf: { name: 'b' }, longs: [3], counts: { b: 2 }, choice: { num: 5 } }));
    // the first struct without its STOP, then the second: every field id twice
    const twice = new Uint8Array(first.length - 1 + second.length);
    twice.set(first.subarray(0, first.length - 1));
    twice.set(second, first.length - 1);
    const ours = codec.decodeToJson(everything, twice);
    expect(JSON.parse(ours)).toEqual(JSON.parse(codec.decodeToJson(everything, second)));
    expect(() => codec.encodeJson(everything, ours)).not.toThrow(); // no "field given twice"
    const t = structType(everything);
    const [py] = pythonDecodes([{ proto: 'binary', type: 'Everything', bytes: twice }]);
    const oursCanon = fromOurJson(t, JSON.parse(codec.decodeToJson(everything, twice, { i64AsString: true })));
    expect(normalize(t, oursCanon)).toEqual(normalize(t, py));
  });

  it.each(['binary', 'compact'] as const)('a field sent three times, around others (%s): the last one, at the place of its last occurrence', (proto) => {
    const w = new TWriter(proto === 'compact');
    // the first repeat removes the object's last member (and the comma before it), the second a middle one;
    // the removed text holds quotes, braces, commas and backslashes that must not end it early
    w.field('i64', 2).i64(7n).field('string', 1).string('one "},{\\ ,').field('string', 1).string('two').field('string', 3).string('blob').field('string', 1).string('three').stop();
    const bytes = w.bytes();
    // one "name" key, where its last occurrence stands (JSON.parse alone would hide a duplicate)
    expect(codec.decodeToJson(leaf, bytes, { protocol: proto })).toBe('{"weight":7,"blob":"YmxvYg==","name":"three"}');
    const [py] = pythonDecodes([{ proto, type: 'Leaf', bytes }]);
    const t = structType(leaf);
    expect(normalize(t, fromOurJson(t, JSON.parse(codec.decodeToJson(leaf, bytes, { protocol: proto, i64AsString: true }))))).toEqual(normalize(t, py));
  });
});
