import { describe, expect, it } from 'vitest';
import { fromBinary, fromJsonString, toBinary, toJsonString } from '@bufbuild/protobuf';
import { ByteWriter } from '../../../src/codec/bytes/byte-writer.js';
import { CodecError } from '../../../src/errors/codec-error.js';
import { ProtoCodec } from '../../../src/codec/proto/index.js';
import { FIXTURES, loadBuf, loadOurs, rng } from './helpers.js';
import { codecError } from '../../support/codec-error.js';
import { oracles } from '../../support/oracles.js';

/*
 * Repeated scalar fields are transcoded by item loops of their own (packed
 * runs, unpacked runs, JSON arrays of plain numbers), with fall-backs to the
 * general readers for rare items. These tests build wire data by hand — every
 * kind, boundary values, over-long and sign-truncated varints, packed and
 * unpacked occurrences with one-, two- and three-byte tags, runs split by
 * other fields — and JSON arrays in every accepted spelling, and compare with
 * @bufbuild/protobuf reading the same input.
 */

const reg = await loadOurs(FIXTURES, 'runs.proto');
// Every suite here compares with @bufbuild/protobuf, whose descriptors come from protoc.
const ready = oracles('protoc', 'wkt');
const ours = reg.findMessage('runs.Runs')!;
const Buf = (ready ? loadBuf(FIXTURES, ['runs.proto']).getMessage('runs.Runs') : undefined)!;
const codec = new ProtoCodec(reg);

type Kind = 'int32' | 'uint32' | 'sint32' | 'fixed32' | 'sfixed32' | 'int64' | 'uint64' | 'sint64' | 'fixed64' | 'sfixed64' | 'bool' | 'enum' | 'double' | 'float' | 'string' | 'bytes';

/** The repeated fields of runs.Runs: number, kind. */
const FIELDS: Array<[number, Kind]> = [
  [1, 'int32'], [2, 'uint32'], [3, 'sint32'], [4, 'fixed32'], [5, 'sfixed32'], [6, 'int64'], [7, 'uint64'], [8, 'sint64'],
  [9, 'fixed64'], [10, 'sfixed64'], [11, 'bool'], [12, 'enum'], [13, 'double'], [14, 'float'], [15, 'string'],
  [16, 'int32'], [17, 'uint32'], [18, 'sint32'], [19, 'fixed32'], [20, 'sfixed32'], [21, 'int64'], [22, 'uint64'], [23, 'sint64'],
  [24, 'fixed64'], [25, 'sfixed64'], [26, 'bool'], [27, 'enum'], [28, 'double'], [29, 'float'], [30, 'bytes'],
  [3000, 'sint64'], [3001, 'int32'], [3002, 'string'],
];

const M64 = (1n << 64n) - 1n;
const P = (e: number): bigint => 1n << BigInt(e);
/** Values per kind: bigint for integers (bools and enums as the varint written), numbers for floats. */
const VALUES: Record<Kind, Array<bigint | number | string | Uint8Array>> = {
  int32: [0n, 1n, 127n, 128n, 300n, 16383n, 16384n, P(21), P(28), P(31) - 1n, -1n, -5n, -300n, -P(31)],
  uint32: [0n, 1n, 127n, 128n, 16384n, P(31) - 1n, P(31), P(32) - 1n],
  sint32: [0n, -1n, 1n, -64n, 63n, -65n, 64n, -8193n, P(31) - 1n, -P(31)],
  fixed32: [0n, 1n, 1000n, P(31), P(32) - 1n],
  sfixed32: [0n, -1n, 1000n, -P(31), P(31) - 1n],
  int64: [0n, 1n, 300n, P(49) - 1n, P(49), P(53) - 1n, P(53), P(53) + 1n, P(63) - 1n, -1n, -P(53) - 1n, -P(63), 479000000000000n],
  uint64: [0n, 1n, P(49) - 1n, P(49), P(53), P(53) + 1n, M64],
  sint64: [0n, -1n, 1n, -(P(48)), P(48) - 1n, -(P(48)) - 1n, P(52), -P(53) - 1n, P(63) - 1n, -P(63), -9600000000000n],
  fixed64: [0n, 1n, P(53) - 1n, P(53), P(53) + 1n, M64],
  sfixed64: [0n, -1n, P(53) - 1n, -P(53), -P(53) - 1n, P(63) - 1n, -P(63)],
  bool: [0n, 1n, 2n, 128n, P(32), P(63)],
  enum: [0n, 1n, -3n, P(31) - 1n, -P(31), 5000n, 7n, -9n, 100000n],
  double: [0, 1.5, -2.25, 1e300, 5e-324, NaN, Infinity, -Infinity, 0.1, 123456789.125, 3],
  float: [0, 1.5, -2.5, 3.4028234663852886e38, 1.401298464324817e-45, NaN, -Infinity, 0.25],
  string: ['', 'a', 'item 1', 'é', 'quote " and \\', '\n\t', '😀 astral', 'x'.repeat(200)],
  bytes: [new Uint8Array(0), Uint8Array.of(1), Uint8Array.of(0xff, 0, 7), new Uint8Array(200).fill(9)],
};

/** Protobuf wire data written by hand, including over-long varints. */
class Wire {
  readonly out: number[] = [];
  /** A varint of the value's low 64 bits; `pad` more bytes than needed (up to 10 in all). */
  varint(v: bigint, pad = 0): void {
    let u = v & M64;
    const bytes: number[] = [];
    do {
      bytes.push(Number(u & 0x7fn));
      u >>= 7n;
    } while (u > 0n);
    for (let i = 0; i < pad && bytes.length < 10; i++) bytes.push(0);
    for (let i = 0; i < bytes.length; i++) this.out.push(bytes[i]! | (i < bytes.length - 1 ? 0x80 : 0));
  }
  tag(num: number, wt: number): void {
    this.varint(BigInt((num << 3) | wt));
  }
  fixed(v: bigint, n: number): void {
    for (let i = 0; i < n; i++) this.out.push(Number((v >> BigInt(8 * i)) & 0xffn));
  }
  float(v: number, double: boolean): void {
    const b = new Uint8Array(double ? 8 : 4);
    const dv = new DataView(b.buffer);
    if (double) dv.setFloat64(0, v, true);
    else dv.setFloat32(0, v, true);
    for (const x of b) this.out.push(x);
  }
  bytes(b: Uint8Array): void {
    this.varint(BigInt(b.length));
    for (const x of b) this.out.push(x);
  }
}

const WIRE_TYPE: Record<Kind, number> = {
  int32: 0, uint32: 0, sint32: 0, int64: 0, uint64: 0, sint64: 0, bool: 0, enum: 0,
  fixed32: 5, sfixed32: 5, float: 5, fixed64: 1, sfixed64: 1, double: 1, string: 2, bytes: 2,
};

/** Writes one value of `kind` (no tag), with the varint spellings encoders use or tolerate. */
function writeValue(w: Wire, kind: Kind, v: bigint | number | string | Uint8Array, next: () => number): void {
  switch (kind) {
    case 'int32':
    case 'enum': {
      const n = v as bigint;
      // Negative int32s: sign-extended to 10 bytes (canonical) or truncated to 5 (tolerated).
      if (n < 0n && next() < 0.3) w.varint(n & 0xffffffffn);
      else w.varint(n, next() < 0.2 ? 1 + Math.floor(next() * 3) : 0);
      return;
    }
    case 'uint32':
      // Sometimes with bits above 32, which readers drop.
      w.varint((v as bigint) + (next() < 0.15 ? P(33) : 0n), next() < 0.2 ? 1 : 0);
      return;
    case 'sint32':
    case 'sint64': {
      const n = v as bigint;
      w.varint(n >= 0n ? 2n * n : -2n * n - 1n, next() < 0.2 ? 1 : 0);
      return;
    }
    case 'int64':
    case 'uint64':
    case 'bool':
      w.varint(v as bigint, next() < 0.2 ? 1 : 0);
      return;
    case 'fixed32':
    case 'sfixed32':
      w.fixed(v as bigint, 4);
      return;
    case 'fixed64':
    case 'sfixed64':
      w.fixed(v as bigint, 8);
      return;
    case 'double':
    case 'float':
      w.float(v as number, kind === 'double');
      return;
    case 'string':
      w.bytes(new TextEncoder().encode(v as string));
      return;
    case 'bytes':
      w.bytes(v as Uint8Array);
  }
}

/** A random Runs message as wire data: items split into packed and unpacked occurrences, sometimes interleaved. */
function randomWire(seed: number): Uint8Array {
  const next = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(next() * a.length)]!;
  const occurrences: Array<() => void> = [];
  const w = new Wire();
  for (const [num, kind] of FIELDS) {
    if (next() < 0.25) continue;
    const n = Math.floor(next() * 12);
    const items = Array.from({ length: n }, () => pick(VALUES[kind]));
    while (items.length > 0 || next() < 0.1) {
      const chunk = items.splice(0, 1 + Math.floor(next() * 5));
      const packable = kind !== 'string' && kind !== 'bytes';
      if (packable && next() < 0.5) {
        occurrences.push(() => {
          const body = new Wire();
          for (const v of chunk) writeValue(body, kind, v, next);
          w.tag(num, 2);
          w.bytes(Uint8Array.from(body.out));
        });
      } else {
        for (const v of chunk) {
          occurrences.push(() => {
            w.tag(num, WIRE_TYPE[kind]);
            writeValue(w, kind, v, next);
          });
        }
      }
      if (items.length === 0) break;
    }
  }
  // Mostly in field order (the fast path); sometimes a field's run is split by another field.
  if (next() < 0.3) {
    for (let i = occurrences.length - 1; i > 0; i--) {
      if (next() < 0.2) {
        const j = Math.floor(next() * (i + 1));
        [occurrences[i], occurrences[j]] = [occurrences[j]!, occurrences[i]!];
      }
    }
  }
  if (next() < 0.3) {
    occurrences.push(() => {
      w.tag(3003, 2);
      w.bytes(Uint8Array.of(0x0a, 1, 0x61, 0x10, 5));
    });
  }
  for (const o of occurrences) o();
  return Uint8Array.from(w.out);
}

describe.skipIf(!ready)('binary → JSON item loops (vs @bufbuild/protobuf)', () => {
  it('random runs of every kind, packed and unpacked, with boundary values and over-long varints', () => {
    for (let seed = 1; seed <= 600; seed++) {
      const bytes = randomWire(seed);
      const expected = JSON.parse(toJsonString(Buf, fromBinary(Buf, bytes)));
      for (const opts of [undefined, { useProtoNames: true }]) {
        const got = JSON.parse(codec.decodeToJson(ours, bytes, opts));
        const want = opts === undefined ? expected : JSON.parse(toJsonString(Buf, fromBinary(Buf, bytes), { useProtoFieldName: true }));
        expect(got, `seed ${seed}`).toEqual(want);
      }
      // Enums as integers and 64-bit as numbers (the Kitex mapping) keep the same values.
      const kitexText = codec.decodeToJson(ours, bytes, { mapping: 'kitex' });
      let kitex;
      try {
        kitex = JSON.parse(kitexText.replace(/(?<=[[,:])(-?\d{16,})(?=[,\]}])/g, '"$1"'));
      } catch (e) {
        throw new Error(`seed ${seed}: ${kitexText}`);
      }
      const asInts = JSON.parse(toJsonString(Buf, fromBinary(Buf, bytes), { enumAsInteger: true }));
      for (const k of Object.keys(asInts)) {
        if (Array.isArray(asInts[k])) expect(kitex[k].map(String), `seed ${seed} ${k}`).toEqual(asInts[k].map(String));
        else expect(kitex[k], `seed ${seed} ${k}`).toEqual(asInts[k]);
      }
    }
  });

  it('truncated items inside a run are errors with the field path', () => {
    const cases: Array<[number[], RegExp]> = [
      [[0x22, 3, 1, 2, 3], /^Runs\.f32: truncated data/], // packed fixed32, 3 of 4 bytes
      [[0x4a, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9], /^Runs\.f64: truncated data/], // packed fixed64, 9 bytes
      [[0x0a, 2, 1, 0x80], /^Runs\.i32: truncated data/], // packed varint cut after a continuation byte
      [[0x32, 1, 0xff], /^Runs\.i64: truncated data/],
      [[0x6a, 3, 0, 0, 0], /^Runs\.d: truncated data/], // packed double, 4 of 8 bytes
      [[0x80, 0x01, 5, 0x80, 0x01], /^Runs\.u_i32: truncated data/], // unpacked: second item's varint cut short
      [[0xc1, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0xc1, 0x01, 1], /^Runs\.u_f64: truncated data/],
      [[0xe1, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0xe1, 0x01], /^Runs\.u_d: truncated data/], // tag with no value after it
      [[0x7a, 2, 0xc3, 0x28], /^Runs\.str: invalid UTF-8/],
      [[0x7a, 1, 0x61, 0x7a, 2, 0xc3, 0x28], /^Runs\.str: invalid UTF-8/], // second item of a run
      [[0x0a, 11, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], /^Runs\.i32: varint longer than 10 bytes/],
    ];
    for (const [bytes, want] of cases) {
      const data = Uint8Array.from(bytes);
      expect(() => fromBinary(Buf, data), want.source).toThrow();
      expect(codecError(() => codec.decodeToJson(ours, data)).message, want.source).toMatch(want);
    }
  });

  it('long runs grow the output buffer mid-run', () => {
    const w = new Wire();
    const body = new Wire();
    for (let i = 0; i < 20000; i++) body.varint(BigInt(-i) & M64);
    w.tag(1, 2);
    w.bytes(Uint8Array.from(body.out));
    for (let i = 0; i < 3000; i++) {
      w.tag(27, 0);
      w.varint(BigInt([1, -3, 5000, 2147483647][i % 4]!) & M64);
    }
    const bytes = Uint8Array.from(w.out);
    expect(JSON.parse(codec.decodeToJson(ours, bytes))).toEqual(JSON.parse(toJsonString(Buf, fromBinary(Buf, bytes))));
  });
});

describe.skipIf(!ready)('binary → JSON on corrupted runs (vs @bufbuild/protobuf)', () => {
  it('never throws anything but CodecError, never accepts what bufbuild refuses, and agrees when both accept', () => {
    let bothAccept = 0;
    for (let seed = 1; seed <= 5000; seed++) {
      const next = rng(seed);
      let bytes = randomWire(seed);
      // One to three edits: a byte changed, the data cut short, or a byte put in.
      for (let e = 1 + Math.floor(next() * 3); e > 0 && bytes.length > 0; e--) {
        const p = Math.floor(next() * bytes.length);
        const what = next();
        const b = Math.floor(next() * 256);
        if (what < 0.5) bytes[p] = b;
        else if (what < 0.75) bytes = bytes.slice(0, p);
        else bytes = Uint8Array.from([...bytes.subarray(0, p), b, ...bytes.subarray(p)]);
      }
      let theirs: string | undefined;
      try {
        theirs = toJsonString(Buf, fromBinary(Buf, bytes));
      } catch {
        theirs = undefined;
      }
      let ourJson: string | undefined;
      try {
        ourJson = codec.decodeToJson(ours, bytes);
      } catch (e) {
        // Stricter than bufbuild by design: truncated packed items, 64-bit overflow, wrong wire types.
        if (!(e instanceof CodecError)) throw e;
      }
      if (ourJson === undefined) continue;
      expect(theirs, `seed ${seed}: accepted what bufbuild refuses`).toBeDefined();
      expect(JSON.parse(ourJson), `seed ${seed}`).toEqual(JSON.parse(theirs!));
      bothAccept++;
    }
    expect(bothAccept).toBeGreaterThan(500);
  });
});

/** JSON for a list of values in one of the spellings the canonical mapping accepts. */
function jsonItem(kind: Kind, v: bigint | number | string | Uint8Array, next: () => number, forOracle: boolean): string {
  switch (kind) {
    case 'bool':
      return v !== 0n ? 'true' : 'false';
    case 'enum':
      return next() < 0.5 || forOracle ? String(v) : JSON.stringify(String(v));
    case 'double':
    case 'float': {
      const n = v as number;
      if (!Number.isFinite(n)) return JSON.stringify(String(n));
      return next() < 0.2 ? JSON.stringify(String(n)) : String(n);
    }
    case 'string':
      return JSON.stringify(v);
    case 'bytes':
      return JSON.stringify(Buffer.from(v as Uint8Array).toString('base64'));
    default: {
      const n = v as bigint;
      const text = String(kind === 'uint32' || kind === 'fixed32' || kind === 'uint64' || kind === 'fixed64' ? n & M64 : n);
      // The oracle parses with JSON.parse: numbers past 2^53 must reach it as strings.
      const big = n > P(53) || n < -P(53);
      return next() < 0.5 || (forOracle && big) ? JSON.stringify(text) : text;
    }
  }
}

const SPACE = ['', ' ', '\n  ', '\t', ' \r\n'];

describe.skipIf(!ready)('JSON → binary item loops (vs @bufbuild/protobuf)', () => {
  const fieldName = (num: number): string => ours.fields.find((f) => f.number === num)!.jsonName;
  const fitting: Partial<Record<Kind, (v: bigint | number | string | Uint8Array) => boolean>> = {
    uint32: (v) => (v as bigint) >= 0n,
    fixed32: (v) => (v as bigint) >= 0n,
    bool: () => true,
    enum: (v) => [0n, 1n, -3n, P(31) - 1n, -P(31), 5000n].includes(v as bigint),
  };

  it('random arrays in every accepted spelling encode to what bufbuild reads back as the same message', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const next = rng(seed);
      const spaced = next() < 0.4;
      const sp = (): string => (spaced ? SPACE[Math.floor(next() * SPACE.length)]! : '');
      const members: string[] = [];
      const oracle: string[] = [];
      for (const [num, kind] of FIELDS) {
        if (next() < 0.3) continue;
        const pool = VALUES[kind].filter((v) => fitting[kind]?.(v) ?? true);
        const n = Math.floor(next() * 10);
        const items = Array.from({ length: n }, () => pool[Math.floor(next() * pool.length)]!);
        const itemSeed = Math.floor(next() * 2 ** 31);
        const a = rng(itemSeed);
        const b = rng(itemSeed);
        const key = JSON.stringify(fieldName(num));
        members.push(`${sp()}${key}${sp()}:${sp()}[${items.map((v) => sp() + jsonItem(kind, v, a, false) + sp()).join(',')}]`);
        oracle.push(`${key}:[${items.map((v) => jsonItem(kind, v, b, true)).join(',')}]`);
      }
      const json = `{${members.join(',')}}`;
      const ourBytes = codec.encodeJson(ours, json);
      const want = toJsonString(Buf, fromJsonString(Buf, `{${oracle.join(',')}}`));
      expect(toJsonString(Buf, fromBinary(Buf, ourBytes)), `seed ${seed}\n${json}`).toEqual(want);
    }
  });

  it('spellings past the plain form take the general readers: same values', () => {
    const same = (json: string, oracle: string): void => {
      expect(toJsonString(Buf, fromBinary(Buf, codec.encodeJson(ours, json))), json).toEqual(toJsonString(Buf, fromJsonString(Buf, oracle)));
    };
    same('{"i32":[1.0,1e2,-0,"-0","2E1",0]}', '{"i32":[1,100,0,0,20,0]}');
    same('{"i64":[1234567890123456,"9223372036854775807",-9223372036854775808,"-0"]}', '{"i64":["1234567890123456","9223372036854775807","-9223372036854775808","0"]}');
    same('{"uU64":["18446744073709551615",18446744073709551615]}', '{"uU64":["18446744073709551615","18446744073709551615"]}');
    same('{"s64":[-4503599627370497,4503599627370496]}', '{"s64":["-4503599627370497","4503599627370496"]}');
    same('{"farI32":[ 7 ,8],"farS64":["-1"]}', '{"farI32":[7,8],"farS64":["-1"]}');
    same('{"counts":{"a":1,"é":2,"a\\"b":3,"":4},"name":"plain","str":["","é","a\\u0000b"]}', '{"counts":{"a":1,"é":2,"a\\"b":3,"":4},"name":"plain","str":["","é","a\\u0000b"]}');
    same('{"name":""}', '{}');
  });

  it('corrupted documents: only CodecErrors, and the same message as bufbuild whenever both accept', () => {
    const base = JSON.stringify({
      i32: [1, -1, 300], u32: [5, 4294967295], s32: [-5, 7], f32: [1, 2], sf32: [-1], i64: ['-1', '900719925474099', 5], u64: ['1844674407370955', '3'],
      s64: ['-922337203685477', '12'], f64: ['1'], sf64: ['-2'], b: [true, false], mood: ['HAPPY', 'GLUM', 7], d: [1.5, 'NaN'], f: [2.5], str: ['a', 'é'],
      uI32: [1, -1], uS64: ['-9'], uB: [true], uMood: ['GLUM'], byt: ['AQI='], farS64: ['-1', '2'], farI32: [3, 4], farStr: ['x', 'y'], counts: { a: 1, 'b c': 2 }, name: 'n',
    });
    const alphabet = '0123456789-+.eE"\\,[]{}: \ntrufalsn';
    let bothAccept = 0;
    for (let seed = 1; seed <= 5000; seed++) {
      const next = rng(seed);
      let t = base;
      // One or two edits: a character changed, put in or taken out.
      for (let e = 1 + Math.floor(next() * 2); e > 0; e--) {
        const p = Math.floor(next() * t.length);
        const c = alphabet[Math.floor(next() * alphabet.length)]!;
        const what = next();
        t = what < 0.4 ? t.slice(0, p) + c + t.slice(p + 1) : what < 0.7 ? t.slice(0, p) + c + t.slice(p) : t.slice(0, p) + t.slice(p + 1);
      }
      let ourBytes: Uint8Array | undefined;
      try {
        ourBytes = codec.encodeJson(ours, t);
      } catch (e) {
        if (!(e instanceof CodecError)) throw e;
      }
      let theirs: string | undefined;
      try {
        // Through bytes: bufbuild keeps a float field's parsed double until it is encoded.
        theirs = toJsonString(Buf, fromBinary(Buf, toBinary(Buf, fromJsonString(Buf, t))));
      } catch {
        theirs = undefined;
      }
      if (ourBytes === undefined || theirs === undefined) continue;
      expect(toJsonString(Buf, fromBinary(Buf, ourBytes)), `seed ${seed}\n${t}`).toBe(theirs);
      bothAccept++;
    }
    expect(bothAccept).toBeGreaterThan(200);
  });

  it('bad items are errors with the item path, and nothing is written', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"i32":[1,2147483648]}', /^Runs\.i32\[1\]: 2147483648 is out of range for int32/],
      ['{"uI32":[1,-2147483649]}', /^Runs\.u_i32\[1\]: -2147483649 is out of range for int32/],
      ['{"u32":[-1]}', /^Runs\.u32\[0\]: -1 is out of range for uint32/],
      ['{"f32":[4294967296]}', /^Runs\.f32\[0\]: 4294967296 is out of range for fixed32/],
      ['{"i32":[01]}', /^Runs\.i32\[0\]: leading zeros/],
      ['{"i32":[1.5]}', /^Runs\.i32\[0\]: int32 must be an integer/],
      ['{"i32":[1,]}', /^Runs\.i32\[1\]: .*unexpected character/],
      ['{"i32":[1 2]}', /^Runs\.i32: expected ',' or '\]'/],
      ['{"i32":[null]}', /^Runs\.i32\[0\]: null is not allowed/],
      ['{"uS64":[1,null]}', /^Runs\.u_s64\[1\]: null is not allowed/],
      ['{"b":[true,"true"]}', /^Runs\.b\[1\]: expected a boolean/],
      ['{"b":[tru]}', /^Runs\.b\[0\]: expected true/],
      ['{"u64":["-1"]}', /^Runs\.u64\[0\]: -1 is out of range for uint64/],
      ['{"u64":[-1]}', /^Runs\.u64\[0\]: -1 is out of range for uint64/],
      ['{"i64":["12a"]}', /^Runs\.i64\[0\]: invalid int64 "12a"/],
      ['{"i64":["9223372036854775808"]}', /^Runs\.i64\[0\]: 9223372036854775808 is out of range for int64/],
      ['{"sf64":[1,"x"]}', /^Runs\.sf64\[1\]: invalid sfixed64 "x"/],
      ['{"farI32":[{}]}', /^Runs\.far_i32\[0\]: expected an int32/],
      ['{"counts":{"a":"x"}}', /^Runs\.counts\["a"\]: invalid int32 "x"/],
      ['{"counts":{"a\\u0062":"x"}}', /^Runs\.counts\["ab"\]: invalid int32 "x"/],
      ['{"counts":{"a":1,}}', /^Runs\.counts: expected a quoted object key/],
    ];
    for (const [json, want] of cases) {
      expect(() => fromJsonString(Buf, json), json).toThrow();
      expect(codecError(() => codec.encodeJson(ours, json)).message, json).toMatch(want);
      const w = new ByteWriter();
      w.writeByte(7);
      expect(() => codec.encodeJsonInto(w, ours, json), json).toThrow(CodecError);
      expect(w.pos, json).toBe(1);
    }
  });
});
