import { describe, expect, it } from 'vitest';
import { formatJsonDouble, quoteJsonString } from '../../../src/codec/json/quote.js';

describe('quoteJsonString', () => {
  it('matches JSON.stringify for every BMP code unit and astral characters', () => {
    for (let c = 0; c < 0x10000; c++) {
      const s = 'a' + String.fromCharCode(c) + 'b';
      expect(quoteJsonString(s)).toBe(JSON.stringify(s));
    }
    for (const s of ['', '😀', '𝄞x', '\ud83d', '\ude00', 'x\ud83d', '\ude00\ud83d', '\ud83d\ud83d\ude00', '"\\', 'plain ascii text', 'é'.repeat(100)]) {
      expect(quoteJsonString(s), s).toBe(JSON.stringify(s));
    }
  });
});

describe('formatJsonDouble', () => {
  it('keeps -0 and writes shortest round-trip text', () => {
    expect(formatJsonDouble(-0)).toBe('-0');
    expect(formatJsonDouble(0)).toBe('0');
    for (const v of [1.5, 0.1, 5e-324, 1.7976931348623157e308, 1e21, -1e-7, 123456789]) expect(formatJsonDouble(v)).toBe(JSON.stringify(v));
  });
});
