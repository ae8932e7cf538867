/** protoc's text conventions that our descriptors reproduce: default values, JSON and map entry names. */
import { describe, expect, it } from 'vitest';
import { cEscape, formatG, simpleDtoa, simpleFtoa } from '../../../src/idl-parser/proto/default-value.js';
import { mapEntryName, toJsonName } from '../../../src/idl-parser/proto/json-name.js';
import { Lexer, T_FLOAT, T_IDENT, T_INT, T_STRING, T_SYMBOL } from '../../../src/idl-parser/proto/lexer.js';
import { closest, editDistance } from '../../../src/idl-parser/proto/suggest.js';

describe('default value text', () => {
  it('formats like printf %g', () => {
    expect(formatG(1.5, 15)).toBe('1.5');
    expect(formatG(1e15, 15)).toBe('1e+15');
    expect(formatG(1e14, 15)).toBe('100000000000000');
    expect(formatG(0.0001, 15)).toBe('0.0001');
    expect(formatG(0.00001, 15)).toBe('1e-05');
    expect(formatG(1.25e-7, 15)).toBe('1.25e-07');
    expect(formatG(1e300, 15)).toBe('1e+300');
  });

  it('round-trips doubles and floats like SimpleDtoa / SimpleFtoa', () => {
    expect(simpleDtoa(0.1)).toBe('0.1');
    expect(simpleDtoa(1.7976931348623157e308)).toBe('1.7976931348623157e+308');
    expect(simpleDtoa(Infinity)).toBe('inf');
    expect(simpleDtoa(NaN)).toBe('nan');
    expect(simpleFtoa(3.4028235e38)).toBe('3.40282347e+38');
    expect(simpleFtoa(0.1)).toBe('0.1');
  });

  it('C-escapes bytes with octal', () => {
    expect(cEscape('a\n\t"\'\\\x00\xff')).toBe('a\\n\\t\\"\\\'\\\\\\000\\377');
  });
});

describe('names', () => {
  it('derives JSON names like protoc', () => {
    expect(toJsonName('foo_bar_baz')).toBe('fooBarBaz');
    expect(toJsonName('_leading')).toBe('Leading');
    expect(toJsonName('trailing_')).toBe('trailing');
    expect(toJsonName('FOO_BAR')).toBe('FOOBAR');
    expect(toJsonName('x1_y2')).toBe('x1Y2');
  });

  it('derives map entry names like protoc', () => {
    expect(mapEntryName('tag_counts')).toBe('TagCountsEntry');
    expect(mapEntryName('_x')).toBe('XEntry');
    expect(mapEntryName('a1_b')).toBe('A1BEntry');
  });

  it('suggests close names', () => {
    expect(editDistance('Tga', 'Tag', 3)).toBe(1);
    expect(closest('Tga', ['Tag', 'Other'])).toBe('Tag');
    expect(closest('request', ['Request'])).toBe('Request');
    expect(closest('Zebra', ['Tag'])).toBeUndefined();
  });
});

describe('lexer', () => {
  function tokens(src: string): Array<[number, string]> {
    const lx = new Lexer(src, 't.proto');
    const out: Array<[number, string]> = [];
    while (lx.kind !== 0) {
      out.push([lx.kind, lx.kind === T_STRING ? lx.stringBytes() : lx.text()]);
      lx.next();
    }
    return out;
  }

  it('tokenizes numbers in every base, floats, identifiers and strings', () => {
    expect(tokens('0x1F 017 0 12 1.5 .5 5. 1e10 2E-3 foo_1 "a\\x41\\101\\u00e9" \'q\' =')).toEqual([
      [T_INT, '0x1F'], [T_INT, '017'], [T_INT, '0'], [T_INT, '12'], [T_FLOAT, '1.5'], [T_FLOAT, '.5'], [T_FLOAT, '5.'],
      [T_FLOAT, '1e10'], [T_FLOAT, '2E-3'], [T_IDENT, 'foo_1'], [T_STRING, 'aAA\xc3\xa9'], [T_STRING, 'q'], [T_SYMBOL, '='],
    ]);
  });

  it('reads integer values exactly', () => {
    const values = ['0x1F', '017', '18446744073709551615', '0xFFFFFFFFFFFFFFFF'].map((s) => new Lexer(s, 't').intValue());
    expect(values).toEqual([31, 15, 18446744073709551615n, 18446744073709551615n]);
  });

  it('skips a byte order mark', () => {
    const lx = new Lexer('\ufeffsyntax', 't');
    expect([lx.kind, lx.text(), lx.col]).toEqual([T_IDENT, 'syntax', 1]);
  });

  it('tracks lines and columns across comments', () => {
    const lx = new Lexer('// c\n/* a\n b */ x\n\ty', 't');
    expect([lx.line, lx.col, lx.text()]).toEqual([3, 7, 'x']);
    lx.next();
    expect([lx.line, lx.col, lx.text()]).toEqual([4, 2, 'y']);
  });
});
