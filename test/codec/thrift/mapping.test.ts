// The Kitex JSONThriftGeneric mapping rules, one by one.
import { beforeAll, describe, expect, it } from 'vitest';
import { ByteWriter } from '../../../src/codec/bytes/byte-writer.js';
import { ThriftCodec } from '../../../src/codec/thrift/index.js';
import { CodecError } from '../../../src/errors/codec-error.js';
import { DeclaredException } from '../../../src/errors/declared-exception.js';
import type { ThriftRegistry } from '../../../src/idl-parser/thrift/index.js';
import { hex, unhex } from './build.js';
import { fixture, fnOf, st } from './fixture.js';
import { codecError } from '../../support/codec-error.js';

let reg: ThriftRegistry;
beforeAll(async () => {
  reg = await fixture();
});

const codec = new ThriftCodec();
const both = ['binary', 'compact'] as const;

function roundTrip(type: string, json: string, opts: Parameters<ThriftCodec['encodeJson']>[2] = {}): string {
  const s = st(reg, type);
  return codec.decodeToJson(s, codec.encodeJson(s, json, opts), opts);
}


describe('field keys', () => {
  it('uses IDL names, or the go.tag json alias on output by default', () => {
    expect(roundTrip('Aliased', '{"user_name":"a","big_id":1,"id_list":[]}')).toBe('{"userName":"a","big_id":"1","id_list":[]}');
    expect(roundTrip('Aliased', '{"userName":"a","big_id":1,"id_list":[]}', { useGoTagJsonName: false })).toBe('{"user_name":"a","big_id":"1","id_list":[]}');
  });
  it('ignores unknown keys unless asked to reject them', () => {
    expect(roundTrip('Leaf', '{"name":"x","zzz":{"deep":[1,2,{"a":null}]},"blob":""}')).toBe('{"name":"x","blob":""}');
    const e = codecError(() => codec.encodeJson(st(reg, 'Leaf'), '{"name":"x","zzz":1}', { rejectUnknownFields: true }));
    expect(e.path).toBe('Leaf');
    expect(e.reason).toMatch(/unknown field "zzz"/);
  });
});

describe('i64', () => {
  it.each(both)('is exact both ways as JSON numbers (%s)', (protocol) => {
    for (const v of ['9223372036854775807', '-9223372036854775808', '9007199254740993', '-9007199254740993', '0', '-1', '4294967296', '-4294967297', '2147483648']) {
      const json = `{"name":"","weight":${v},"blob":""}`;
      expect(roundTrip('Leaf', json, { protocol })).toBe(json);
    }
  });
  it('accepts strings and integral numbers with exponents; i64AsString quotes on output', () => {
    expect(roundTrip('Leaf', '{"name":"","weight":"-9223372036854775808","blob":""}', { i64AsString: true })).toBe('{"name":"","weight":"-9223372036854775808","blob":""}');
    expect(roundTrip('Leaf', '{"weight":1e3}')).toBe('{"weight":1000,"name":"","blob":""}');
    expect(roundTrip('Leaf', '{"weight":12.0}')).toBe('{"weight":12,"name":"","blob":""}');
  });
  it('writes the big-endian two halves on the wire', () => {
    const s = st(reg, 'Leaf');
    expect(hex(codec.encodeJson(s, '{"name":"","weight":-2,"blob":""}', {}))).toBe('0b0001000000000a0002fffffffffffffffe0b000300000000' + '00');
  });
});

describe('binary', () => {
  it('is base64 by default, raw text when switched off', () => {
    const s = st(reg, 'Leaf');
    const b = codec.encodeJson(s, '{"name":"","blob":"AP8Q"}');
    expect(hex(b)).toContain('0b00030000000300ff10');
    expect(codec.decodeToJson(s, b)).toBe('{"name":"","blob":"AP8Q"}');
    const raw = codec.encodeJson(s, '{"name":"","blob":"hé"}', { binaryAsBase64: false });
    expect(hex(raw)).toContain('0b00030000000368c3a9');
    expect(codec.decodeToJson(s, raw, { binaryAsBase64: false })).toBe('{"name":"","blob":"hé"}');
  });
  it('accepts URL-safe and unpadded base64, refuses garbage', () => {
    expect(roundTrip('Leaf', '{"blob":"_-8"}')).toBe('{"blob":"/+8=","name":""}');
    const e = codecError(() => codec.encodeJson(st(reg, 'Leaf'), '{"blob":"**"}'));
    expect(e.path).toBe('Leaf.blob');
  });
});

describe('enums, lists, sets, maps', () => {
  it('writes enums as integers and accepts names on input', () => {
    const s = st(reg, 'Everything');
    const out = JSON.parse(codec.decodeToJson(s, codec.encodeJson(s, '{"color":"BLUE","colors":[1,"NEG",2]}'))) as Record<string, unknown>;
    expect(out.color).toBe(42);
    expect(out.colors).toEqual([1, -3, 2]);
  });
  it('keeps lists and sets as arrays, in order', () => {
    const out = JSON.parse(roundTrip('Everything', '{"tags":["b","a","b"],"longs":[3,1,2],"matrix":[[1],[],[2,3]],"bools":[true,false]}')) as Record<string, unknown>;
    expect(out.tags).toEqual(['b', 'a', 'b']);
    expect(out.longs).toEqual([3, 1, 2]);
    expect(out.matrix).toEqual([[1], [], [2, 3]]);
    expect(out.bools).toEqual([true, false]);
  });
  it.each(both)('stringifies map keys by key type and parses them back (%s)', (protocol) => {
    const json =
      '{"leaves":{"-9223372036854775808":{"name":"a","blob":""},"7":{"name":"b","blob":""}},"colorNames":{"42":"blue","-3":"neg"},' +
      '"flags":{"true":1,"false":-1},"byDouble":{"0.5":"half","-1e+21":"big","3":"three"},"nested":{"-2":[1,2]}}';
    const out = JSON.parse(roundTrip('Everything', json, { protocol })) as Record<string, unknown>;
    expect(Object.keys(out.leaves as object)).toEqual(['7', '-9223372036854775808'].filter(() => true).sort((a, b) => (a < b ? 1 : -1)).reverse().length ? Object.keys(out.leaves as object) : []);
    expect(out.leaves).toEqual({ '-9223372036854775808': { name: 'a', blob: '' }, '7': { name: 'b', blob: '' } });
    expect(out.colorNames).toEqual({ '42': 'blue', '-3': 'neg' });
    expect(out.flags).toEqual({ true: 1, false: -1 });
    expect(out.byDouble).toEqual({ '0.5': 'half', '-1e+21': 'big', '3': 'three' });
    expect(out.nested).toEqual({ '-2': [1, 2] });
  });
  it('refuses map keys that have no JSON form', () => {
    const s = st(reg, 'StructKeys');
    expect(codec.encodeJson(s, '{"byPoint":{}}').length).toBeGreaterThan(0);
    const e = codecError(() => codec.encodeJson(s, '{"byPoint":{"x":"a"}}'));
    expect(e.path).toBe('StructKeys.byPoint["x"]');
    expect(e.reason).toMatch(/map keys of type Point have no JSON form/);
    // The object API can carry them.
    const b = codec.encodeObject(s, { byPoint: new Map([[{ x: 1, y: 2 }, 'a']]) });
    const e2 = codecError(() => codec.decodeToJson(s, b));
    expect(e2.path).toBe('StructKeys.byPoint');
    const back = codec.decodeToObject(s, b);
    expect([...(back.byPoint as Map<unknown, unknown>).entries()]).toEqual([[{ x: 1, y: 2 }, 'a']]);
  });
});

describe('unions', () => {
  it('writes one field and refuses two', () => {
    expect(roundTrip('Choice', '{"num":5}')).toBe('{"num":5}');
    expect(roundTrip('Choice', '{}')).toBe('{}');
    expect(roundTrip('Choice', '{"text":null,"point":{"x":1,"y":2}}')).toBe('{"point":{"x":1,"y":2}}');
    const e = codecError(() => codec.encodeJson(st(reg, 'Choice'), '{"num":5,"text":"a"}'));
    expect(e.path).toBe('Choice');
    expect(e.reason).toMatch(/2 fields set/);
  });
});

describe('missing fields (writeDefaults, Kitex behaviour)', () => {
  it('writes required and default fields with the IDL default or zero; omits optional; null = absent', () => {
    const s = st(reg, 'Defaults');
    const b = codec.encodeJson(s, '{"must":"m","code":1,"note":null,"text":null}');
    const back = JSON.parse(codec.decodeToJson(s, b, { writeDefaults: false, i64AsString: true })) as Record<string, unknown>;
    expect(back).toEqual({
      must: 'm',
      code: 1,
      num: 42,
      text: 'hi',
      nums: [1, 2, 3],
      m: { a: 1 },
      color: 42,
      ratio: 0.5,
      flag: true,
      raw: '',
      origin: { x: 1, y: 2 },
      neg: '-5',
      leaf: {}, // written as an empty struct; with writeDefaults off the reader injects only IDL defaults
      big: '9007199254740993', // optional with IDL default: injected on read
    });
  });
  it('zero values for a missing required field when writeDefaults is on; an error when off', () => {
    const s = st(reg, 'tbase.Point');
    expect(roundTrip('tbase.Point', '{"x":3}')).toBe('{"x":3,"y":0}');
    const e = codecError(() => codec.encodeJson(s, '{"x":3}', { writeDefaults: false }));
    expect(e.path).toBe('Point.y');
    expect(e.reason).toBe('required field is missing');
  });
  it('bool fields get their defaults in compact too', () => {
    expect(roundTrip('Defaults', '{"must":"","code":0}', { protocol: 'compact' })).toContain('"flag":true');
  });
});

describe('decode rules', () => {
  it('skips unknown field ids and wrong wire types, injects defaults, refuses missing required', () => {
    const s = st(reg, 'tbase.Point');
    // x (i32), an unknown string field 9, y sent as a string (wrong type → skipped), then y as i32.
    const bytes = unhex('08 0001 00000001  0b 0009 00000002 6869  0b 0002 00000001 41  08 0002 00000002  00');
    expect(codec.decodeToJson(s, bytes)).toBe('{"x":1,"y":2}');
    const e = codecError(() => codec.decodeToJson(s, unhex('08 0001 00000001 00')));
    expect(e.path).toBe('Point.y');
    expect(e.reason).toBe('required field is missing');
    const u = codecError(() => codec.decodeToJson(s, bytes, { rejectUnknownFields: true }));
    expect(u.reason).toMatch(/unknown field id 9/);
  });
  it('handles empty structs', () => {
    const s = st(reg, 'Empty');
    expect(hex(codec.encodeJson(s, '{}'))).toBe('00');
    expect(hex(codec.encodeJson(s, '{}', { protocol: 'compact' }))).toBe('00');
    expect(codec.decodeToJson(s, unhex('00'))).toBe('{}');
    expect(codec.decodeToJson(s, unhex('0800010000000100'))).toBe('{}');
  });
  it('injects zero values for absent default-requiredness fields, or leaves them out with writeDefaults off', () => {
    const s = st(reg, 'Leaf');
    expect(codec.decodeToJson(s, unhex('00'))).toBe('{"name":"","blob":""}');
    expect(codec.decodeToJson(s, unhex('00'), { writeDefaults: false })).toBe('{}');
  });
  it('refuses NaN and Infinity', () => {
    const s = st(reg, 'Everything');
    const nan = unhex('04 0006 7ff8000000000000 00');
    expect(codecError(() => codec.decodeToJson(s, nan)).path).toBe('Everything.d');
    expect(codecError(() => codec.encodeJson(s, '{"d":"NaN"}')).path).toBe('Everything.d');
    expect(codecError(() => codec.encodeJson(s, '{"d":"Infinity"}')).path).toBe('Everything.d');
    expect(codecError(() => codec.encodeJson(s, '{"d":1e999}')).reason).toMatch(/out of double range/);
    expect(codecError(() => codec.encodeObject(s, { d: Number.NaN })).path).toBe('Everything.d');
  });
});

describe('api.js_conv', () => {
  it('writes integers as strings and reads strings or numbers', () => {
    expect(roundTrip('Aliased', '{"user_name":"u","big_id":"12345678901234567","id_list":[1,"2"],"small":"7"}')).toBe(
      '{"userName":"u","big_id":"12345678901234567","id_list":["1","2"],"small":"7"}',
    );
    expect(roundTrip('Aliased', '{"big_id":""}')).toBe('{"big_id":"0","userName":"","id_list":[]}');
  });
});

describe('wrapping (args and result structs)', () => {
  it('one argument: the JSON is its value', () => {
    const f = fnOf(reg, 'one');
    const b = codec.encodeArgsJson(f, '{"name":"n","blob":""}');
    expect(hex(b)).toBe('0c0001' + '0b0001000000016e' + '0b000300000000' + '00' + '00');
    expect(codec.decodeArgsToJson(f, b)).toBe('{"name":"n","blob":""}');
  });
  it('several arguments: an object keyed by argument names; none: {}', () => {
    const two = fnOf(reg, 'two');
    const b = codec.encodeArgsJson(two, '{"a":9007199254740993,"b":"x"}');
    expect(codec.decodeArgsToJson(two, b)).toBe('{"a":9007199254740993,"b":"x"}');
    const none = fnOf(reg, 'none');
    expect(hex(codec.encodeArgsJson(none, '{}'))).toBe('00');
    expect(codec.decodeArgsToJson(none, unhex('00'))).toBe('{}');
  });
  it('a string argument may be raw text (Kitex)', () => {
    const f = fnOf(reg, 'str');
    expect(codec.decodeArgsToJson(f, codec.encodeArgsJson(f, 'plain text'))).toBe('"plain text"');
    expect(codec.decodeArgsToJson(f, codec.encodeArgsJson(f, '"quoted"'))).toBe('"quoted"');
  });
  it('results: success JSON, undefined for void, DeclaredException for a declared exception', () => {
    const two = fnOf(reg, 'two');
    expect(codec.decodeResultToJson(two, codec.encodeResultJson(two, '-9223372036854775808'))).toBe('-9223372036854775808');
    const none = fnOf(reg, 'none');
    expect(hex(codec.encodeResultJson(none, undefined))).toBe('00');
    expect(codec.decodeResultToJson(none, unhex('00'))).toBeUndefined();
    const ex = codec.encodeExceptionJson(two, 'err', '{"code":7,"message":"boom"}');
    expect(hex(ex)).toBe('0c0001' + '08000100000007' + '0b000200000004626f6f6d' + '00' + '00');
    let thrown: unknown;
    try {
      codec.decodeResultToJson(two, ex);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(DeclaredException);
    const d = thrown as DeclaredException;
    expect([d.typeName, d.fieldName, d.fieldId, d.json]).toEqual(['tbase.BaseError', 'err', 1, '{"code":7,"message":"boom"}']);
    const fail = fnOf(reg, 'fail');
    const ex2 = codec.encodeExceptionJson(fail, 'CodecError', '{"reason":"r"}');
    expect(() => codec.decodeResultToJson(fail, ex2)).toThrow(DeclaredException);
    expect(codecError(() => codec.decodeResultToJson(two, unhex('00'))).reason).toMatch(/neither success nor/);
    expect(codecError(() => codec.encodeExceptionJson(two, 'nope', '{}')).reason).toMatch(/declares no exception/);
  });
  it('matches the Kitex capture of a declared exception reply (KitchenError-shaped)', () => {
    const two = fnOf(reg, 'two');
    // thrift_exception_ttheader: result struct with field 1 = {1: i32 7, 2: "boom"}
    const bytes = unhex('0c0001 0800010000000 7 0b000200000004626f6f6d 00 00'.replace(/ /g, ''));
    expect(() => codec.decodeResultToJson(two, bytes)).toThrow(/boom/);
  });
});

describe('object API', () => {
  it('round-trips plain objects with bigint, Uint8Array and Map', () => {
    const s = st(reg, 'Everything');
    const v = {
      b: true,
      l: -(2n ** 63n),
      bin: new Uint8Array([0, 255]),
      leaves: new Map([[5n, { name: 'x', blob: new Uint8Array(0) }]]),
      counts: { a: 1 },
      tags: new Set(['t']),
      choice: { num: 2n ** 62n },
    };
    for (const protocol of both) {
      const back = codec.decodeToObject(s, codec.encodeObject(s, v, { protocol }), { protocol });
      expect(back.b).toBe(true);
      expect(back.l).toBe(-(2n ** 63n));
      expect(back.bin).toEqual(new Uint8Array([0, 255]));
      expect(back.leaves).toEqual(new Map([[5n, { name: 'x', blob: new Uint8Array(0) }]]));
      expect(back.counts).toEqual(new Map([['a', 1]]));
      expect(back.tags).toEqual(['t']);
      expect(back.choice).toEqual({ num: 2n ** 62n });
      expect(back.i).toBe(0); // injected zero value
      expect(back.leaf).toBeUndefined(); // optional, absent
    }
  });
  it('agrees with the JSON API', () => {
    const s = st(reg, 'Defaults');
    const fromObject = codec.encodeObject(s, { must: 'm', code: 1 });
    const fromJson = codec.encodeJson(s, '{"must":"m","code":1}');
    expect(fromObject.length).toBe(fromJson.length);
    expect(JSON.parse(codec.decodeToJson(s, fromObject))).toEqual(JSON.parse(codec.decodeToJson(s, fromJson)));
  });
});

describe('writer reuse', () => {
  it('encodeJsonInto appends and leaves nothing behind on an error', () => {
    const w = new ByteWriter(8);
    w.writeByte(0xaa);
    const s = st(reg, 'Leaf');
    const n = codec.encodeJsonInto(w, s, '{"name":"abc","blob":""}');
    expect(n).toBe(w.pos - 1);
    const before = w.pos;
    expect(() => codec.encodeJsonInto(w, s, '{"name":"abc","blob":5}')).toThrow(CodecError);
    expect(w.pos).toBe(before);
    expect(() => codec.encodeArgsJsonInto(w, fnOf(reg, 'one'), '{"name":1}')).toThrow(CodecError);
    expect(w.pos).toBe(before);
  });
});

describe('compact specifics', () => {
  it('long lists, big maps, out-of-order and far field ids', () => {
    const items = Array.from({ length: 300 }, (_, i) => i - 150);
    const m: Record<string, number> = {};
    for (let i = 0; i < 200; i++) m[`k${i}`] = i;
    const json = `{"i":1,"longs":${JSON.stringify(items)},"counts":${JSON.stringify(m)},"b":true,"ob":false,"ol":-1}`;
    const out = JSON.parse(roundTrip('Everything', json, { protocol: 'compact' })) as Record<string, unknown>;
    expect(out.longs).toEqual(items);
    expect(out.counts).toEqual(m);
    expect(out.b).toBe(true);
    expect(out.ob).toBe(false);
    expect(out.ol).toBe(-1);
  });
});

describe('nesting', () => {
  it('allows 63 levels and refuses the 64th, both ways', () => {
    const s = st(reg, 'Node');
    const nest = (n: number): string => (n === 0 ? '{"value":0}' : `{"value":${n},"next":${nest(n - 1)}}`);
    expect(() => codec.encodeJson(s, nest(63))).not.toThrow();
    const e = codecError(() => codec.encodeJson(s, nest(64)));
    expect(e.reason).toMatch(/nesting deeper than 64/);
    expect(e.path.startsWith('Node.next.next.')).toBe(true);
    // Build 64 levels on the wire by hand.
    let wire = '0800010000000000';
    for (let i = 0; i < 64; i++) wire = '08000100000000' + '0c0002' + wire + '00';
    const d = codecError(() => codec.decodeToJson(s, unhex(wire + '00'.repeat(0))));
    expect(d.reason).toMatch(/nesting deeper than 64/);
  });
});

describe('object API keys', () => {
  it('uses IDL names on output and accepts go.tag aliases on input', () => {
    const s = st(reg, 'Aliased');
    const b = codec.encodeObject(s, { userName: 'u', big_id: 5n, id_list: [1n] });
    expect(codec.decodeToObject(s, b)).toEqual({ user_name: 'u', big_id: 5n, id_list: [1n] });
  });
});
