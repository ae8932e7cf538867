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
