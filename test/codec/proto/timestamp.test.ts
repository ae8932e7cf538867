import { describe, expect, it } from 'vitest';
import { TIMESTAMP_MAX_SECONDS, TIMESTAMP_MIN_SECONDS, formatTimestamp, parseTimestamp as parseAt } from '../../../src/codec/proto/well-known/timestamp.js';

/** `[seconds, nanos]` of RFC 3339 text, or undefined. */
function parseTimestamp(text: string): [number, number] | undefined {
  const out = { seconds: 0, nanos: 0 };
  return parseAt(text, 0, text.length, out) ? [out.seconds, out.nanos] : undefined;
}
import { parseDuration as parseDurationAt } from '../../../src/codec/proto/well-known/duration.js';
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

describe('Timestamp and Duration text read in place', () => {
  const parseDuration = (text: string): [number, number] | undefined => {
    const out = { seconds: 0, nanos: 0 };
    return parseDurationAt(text, 0, text.length, out) ? [out.seconds, out.nanos] : undefined;
  };
  it('reads offsets, 1 to 9 fraction digits, and a span inside longer text', () => {
    expect(parseTimestamp('2020-01-01T01:30:00+01:30')).toEqual([1577836800, 0]);
    expect(parseTimestamp('2019-12-31T23:00:00.5-01:00')).toEqual([1577836800, 500000000]);
    expect(parseTimestamp('1970-01-01T00:00:00.000000001Z')).toEqual([0, 1]);
    expect(parseTimestamp('0001-01-01T00:00:00Z')).toEqual([TIMESTAMP_MIN_SECONDS, 0]);
    const out = { seconds: 0, nanos: 0 };
    const text = '"x":"1970-01-01T00:00:10.25Z","y"';
    expect(parseAt(text, 5, text.indexOf('"', 5), out)).toBe(true);
    expect(out).toEqual({ seconds: 10, nanos: 250000000 });
    for (const bad of [
      '', '2020-01-01', '2020-01-01T00:00:00', '2020-01-01T00:00:00.Z', '2020-01-01T00:00:00ZZ', '2020-01-01T00:00:00+0100',
      '2020-01-01T00:00:00+01:0', '2020-01-01T00:00:00+24:00', '2020-01-01T00:00:60Z', '2020-01-01T24:00:00Z', '2020-1-01T00:00:00Z',
      '2020-01-01 00:00:00Z', '+020-01-01T00:00:00Z', '2020-01-01T00:00:00.1234567890Z', '2020-01-01T00:00:00.12a4Z', '2020-01-01T00:00:00.5',
    ]) expect(parseTimestamp(bad), bad).toBeUndefined();
    // the span ends where the caller says, not at the text's end
    expect(parseAt('2020-01-01T00:00:00Z', 0, 19, out)).toBe(false);
  });
  it('reads durations as the JSON mapping writes them, with the sign on both parts', () => {
    expect(parseDuration('1.5s')).toEqual([1, 500000000]);
    expect(parseDuration('-0.001s')).toEqual([0, -1000000]);
    expect(parseDuration('315576000000.999999999s')).toEqual([315576000000, 999999999]);
    expect(parseDuration('0s')).toEqual([0, 0]);
    expect(parseDuration('-0s')).toEqual([0, 0]);
    for (const bad of ['', 's', '-s', '1', '1.s', '.5s', '1.5', '1.5ss', '1.0000000001s', '315576000001s', '1234567890123s', '+1s', '1e3s', ' 1s']) {
      expect(parseDuration(bad), bad).toBeUndefined();
    }
  });
});
