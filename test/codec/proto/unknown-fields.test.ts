import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromBinary, toJsonString } from '@bufbuild/protobuf';
import { ProtoCodec, type ProtoJsonOptions } from '../../../src/codec/proto/index.js';
import { CodecError } from '../../../src/errors/codec-error.js';
import { parseProtoContent } from '../../../src/idl-parser/proto/index.js';
import { genMessage } from './generate.js';
import { FIXTURES, hex, loadBuf, loadOurs, rng } from './helpers.js';
import { codecError } from '../../support/codec-error.js';
import { describeNeeding } from '../../support/oracles.js';

/*
 * Unknown-field pass-through (keepUnknownFields): bytes written with a "full"
 * schema are decoded with a "reduced" one (same names, fewer fields), the
 * unknown fields come out as "$unknown" (base64 wire bytes, last member of
 * each message object), and encoding that JSON with the reduced schema gives
 * bytes that the full schema reads as the original message.
 */

const FULL = `syntax = "proto3";
package pt;
import "google/protobuf/timestamp.proto";
enum Color { RED = 0; GREEN = 1; BLUE = 2; }
message Deep { string note = 1; fixed64 f64 = 2; }
message Inner {
  string name = 1;
  int32 id = 2;
  repeated int64 scores = 3;
  bytes blob = 4;
  Deep deep = 5;
}
message Outer {
  string title = 1;
  Inner inner = 2;
  repeated Inner items = 3;
  map<string, Inner> by_name = 4;
  int64 big = 5;
  fixed32 f32 = 6;
  double ratio = 7;
  Color color = 8;
  repeated string tags = 9;
  int32 count = 10;
  map<int32, string> extra = 11;
  google.protobuf.Timestamp at = 12;
  sint32 neg = 1000;
}
`;

const REDUCED = `syntax = "proto3";
package pt;
import "google/protobuf/timestamp.proto";
message Inner {
  string name = 1;
  int32 id = 2;
}
message Outer {
  string title = 1;
  Inner inner = 2;
  repeated Inner items = 3;
  map<string, Inner> by_name = 4;
  int32 count = 10;
  google.protobuf.Timestamp at = 12;
}
`;

const full = parseProtoContent(FULL);
const reduced = parseProtoContent(REDUCED);
const FullOuter = full.findMessage('pt.Outer')!;
const FullInner = full.findMessage('pt.Inner')!;
const Outer = reduced.findMessage('pt.Outer')!;
const Inner = reduced.findMessage('pt.Inner')!;
const codec = new ProtoCodec(full);
const KEEP: ProtoJsonOptions = { keepUnknownFields: true };
const KEEP_KITEX: ProtoJsonOptions = { keepUnknownFields: true, mapping: 'kitex' };

const ORIGINAL = {
  title: 'hello',
  inner: { name: 'in', id: 7, scores: ['1', '-2', '9007199254740993'], blob: 'AAEC', deep: { note: 'd', f64: '18446744073709551615' } },
  items: [
    { name: 'a', scores: ['3'] },
    { name: 'b', id: 2 },
    { blob: '/w==', deep: {} },
  ],
  byName: {
    k1: { name: 'v1', deep: { note: 'x' } },
    k2: { id: 5 },
  },
  big: '-9223372036854775808',
  f32: 4294967295,
  ratio: 1.5,
  color: 'BLUE',
  tags: ['t1', 't2'],
  count: 3,
  extra: { '1': 'one', '-2': 'minus two' },
  at: '2024-01-02T03:04:05.678Z',
  neg: -5,
};

function b64(bytes: number[]): string {
  return Buffer.from(bytes).toString('base64');
}

function u8(bytes: number[]): Uint8Array {
  return Uint8Array.from(bytes);
}


describe('decoding with keepUnknownFields', () => {
  it('writes the unknown fields of a simple message as "$unknown", last, in wire order', () => {
    // name "a"; field 3 varint 150; id 7; field 4 bytes "xy"; field 7 group { 1: 1 }; field 2000 fixed32.
    const unknown = [0x18, 0x96, 0x01, 0x22, 0x02, 0x78, 0x79, 0x3b, 0x08, 0x01, 0x3c, 0x85, 0x7d, 1, 2, 3, 4];
    const bytes = u8([0x0a, 0x01, 0x61, ...unknown.slice(0, 3), 0x10, 0x07, ...unknown.slice(3)]);
    expect(codec.decodeToJson(Inner, bytes, KEEP)).toBe(`{"name":"a","id":7,"$unknown":"${b64(unknown)}"}`);
    expect(b64(unknown)).toBe('GJYBIgJ4eTsIATyFfQECAwQ=');
    // Without the option: skipped, as before.
    expect(codec.decodeToJson(Inner, bytes)).toBe('{"name":"a","id":7}');
    // Back: the same bytes, unknown fields after the known ones.
    const json = codec.decodeToJson(Inner, bytes, KEEP);
    expect(hex(codec.encodeJson(Inner, json, KEEP))).toBe(hex(u8([0x0a, 0x01, 0x61, 0x10, 0x07, ...unknown])));
  });

  it('writes "$unknown" alone in a message with no known fields, and after defaults with emitDefaults', () => {
    const bytes = u8([0x18, 0x01]);
    expect(codec.decodeToJson(Inner, bytes, KEEP)).toBe('{"$unknown":"GAE="}');
    expect(codec.decodeToJson(Inner, bytes, { ...KEEP, emitDefaults: true })).toBe('{"name":"","id":0,"$unknown":"GAE="}');
    expect(codec.decodeToJson(Inner, bytes, { ...KEEP, mapping: 'kitex' })).toBe('{"$unknown":"GAE="}');
    expect(codec.decodeToJson(Inner, new Uint8Array(0), KEEP)).toBe('{}');
  });

  it('keeps unknown fields in the slot mode (repeated singular fields, merged messages)', () => {
    // name "a", unknown 3:1, name "b" (a second occurrence → slot mode), unknown 4:"z".
    const bytes = u8([0x0a, 0x01, 0x61, 0x18, 0x01, 0x0a, 0x01, 0x62, 0x22, 0x01, 0x7a]);
    expect(codec.decodeToJson(Inner, bytes, KEEP)).toBe(`{"name":"b","$unknown":"${b64([0x18, 0x01, 0x22, 0x01, 0x7a])}"}`);
    // Outer.inner twice: the occurrences merge, and so do their unknown fields.
    const merged = u8([0x12, 0x02, 0x18, 0x01, 0x28, 0x2a, 0x12, 0x02, 0x18, 0x02]);
    const j = JSON.parse(codec.decodeToJson(Outer, merged, KEEP));
    expect(j).toEqual({ inner: { $unknown: b64([0x18, 0x01, 0x18, 0x02]) }, $unknown: b64([0x28, 0x2a]) });
  });

  it('writes "$unknown" in nested, repeated and map-value messages', () => {
    const bytes = codec.encodeJson(FullOuter, JSON.stringify(ORIGINAL));
    const j = JSON.parse(codec.decodeToJson(Outer, bytes, KEEP));
    expect(Object.keys(j)).toEqual(['title', 'inner', 'items', 'byName', 'count', 'at', '$unknown']);
    expect(Object.keys(j.inner)).toEqual(['name', 'id', '$unknown']);
    expect(j.items.map((i: Record<string, unknown>) => typeof i.$unknown)).toEqual(['string', 'undefined', 'string']);
    expect(typeof j.byName.k1.$unknown).toBe('string');
    expect(j.byName.k2).toEqual({ id: 5 });
    expect(j.at).toBe('2024-01-02T03:04:05.678Z');
    // The nested unknown bytes are exactly the full Inner's fields 3-5.
    const innerUnknown = codec.encodeJson(FullInner, JSON.stringify({ scores: ORIGINAL.inner.scores, blob: 'AAEC', deep: ORIGINAL.inner.deep }));
    expect(j.inner.$unknown).toBe(Buffer.from(innerUnknown).toString('base64'));
  });

  it('drops unknown fields of well-known types in the canonical mapping, keeps them in kitex', () => {
    // Outer.at = Timestamp { seconds: 1, nanos: 2, 3: 9 }
    const bytes = u8([0x62, 0x06, 0x08, 0x01, 0x10, 0x02, 0x18, 0x09]);
    expect(codec.decodeToJson(Outer, bytes, KEEP)).toBe('{"at":"1970-01-01T00:00:01.000000002Z"}');
    expect(codec.decodeToJson(Outer, bytes, KEEP_KITEX)).toBe(`{"at":{"seconds":1,"nanos":2,"$unknown":"GAk="}}`);
    const back = codec.encodeJson(Outer, codec.decodeToJson(Outer, bytes, KEEP_KITEX), KEEP_KITEX);
    expect(hex(back)).toBe(hex(bytes));
  });
});

describe('round trip through the reduced schema', () => {
  const originalBytes = codec.encodeJson(FullOuter, JSON.stringify(ORIGINAL));
  const expected = JSON.parse(codec.decodeToJson(FullOuter, originalBytes));

  for (const [name, opts] of [
    ['canonical', KEEP],
    ['kitex', KEEP_KITEX],
    ['canonical, proto names', { ...KEEP, useProtoNames: true }],
  ] as Array<[string, ProtoJsonOptions]>) {
    it(`${name}: full → reduced JSON → full gives the original message`, () => {
      const json = codec.decodeToJson(Outer, originalBytes, opts);
      expect(json).toContain('"$unknown":');
      const passed = codec.encodeJson(Outer, json, opts);
      expect(passed.length).toBe(originalBytes.length);
      expect(JSON.parse(codec.decodeToJson(FullOuter, passed))).toEqual(expected);
      // Stable: a second pass gives the same JSON and bytes.
      expect(codec.decodeToJson(Outer, passed, opts)).toBe(json);
      expect(hex(codec.encodeJson(Outer, json, opts))).toBe(hex(passed));
    });
  }

  describeNeeding(['protoc', 'wkt'], 'read by @bufbuild/protobuf', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'idlcall-unknown-'));
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));
    writeFileSync(join(tmp, 'full.proto'), FULL);
    const bufReg = loadBuf(tmp, ['full.proto']);
    const desc = bufReg.getMessage('pt.Outer')!;

    it('sees the passed-through bytes as the original message', () => {
      const passed = codec.encodeJson(Outer, codec.decodeToJson(Outer, originalBytes, KEEP), KEEP);
      const theirs = JSON.parse(toJsonString(desc, fromBinary(desc, passed)));
      expect(theirs).toEqual(JSON.parse(toJsonString(desc, fromBinary(desc, originalBytes))));
      expect(theirs).toEqual(expected);
    });
  });
});

describe('encoding with keepUnknownFields', () => {
  it('writes "$unknown" after the known fields wherever the member stands', () => {
    const want = hex(u8([0x0a, 0x01, 0x61, 0x10, 0x02, 0x18, 0x01]));
    expect(hex(codec.encodeJson(Inner, '{"$unknown":"GAE=","name":"a","id":2}', KEEP))).toBe(want);
    expect(hex(codec.encodeJson(Inner, '{"name":"a", "$unknown" : "GAE=" ,"id":2}', KEEP))).toBe(want);
    expect(hex(codec.encodeJson(Inner, '{"name":"a","id":2,"$unknown":"GAE="}', KEEP))).toBe(want);
    // A repeated key: an error in the canonical mapping, the last value wins in the kitex one, for fields and `$unknown` alike.
    expect(() => codec.encodeJson(Inner, '{"$unknown":"GAI=","name":"a","$unknown":"GAE=","id":2}', KEEP)).toThrow(/"\$unknown" appears more than once/);
    expect(() => codec.encodeJson(Inner, '{"$unknown":"GAI=","name":"x","name":"a","id":2}', KEEP)).toThrow(/more than once/);
    expect(hex(codec.encodeJson(Inner, '{"$unknown":"GAI=","name":"x","name":"a","$unknown":"GAE=","id":2}', { ...KEEP, mapping: 'kitex' }))).toBe(want);
    // Nested: inside the message's own length-delimited body.
    expect(hex(codec.encodeJson(Outer, '{"inner":{"$unknown":"GAE=","id":2},"count":1}', KEEP))).toBe(
      hex(u8([0x12, 0x04, 0x10, 0x02, 0x18, 0x01, 0x50, 0x01])),
    );
  });

  it('accepts URL-safe and unpadded base64, and null for none', () => {
    // Field 4, bytes [0xfb, 0xff]: standard base64 has '+' and '/'.
    const raw = [0x22, 0x02, 0xfb, 0xff];
    expect(Buffer.from(raw).toString('base64')).toBe('IgL7/w==');
    const want = hex(u8(raw));
    expect(hex(codec.encodeJson(Inner, '{"$unknown":"IgL7/w=="}', KEEP))).toBe(want);
    expect(hex(codec.encodeJson(Inner, '{"$unknown":"IgL7_w"}', KEEP))).toBe(want);
    expect(hex(codec.encodeJson(Inner, '{"$unknown":null,"id":1}', KEEP))).toBe('1001');
    expect(hex(codec.encodeJson(Inner, '{"$unknown":""}', KEEP))).toBe('');
  });

  it('without the option, "$unknown" is an unknown key', () => {
    const e = codecError(() => codec.encodeJson(Outer, '{"inner":{"$unknown":"GAE="}}'));
    expect(e.path).toBe('Outer.inner.$unknown');
    expect(e.reason).toMatch(/unknown field "\$unknown" in pt.Inner/);
    expect(hex(codec.encodeJson(Inner, '{"$unknown":"GAE=","id":1}', { ignoreUnknownFields: true }))).toBe('1001');
    // And decoding without the option writes none.
    expect(codec.decodeToJson(Outer, codec.encodeJson(FullOuter, JSON.stringify(ORIGINAL)))).not.toContain('$unknown');
  });

  it('is an unknown key for well-known types with a JSON form of their own (canonical)', () => {
    const e = codecError(() => codec.encodeJson(Outer, '{"at":{"$unknown":"GAE="}}', KEEP));
    expect(e.path).toBe('Outer.at');
    expect(hex(codec.encodeJson(Outer, '{"at":{"seconds":1,"$unknown":"GAE="}}', KEEP_KITEX))).toBe('62040801' + '1801');
  });

  const BAD: Array<[string, string, RegExp]> = [
    ['bad base64', '"GA!E"', /invalid base64/],
    ['bad base64 length', '"GAE=="', /invalid base64/],
    ['not a string', '12', /expected a base64 string, found a number/],
    ['truncated varint', JSON.stringify(b64([0x18, 0x80])), /invalid wire data/],
    ['truncated tag', JSON.stringify(b64([0x80])), /invalid wire data/],
    ['varint over 10 bytes', JSON.stringify(b64([0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])), /invalid wire data.*varint/],
    ['length past the end', JSON.stringify(b64([0x22, 0x05, 0x61])), /invalid wire data.*length 5 runs past the end/],
    ['field number 0', JSON.stringify(b64([0x00, 0x01])), /invalid wire data at byte 0: invalid field number 0/],
    ['wire type 6', JSON.stringify(b64([0x1e, 0x01])), /invalid wire data.*invalid wire type 6/],
    ['wire type 7', JSON.stringify(b64([0x18, 0x01, 0x1f])), /invalid wire data at byte 2: invalid wire type 7/],
    ['truncated fixed32', JSON.stringify(b64([0x1d, 0x01, 0x02])), /invalid wire data/],
    ['truncated fixed64', JSON.stringify(b64([0x19, 1, 2, 3, 4, 5, 6, 7])), /invalid wire data/],
    ['stray end-group', JSON.stringify(b64([0x1c])), /invalid wire data.*end-group tag for field 3/],
    ['unclosed group', JSON.stringify(b64([0x1b, 0x08, 0x01])), /invalid wire data.*group 3 is not closed/],
  ];
  for (const [name, value, reason] of BAD) {
    it(`rejects malformed "$unknown": ${name}`, () => {
      const cases: Array<[string, string]> = [
        [`{"$unknown":${value}}`, 'Outer.$unknown'],
        [`{"inner":{"$unknown":${value}}}`, 'Outer.inner.$unknown'],
        [`{"items":[{},{"name":"x","$unknown":${value},"id":1}]}`, 'Outer.items[1].$unknown'],
        [`{"byName":{"k":{"$unknown":${value}}}}`, 'Outer.by_name["k"].$unknown'],
      ];
      for (const [json, path] of cases) {
        for (const opts of [KEEP, KEEP_KITEX]) {
          const e = codecError(() => codec.encodeJson(Outer, json, opts));
          expect(e.path, json).toBe(path);
          expect(e.reason, json).toMatch(reason);
        }
      }
    });
  }

  it('accepts well-formed groups, as the decoder skips them', () => {
    const raw = [0x1b, 0x08, 0x01, 0x23, 0x24, 0x1c];
    expect(hex(codec.encodeJson(Inner, `{"$unknown":"${b64(raw)}"}`, KEEP))).toBe(hex(u8(raw)));
  });
});

describe('as a codec default', () => {
  it('applies to every call, and a call can turn it off', () => {
    const keeping = new ProtoCodec(full, { keepUnknownFields: true });
    const bytes = u8([0x0a, 0x01, 0x61, 0x18, 0x01]);
    const json = keeping.decodeToJson(Inner, bytes);
    expect(json).toBe('{"name":"a","$unknown":"GAE="}');
    expect(hex(keeping.encodeJson(Inner, json))).toBe(hex(bytes));
    expect(keeping.decodeToJson(Inner, bytes, { keepUnknownFields: false })).toBe('{"name":"a"}');
    expect(() => keeping.encodeJson(Inner, json, { keepUnknownFields: false })).toThrow(CodecError);
  });
});

describe('object API', () => {
  const originalBytes = codec.encodeJson(FullOuter, JSON.stringify(ORIGINAL));
  const expected = JSON.parse(codec.decodeToJson(FullOuter, originalBytes));

  it('gives "$unknown" as a Uint8Array and takes it back', () => {
    const obj = codec.decodeToObject(Outer, originalBytes, KEEP) as Record<string, any>;
    expect(obj.$unknown).toBeInstanceOf(Uint8Array);
    expect(obj.inner.$unknown).toBeInstanceOf(Uint8Array);
    expect(obj.items[0].$unknown).toBeInstanceOf(Uint8Array);
    expect(obj.byName.k1.$unknown).toBeInstanceOf(Uint8Array);
    const passed = codec.encodeObject(Outer, obj, KEEP);
    expect(JSON.parse(codec.decodeToJson(FullOuter, passed))).toEqual(expected);
    // Kitex mapping too.
    const kobj = codec.decodeToObject(Outer, originalBytes, KEEP_KITEX) as Record<string, any>;
    expect(kobj.$unknown).toBeInstanceOf(Uint8Array);
    expect(JSON.parse(codec.decodeToJson(FullOuter, codec.encodeObject(Outer, kobj, KEEP_KITEX)))).toEqual(expected);
    // Without the option there is no "$unknown".
    expect('$unknown' in codec.decodeToObject(Outer, originalBytes)).toBe(false);
  });

  it('takes "$unknown" as a base64 string too', () => {
    const bytes = codec.encodeObject(Inner, { name: 'a', $unknown: 'GAE=' }, KEEP);
    expect(hex(bytes)).toBe('0a0161' + '1801');
    expect(hex(codec.encodeObject(Inner, { $unknown: u8([0x18, 0x01]) }, KEEP))).toBe('1801');
  });
});

describe('groups and Any', () => {
  const FULL2 = `syntax = "proto2";
package pg;
import "google/protobuf/any.proto";
message Holder {
  optional group G = 1 { optional int32 a = 2; optional int32 b = 3; }
  optional google.protobuf.Any any = 2;
  repeated group R = 3 { optional int32 a = 1; optional string c = 4; }
}
message Payload { optional string s = 1; optional int32 extra = 2; }
`;
  const REDUCED2 = `syntax = "proto2";
package pg;
import "google/protobuf/any.proto";
message Holder {
  optional group G = 1 { optional int32 a = 2; }
  optional google.protobuf.Any any = 2;
  repeated group R = 3 { optional int32 a = 1; }
}
message Payload { optional string s = 1; }
`;
  // A group's own fields avoid its field number: the decoder takes a known field
  // number for a field of the group even when the tag is that group's end-group tag.
  const fullReg = parseProtoContent(FULL2);
  const reducedReg = parseProtoContent(REDUCED2);
  const fullCodec = new ProtoCodec(fullReg);
  const reducedCodec = new ProtoCodec(reducedReg);
  const FullHolder = fullReg.findMessage('pg.Holder')!;
  const Holder = reducedReg.findMessage('pg.Holder')!;
  const original = {
    g: { a: 1, b: 2 },
    any: { '@type': 'type.googleapis.com/pg.Payload', s: 'x', extra: 5 },
    r: [{ a: 1, c: 'c1' }, { c: 'c2' }],
  };

  it('keeps unknown fields inside groups and inside the message an Any holds', () => {
    const bytes = fullCodec.encodeJson(FullHolder, JSON.stringify(original));
    const json = reducedCodec.decodeToJson(Holder, bytes, KEEP);
    expect(JSON.parse(json)).toEqual({
      g: { a: 1, $unknown: b64([0x18, 0x02]) },
      any: { '@type': 'type.googleapis.com/pg.Payload', s: 'x', $unknown: b64([0x10, 0x05]) },
      r: [{ a: 1, $unknown: b64([0x22, 0x02, 0x63, 0x31]) }, { $unknown: b64([0x22, 0x02, 0x63, 0x32]) }],
    });
    const passed = reducedCodec.encodeJson(Holder, json, KEEP);
    expect(hex(passed)).toBe(hex(bytes));
    expect(JSON.parse(fullCodec.decodeToJson(FullHolder, passed))).toEqual(original);
  });
});

describe('random kitchen.Kitchen messages', async () => {
  const reg = await loadOurs(FIXTURES, 'kitchen.proto');
  const Kitchen = reg.findMessage('kitchen.Kitchen')!;
  const kc = new ProtoCodec(reg);
  const taken = new Set(Kitchen.fields.map((f) => f.number));

  /** A few well-formed fields with numbers Kitchen does not use, every wire type. */
  function unknownFields(r: () => number): number[] {
    const out: number[] = [];
    const varint = (v: number) => {
      while (v > 0x7f) {
        out.push((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      out.push(v);
    };
    const n = 1 + Math.floor(r() * 4);
    for (let k = 0; k < n; k++) {
      let num = 5000 + Math.floor(r() * 1000);
      while (taken.has(num)) num++;
      const wt = [0, 1, 2, 3, 5][Math.floor(r() * 5)]!;
      varint((num << 3) | wt);
      const bytes = (m: number) => Array.from({ length: m }, () => Math.floor(r() * 256));
      if (wt === 0) {
        const m = 1 + Math.floor(r() * 10);
        for (let q = 0; q < m; q++) out.push(q === m - 1 ? Math.floor(r() * 128) : 0x80 | Math.floor(r() * 128));
      } else if (wt === 1) out.push(...bytes(8));
      else if (wt === 5) out.push(...bytes(4));
      else if (wt === 2) {
        const m = Math.floor(r() * 6);
        out.push(m, ...bytes(m));
      } else {
        out.push(0x08, Math.floor(r() * 128)); // field 1 varint inside the group
        varint((num << 3) | 4);
      }
    }
    return out;
  }

  it('the option changes nothing without unknown fields; appended unknown fields pass through exactly', () => {
    for (let i = 0; i < 150; i++) {
      const r = rng(0x5eed + i);
      const json = genMessage(r, Kitchen, { unknownEnums: true, depth: 3 });
      const bytes = kc.encodeJson(Kitchen, json);
      for (const mapping of ['canonical', 'kitex'] as const) {
        expect(kc.decodeToJson(Kitchen, bytes, { ...KEEP, mapping }), json).toBe(kc.decodeToJson(Kitchen, bytes, { mapping }));
      }
      const before = unknownFields(r);
      const after = unknownFields(r);
      const withUnknown = u8([...before, ...bytes, ...after]);
      const kept = kc.decodeToJson(Kitchen, withUnknown, KEEP);
      expect(JSON.parse(kept).$unknown, json).toBe(b64([...before, ...after]));
      const back = kc.encodeJson(Kitchen, kept, KEEP);
      expect(hex(back), json).toBe(hex(u8([...bytes, ...before, ...after])));
      expect(kc.decodeToJson(Kitchen, back, KEEP)).toBe(kept);
    }
  });
});
