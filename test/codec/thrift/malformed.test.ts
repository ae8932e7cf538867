// Malformed inputs, table-driven: every case must fail with a CodecError
// naming the right field path and reason (JSON text in, binary and compact
// wire bytes in).
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ThriftCodec, type ThriftJsonOptions } from '../../../src/codec/thrift/index.js';
import { CodecError } from '../../../src/errors/codec-error.js';
import { loadThriftFile, type ThriftRegistry } from '../../../src/idl-parser/thrift/index.js';
import { unhex } from './build.js';
import { FIXTURES, fixture, fnOf, st } from './fixture.js';

let reg: ThriftRegistry;
let uuidReg: ThriftRegistry;
beforeAll(async () => {
  reg = await fixture();
  uuidReg = await loadThriftFile(join(FIXTURES, 'tuuid.thrift'));
});

const codec = new ThriftCodec();

function failure(f: () => unknown): CodecError {
  try {
    f();
  } catch (e) {
    if (e instanceof CodecError) return e;
    throw new Error(`expected a CodecError, got ${String(e)}`);
  }
  throw new Error('expected a CodecError, got success');
}

const nest = (n: number): string => (n === 0 ? '{"value":0}' : `{"value":1,"next":${nest(n - 1)}}`);
const deepPath = (n: number): string => 'Node' + '.next'.repeat(n);

/** [type, JSON, expected path, reason pattern, options?] */
type JsonCase = [string, string, string, RegExp, ThriftJsonOptions?];
const E = 'Everything';
const jsonCases: JsonCase[] = [
  // syntax
  [E, '', E, /expected an object, found end of input/],
  [E, '[]', E, /expected an object, found an array/],
  [E, 'null', E, /expected an object, found null/],
  [E, '{', E, /expected a quoted object key, found end of input/],
  [E, '{"b":true', E, /expected ',' or '}', found end of input/],
  [E, '{"b":true}}', E, /unexpected '}' after the JSON value/],
  [E, '{"b":true} x', E, /after the JSON value/],
  [E, '{"b" true}', E, /expected ':' after key "b"/],
  [E, '{b:true}', E, /expected a quoted object key/],
  [E, "{'b':true}", E, /expected a quoted object key/],
  [E, '{"b":true,}', E, /expected a quoted object key, found '}'/],
  [E, '{"b":tru}', `${E}.b`, /expected true/],
  [E, '{"str":"abc}', `${E}.str`, /unterminated string/],
  [E, '{"str":"a\\x"}', `${E}.str`, /invalid escape \\x/],
  [E, '{"str":"a\\u12"}', `${E}.str`, /invalid \\u escape/],
  [E, '{"str":"a\u0001"}', `${E}.str`, /control character in string/],
  [E, '{"str":"a\nb"}', `${E}.str`, /control character in string/],
  [E, '{"i":01}', `${E}.i`, /leading zeros/],
  [E, '{"i":-}', `${E}.i`, /expected a number/],
  [E, '{"i":+1}', `${E}.i`, /expected an integer, found '\+'|unexpected character '\+'/],
  [E, '{"d":1.}', `${E}.d`, /expected a digit after the decimal point/],
  [E, '{"d":1e}', `${E}.d`, /expected a digit in the exponent/],
  [E, '{"d":.5}', `${E}.d`, /unexpected character '\.'|expected a number/],
  [E, '{"zzz":[1,2}', E, /expected ',' or ']'/],
  [E, '{"zzz":"\\q"}', E, /invalid escape \\q/],
  [E, '{"zzz":nul}', E, /expected null/],
  [E, `{"zzz":${'['.repeat(1100)}}`, E, /nested too deeply/],
  // bool
  [E, '{"b":1}', `${E}.b`, /expected true or false, found a number/],
  [E, '{"b":"true"}', `${E}.b`, /expected true or false, found a string/],
  [E, '{"b":[]}', `${E}.b`, /expected true or false, found an array/],
  [E, '{"bools":[1]}', `${E}.bools[0]`, /expected true or false/],
  [E, '{"bools":[true,null]}', `${E}.bools[1]`, /expected true or false, found null/],
  // integers
  [E, '{"y":128}', `${E}.y`, /128 is out of range for byte/],
  [E, '{"y":-129}', `${E}.y`, /-129 is out of range for byte/],
  [E, '{"y":"300"}', `${E}.y`, /out of range for byte/],
  [E, '{"s":32768}', `${E}.s`, /out of range for i16/],
  [E, '{"s":-32769}', `${E}.s`, /out of range for i16/],
  [E, '{"i":2147483648}', `${E}.i`, /out of range for i32/],
  [E, '{"i":-2147483649}', `${E}.i`, /out of range for i32/],
  [E, '{"i":1e10}', `${E}.i`, /out of range for i32/],
  [E, '{"i":1.5}', `${E}.i`, /1\.5 is not an integer/],
  [E, '{"i":"1.5"}', `${E}.i`, /"1\.5" is not an integer/],
  [E, '{"i":"abc"}', `${E}.i`, /"abc" is not an integer/],
  [E, '{"i":""}', `${E}.i`, /"" is not an integer/],
  [E, '{"i":" 1"}', `${E}.i`, /is not an integer/],
  [E, '{"i":true}', `${E}.i`, /expected an integer, found a boolean/],
  [E, '{"i":[]}', `${E}.i`, /expected an integer, found an array/],
  [E, '{"i":{}}', `${E}.i`, /expected an integer, found an object/],
  [E, '{"l":9223372036854775808}', `${E}.l`, /out of range for i64/],
  [E, '{"l":-9223372036854775809}', `${E}.l`, /out of range for i64/],
  [E, '{"l":"9223372036854775808"}', `${E}.l`, /out of range for i64/],
  [E, '{"l":"12a"}', `${E}.l`, /"12a" is not an integer/],
  [E, '{"l":"0x10"}', `${E}.l`, /is not an integer/],
  [E, '{"l":1.5}', `${E}.l`, /1\.5 is not an integer/],
  [E, '{"l":1e300}', `${E}.l`, /not exact/],
  [E, '{"l":false}', `${E}.l`, /expected an integer, found a boolean/],
  [E, '{"l":null,"l":1}', `${E}.l`, /./], // placeholder replaced below
  [E, '{"uid":"x"}', `${E}.uid`, /"x" is not an integer/],
  [E, '{"longs":[1,"x"]}', `${E}.longs[1]`, /not an integer/],
  [E, '{"longs":[1,9223372036854775808]}', `${E}.longs[1]`, /out of range for i64/],
  [E, '{"ids":[true]}', `${E}.ids[0]`, /expected an integer/],
  // doubles
  [E, '{"d":"abc"}', `${E}.d`, /not a finite number/],
  [E, '{"d":"NaN"}', `${E}.d`, /NaN and Infinity have no JSON form/],
  [E, '{"d":"Infinity"}', `${E}.d`, /not a finite number/],
  [E, '{"d":"-Infinity"}', `${E}.d`, /not a finite number/],
  [E, '{"d":1e400}', `${E}.d`, /out of double range/],
  [E, '{"d":-1e400}', `${E}.d`, /out of double range/],
  [E, '{"d":true}', `${E}.d`, /expected a number, found a boolean/],
  [E, '{"d":{}}', `${E}.d`, /expected a number, found an object/],
  [E, '{"weights":[{"a":"x"}]}', `${E}.weights[0]["a"]`, /not a finite number/],
  // strings and binary
  [E, '{"str":1}', `${E}.str`, /expected a string, found a number/],
  [E, '{"str":{}}', `${E}.str`, /expected a string, found an object/],
  [E, '{"str":[]}', `${E}.str`, /expected a string, found an array/],
  [E, '{"str":true}', `${E}.str`, /expected a string, found a boolean/],
  [E, '{"bin":"***"}', `${E}.bin`, /invalid base64/],
  [E, '{"bin":"a"}', `${E}.bin`, /invalid base64/],
  [E, '{"bin":"ab=c"}', `${E}.bin`, /invalid base64/],
  [E, '{"bin":"abc=="}', `${E}.bin`, /invalid base64/],
  [E, '{"bin":5}', `${E}.bin`, /expected a string/],
  [E, '{"blobs":["!!"]}', `${E}.blobs[0]`, /invalid base64/],
  [E, '{"names":"a"}', `${E}.names`, /expected an array, found a string/],
  [E, '{"names":[1]}', `${E}.names[0]`, /expected a string, found a number/],
  [E, '{"names":["a",null]}', `${E}.names[1]`, /expected a string, found null/],
  [E, '{"names":["a",]}', `${E}.names[1]`, /expected a string, found '\]'/],
  [E, '{"names":["a" "b"]}', `${E}.names`, /expected ',' or '\]'/],
  [E, '{"names":["a"}', `${E}.names`, /expected ',' or '\]', found '}'/],
  // enums
  [E, '{"color":"PURPLE"}', `${E}.color`, /"PURPLE" is not a value of enum Color/],
  [E, '{"color":1.5}', `${E}.color`, /not an integer/],
  [E, '{"color":2147483648}', `${E}.color`, /out of range for Color/],
  [E, '{"color":true}', `${E}.color`, /expected an integer/],
  [E, '{"colors":["RED","NOPE"]}', `${E}.colors[1]`, /"NOPE" is not a value of enum Color/],
  [E, '{"colorNames":{"PURPLE":"x"}}', `${E}.colorNames["PURPLE"]`, /map key "PURPLE" is not an integer/],
  [E, '{"colorNames":{"1":2}}', `${E}.colorNames[1]`, /expected a string/],
  // lists, sets, maps
  [E, '{"tags":{}}', `${E}.tags`, /expected an array, found an object/],
  [E, '{"tags":[1]}', `${E}.tags[0]`, /expected a string/],
  [E, '{"counts":[]}', `${E}.counts`, /expected an object, found an array/],
  [E, '{"counts":"x"}', `${E}.counts`, /expected an object, found a string/],
  [E, '{"counts":{"a":"x"}}', `${E}.counts["a"]`, /"x" is not an integer/],
  [E, '{"counts":{"a":null}}', `${E}.counts["a"]`, /expected an integer, found null/],
  [E, '{"counts":{"a":1,"b":2147483648}}', `${E}.counts["b"]`, /out of range for i32/],
  [E, '{"counts":{"a" 1}}', `${E}.counts`, /expected ':' after key "a"/],
  [E, '{"leaves":{"x":{}}}', `${E}.leaves["x"]`, /map key "x" is not an integer/],
  [E, '{"leaves":{"1.0":{}}}', `${E}.leaves["1.0"]`, /not an integer/],
  [E, '{"leaves":{"9223372036854775808":{}}}', `${E}.leaves[9223372036854775808]`, /out of range for i64/],
  [E, '{"leaves":{"1":{"name":5}}}', `${E}.leaves[1].name`, /expected a string/],
  [E, '{"leaves":{"1":[]}}', `${E}.leaves[1]`, /expected an object, found an array/],
  [E, '{"leaves":{"1":{"weight":"w"}}}', `${E}.leaves[1].weight`, /"w" is not an integer/],
  [E, '{"groups":{"1.5":[]}}', `${E}.groups["1.5"]`, /not an integer/],
  [E, '{"groups":{"":[]}}', `${E}.groups[""]`, /not an integer/],
  [E, '{"groups":{"1":[2]}}', `${E}.groups[1][0]`, /expected a string/],
  [E, '{"groups":{"1":"a"}}', `${E}.groups[1]`, /expected an array/],
  [E, '{"matrix":[[1],[true]]}', `${E}.matrix[1][0]`, /expected an integer/],
  [E, '{"matrix":[1]}', `${E}.matrix[0]`, /expected an array, found a number/],
  [E, '{"points":{"p":{"x":1,"y":true}}}', `${E}.points["p"].y`, /expected an integer/],
  [E, '{"points":{"p":5}}', `${E}.points["p"]`, /expected an object/],
  [E, '{"flags":{"yes":1}}', `${E}.flags["yes"]`, /map key "yes" is not a bool/],
  [E, '{"flags":{"true":300}}', `${E}.flags["true"]`, /out of range for byte/],
  [E, '{"byDouble":{"abc":"x"}}', `${E}.byDouble["abc"]`, /not a finite number/],
  [E, '{"byDouble":{"NaN":"x"}}', `${E}.byDouble["NaN"]`, /not a finite number/],
  [E, '{"byDouble":{"1e999":"x"}}', `${E}.byDouble["1e999"]`, /not a finite number/],
  [E, '{"byDouble":{"1":5}}', `${E}.byDouble[1]`, /expected a string/],
  [E, '{"nested":{"1":[1,"a"]}}', `${E}.nested[1][1]`, /not an integer/],
  [E, '{"nested":{"40000":[]}}', `${E}.nested[40000]`, /out of range for i16/],
  // structs and unions
  [E, '{"leaf":{"name":1}}', `${E}.leaf.name`, /expected a string/],
  [E, '{"leaf":[]}', `${E}.leaf`, /expected an object, found an array/],
  [E, '{"leaf":"x"}', `${E}.leaf`, /expected an object, found a string/],
  [E, '{"leaf":{"weight":"w"}}', `${E}.leaf.weight`, /not an integer/],
  [E, '{"leaf":{"blob":"%%"}}', `${E}.leaf.blob`, /invalid base64/],
  [E, '{"choice":{"text":"a","num":1}}', `${E}.choice`, /union Choice has 2 fields set/],
  [E, '{"choice":{"point":{"x":"a"}}}', `${E}.choice.point.x`, /not an integer/],
  [E, '{"choices":[{"num":"x"}]}', `${E}.choices[0].num`, /not an integer/],
  [E, '{"choices":[{},{"num":1,"nums":[]}]}', `${E}.choices[1]`, /2 fields set/],
  ['Choice', '{"num":1,"text":"a"}', 'Choice', /2 fields set/],
  ['Choice', '{"nums":[1,"x"]}', 'Choice.nums[1]', /not an integer/],
  ['Choice', '[]', 'Choice', /expected an object/],
  // duplicates and unknown fields
  [E, '{"b":true,"b":false}', `${E}.b`, /field given twice/],
  [E, '{"str":"a","str":"b"}', `${E}.str`, /field given twice/],
  ['Aliased', '{"user_name":"a","userName":"b"}', 'Aliased.user_name', /field given twice/],
  ['Leaf', '{"nope":1}', 'Leaf', /unknown field "nope"/, { rejectUnknownFields: true }],
  [E, '{"leaf":{"nope":1}}', `${E}.leaf`, /unknown field "nope"/, { rejectUnknownFields: true }],
  [E, '{"choices":[{"nope":1}]}', `${E}.choices[0]`, /unknown field "nope"/, { rejectUnknownFields: true }],
  // required fields without writeDefaults
  ['tbase.Point', '{"x":1}', 'Point.y', /required field is missing/, { writeDefaults: false }],
  ['tbase.Point', '{"x":1,"y":null}', 'Point.y', /required field is missing/, { writeDefaults: false }],
  ['Defaults', '{"code":1}', 'Defaults.must', /required field is missing/, { writeDefaults: false }],
  [E, '{"choice":{"point":{"y":1}}}', `${E}.choice.point.x`, /required field is missing/, { writeDefaults: false }],
  // nesting
  ['Node', nest(64), deepPath(64), /nesting deeper than 64/],
  ['Node', `{"children":[${nest(63)}]}`, 'Node.children[0]' + '.next'.repeat(62), /nesting deeper than 64/], // containers count as a level
  // Kitex annotations
  ['Aliased', '{"big_id":"x"}', 'Aliased.big_id', /"x" is not an integer/],
  ['Aliased', '{"id_list":["a"]}', 'Aliased.id_list[0]', /"a" is not an integer/],
  ['Aliased', '{"small":"99999999999"}', 'Aliased.small', /out of range for i32/],
  ['Aliased', '{"userName":5}', 'Aliased.user_name', /expected a string/],
  // keys with no JSON form
  ['StructKeys', '{"byPoint":{"a":"b"}}', 'StructKeys.byPoint["a"]', /map keys of type Point have no JSON form/],
  ['StructKeys', '{"byList":{"[1]":"b"}}', 'StructKeys.byList["[1]"]', /map keys of type list<i32> have no JSON form/],
];
jsonCases.splice(
  jsonCases.findIndex((c) => c[1] === '{"l":null,"l":1}'),
  1,
  [E, '{"l":1,"l":null,"l":2}', `${E}.l`, /field given twice/],
);

describe('malformed JSON', () => {
  it.each(jsonCases.map((c, i) => [i, ...c] as const))('#%i %s %s', (_i, type, json, path, reason, opts) => {
    const e = failure(() => codec.encodeJson(st(reg, type), json, opts));
    expect(e.path).toBe(path);
    expect(e.reason).toMatch(reason);
  });

  const uuidCases: Array<[string, string, RegExp]> = [
    ['{"id":"not-a-uuid"}', 'WithUuid.id', /invalid uuid/],
    ['{"id":"00000000-0000-0000-0000-00000000000g"}', 'WithUuid.id', /invalid uuid/],
    ['{"id":"000000000000-0000-0000-000000000000"}', 'WithUuid.id', /invalid uuid/],
    ['{"id":5}', 'WithUuid.id', /expected a string/],
    ['{"byId":{"x":1}}', 'WithUuid.byId["x"]', /invalid uuid map key/],
  ];
  it.each(uuidCases)('uuid %s', (json, path, reason) => {
    const e = failure(() => codec.encodeJson(uuidReg.findStruct('WithUuid')!, json));
    expect(e.path).toBe(path);
    expect(e.reason).toMatch(reason);
  });

  it('wrapped arguments and results name their root', () => {
    const cases: Array<[() => unknown, string, RegExp]> = [
      [() => codec.encodeArgsJson(fnOf(reg, 'one'), '{"name":1}'), 'Leaf.name', /expected a string/],
      [() => codec.encodeArgsJson(fnOf(reg, 'one'), '[1]'), 'Leaf', /expected an object/],
      [() => codec.encodeArgsJson(fnOf(reg, 'one'), '{"name":"a"} x'), 'Leaf', /after the JSON value/],
      [() => codec.encodeArgsJson(fnOf(reg, 'two'), '{"a":"x"}'), 'CodecService_two_args.a', /not an integer/],
      [() => codec.encodeArgsJson(fnOf(reg, 'two'), '[]'), 'CodecService_two_args', /expected an object/],
      [() => codec.encodeArgsJson(fnOf(reg, 'none'), '{"x":1}', { rejectUnknownFields: true }), 'CodecService_none_args', /unknown field "x"/],
      [() => codec.encodeResultJson(fnOf(reg, 'two'), '"abc"'), 'success', /"abc" is not an integer/],
      [() => codec.encodeResultJson(fnOf(reg, 'one'), '{"name":[]}'), 'Leaf.name', /expected a string/],
      [() => codec.encodeExceptionJson(fnOf(reg, 'two'), 'err', '{"code":"x"}'), 'BaseError.code', /not an integer/],
      [() => codec.encodeExceptionJson(fnOf(reg, 'two'), 'nope', '{}'), 'CodecService_two_result', /declares no exception "nope"/],
    ];
    for (const [f, path, reason] of cases) {
      const e = failure(f);
      expect(e.path).toBe(path);
      expect(e.reason).toMatch(reason);
    }
    expect(cases.length).toBe(10);
  });
});

/** [type, hex, expected path, reason pattern, options?] */
type WireCase = [string, string, string, RegExp, ThriftJsonOptions?];
const deepWire = (n: number): string => {
  let w = '08000100000000' + '00';
  for (let i = 0; i < n; i++) w = '0c0002' + w.slice(0, -2) + '00' + '00';
  return w;
};
const binaryCases: WireCase[] = [
  [E, '', E, /truncated data/],
  [E, '08', E, /truncated data/],
  [E, '0800', E, /truncated data/],
  [E, '080004', `${E}.i`, /truncated data/],
  [E, '080004000000', `${E}.i`, /truncated data/],
  [E, '08000400000001', E, /truncated data/],
  [E, '020001', `${E}.b`, /truncated data/],
  [E, '030002', `${E}.y`, /truncated data/],
  [E, '06000300', `${E}.s`, /truncated data/],
  [E, '0a0005000000', `${E}.l`, /truncated data/],
  [E, '0400060000000000', `${E}.d`, /truncated data/],
  [E, '0b0007ffffffff00', `${E}.str`, /negative length -1/],
  [E, '0b000780000000', `${E}.str`, /negative length -2147483648/],
  [E, '0b00077fffffff00', `${E}.str`, /length 2147483647 exceeds the 1 bytes left/],
  [E, '0b00070000000a6869', `${E}.str`, /length 10 exceeds/],
  [E, '0b0007000000', `${E}.str`, /truncated data/],
  [E, '0b000700000002c32800', `${E}.str`, /invalid UTF-8/],
  [E, '0b000700000002c08000', `${E}.str`, /invalid UTF-8/],
  [E, '0b000700000003eda08000', `${E}.str`, /invalid UTF-8/],
  [E, '0b000700000004f490808000', `${E}.str`, /invalid UTF-8/],
  [E, '0b000700000001ff00', `${E}.str`, /invalid UTF-8/],
  [E, '0b000700000001e200', `${E}.str`, /invalid UTF-8/],
  [E, '0b00070000000280bf00', `${E}.str`, /invalid UTF-8/],
  [E, '0b0008000000100000', `${E}.bin`, /length 16 exceeds/],
  [E, '0b0008ffffff0000', `${E}.bin`, /negative length/],
  [E, '0f000b0bffffffff00', `${E}.names`, /negative size -1/],
  [E, '0f000b0b7fffffff00', `${E}.names`, /size 2147483647 exceeds/],
  [E, '0f000b0b000000', `${E}.names`, /truncated data/],
  [E, '0f000b08000000010000000100', `${E}.names`, /expected list<string> elements of wire type STRING, got I32/],
  [E, '0f000b0b00000002000000016100', `${E}.names[1]`, /truncated data/],
  [E, '0f000b0b0000000100000001ff00', `${E}.names[0]`, /invalid UTF-8/],
  [E, '0f000c0a00000001000000', `${E}.longs[0]`, /truncated data/],
  [E, '0f00110f00000001080000000200000001', `${E}.matrix[0][1]`, /truncated data/],
  [E, '0f00110f000000010a000000010000000000000001', `${E}.matrix[0]`, /expected list<i32> elements of wire type I32, got I64/],
  [E, '0e00180800000001000000010000', `${E}.ids`, /expected set<i64> elements of wire type I64, got I32/],
  [E, '0d000e0b08ffffffff00', `${E}.counts`, /negative size -1/],
  [E, '0d000e0b087fffffff00', `${E}.counts`, /size 2147483647 exceeds/],
  [E, '0d000e0b08000000', `${E}.counts`, /truncated data/],
  [E, '0d000e080800000001000000010000000200', `${E}.counts`, /expected map<string,i32> \(wire STRING\/I32\), got I32\/I32/],
  [E, '0d000e0b0b00000001000000016100000001620000', `${E}.counts`, /got STRING\/STRING/],
  [E, '0d000e0b08000000010000000161', `${E}.counts["a"]`, /truncated data/],
  [E, '0d000e0b080000000100000001ff0000000100', `${E}.counts`, /invalid UTF-8/],
  [E, '0d000e0b0800000002000000016100000001', `${E}.counts`, /truncated data/],
  [E, '0d000f0a0c000000010000000000000007', `${E}.leaves[7]`, /truncated data/],
  [E, '0d000f0a0c0000000100000000000000070b000100000001ff0000', `${E}.leaves[7].name`, /invalid UTF-8/],
  [E, '0d0019020300000001', `${E}.flags`, /size 1 exceeds the 0 bytes left/],
  [E, '0d001a040b000000017ff80000000000000000000000', `${E}.byDouble`, /NaN has no JSON form/],
  [E, '0d001a040b00000001fff00000000000000000000000', `${E}.byDouble`, /-Infinity has no JSON form/],
  [E, '0c00130b000100000000', `${E}.leaf`, /truncated data/],
  [E, '0c00130b0001000000', `${E}.leaf.name`, /truncated data/],
  [E, '0c0013', `${E}.leaf`, /truncated data/],
  [E, '0c00140c000308000100000001000000', `${E}.choice.point.y`, /required field is missing/],
  [E, '0f001c0c000000010a0002000000', `${E}.choices[0].num`, /truncated data/],
  [E, '04000600000000000000f87f00'.replace('00000000000000f87f', '7ff8000000000000'), `${E}.d`, /NaN has no JSON form/],
  [E, '0400067ff000000000000000', `${E}.d`, /Infinity has no JSON form/],
  [E, '040006fff000000000000000', `${E}.d`, /-Infinity has no JSON form/],
  // unknown or mistyped fields are skipped, but checked while skipping
  [E, '09006300', E, /invalid wire type 9/],
  [E, '01006300', E, /invalid wire type 1/],
  [E, '11006300', E, /invalid wire type 17/],
  [E, '0b0063ffffffff00', E, /negative length -1/],
  [E, '0b00637fffffff00', E, /length 2147483647 exceeds/],
  [E, '0f00630b7fffffff00', E, /size 2147483647 exceeds/],
  [E, '0f0063010000000100', E, /invalid element type 1/],
  [E, '0d0063090800000001000000', E, /invalid map types 9\/8/],
  [E, '0d00630b087fffffff', E, /size 2147483647 exceeds/],
  [E, '0c00630b0001ffffffff', E, /negative length/],
  [E, '0c0063', E, /truncated data/],
  [E, '0b0004ffffffff00', E, /negative length -1/],
  [E, '0f00040b00000001ffffffff00', E, /negative length/],
  [E, '0c0063' + '0c0063'.repeat(70), E, /nesting deeper than 64/],
  [E, '0f0063' + '0f00000001'.repeat(70), E, /nesting deeper than 64/],
  // struct-level rules
  ['tbase.Point', '080001000000010800020000000200ff', 'Point', /1 bytes after the end of the struct/],
  ['tbase.Point', '0800010000000100', 'Point.y', /required field is missing/],
  ['tbase.Point', '00', 'Point.x', /required field is missing/],
  ['tbase.Point', '0b0002000000013200', 'Point.x', /required field is missing/],
  ['Defaults', '00', 'Defaults.must', /required field is missing/],
  ['Leaf', '0800630000000100', 'Leaf', /unknown field id 99/, { rejectUnknownFields: true }],
  ['Node', deepWire(64), deepPath(64), /nesting deeper than 64/],
  ['StructKeys', '0d00010c0b00000001080001000000010800020000000200000000016100', 'StructKeys.byPoint', /map keys of type Point have no JSON form/],
];

describe('malformed binary protocol', () => {
  it.each(binaryCases.map((c, i) => [i, ...c] as const))('#%i %s %s', (_i, type, hexText, path, reason, opts) => {
    const e = failure(() => codec.decodeToJson(st(reg, type), unhex(hexText), opts));
    expect(e.path).toBe(path);
    expect(e.reason).toMatch(reason);
  });

  it('uuid and object decoding fail the same way', () => {
    const w = uuidReg.findStruct('WithUuid')!;
    const e = failure(() => codec.decodeToJson(w, unhex('1000010000')));
    expect([e.path, e.reason]).toEqual(['WithUuid.id', 'truncated data']);
    const o = failure(() => codec.decodeToObject(st(reg, E), unhex('0b000700000002c32800')));
    expect([o.path, o.reason]).toEqual([`${E}.str`, 'invalid UTF-8 in string']);
    const r = failure(() => codec.decodeResultToJson(fnOf(reg, 'two'), unhex('0a0000000000')));
    expect([r.path, r.reason]).toEqual(['success', 'truncated data']);
    const a = failure(() => codec.decodeArgsToJson(fnOf(reg, 'one'), unhex('0c00010b0001ffffffff')));
    expect([a.path, a.reason]).toEqual(['Leaf.name', 'negative length -1']);
  });
});

const compactCases: WireCase[] = [
  [E, '', E, /truncated data/],
  [E, '15', E, /truncated data/],
  [E, '45', `${E}.i`, /truncated data/],
  [E, '45ffffffffffffffffffff0100', `${E}.i`, /varint longer than 10 bytes/],
  [E, '78ffffffff0f00', `${E}.str`, /size 4294967295 is too large/],
  [E, '78808080808001', `${E}.str`, /size varint longer than 5 bytes/],
  [E, '7805686900', `${E}.str`, /length 5 exceeds/],
  [E, '7802c32800', `${E}.str`, /invalid UTF-8/],
  [E, '7e00', E, /invalid compact type 14/],
  [E, '0f0400', E, /invalid compact type 15/],
  [E, 'b91e00', `${E}.names`, /invalid compact type 14/],
  [E, 'b9f8ffffffff0700', `${E}.names`, /size 2147483647 exceeds/],
  [E, 'b91500', `${E}.names`, /expected list<string> elements of wire type STRING, got I32/],
  [E, 'eb01ee00', `${E}.counts`, /invalid compact map types 14\/14/],
  [E, 'ebffffffff0785', `${E}.counts`, /size 2147483647 exceeds/],
  [E, 'eb015500', `${E}.counts`, /expected map<string,i32> \(wire STRING\/I32\), got I32\/I32/],
  [E, '34e0c5080000', `${E}.s`, /i16 value 70000 out of range/],
  [E, '05feffffff0f00', E, /field id .* out of range/],
  [E, '670000', `${E}.d`, /truncated data/],
  [E, '67000000000000f87f00', `${E}.d`, /NaN has no JSON form/],
  [E, '0c261805686900', `${E}.leaf.name`, /length 5 exceeds/],
  [E, '0c26', `${E}.leaf`, /truncated data/],
  [E, 'c9f8', `${E}.longs`, /truncated data/],
  ['tbase.Point', '1502150000ff', 'Point', /1 bytes after the end of the struct/],
  ['tbase.Point', '150200', 'Point.y', /required field is missing/],
];

describe('malformed compact protocol', () => {
  it.each(compactCases.map((c, i) => [i, ...c] as const))('#%i %s %s', (_i, type, hexText, path, reason, opts) => {
    const e = failure(() => codec.decodeToJson(st(reg, type), unhex(hexText), { protocol: 'compact', ...opts }));
    expect(e.path).toBe(path);
    expect(e.reason).toMatch(reason);
  });
});

it('has at least 150 malformed cases', () => {
  expect(jsonCases.length + 5 + 10 + binaryCases.length + 4 + compactCases.length).toBeGreaterThanOrEqual(150);
});

it('result-struct framing errors name the result struct', async () => {
  const r = await fixture();
  const e = failure(() => codec.decodeResultToJson(fnOf(r, 'two'), unhex('0a')));
  expect([e.path, e.reason]).toEqual(['CodecService_two_result', 'truncated data']);
  const t = failure(() => codec.decodeResultToJson(fnOf(r, 'two'), unhex('0a0000' + '0000000000000001' + '00' + 'ff')));
  expect([t.path, t.reason]).toEqual(['CodecService_two_result', '1 bytes after the end of the result']);
});
