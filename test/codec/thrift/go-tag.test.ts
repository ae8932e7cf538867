// go.tag json names that start with "-". Kitex's JSON generic (cloudwego/dynamicgo: its go.tag
// mapper turns the tag's name into `api.key`, and Kitex's own descriptor does the same) keeps
// `json:"-"` as the literal key "-" rather than skipping the field as Go's encoding/json does;
// idlcall follows Kitex. The descriptor still tells `json:"-"` from `json:"-,"`.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ThriftCodec } from '../../../src/codec/thrift/index.js';
import { loadThriftFile, type ThriftRegistry } from '../../../src/idl-parser/thrift/index.js';
import type { ThriftField, ThriftStruct } from '../../../src/idl-parser/thrift/descriptor.js';
import { hex, unhex } from './build.js';
import { FIXTURES } from './fixture.js';
import { codecError } from '../../support/codec-error.js';

let reg: ThriftRegistry;
beforeAll(async () => {
  reg = await loadThriftFile(join(FIXTURES, 'tgotag.thrift'));
});

const codec = new ThriftCodec();
const both = ['binary', 'compact'] as const;

function st(name: string): ThriftStruct {
  const s = reg.findStruct(name);
  if (s === undefined) throw new Error(`no struct ${name}`);
  return s;
}

function field(s: string, name: string): ThriftField {
  const f = st(s).fields.find((x) => x.name === name);
  if (f === undefined) throw new Error(`no field ${s}.${name}`);
  return f;
}


describe('descriptor', () => {
  it('json:"-" is the name "-" and marked ignored (Go would skip it); json:"-," and json:"-,omitempty" are the key "-"', () => {
    expect(field('Hidden', 'secret')).toMatchObject({ goTagJsonName: '-', goTagJsonIgnored: true });
    expect(field('Dash', 'minus')).toMatchObject({ goTagJsonName: '-', goTagJsonIgnored: false });
    expect(field('Dash', 'minusOmit')).toMatchObject({ goTagJsonName: '-', goTagJsonIgnored: false });
    expect(field('HiddenRequired', 'token')).toMatchObject({ goTagJsonName: '-', goTagJsonIgnored: true });
    expect(field('Hidden', 'name')).toMatchObject({ goTagJsonName: 'user_name', goTagJsonIgnored: false });
    expect(field('Hidden', 'plain')).toMatchObject({ goTagJsonName: undefined, goTagJsonIgnored: false });
    expect(field('Dash', 'name')).toMatchObject({ goTagJsonName: undefined, goTagJsonIgnored: false });
  });

  it('argument fields carry the flag too; the result success field never does', () => {
    const fn = reg.findService('GoTagService')!.functions.get('Roundtrip')!;
    expect(fn.args[0]).toMatchObject({ goTagJsonIgnored: false });
    expect(fn.resultStruct.fields[0]).toMatchObject({ name: 'success', goTagJsonIgnored: false });
  });
});

describe('json:"-" is the key "-" both ways (Kitex / dynamicgo)', () => {
  it.each(both)('JSON → Thrift reads "-" into the field; Thrift → JSON writes it back under "-" (%s)', (protocol) => {
    const s = st('Hidden');
    const b = codec.encodeJson(s, '{"user_name":"u","-":"s3cr3t","plain":7}', { protocol });
    expect(codec.decodeToJson(s, b, { protocol })).toBe('{"user_name":"u","-":"s3cr3t","plain":7}');
  });

  it('the field is on the wire with its id: 0b 0002 …', () => {
    const b = codec.encodeJson(st('Hidden'), '{"-":"x"}', { writeDefaults: false });
    expect(hex(b)).toBe('0b000200000001' + '78' + '00');
    expect(codec.decodeToJson(st('Hidden'), unhex('0b0002000000017800'), { writeDefaults: false })).toBe('{"-":"x"}');
  });

  it('the IDL name is accepted on input too, as for every alias; useGoTagJsonName:false writes IDL names', () => {
    const s = st('Hidden');
    const b = codec.encodeJson(s, '{"name":"u","secret":"s","plain":1}');
    expect(codec.decodeToJson(s, b)).toBe('{"user_name":"u","-":"s","plain":1}');
    expect(codec.decodeToJson(s, b, { useGoTagJsonName: false })).toBe('{"name":"u","secret":"s","plain":1}');
  });

  it('an optional "-" field that is absent stays absent', () => {
    const s = st('Hidden');
    expect(codec.decodeToJson(s, codec.encodeJson(s, '{"user_name":"u"}'))).toBe('{"user_name":"u","plain":0}');
  });

  it('"-" is not an unknown key under rejectUnknownFields', () => {
    const s = st('Hidden');
    expect(() => codec.encodeJson(s, '{"-":"x"}', { rejectUnknownFields: true })).not.toThrow();
  });

  it('the object API writes IDL names and accepts "-" on input', () => {
    const s = st('Hidden');
    const b = codec.encodeObject(s, { '-': 'x', user_name: 'u', plain: 2 });
    expect(codec.decodeToObject(s, b)).toEqual({ name: 'u', secret: 'x', plain: 2 });
  });
});

describe('json:"-," and json:"-,omitempty": the key "-" (Go and Kitex agree)', () => {
  it.each(both)('round-trips under "-" (%s)', (protocol) => {
    const s = st('Dash');
    const b = codec.encodeJson(s, '{"name":"n","-":"m"}', { protocol });
    expect(codec.decodeToJson(s, b, { protocol })).toBe('{"name":"n","-":"m"}');
  });

  it('two fields keyed "-": the first declared takes the key on input, the other its IDL name', () => {
    const s = st('Dash');
    const b = codec.encodeJson(s, '{"-":"m","minusOmit":5}', { writeDefaults: false });
    expect(codec.decodeToObject(s, b, { writeDefaults: false })).toEqual({ minus: 'm', minusOmit: 5 });
  });
});

describe('a required field tagged json:"-"', () => {
  it('is an ordinary required field keyed "-": written and read under "-"', () => {
    const s = st('HiddenRequired');
    const b = codec.encodeJson(s, '{"-":"t","name":"n"}');
    expect(codec.decodeToJson(s, b)).toBe('{"-":"t","name":"n"}');
  });

  it('missing on input: its zero value is written (writeDefaults, Kitex), or a CodecError naming the field', () => {
    const s = st('HiddenRequired');
    expect(codec.decodeToJson(s, codec.encodeJson(s, '{"name":"n"}'))).toBe('{"name":"n","-":""}'); // defaults are written after the given fields
    const e = codecError(() => codec.encodeJson(s, '{"name":"n"}', { writeDefaults: false }));
    expect(e.path).toBe('HiddenRequired.token');
    expect(e.reason).toBe('required field is missing');
  });

  it('missing on the wire: decoding fails as for any required field', () => {
    const e = codecError(() => codec.decodeToJson(st('HiddenRequired'), unhex('0b0002000000016e00')));
    expect(e.path).toBe('HiddenRequired.token');
    expect(e.reason).toBe('required field is missing');
  });
});
