// The JSON char writers the protobuf and Thrift decoders write their output
// with (src/codec/json/json-chars.ts): they must write exactly what
// JSON.stringify / String(v) would.
import { describe, expect, it } from 'vitest';
import {
  CharWriter,
  writeDoubleChars,
  writeIntChars,
  writeJsonBase64Chars,
  writeJsonStringChars,
  writeJsonStringUtf8Chars,
} from '../../../src/codec/json/json-chars.js';
import { plainQuad } from '../../../src/codec/json/plain-quad.js';
import { rng } from '../thrift/gen.js';

const text = (w: CharWriter): string => w.text();

describe('writeDoubleChars', () => {
  it('matches String(v) on 150k values (fast path and fallback)', () => {
    const r = rng(7);
    const w = new CharWriter(16);
    const vals = [0.1, 0.2, 0.3, 1.5, 19.99, 123.456, -0.5, 1e-6, 1.5e-6, 9.999999, 123456789012345.6, 1e15 - 0.5, 0.1 + 0.2, -0, 0, 5e-7, 1e21, 2 ** 52 + 0.5, 2 ** 53, -(2 ** 60), 5e-324, Number.MAX_VALUE];
    for (let i = 0; i < 50000; i++) {
      const e = Math.floor(r() * 30) - 10;
      vals.push(Number(((r() - 0.5) * 10 ** e).toFixed(Math.floor(r() * 12))), (r() - 0.5) * 10 ** e, Math.round(r() * 1e6) / 100);
    }
    let bad = 0;
    for (const v of vals) {
      w.reset();
      writeDoubleChars(w, v);
      if (text(w) !== (Object.is(v, -0) ? '-0' : String(v))) bad++;
    }
    expect(bad).toBe(0);
  });
});

describe('writeIntChars', () => {
  it('writes safe integers', () => {
    const w = new CharWriter(4);
    for (const v of [0, 7, -7, 10, 2147483647, -2147483648, 2147483648, 4294967296, 9007199254740991, -9007199254740991, 1e15]) {
      w.reset();
      writeIntChars(w, v);
      expect(text(w)).toBe(String(v));
    }
  });
});

describe('strings', () => {
  const samples = ['', 'plain', 'quote " and \\ backslash', 'ctl \u0000\u0001\u001f\b\f\n\r\t', 'déjà vu — 日本語 😀', '\u007f\u0080\u07ff\u0800\uffff', 'x'.repeat(300)];
  it('writeJsonStringUtf8Chars escapes like JSON.stringify', () => {
    for (const s of samples) {
      const w = new CharWriter(4);
      const src = Buffer.from(s, 'utf8');
      const res = writeJsonStringUtf8Chars(w, src, 0, src.length);
      expect(res).toBe(-1);
      expect(text(w)).toBe(JSON.stringify(s));
    }
  });
  it('writeJsonStringUtf8Chars finds invalid UTF-8', () => {
    const bad: Array<[string, number]> = [
      ['61c328', 1], // bad continuation
      ['c080', 0], // overlong
      ['eda080', 0], // surrogate
      ['f4908080', 0], // above U+10FFFF
      ['616263e282', 3], // truncated
      ['80', 0], // lone continuation
      ['ff', 0],
    ];
    for (const [hex, at] of bad) {
      const src = Buffer.from(hex, 'hex');
      expect(writeJsonStringUtf8Chars(new CharWriter(4), src, 0, src.length)).toBe(at);
    }
  });
  // Past QUAD_RUN_MIN (16) plain bytes the ASCII loop takes four per turn: every length
  // up to and past that, with a byte it must not copy as is at every position (first,
  // last, inside a quad, in the tail after the last whole quad), at a source offset that is not 0.
  const SPECIAL: Array<[string, string | undefined]> = [
    ['"', '22'], ['\\', '5c'], ['\u0000', '00'], ['\u001f', '1f'], ['\n', '0a'], ['\u007f', '7f'], [' ', '20'], ['~', '7e'],
    ['é', 'c3a9'], ['✓', 'e29c93'], ['😀', 'f09f9880'],
    ['lone continuation', '80'], ['0xff', 'ff'], ['truncated pair', 'c3'], ['overlong', 'c0af'], ['surrogate', 'eda080'],
  ];
  it('writeJsonStringUtf8Chars: a special byte at every position of strings of 0…24 bytes', () => {
    const w = new CharWriter(4);
    for (let n = 0; n <= 24; n++) {
      for (let at = 0; at <= n; at++) {
        for (const [, hex] of SPECIAL) {
          const head = Buffer.alloc(at, 'a');
          const tail = Buffer.alloc(n - at, 'z');
          const src = Buffer.concat([Buffer.from([0xaa, 0xbb, 0xcc]), head, Buffer.from(hex!, 'hex'), tail]);
          w.reset();
          const res = writeJsonStringUtf8Chars(w, src, 3, src.length);
          let expected: string | undefined;
          try {
            expected = JSON.stringify(new TextDecoder('utf-8', { fatal: true }).decode(src.subarray(3)));
          } catch {
            expected = undefined;
          }
          if (expected === undefined) expect(res, `${hex} at ${at} of ${n}`).toBe(3 + at);
          else {
            expect(res, `${hex} at ${at} of ${n}`).toBe(-1);
            expect(text(w)).toBe(expected);
          }
        }
      }
    }
  });
  it('writeJsonStringUtf8Chars: long plain runs, and text written after earlier output', () => {
    const w = new CharWriter(4);
    for (const n of [62, 63, 64, 65, 1000, 70001]) {
      const s = 'abcdefg hijklmn'.repeat(Math.ceil(n / 15)).slice(0, n);
      const src = Buffer.from(s);
      w.reset();
      w.buf[w.pos++] = 91; // [
      expect(writeJsonStringUtf8Chars(w, src, 0, src.length)).toBe(-1);
      expect(text(w)).toBe('[' + JSON.stringify(s));
      // the same run ending in an escape and in a non-ASCII character
      for (const end of ['\t', 'ü']) {
        const t = Buffer.from(s + end);
        w.reset();
        expect(writeJsonStringUtf8Chars(w, t, 0, t.length)).toBe(-1);
        expect(text(w)).toBe(JSON.stringify(s + end));
      }
    }
  });
  it('writeJsonStringChars matches JSON.stringify, lone surrogates included', () => {
    for (const s of [...samples, 'lone \ud800 high', 'lone \udc00 low']) {
      const w = new CharWriter(4);
      writeJsonStringChars(w, s);
      expect(text(w)).toBe(JSON.stringify(s));
    }
  });
  it('writeJsonBase64Chars matches Buffer base64', () => {
    const r = rng(3);
    for (let n = 0; n < 40; n++) {
      const b = new Uint8Array(n).map(() => Math.floor(r() * 256));
      const w = new CharWriter(4);
      writeJsonBase64Chars(w, b, 0, n);
      expect(text(w)).toBe(JSON.stringify(Buffer.from(b).toString('base64')));
    }
  });
});

describe('plainQuad', () => {
  const plain = (c: number): boolean => c >= 0x20 && c < 0x80 && c !== 34 && c !== 92;
  it('is true exactly when all four bytes are printable ASCII other than quote and backslash', () => {
    // Every byte value at every position, beside plain bytes at either end of the range.
    for (let at = 0; at < 4; at++) {
      for (const fill of [0x20, 0x7f, 0x21, 0x5d]) {
        for (let c = 0; c < 256; c++) {
          const b = [fill, fill, fill, fill];
          b[at] = c;
          expect(plainQuad(b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)), `byte ${c} at ${at}`).toBe(b.every(plain));
        }
      }
    }
    // Pairs of neighbouring bytes (borrows between bytes), and random words.
    for (let c = 0; c < 256; c++) {
      for (let d = 0; d < 256; d++) {
        for (const at of [0, 1, 2]) {
          const b = [0x41, 0x41, 0x41, 0x41];
          b[at] = c;
          b[at + 1] = d;
          if (plainQuad(b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) !== b.every(plain)) throw new Error(`${c},${d} at ${at}`);
        }
      }
    }
    const r = rng(3);
    for (let i = 0; i < 100000; i++) {
      const b = [0, 1, 2, 3].map(() => (r() < 0.8 ? 0x20 + Math.floor(r() * 0x60) : Math.floor(r() * 256)));
      if (plainQuad(b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) !== b.every(plain)) throw new Error(b.join(','));
    }
  });
});
