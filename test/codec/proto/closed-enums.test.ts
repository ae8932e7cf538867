import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ProtoCodec } from '../../../src/codec/proto/index.js';
import { FIXTURES, hex, loadOurs } from './helpers.js';
import { codecError } from '../../support/codec-error.js';
import { PROTO_INCLUDE, oracles } from '../../support/oracles.js';

/*
 * Closed enums (proto2, editions CLOSED): a number the enum does not declare is an
 * unknown field in binary (kept with keepUnknownFields) and an error in JSON; the kitex
 * mapping keeps dynamicgo's leniency (any number, both ways).
 */

const reg = await loadOurs(FIXTURES, 'closed.proto');
const H = reg.findMessage('closed.Holder')!;
const codec = new ProtoCodec(reg);
const KEEP = { keepUnknownFields: true };
const b = (h: string): Uint8Array => Buffer.from(h, 'hex');

describe('binary → JSON', () => {
  it('a singular undeclared number is an unknown field: dropped, or kept in $unknown', () => {
    // level = 7, after = 1
    expect(codec.decodeToJson(H, b('08072801'))).toBe('{"after":1}');
    expect(codec.decodeToJson(H, b('08072801'), KEEP)).toBe('{"after":1,"$unknown":"CAc="}');
    expect(codec.decodeToJson(H, b('0802'))).toBe('{"level":"LEVEL_HIGH"}');
    // A declared value after an undeclared one: the declared one stays.
    expect(codec.decodeToJson(H, b('08010807'), KEEP)).toBe('{"level":"LEVEL_LOW","$unknown":"CAc="}');
  });
  it('repeated (unpacked and packed) and map values: each undeclared value goes to the unknown fields', () => {
    // levels: 1, 9, 2 unpacked
    expect(codec.decodeToJson(H, b('100110091002'), KEEP)).toBe('{"levels":["LEVEL_LOW","LEVEL_HIGH"],"$unknown":"EAk="}');
    // packed_levels: [2, 9, 1] → the 9 becomes an unpacked varint field 3
    expect(codec.decodeToJson(H, b('1a03020901'), KEEP)).toBe('{"packedLevels":["LEVEL_HIGH","LEVEL_LOW"],"$unknown":"GAk="}');
    expect(codec.decodeToJson(H, b('1a0109'))).toBe('{}');
    // by_name: {"a": LEVEL_LOW, "b": 9} → the whole "b" entry is unknown
    expect(codec.decodeToJson(H, b('22050a01611001' + '22050a01621009'), KEEP)).toBe('{"byName":{"a":"LEVEL_LOW"},"$unknown":"IgUKAWIQCQ=="}');
  });
  it('repeated runs of declared numbers take the fast path (wire order, as for open enums); one undeclared number anywhere in the run does not', () => {
    // after = 1, then levels 1, 2 unpacked, then packed_levels [2, 1]: written as read
    expect(codec.decodeToJson(H, b('2801' + '10011002' + '1a020201'))).toBe('{"after":1,"levels":["LEVEL_LOW","LEVEL_HIGH"],"packedLevels":["LEVEL_HIGH","LEVEL_LOW"]}');
    // the last item of the unpacked run, or of a second packed occurrence, is undeclared: the slot mode (declaration order)
    expect(codec.decodeToJson(H, b('2801' + '100110021009'), KEEP)).toBe('{"levels":["LEVEL_LOW","LEVEL_HIGH"],"after":1,"$unknown":"EAk="}');
    expect(codec.decodeToJson(H, b('2801' + '1a0102' + '1a020109'), KEEP)).toBe('{"packedLevels":["LEVEL_HIGH","LEVEL_LOW"],"after":1,"$unknown":"GAk="}');
    // malformed runs are still reported
    expect(codecError(() => codec.decodeToJson(H, b('2801' + '1a0302')))).toMatchObject({ path: 'Holder.packed_levels' });
    expect(codecError(() => codec.decodeToJson(H, b('2801' + '1001' + '10ff'))).reason).toMatch(/truncated/);
  });
  it('kept unknown values re-encode to the same bytes', () => {
    const bytes = b('08072801');
    const json = codec.decodeToJson(H, bytes, KEEP);
    expect(hex(codec.encodeJson(H, json, KEEP))).toBe('280108 07'.replace(' ', ''));
  });
  it('kitex mapping: the number comes out as it is (dynamicgo p2j writes any enum number)', () => {
    expect(codec.decodeToJson(H, b('08072801'), { mapping: 'kitex' })).toBe('{"level":7,"after":1}');
    expect(codec.decodeToJson(H, b('1a03020901'), { mapping: 'kitex' })).toBe('{"packedLevels":[2,9,1]}');
  });
});

describe('JSON → binary', () => {
  it('an undeclared number is an error naming the field, in every shape', () => {
    const cases: Array<[string, string]> = [
      ['{"level":7}', 'Holder.level'],
      ['{"level":"7"}', 'Holder.level'],
      ['{"levels":[1,7]}', 'Holder.levels[1]'],
      ['{"packedLevels":[7]}', 'Holder.packed_levels[0]'],
      ['{"byName":{"x":7}}', 'Holder.by_name["x"]'],
    ];
    for (const [json, path] of cases) {
      const e = codecError(() => codec.encodeJson(H, json));
      expect(e.path, json).toBe(path);
      expect(e.reason, json).toMatch(/7 is not a value of the closed enum closed.Level/);
      expect(e.stage).toBe('parse');
    }
  });
  it('declared numbers and names are fine; ignoreUnknownFields skips an undeclared one', () => {
    expect(hex(codec.encodeJson(H, '{"level":2,"levels":["LEVEL_LOW"]}'))).toBe('08021001');
    expect(hex(codec.encodeJson(H, '{"level":7,"after":1}', { ignoreUnknownFields: true }))).toBe('2801');
  });
  it('kitex mapping: any number is written (dynamicgo OnInt64 does not check enum values)', () => {
    expect(hex(codec.encodeJson(H, '{"level":7}', { mapping: 'kitex' }))).toBe('0807');
  });
});

describe('editions', () => {
  it('enum_type CLOSED closes an enum; others stay open', async () => {
    const r = await loadOurs(FIXTURES, 'closed-editions.proto');
    const c = new ProtoCodec(r);
    const P = r.findMessage('closed_editions.Pair')!;
    expect(c.decodeToJson(P, b('08051005'))).toBe('{"open":5}');
    expect(() => c.encodeJson(P, '{"shut":5}')).toThrow(/not a value of the closed enum closed_editions.Shut/);
    expect(hex(c.encodeJson(P, '{"open":5}'))).toBe('0805');
  });
});

describe.skipIf(!oracles('protoc'))('against protoc --decode', () => {
  it('protoc also puts the undeclared value into the unknown fields', () => {
    const text = execFileSync('protoc', ['-I', FIXTURES, '-I', PROTO_INCLUDE, '--decode=closed.Holder', 'closed.proto'], { input: Buffer.from('08072801', 'hex') }).toString();
    // protoc prints unknown fields by number: "1: 7", not "level: 7".
    expect(text).toMatch(/^1: 7$/m);
    expect(text).toMatch(/^after: 1$/m);
  });
});
