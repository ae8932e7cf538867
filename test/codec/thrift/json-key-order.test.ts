// JSON → Thrift reads keys by trying the next field in IDL order first, and copies strings
// without escapes straight from the JSON text: neither may change what is written.
import { beforeAll, describe, expect, it } from 'vitest';
import { ThriftCodec } from '../../../src/codec/thrift/index.js';
import type { ThriftRegistry } from '../../../src/idl-parser/thrift/index.js';
import { hex } from './build.js';
import { fixture, st } from './fixture.js';

let reg: ThriftRegistry;
beforeAll(async () => {
  reg = await fixture();
});
const codec = new ThriftCodec();

describe('JSON → Thrift key lookup', () => {
  it('writes fields in the order the JSON gives them, in IDL order or not', () => {
    const leaf = st(reg, 'Leaf');
    // Leaf { 1: string name, 2: optional i64 weight, 3: binary blob }
    const name = '0b00010000000161';
    const weight = '0a00020000000000000007';
    const blob = '0b000300000000';
    expect(hex(codec.encodeJson(leaf, '{"name":"a","weight":7,"blob":""}'))).toBe(name + weight + blob + '00');
    expect(hex(codec.encodeJson(leaf, '{"blob":"","weight":7,"name":"a"}'))).toBe(blob + weight + name + '00');
    expect(hex(codec.encodeJson(leaf, '{"name":"a","blob":"","weight":7}'))).toBe(name + blob + weight + '00');
    expect(hex(codec.encodeJson(leaf, '{ "name" : "a" , "zzz":[1,{"name":2}], "blob" : "" }'))).toBe(name + blob + '00');
  });

  it('falls back from a key that only starts like the expected one, and to aliases', () => {
    const leaf = st(reg, 'Leaf');
    expect(hex(codec.encodeJson(leaf, '{"namex":"b","name":"a","blob":""}'))).toBe('0b00010000000161' + '0b000300000000' + '00');
    const aliased = st(reg, 'Aliased');
    expect(codec.decodeToJson(aliased, codec.encodeJson(aliased, '{"userName":"u","big_id":"5","id_list":[]}'))).toBe(
      '{"userName":"u","big_id":"5","id_list":[]}',
    );
  });

  it('writes strings copied from the text and strings with escapes or non-ASCII alike', () => {
    const leaf = st(reg, 'Leaf');
    const out = (s: string) => hex(codec.encodeJson(leaf, `{"name":${s},"blob":""}`)).slice(6, -16);
    expect(out('"héllo wörld, a string longer than sixteen"')).toBe(out('"h\\u00e9llo w\\u00f6rld, a string longer than sixteen"'));
    expect(out('"\\"quoted\\""')).toBe('000000082271756f7465642' + '2');
    expect(out('"€"')).toBe('00000003e282ac');
    for (const protocol of ['binary', 'compact'] as const) {
      const text = '{"name":"plain ascii, then 😀 and é","blob":""}';
      expect(codec.decodeToJson(leaf, codec.encodeJson(leaf, text, { protocol }), { protocol })).toBe(text);
    }
  });
});
