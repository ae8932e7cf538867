import { describe, expect, it } from 'vitest';
import { toUnits } from '../../../src/codec/json/json-chars.js';
import { JsonKind, JsonScanner } from '../../../src/codec/json/scanner.js';
import { CodecError } from '../../../src/errors/codec-error.js';

/** Reads any JSON value with the scanner into plain JS (numbers via readNumber). */
function readAny(s: JsonScanner): unknown {
  switch (s.peek()) {
    case JsonKind.Object: {
      s.beginObject();
      const o: Record<string, unknown> = {};
      for (let k = s.firstKey(); k !== undefined; k = s.nextKey()) o[k] = readAny(s);
      return o;
    }
    case JsonKind.Array: {
      s.beginArray();
      const a: unknown[] = [];
      if (s.firstItem()) do a.push(readAny(s)); while (s.nextItem());
      return a;
    }
    case JsonKind.String:
      return s.readString();
    case JsonKind.Number:
      return s.readNumber();
    case JsonKind.True:
    case JsonKind.False:
      return s.readBoolean();
    case JsonKind.Null:
      s.readNullIf();
      return null;
    default:
      throw s.error('end');
  }
}

function parse(text: string): unknown {
  const s = new JsonScanner().reset(text);
  const v = readAny(s);
  s.expectEnd();
  return v;
}

describe('JsonScanner', () => {
  it('agrees with JSON.parse on valid documents', () => {
    const docs = [
      '{}', '[]', '""', '0', '-0', '1.5e10', '-1E-5', 'true', 'false', 'null',
      ' { "a" : [ 1 , 2 , { "b" : null } ] , "c" : "d" } ',
      '"\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0000 \\u00e9 \\uD83D\\uDE00 \\ud800"',
      '"é中😀"', '[[[[]]]]', '{"a":{"a":{"a":1}}}', '123456789012345678', '0.1', '1e400', '-1e-400',
      '\t\n\r [1]',
    ];
    for (const d of docs) expect(parse(d), d).toEqual(JSON.parse(d));
  });

  it('rejects invalid documents with a CodecError and offset', () => {
    const bad = ['', '{', '[', '{"a"}', '{"a":}', '{"a":1,}', '[1,]', '[1 2]', "{'a':1}", '01', '-', '1.', '1e', '.5', '+1', 'tru', 'nul', 'falsy',
      '"abc', '"\\x"', '"\\u12"', '"\\u12g4"', '"a\u0001"', '{"a":1}}', 'NaN', 'Infinity', '[1]x', '{"a" 1}', '{a:1}', '"\\'];
    for (const b of bad) {
      let err: unknown;
      try {
        parse(b);
      } catch (e) {
        err = e;
      }
      expect(err, b).toBeInstanceOf(CodecError);
      expect((err as CodecError).offset, b).toBeTypeOf('number');
      expect((err as CodecError).reason, b).toMatch(/JSON line 1, column \d+/);
    }
  });

  it('reports line and column', () => {
    const s = new JsonScanner().reset('{\n  "a": x}');
    s.beginObject();
    s.firstKey();
    expect(() => s.peek()).toThrow(/line 2, column 8/);
  });

  it('readNumberSpan keeps exact text and tells integers apart', () => {
    const s = new JsonScanner().reset('[9223372036854775807,1.0,-0,1e2]');
    s.beginArray();
    s.firstItem();
    s.peek();
    expect(s.readNumberSpan()).toBe(true);
    expect(s.spanText()).toBe('9223372036854775807');
    s.nextItem();
    s.peek();
    expect(s.readNumberSpan()).toBe(false);
    s.nextItem();
    s.peek();
    expect(s.readNumberSpan()).toBe(true);
    expect(Object.is(s.numberValue, -0)).toBe(true);
    s.nextItem();
    s.peek();
    expect(s.readNumberSpan()).toBe(false);
    expect(s.nextItem()).toBe(false);
  });

  it('numberValue is the correctly rounded double, as Number() gives', () => {
    const fixed = ['0', '123', '-45', '9007199254740993', '0.1', '1e-7', '123456789012345', '1234567890123456789', '-0.0', '-0', '1e22', '1e23',
      '2.2250738585072014e-308', '5e-324', '1.7976931348623157e308', '1e309', '-1e-400', '0.30000000000000004', '123.456e-10', '9.999999999999999e22', '1E+2'];
    // and seeded random decimals around the fast path's limits (15 digits, exponents ±22)
    let seed = 7;
    const r = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const random = Array.from({ length: 20000 }, () => {
      const digits = 1 + Math.floor(r() * 19);
      let t = String(1 + Math.floor(r() * 9));
      for (let d = 1; d < digits; d++) t += String(Math.floor(r() * 10));
      const dot = Math.floor(r() * (digits + 1));
      let s = dot > 0 && dot < digits ? t.slice(0, dot) + '.' + t.slice(dot) : t;
      if (r() < 0.5) s += 'e' + (r() < 0.5 ? '-' : '') + Math.floor(r() * 30);
      return r() < 0.5 ? '-' + s : s;
    });
    for (const t of [...fixed, ...random]) {
      const s = new JsonScanner().reset(t);
      s.peek();
      s.readNumberSpan();
      expect(Object.is(s.numberValue, Number(t)), t).toBe(true);
    }
  });

  it('skipValue validates what it skips', () => {
    const s = new JsonScanner().reset('{"a":[1,{"b":"\\n"},null,true,false,-1.5e3],"c":"x"}');
    s.beginObject();
    expect(s.firstKey()).toBe('a');
    s.skipValue();
    expect(s.nextKey()).toBe('c');
    expect(s.readString()).toBe('x');
    expect(s.nextKey()).toBeUndefined();
    expect(() => new JsonScanner().reset('[1,}').skipValue()).toThrow(CodecError);
    expect(() => new JsonScanner().reset('"\\q"').skipValue()).toThrow(/invalid escape/);
    expect(() => new JsonScanner().reset('['.repeat(1100) + ']'.repeat(1100)).skipValue()).toThrow(/nested too deeply/);
  });

  it('objectFirst / key / keyIs / objectNext (allocation-free object walk)', () => {
    const s = new JsonScanner().reset('{ "alpha" : 1 , "beta":2,"gamma" :3}');
    s.beginObject();
    expect(s.objectFirst()).toBe(true);
    expect(s.keyIs(toUnits('"alpha"'))).toBe(true);
    expect(s.readNumber()).toBe(1);
    expect(s.objectNext()).toBe(true);
    expect(s.keyIs(toUnits('"bet"'))).toBe(false);
    expect(s.keyIs(toUnits('"gamma"'))).toBe(false);
    expect(s.key()).toBe('beta');
    expect(s.readNumber()).toBe(2);
    expect(s.objectNext()).toBe(true);
    expect(s.keyIs(toUnits('"gamma"'))).toBe(true);
    expect(s.readNumber()).toBe(3);
    expect(s.objectNext()).toBe(false);
    s.expectEnd();
    const e = new JsonScanner().reset('{}');
    e.beginObject();
    expect(e.objectFirst()).toBe(false);
    const bad = new JsonScanner().reset('{"a":1 "b"');
    bad.beginObject();
    bad.objectFirst();
    bad.key();
    bad.readNumber();
    expect(() => bad.objectNext()).toThrow(/expected ',' or '}'/);
  });

  it('is reusable across documents', () => {
    const s = new JsonScanner();
    expect(readAny(s.reset('[1]'))).toEqual([1]);
    expect(readAny(s.reset('{"x":"y"}'))).toEqual({ x: 'y' });
  });
});
