// The byte-level JSON writers added to src/codec/json for the Thrift decoder:
// they must write exactly what JSON.stringify / String(v) would.
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../../src/codec/bytes/byte-writer.js';
import { utf8Text, writeDoubleText, writeIntText, writeJsonBase64, writeJsonString, writeJsonStringUtf8 } from '../../../src/codec/json/json-bytes.js';
import { rng } from './gen.js';

const text = (w: ByteWriter): string => Buffer.from(w.buf.subarray(0, w.pos)).toString('utf8');

describe('writeDoubleText', () => {
  it('matches String(v) on 150k values (fast path and fallback)', () => {
    const r = rng(7);
    const w = new ByteWriter(16);
    const vals = [0.1, 0.2, 0.3, 1.5, 19.99, 123.456, -0.5, 1e-6, 1.5e-6, 9.999999, 123456789012345.6, 1e15 - 0.5, 0.1 + 0.2, -0, 0, 5e-7, 1e21, 2 ** 52 + 0.5, 2 ** 53, -(2 ** 60), 5e-324, Number.MAX_VALUE];
    for (let i = 0; i < 50000; i++) {
      const e = Math.floor(r() * 30) - 10;
      vals.push(Number(((r() - 0.5) * 10 ** e).toFixed(Math.floor(r() * 12))), (r() - 0.5) * 10 ** e, Math.round(r() * 1e6) / 100);
    }
    let bad = 0;
    for (const v of vals) {
      w.reset();
      writeDoubleText(w, v);
      if (text(w) !== (Object.is(v, -0) ? '-0' : String(v))) bad++;
    }
    expect(bad).toBe(0);
  });
});

describe('writeIntText', () => {
  it('writes safe integers', () => {
    const w = new ByteWriter(4);
    for (const v of [0, 7, -7, 10, 2147483647, -2147483648, 2147483648, 4294967296, 9007199254740991, -9007199254740991, 1e15]) {
      w.reset();
      writeIntText(w, v);
      expect(text(w)).toBe(String(v));
    }
  });
});

describe('strings', () => {
  const samples = ['', 'plain', 'quote " and \\ backslash', 'ctl \u0000\u0001\u001f\b\f\n\r\t', 'déjà vu — 日本語 😀', '\u007f\u0080\u07ff\u0800\uffff', 'x'.repeat(300)];
  it('writeJsonStringUtf8 escapes like JSON.stringify and reports ASCII-ness', () => {
    for (const s of samples) {
      const w = new ByteWriter(4);
      const src = Buffer.from(s, 'utf8');
      const res = writeJsonStringUtf8(w, src, 0, src.length);
      expect(res).toBe(/^[\x00-\x7f]*$/.test(s) ? -1 : -2);
      expect(text(w)).toBe(JSON.stringify(s));
    }
  });
  it('writeJsonStringUtf8 finds invalid UTF-8', () => {
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
      expect(writeJsonStringUtf8(new ByteWriter(4), src, 0, src.length)).toBe(at);
    }
  });
  it('writeJsonString matches JSON.stringify, lone surrogates included', () => {
    for (const s of [...samples, 'lone \ud800 high', 'lone \udc00 low']) {
      const w = new ByteWriter(4);
      writeJsonString(w, s);
      expect(text(w)).toBe(JSON.stringify(s));
    }
  });
  it('writeJsonBase64 matches Buffer base64', () => {
    const r = rng(3);
    for (let n = 0; n < 40; n++) {
      const b = new Uint8Array(n).map(() => Math.floor(r() * 256));
      const w = new ByteWriter(4);
      writeJsonBase64(w, b, 0, n);
      expect(text(w)).toBe(JSON.stringify(Buffer.from(b).toString('base64')));
    }
  });
  it('utf8Text decodes with or without region hints', () => {
    const s = 'a'.repeat(100) + 'déjà — 😀' + 'b'.repeat(100) + '日本' + 'c';
    const b = new Uint8Array(Buffer.from(s));
    const first = Buffer.byteLength('a'.repeat(100));
    const firstEnd = first + Buffer.byteLength('déjà — 😀');
    const second = firstEnd + 100;
    expect(utf8Text(b, b.length)).toBe(s);
    expect(utf8Text(b, b.length, [first, firstEnd, second, second + 6])).toBe(s);
    const ascii = new Uint8Array(Buffer.from('x'.repeat(200)));
    expect(utf8Text(ascii, ascii.length, [])).toBe('x'.repeat(200));
    expect(utf8Text(b, 10, [])).toBe('a'.repeat(10));
  });
});

describe('parseDecimalFast (thrift scalars)', () => {
  it('agrees with Number() where it applies, declines elsewhere', async () => {
    const { parseDecimalFast } = await import('../../../src/codec/thrift/scalars.js');
    const r = rng(11);
    for (let i = 0; i < 50000; i++) {
      const digits = 1 + Math.floor(r() * 15);
      let t = '';
      for (let d = 0; d < digits; d++) t += String(Math.floor(r() * 10));
      const dot = Math.floor(r() * (digits + 1));
      let s = dot > 0 && dot < digits ? t.slice(0, dot) + '.' + t.slice(dot) : t;
      if (r() < 0.5) s = '-' + s;
      const v = parseDecimalFast(s, 0, s.length);
      expect(v).toBe(Number(s));
    }
    expect(parseDecimalFast('1e5', 0, 3)).toBeNaN();
    expect(parseDecimalFast('1234567890123456', 0, 16)).toBeNaN();
  });
});
