import { describe, expect, it } from 'vitest';
import { ProtoCodec } from '../../../src/codec/proto/index.js';
import { CodecError } from '../../../src/errors/codec-error.js';
import type { ProtoField } from '../../../src/idl-parser/proto/index.js';
import { FIXTURES, loadOurs } from './helpers.js';

/*
 * Malformed inputs, table-driven: each must fail with a CodecError whose path
 * names the field and whose reason says what is wrong. JSON cases cover every
 * scalar kind with wrong types and out-of-range values, containers, well-known
 * types and syntax; binary cases cover every field with each wrong wire type
 * and with truncated values, plus tags, groups, lengths, UTF-8 and depth.
 */

const reg = await loadOurs(FIXTURES, 'kitchen.proto');
const reg2 = await loadOurs(FIXTURES, 'kitchen2.proto');
const K = reg.findMessage('kitchen.Kitchen')!;
const codec = new ProtoCodec(reg);

type Case = [name: string, input: string, path: string, reason: RegExp];

function expectCodecError(fn: () => unknown, path: string, reason: RegExp, stage: 'parse' | 'serialize' = 'parse'): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'should throw').toBeInstanceOf(CodecError);
  const ce = err as CodecError;
  expect(ce.path).toBe(path);
  expect(ce.reason).toMatch(reason);
  expect(ce.stage).toBe(stage);
}

// ---------- JSON → binary ----------

const SCALAR_BAD: Record<string, Array<[string, RegExp]>> = {
  int32: [['"abc"', /invalid int32/], ['1.5', /must be an integer/], ['2147483648', /out of range for int32/], ['-2147483649', /out of range/], ['true', /expected an int32/], ['{}', /expected an int32.*found an object/], ['"1.5"', /must be an integer/], ['""', /invalid int32/]],
  sint32: [['2147483648', /out of range for sint32/], ['"x"', /invalid sint32/], ['[]', /expected/]],
  sfixed32: [['-2147483649', /out of range for sfixed32/], ['false', /expected/]],
  uint32: [['-1', /out of range for uint32/], ['4294967296', /out of range/], ['"0x10"', /invalid uint32/], ['0.5', /must be an integer/]],
  fixed32: [['4294967296', /out of range for fixed32/], ['-1', /out of range/]],
  int64: [['9223372036854775808', /out of range for int64/], ['"9223372036854775808"', /out of range for int64/], ['-9223372036854775809', /out of range/], ['1.5', /must be an integer/], ['"x"', /invalid int64/], ['true', /expected an int64/], ['1e19', /out of range/], ['" 1"', /invalid int64/]],
  sint64: [['"-9223372036854775809"', /out of range for sint64/], ['{}', /expected/]],
  sfixed64: [['9223372036854775808', /out of range/]],
  uint64: [['-1', /out of range for uint64/], ['"18446744073709551616"', /out of range for uint64/], ['1e20', /out of range/], ['"-1"', /out of range/]],
  fixed64: [['18446744073709551616', /out of range/], ['[1]', /expected/]],
  float: [['3.5e38', /out of range for float/], ['"1e39"', /out of range for float/], ['"abc"', /invalid float/], ['true', /expected a float/], ['"nan"', /invalid float/]],
  double: [['1e400', /out of range for double/], ['"abc"', /invalid double/], ['{}', /expected a double/], ['"-infinity"', /invalid double/], ['"1e999"', /out of range/]],
  bool: [['1', /expected a boolean/], ['"true"', /expected a boolean/], ['[]', /expected a boolean/]],
  string: [['1', /expected a string/], ['true', /expected a string/], ['{}', /expected a string/]],
  bytes: [['"!!!!"', /invalid base64/], ['"a"', /invalid base64/], ['1', /expected a base64 string/], ['"QUJD="', /invalid base64/]],
};
const ENUM_BAD: Array<[string, RegExp]> = [
  ['"PURPLE"', /unknown value "PURPLE" for enum kitchen.Color/],
  ['1.5', /not a valid number for enum/],
  ['2147483648', /not a valid number/],
  ['true', /expected an enum name or number/],
  ['"red"', /unknown value/],
];

function jsonName(f: ProtoField): string {
  return f.jsonName;
}

const jsonCases: Case[] = [];
for (const f of K.fields) {
  if (f.message !== undefined || f.mapEntry !== undefined) continue;
  const bad = f.type === 'enum' ? ENUM_BAD : SCALAR_BAD[f.type];
  if (bad === undefined) continue;
  for (const [value, reason] of bad) {
    if (f.label === 'repeated') {
      jsonCases.push([`${f.name} item ${value}`, `{"${jsonName(f)}":[${firstGood(f)},${value}]}`, `Kitchen.${f.name}[1]`, reason]);
    } else {
      jsonCases.push([`${f.name} = ${value}`, `{"${jsonName(f)}":${value}}`, `Kitchen.${f.name}`, reason]);
    }
  }
  if (f.label === 'repeated') {
    jsonCases.push([`${f.name} not an array`, `{"${f.name}":{}}`, `Kitchen.${f.name}`, /expected an array/]);
    jsonCases.push([`${f.name} null item`, `{"${f.name}":[null]}`, `Kitchen.${f.name}[0]`, /null is not allowed/]);
  }
}
function firstGood(f: ProtoField): string {
  switch (f.type) {
    case 'string':
      return '"a"';
    case 'bytes':
      return '"AA=="';
    case 'bool':
      return 'true';
    case 'enum':
      return '"RED"';
    default:
      return '1';
  }
}
jsonCases.push(
  // messages and nesting
  ['inner not object', '{"inner":1}', 'Kitchen.inner', /expected an object for kitchen.Inner/],
  ['inner string', '{"inner":"x"}', 'Kitchen.inner', /expected an object/],
  ['inner.name', '{"inner":{"name":5}}', 'Kitchen.inner.name', /expected a string/],
  ['inners item', '{"inners":[1]}', 'Kitchen.inners[0]', /expected an object/],
  ['inners[1].name', '{"inners":[{},{"name":1}]}', 'Kitchen.inners[1].name', /expected a string/],
  ['deep path', '{"inners":[{},{},{"children":[{"name":true}]}]}', 'Kitchen.inners[2].children[0].name', /expected a string/],
  ['deep map', '{"inners":[{"counts":{"a":"x"}}]}', 'Kitchen.inners[0].counts["a"]', /invalid int32/],
  ['recursive unknown', '{"recursive":{"recursive":{"nope":1}}}', 'Kitchen.recursive.recursive.nope', /unknown field "nope" in kitchen.Kitchen/],
  ['unknown field', '{"nope":1}', 'Kitchen.nope', /unknown field "nope"/],
  ['unknown escaped', '{"f\\u0049nt32x":1}', 'Kitchen.fInt32x', /unknown field/],
  // maps
  ['map not object', '{"mString":[]}', 'Kitchen.m_string', /expected an object \(map\)/],
  ['map value type', '{"mString":{"a":1}}', 'Kitchen.m_string["a"]', /expected a string/],
  ['map int32 key', '{"mInt32":{"x":{}}}', 'Kitchen.m_int32["x"]', /invalid int32 map key/],
  ['map int32 key range', '{"mInt32":{"2147483648":{}}}', 'Kitchen.m_int32["2147483648"]', /out of range/],
  ['map int64 key', '{"mInt64":{"1.5":"RED"}}', 'Kitchen.m_int64["1.5"]', /invalid int64 map key/],
  ['map uint32 key', '{"mUint32":{"-1":"AA=="}}', 'Kitchen.m_uint32["-1"]', /out of range/],
  ['map uint64 key', '{"mUint64":{"-1":1}}', 'Kitchen.m_uint64["-1"]', /invalid uint64 map key/],
  ['map bool key', '{"mBool":{"yes":{}}}', 'Kitchen.m_bool["yes"]', /invalid bool map key/],
  ['map enum value', '{"mInt64":{"1":"PURPLE"}}', 'Kitchen.m_int64["1"]', /unknown value/],
  ['map null value', '{"mString":{"a":null}}', 'Kitchen.m_string["a"]', /null is not allowed as a map value/],
  ['map null message', '{"mInt32":{"1":null}}', 'Kitchen.m_int32["1"]', /null is not allowed/],
  ['map message field', '{"mInt32":{"1":{"id":"x"}}}', 'Kitchen.m_int32["1"].id', /invalid int64/],
  ['map bytes', '{"mUint32":{"1":"%%"}}', 'Kitchen.m_uint32["1"]', /invalid base64/],
  // oneofs
  ['oneof twice', '{"choiceStr":"a","choiceNum":1}', 'Kitchen.choice_num', /more than one field of oneof choice/],
  ['oneof twice, proto names', '{"choice_inner":{},"choice_enum":"RED"}', 'Kitchen.choice_enum', /oneof choice/],
  ['oneof with duplicate key', '{"choiceStr":"a","choiceStr":"b","choiceNum":1}', 'Kitchen.choice_str', /more than once/],
  // well-known types
  ['timestamp month', '{"wTimestamp":"2020-13-01T00:00:00Z"}', 'Kitchen.w_timestamp', /invalid Timestamp/],
  ['timestamp text', '{"wTimestamp":"not a date"}', 'Kitchen.w_timestamp', /invalid Timestamp/],
  ['timestamp number', '{"wTimestamp":5}', 'Kitchen.w_timestamp', /expected a string \(RFC 3339 timestamp\)/],
  ['timestamp no zone', '{"wTimestamp":"2020-01-01T00:00:00"}', 'Kitchen.w_timestamp', /invalid Timestamp/],
  ['timestamp year 0', '{"wTimestamp":"0000-12-31T23:59:59Z"}', 'Kitchen.w_timestamp', /invalid Timestamp/],
  ['timestamp Feb 30', '{"wTimestamp":"2021-02-29T00:00:00Z"}', 'Kitchen.w_timestamp', /invalid Timestamp/],
  ['timestamp 10 digits', '{"wTimestamp":"2020-01-01T00:00:00.1234567890Z"}', 'Kitchen.w_timestamp', /invalid Timestamp/],
  ['timestamp past max by offset', '{"wTimestamp":"9999-12-31T23:59:59-01:00"}', 'Kitchen.w_timestamp', /invalid Timestamp/],
  ['timestamps item', '{"wTimestamps":["2020-01-01T00:00:00Z","x"]}', 'Kitchen.w_timestamps[1]', /invalid Timestamp/],
  ['choice_ts', '{"choiceTs":"yesterday"}', 'Kitchen.choice_ts', /invalid Timestamp/],
  ['duration no s', '{"wDuration":"1.5"}', 'Kitchen.w_duration', /invalid Duration/],
  ['duration ms', '{"wDuration":"1.5ms"}', 'Kitchen.w_duration', /invalid Duration/],
  ['duration range', '{"wDuration":"315576000001s"}', 'Kitchen.w_duration', /invalid Duration/],
  ['duration number', '{"wDuration":1}', 'Kitchen.w_duration', /expected a string/],
  ['duration 10 digits', '{"wDuration":"1.0000000001s"}', 'Kitchen.w_duration', /invalid Duration/],
  ['field mask underscore', '{"wFieldMask":"foo_bar"}', 'Kitchen.w_field_mask', /invalid FieldMask path "foo_bar"/],
  ['field mask empty path', '{"wFieldMask":"a,,b"}', 'Kitchen.w_field_mask', /invalid FieldMask path/],
  ['field mask type', '{"wFieldMask":["a"]}', 'Kitchen.w_field_mask', /expected a string/],
  ['any unknown type', '{"wAny":{"@type":"type.googleapis.com/nope.Nope"}}', 'Kitchen.w_any.@type', /cannot resolve type/],
  ['any missing type', '{"wAny":{"name":"x"}}', 'Kitchen.w_any', /missing "@type"/],
  ['any type not string', '{"wAny":{"@type":1}}', 'Kitchen.w_any.@type', /expected a string/],
  ['any bad field', '{"wAny":{"@type":"type.googleapis.com/kitchen.Inner","name":1}}', 'Kitchen.w_any.name', /expected a string/],
  ['any unknown field', '{"wAny":{"@type":"type.googleapis.com/kitchen.Inner","nope":1}}', 'Kitchen.w_any.nope', /unknown field/],
  ['any wkt value', '{"wAny":{"@type":"type.googleapis.com/google.protobuf.Timestamp","value":"x"}}', 'Kitchen.w_any.value', /invalid Timestamp/],
  ['any wkt extra', '{"wAny":{"@type":"type.googleapis.com/google.protobuf.Duration","value":"1s","x":1}}', 'Kitchen.w_any.x', /unknown field/],
  ['anys item', '{"wAnys":[{},{"@type":"x/y.Z"}]}', 'Kitchen.w_anys[1].@type', /cannot resolve/],
  ['wrapper int32', '{"wInt32":"x"}', 'Kitchen.w_int32', /invalid int32/],
  ['wrapper uint64', '{"wUint64":-1}', 'Kitchen.w_uint64', /out of range/],
  ['wrapper bool', '{"wBool":"true"}', 'Kitchen.w_bool', /expected a boolean/],
  ['wrapper bytes', '{"wBytes":"*"}', 'Kitchen.w_bytes', /invalid base64/],
  ['wrapper float', '{"wFloat":1e39}', 'Kitchen.w_float', /out of range/],
  ['wrapper string', '{"wString":{}}', 'Kitchen.w_string', /expected a string/],
  ['struct not object', '{"wStruct":[]}', 'Kitchen.w_struct', /expected an object \(Struct\)/],
  ['struct nested', '{"wStruct":{"a":{"b":[1,}]}}}', 'Kitchen.w_struct["a"]["b"][1]', /unexpected character/],
  ['list not array', '{"wList":{}}', 'Kitchen.w_list', /expected an array \(ListValue\)/],
  ['value syntax', '{"wValue":tru}', 'Kitchen.w_value', /expected true/],
  ['values map', '{"wValues":{"a":[1,2,{"x":nul}]}}', 'Kitchen.w_values["a"][2]["x"]', /expected null/],
  ['empty with field', '{"wEmpty":{"a":1}}', 'Kitchen.w_empty.a', /unknown field "a" in google.protobuf.Empty/],
  // syntax
  ['empty text', '', 'Kitchen', /expected an object for kitchen.Kitchen, found end of input/],
  ['open brace', '{', 'Kitchen', /expected a quoted object key|unexpected|end/],
  ['key only', '{"fInt32"', 'Kitchen', /expected ':'/],
  ['missing value', '{"fInt32":}', 'Kitchen.f_int32', /unexpected character '}'/],
  ['trailing comma', '{"fInt32":1,}', 'Kitchen', /expected a quoted object key/],
  ['missing comma', '{"fInt32":1 "fBool":true}', 'Kitchen', /expected ',' or '}'/],
  ['array top', '[]', 'Kitchen', /expected an object/],
  ['bare word', 'nul', 'Kitchen', /expected an object/],
  ['top-level null', 'null', 'Kitchen', /expected an object for kitchen.Kitchen, found null/],
  ['timestamp lower-case t', '{"wTimestamp":"2020-01-01t00:00:00Z"}', 'Kitchen.w_timestamp', /invalid Timestamp/],
  ['timestamp lower-case z', '{"wTimestamp":"2020-01-01T00:00:00z"}', 'Kitchen.w_timestamp', /invalid Timestamp/],
  ['duplicate @type', '{"wAny":{"@type":"type.googleapis.com/kitchen.Inner","@type":"type.googleapis.com/kitchen.Inner"}}', 'Kitchen.w_any.@type', /more than once/],
  ['control char', '{"fString":"a\u0001"}', 'Kitchen.f_string', /control character/],
  ['bad escape', '{"fString":"\\x"}', 'Kitchen.f_string', /invalid escape \\x/],
  ['short unicode', '{"fString":"\\u12"}', 'Kitchen.f_string', /invalid \\u escape/],
  ['unterminated', '{"fString":"abc}', 'Kitchen.f_string', /unterminated string/],
  ['trailing garbage', '{} x', 'Kitchen', /unexpected 'x' after the JSON value/],
  ['two values', '{}{}', 'Kitchen', /after the JSON value/],
  ['leading zero', '{"fInt32":01}', 'Kitchen.f_int32', /leading zeros/],
  ['lone minus', '{"fInt32":-}', 'Kitchen.f_int32', /expected a number/],
  ['dot no digit', '{"fInt32":1.}', 'Kitchen.f_int32', /digit after the decimal point/],
  ['exp no digit', '{"fDouble":1e}', 'Kitchen.f_double', /digit in the exponent/],
  ['single quotes', "{'fInt32':1}", 'Kitchen', /expected a quoted object key/],
  ['plus sign', '{"fInt32":+1}', 'Kitchen.f_int32', /unexpected character '\+'/],
  ['NaN literal', '{"fDouble":NaN}', 'Kitchen.f_double', /unexpected character 'N'/],
  ['unknown skipped bad', '{"nope":[1,}', 'Kitchen.nope', /unknown field/],
  ['comment', '{/*x*/}', 'Kitchen', /expected a quoted object key/],
  ['key not string', '{1:2}', 'Kitchen', /expected a quoted object key/],
  ['array unclosed', '{"rInt32":[1,2', 'Kitchen.r_int32', /expected ',' or ']'/],
);

/** Value/ListValue nesting counts two levels per JSON array (Value, then ListValue), as in the wire form. */
const STRUCT_DEPTH_PATH = 50;
// Depth: 101 nested messages.
jsonCases.push(['depth 101', '{"recursive":'.repeat(101) + '{}' + '}'.repeat(101), 'Kitchen' + '.recursive'.repeat(101), /nesting deeper than 100/]);
jsonCases.push(['struct depth', '{"wValue":' + '['.repeat(120) + ']'.repeat(120) + '}', 'Kitchen.w_value' + '[0]'.repeat(STRUCT_DEPTH_PATH), /nesting deeper than 100/]);

describe('malformed JSON → CodecError with path and reason', () => {
  it.each(jsonCases)('%s', (_name, input, path, reason) => {
    expectCodecError(() => codec.encodeJson(K, input), path, reason);
  });
  it('nothing is left half-written in the caller\'s writer', async () => {
    const { ByteWriter } = await import('../../../src/codec/bytes/byte-writer.js');
    const w = new ByteWriter(8);
    w.writeByte(0xaa);
    expect(() => codec.encodeJsonInto(w, K, '{"fString":"abc","fInt32":"x"}')).toThrow(CodecError);
    expect(w.pos).toBe(1);
  });
  it('ignoreUnknownFields skips unknown keys and unknown enum names', () => {
    const b = codec.encodeJson(K, '{"nope":{"deep":[1,{"x":null}]},"fEnum":"PURPLE","fInt32":7}', { ignoreUnknownFields: true });
    expect(codec.decodeToJson(K, b)).toBe('{"fInt32":7}');
  });
});

// ---------- binary → JSON ----------

const WT_SAMPLE: Record<number, string> = { 0: '01', 1: '0000000000000000', 2: '00', 5: '00000000', 3: '', };

function varintHex(n: bigint): string {
  let v = BigInt.asUintN(64, n);
  const out: number[] = [];
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out).toString('hex');
}

function tagHex(num: number, wt: number): string {
  return varintHex(BigInt(num) * 8n + BigInt(wt));
}

/** A length-delimited field: tag, length, body. */
function ld(num: number, bodyHex: string): string {
  return tagHex(num, 2) + varintHex(BigInt(bodyHex.length / 2)) + bodyHex;
}

const WIRE: Record<string, number> = {
  double: 1, float: 5, int64: 0, uint64: 0, int32: 0, fixed64: 1, fixed32: 5, bool: 0, string: 2, bytes: 2, uint32: 0, sfixed32: 5, sfixed64: 1,
  sint32: 0, sint64: 0, enum: 0, message: 2,
};
const TRUNCATED: Record<number, [string, RegExp]> = {
  0: ['80', /truncated data/],
  1: ['000000', /truncated data/],
  5: ['00', /truncated data/],
  2: ['05aa', /length 5 runs past the end/],
};

const binCases: Case[] = [];
for (const f of K.fields) {
  const wt = f.mapEntry !== undefined ? 2 : WIRE[f.type]!;
  const packable = f.label === 'repeated' && wt !== 2;
  for (const bad of [0, 1, 2, 5]) {
    if (bad === wt || (bad === 2 && packable)) continue;
    const hex = tagHex(f.number, bad) + WT_SAMPLE[bad];
    binCases.push([`${f.name} wire type ${bad}`, hex, `Kitchen.${f.name}`, /wrong wire type/]);
  }
  const [payload, reason] = TRUNCATED[wt]!;
  binCases.push([`${f.name} truncated`, tagHex(f.number, wt) + payload, `Kitchen.${f.name}`, reason]);
}
binCases.push(
  ['field number 0', '0001', 'Kitchen', /invalid field number 0/],
  ['wire type 6', '0e', 'Kitchen', /invalid wire type 6/],
  ['wire type 7', '0f', 'Kitchen', /invalid wire type 7/],
  ['stray end group', tagHex(300, 4), 'Kitchen', /unexpected end-group tag for field 300/],
  ['end group on a known field', '0c', 'Kitchen', /unexpected end-group tag for field 1\b/],
  ['unknown group not closed', tagHex(200, 3) + '0801', 'Kitchen', /group 200 is not closed/],
  ['group end mismatch', tagHex(200, 3) + tagHex(201, 4), 'Kitchen', /does not match group 200/],
  ['truncated tag', 'ff', 'Kitchen', /truncated data/],
  ['tag too long', 'ffffffffffffffffffffff01', 'Kitchen', /varint longer than 10 bytes/],
  ['tag over 32 bits', 'f8ffffffff01', 'Kitchen', /tag does not fit in 32 bits/],
  ['varint 11 bytes', '28ffffffffffffffffffff01', 'Kitchen.f_int32', /longer than 10 bytes/],
  ['varint overflow', '28ffffffffffffffffff7f', 'Kitchen.f_int32', /overflows 64 bits/],
  ['length over 2^32', '4a8080808010', 'Kitchen.f_string', /over 2\^32/],
  ['unknown length past end', tagHex(300, 2) + '0a00', 'Kitchen', /length 10 runs past/],
  ['unknown fixed64 truncated', tagHex(300, 1) + '00', 'Kitchen', /truncated data/],
  ['unknown fixed32 truncated', tagHex(300, 5) + '00', 'Kitchen', /truncated data/],
  ['unknown varint truncated', tagHex(300, 0) + '8080', 'Kitchen', /truncated data/],
  ['invalid UTF-8', '4a02c328', 'Kitchen.f_string', /invalid UTF-8/],
  ['invalid UTF-8 long', '4a28' + '61'.repeat(39) + 'ff', 'Kitchen.f_string', /invalid UTF-8/],
  ['overlong UTF-8', '4a02c0af', 'Kitchen.f_string', /invalid UTF-8/],
  ['surrogate in UTF-8', '4a03eda080', 'Kitchen.f_string', /invalid UTF-8/],
  ['repeated string UTF-8', tagHex(29, 2) + '0161' + tagHex(29, 2) + '01ff', 'Kitchen.r_string', /invalid UTF-8/],
  ['inner name UTF-8', tagHex(17, 2) + '030a01ff', 'Kitchen.inner.name', /invalid UTF-8/],
  ['inners[1].name', tagHex(37, 2) + '00' + tagHex(37, 2) + '030a01ff', 'Kitchen.inners[1].name', /invalid UTF-8/],
  ['inners[2].children[0].name', tagHex(37, 2) + '00' + tagHex(37, 2) + '00' + tagHex(37, 2) + '051a030a01ff', 'Kitchen.inners[2].children[0].name', /invalid UTF-8/],
  ['inner length past parent', tagHex(17, 2) + '06' + '0a03616263', 'Kitchen.inner', /length 6 runs past/],
  ['inner field crosses end', tagHex(17, 2) + '02' + '0a05' + '6162636465', 'Kitchen.inner.name', /length 5 runs past/],
  ['packed length past end', tagHex(25, 2) + '0501', 'Kitchen.r_int32', /length 5 runs past/],
  ['packed varint cut', tagHex(25, 2) + '0180', 'Kitchen.r_int32', /truncated data/],
  ['packed fixed32 cut', tagHex(27, 2) + '03000000', 'Kitchen.r_fixed32', /truncated data/],
  ['packed double cut', tagHex(21, 2) + '0400000000', 'Kitchen.r_double', /truncated data/],
  ['map key wire type', tagHex(41, 2) + '020801', 'Kitchen.m_string', /wrong wire type/],
  ['map value wire type', tagHex(41, 2) + '021001', 'Kitchen.m_string', /wrong wire type/],
  ['map entry past end', tagHex(41, 2) + '040a01', 'Kitchen.m_string', /runs past/],
  ['map value message', tagHex(42, 2) + '0512030a01ff', 'Kitchen.m_int32.name', /invalid UTF-8/],
  ['timestamp out of range', ld(81, '08' + varintHex(253402300800n)), 'Kitchen.w_timestamp', /Timestamp out of range/],
  ['timestamp before year 1', ld(81, '08' + varintHex(-62135596801n)), 'Kitchen.w_timestamp', /Timestamp out of range/],
  ['timestamp nanos', ld(81, '10' + varintHex(1000000000n)), 'Kitchen.w_timestamp', /Timestamp out of range/],
  ['timestamp negative nanos', ld(81, '10' + varintHex(-1n)), 'Kitchen.w_timestamp', /Timestamp out of range/],
  ['duration sign mix', ld(82, '0801' + '10' + varintHex(-1n)), 'Kitchen.w_duration', /Duration out of range/],
  ['duration too long', ld(82, '08' + varintHex(315576000001n)), 'Kitchen.w_duration', /Duration out of range/],
  ['duration truncated', ld(82, '0880'), 'Kitchen.w_duration', /truncated/],
  ['any unresolvable', tagHex(88, 2) + '050a03782f79', 'Kitchen.w_any.type_url', /cannot resolve type "x\/y"/],
  ['any value no type', tagHex(88, 2) + '03120101', 'Kitchen.w_any.type_url', /no type URL/],
  ['any inner bad', ld(88, ld(1, Buffer.from('type.googleapis.com/kitchen.Inner').toString('hex')) + ld(2, '0a01ff')), 'Kitchen.w_any.value.name', /invalid UTF-8/],
  ['any timestamp bad', ld(88, ld(1, Buffer.from('type.googleapis.com/google.protobuf.Timestamp').toString('hex')) + ld(2, '1080')), 'Kitchen.w_any.value', /truncated/],
  ['value NaN', tagHex(84, 2) + '0911000000000000f87f', 'Kitchen.w_value.number_value', /cannot be written/],
  ['value infinity in list', tagHex(85, 2) + '0b0a0911000000000000f07f', 'Kitchen.w_list.values[0].number_value', /cannot be written/],
  ['value string UTF-8', tagHex(84, 2) + '031a01ff', 'Kitchen.w_value.string_value', /invalid UTF-8/],
  ['struct key UTF-8', tagHex(83, 2) + '050a030a01ff', 'Kitchen.w_struct.fields', /invalid UTF-8/],
  ['field mask path', tagHex(86, 2) + '050a0361_42'.replace('_', '') + '43', 'Kitchen.w_field_mask.paths', /no JSON form/],
  ['wrapper bad', tagHex(93, 2) + '020880', 'Kitchen.w_int32.value', /truncated/],
  ['big field number wire type', 'fdffffff0f00000000', 'Kitchen.big_number_field', /wrong wire type/],
);
// Depth: 101 nested `recursive` messages.
{
  let inner = '';
  for (let i = 0; i < 101; i++) {
    const body = Buffer.from(inner, 'hex');
    let len = body.length;
    const lenBytes: number[] = [];
    while (len > 0x7f) {
      lenBytes.push((len & 0x7f) | 0x80);
      len >>>= 7;
    }
    lenBytes.push(len);
    inner = tagHex(111, 2) + Buffer.from(lenBytes).toString('hex') + inner;
  }
  binCases.push(['depth 101', inner, 'Kitchen' + '.recursive'.repeat(101), /nesting deeper than 100/]);
  let groups = '';
  for (let i = 0; i < 102; i++) groups = tagHex(500, 3) + groups + tagHex(500, 4);
  binCases.push(['unknown groups 102 deep', groups, 'Kitchen', /nesting deeper than 100/]);
}

/** Well-formed bytes whose message has no JSON form: CodecError.stage 'serialize'; every other case is 'parse'. */
const SERIALIZE = new Set([
  'timestamp out of range', 'timestamp before year 1', 'timestamp nanos', 'timestamp negative nanos', 'duration sign mix', 'duration too long',
  'any unresolvable', 'any value no type', 'value NaN', 'value infinity in list', 'field mask path',
]);

describe('malformed binary → CodecError with path, reason and stage', () => {
  it.each(binCases)('%s', (name, hex, path, reason) => {
    expectCodecError(() => codec.decodeToJson(K, Buffer.from(hex, 'hex')), path, reason, SERIALIZE.has(name) ? 'serialize' : 'parse');
  });
  it('every serialize-stage case exists', () => {
    for (const name of SERIALIZE) expect(binCases.some((c) => c[0] === name), name).toBe(true);
  });
  it('proto2 groups: wrong end, unclosed, nested path', () => {
    const L = reg2.findMessage('kitchen2.Legacy')!;
    const c2 = new ProtoCodec(reg2);
    expectCodecError(() => c2.decodeToJson(L, Buffer.from(tagHex(7, 3) + tagHex(8, 0) + '00' + tagHex(7, 4), 'hex')), 'Legacy.result.url', /wrong wire type/);
    expectCodecError(() => c2.decodeToJson(L, Buffer.from(tagHex(7, 3) + '420161', 'hex')), 'Legacy.result', /group 7 is not closed/);
    expectCodecError(() => c2.decodeToJson(L, Buffer.from(tagHex(7, 2) + '00', 'hex')), 'Legacy.result', /wrong wire type/);
    expectCodecError(() => c2.decodeToJson(L, Buffer.from(tagHex(10, 3) + tagHex(10, 4) + tagHex(10, 3) + '5880' + tagHex(10, 4), 'hex')), 'Legacy.item[1]', /group 10 is not closed/);
  });
});

it('has at least 200 malformed cases', () => {
  expect(jsonCases.length + binCases.length).toBeGreaterThanOrEqual(200);
});
