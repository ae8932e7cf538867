import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../../src/codec/bytes/byte-writer.js';
import {
  VarintReader,
  int64ToBigInt,
  int64ToNumber,
  int64ToString,
  parseInt64Decimal,
  varint32Size,
  writeVarint32,
  writeVarint64,
  writeVarintInt32,
  zigzagDecode32,
  zigzagDecode64,
  zigzagEncode32,
  zigzagEncode64,
} from '../../../src/codec/bytes/varint.js';
import { CodecError } from '../../../src/errors/codec-error.js';

function halves(v: bigint): { lo: number; hi: number } {
  const u = BigInt.asUintN(64, v);
  return { lo: Number(u & 0xffffffffn), hi: Number(u >> 32n) };
}

/** Reference varint encoding via BigInt. */
function refVarint(v: bigint): string {
  let u = BigInt.asUintN(64, v);
  const out: number[] = [];
  do {
    let b = Number(u & 0x7fn);
    u >>= 7n;
    if (u !== 0n) b |= 0x80;
    out.push(b);
  } while (u !== 0n);
  return Buffer.from(out).toString('hex');
}

const SAMPLES: bigint[] = [0n, 1n, 127n, 128n, 300n, 16383n, 16384n, 2n ** 21n - 1n, 2n ** 28n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n,
  2n ** 35n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 56n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n, -1n, -2n, -(2n ** 31n), -(2n ** 53n) - 1n, -(2n ** 63n)];

function seeded(seed: number): () => bigint {
  let s = BigInt(seed);
  return () => {
    s = (s * 6364136223846793005n + 1442695040888963407n) & (2n ** 64n - 1n);
    const bits = s >> 58n; // 0..63: spread over magnitudes
    return BigInt.asIntN(64, (s * 0x9e3779b97f4a7c15n) & ((1n << (bits + 1n)) - 1n));
  };
}

describe('varint', () => {
  const all = [...SAMPLES];
  const rnd = seeded(42);
  for (let i = 0; i < 2000; i++) all.push(rnd());

  it('writeVarint64 matches the reference encoding and reads back', () => {
    const w = new ByteWriter(4);
    const r = new VarintReader();
    for (const v of all) {
      const { lo, hi } = halves(v);
      w.reset();
      writeVarint64(w, lo, hi);
      expect(Buffer.from(w.written()).toString('hex'), String(v)).toBe(refVarint(v));
      r.reset(w.written());
      const rlo = r.varint64();
      expect(int64ToBigInt(rlo, r.hi, true), String(v)).toBe(BigInt.asIntN(64, v));
      expect(r.pos).toBe(w.pos);
    }
  });

  it('writeVarint32 / writeVarintInt32 / varint32Size', () => {
    const w = new ByteWriter(1);
    for (const v of [0, 1, 127, 128, 16383, 16384, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 32 - 1]) {
      w.reset();
      writeVarint32(w, v);
      expect(Buffer.from(w.written()).toString('hex')).toBe(refVarint(BigInt(v)));
      expect(varint32Size(v)).toBe(w.pos);
    }
    for (const v of [-1, -(2 ** 31), 5, 2 ** 31 - 1]) {
      w.reset();
      writeVarintInt32(w, v);
      expect(Buffer.from(w.written()).toString('hex')).toBe(refVarint(BigInt(v)));
    }
  });

  it('reads the 5-byte negative int32 form Kitex writes', () => {
    const r = new VarintReader().reset(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f]));
    expect(r.varint32() | 0).toBe(-1);
    expect(r.pos).toBe(5);
  });

  it('rejects truncated, over-long and overflowing varints', () => {
    const r = new VarintReader();
    expect(() => r.reset(Uint8Array.from([0x80])).varint64()).toThrow(CodecError);
    expect(() => r.reset(Uint8Array.from([0x80, 0x80])).varint32()).toThrow(/truncated/);
    expect(() => r.reset(new Uint8Array(11).fill(0x80)).varint64()).toThrow(/longer than 10/);
    expect(() => r.reset(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02])).varint64()).toThrow(/overflows/);
    expect(() => r.reset(new Uint8Array(11).fill(0x80)).skipVarint()).toThrow(/longer than 10/);
    expect(() => r.reset(Uint8Array.from([0x80])).skipVarint()).toThrow(/truncated/);
    r.reset(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
    r.skipVarint();
    expect(r.pos).toBe(10);
  });

  it('zigzag 32 and 64', () => {
    for (const v of [0, -1, 1, -2, 2, 2147483647, -2147483648]) {
      const e = zigzagEncode32(v);
      expect(e).toBe(Number(BigInt.asUintN(32, (BigInt(v) << 1n) ^ (BigInt(v) >> 31n))));
      expect(zigzagDecode32(e)).toBe(v);
    }
    for (const v of all) {
      const sv = BigInt.asIntN(64, v);
      const h = halves(sv);
      zigzagEncode64(h);
      expect(int64ToBigInt(h.lo, h.hi, false)).toBe(BigInt.asUintN(64, (sv << 1n) ^ (sv >> 63n)));
      zigzagDecode64(h);
      expect(int64ToBigInt(h.lo, h.hi, true)).toBe(sv);
    }
  });

  it('int64ToString / int64ToNumber agree with BigInt for signed and unsigned', () => {
    for (const v of all) {
      const { lo, hi } = halves(v);
      expect(int64ToString(lo, hi, true)).toBe(String(BigInt.asIntN(64, v)));
      expect(int64ToString(lo, hi, false)).toBe(String(BigInt.asUintN(64, v)));
      expect(int64ToNumber(lo, hi, true)).toBe(Number(BigInt.asIntN(64, v)));
    }
  });

  it('parseInt64Decimal is exact and range-checked', () => {
    const out = { lo: 0, hi: 0 };
    for (const v of all) {
      for (const signed of [true, false]) {
        const val = signed ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v);
        const text = String(val);
        expect(parseInt64Decimal(text, 0, text.length, signed, out), text).toBe(true);
        expect(int64ToBigInt(out.lo, out.hi, signed), text).toBe(val);
      }
    }
    const bad: Array<[string, boolean]> = [
      ['9223372036854775808', true], ['-9223372036854775809', true], ['18446744073709551616', false], ['-1', false],
      ['', true], ['-', true], ['1.5', true], ['1e3', true], ['+1', true], ['12a', true], ['99999999999999999999', false],
      ['123456789012345678901', true], [' 1', true],
    ];
    for (const [t, signed] of bad) expect(parseInt64Decimal(t, 0, t.length, signed, out), t).toBe(false);
    expect(parseInt64Decimal('-0', 0, 2, false, out)).toBe(true);
    expect(parseInt64Decimal('00000000000000000000001', 0, 23, true, out)).toBe(true);
    expect(out).toEqual({ lo: 1, hi: 0 });
    expect(parseInt64Decimal('x-9223372036854775808y', 1, 21, true, out)).toBe(true);
    expect(int64ToBigInt(out.lo, out.hi, true)).toBe(-(2n ** 63n));
  });
});
