// The Thrift codec's fast decimal parser must agree with Number() wherever it answers.
import { describe, expect, it } from 'vitest';
import { rng } from './gen.js';

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
