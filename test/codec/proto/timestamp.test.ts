import { describe, expect, it } from 'vitest';
import { TIMESTAMP_MAX_SECONDS, TIMESTAMP_MIN_SECONDS, formatTimestamp, parseTimestamp } from '../../../src/codec/proto/well-known/timestamp.js';
import { rng } from './helpers.js';

describe('Timestamp text', () => {
  it('formats every second of the range as Date.toISOString does (years 0001..9999), and parses back', () => {
    const r = rng(42);
    const edges = [TIMESTAMP_MIN_SECONDS, TIMESTAMP_MAX_SECONDS, 0, -1, 1, 951782400, 951868800, 4107542400, -2208988800, -62104060800];
    const all = [...edges, ...Array.from({ length: 20000 }, () => Math.floor(TIMESTAMP_MIN_SECONDS + r() * (TIMESTAMP_MAX_SECONDS - TIMESTAMP_MIN_SECONDS)))];
    for (const s of all) {
      const text = formatTimestamp(s, 0)!;
      expect(text, String(s)).toBe(new Date(s * 1000).toISOString().slice(0, 19) + 'Z');
      expect(parseTimestamp(text)).toEqual([s, 0]);
    }
    expect(formatTimestamp(0, 5000000)).toBe('1970-01-01T00:00:00.005Z');
    expect(formatTimestamp(TIMESTAMP_MAX_SECONDS + 1, 0)).toBeUndefined();
    expect(formatTimestamp(TIMESTAMP_MIN_SECONDS - 1, 0)).toBeUndefined();
  });
  it('reads upper-case T and Z only', () => {
    expect(parseTimestamp('2020-01-01T00:00:00Z')).toEqual([1577836800, 0]);
    for (const bad of ['2020-01-01t00:00:00Z', '2020-01-01T00:00:00z', '2020-01-01t00:00:00+01:00']) expect(parseTimestamp(bad)).toBeUndefined();
  });
});
