import { describe, expect, it } from 'vitest';
import { fromJsonString, toBinary } from '@bufbuild/protobuf';
import { ProtoCodec } from '../../../src/codec/proto/index.js';
import { FIXTURES, loadBuf, loadOurs, rng } from './helpers.js';
import { codecError } from '../../support/codec-error.js';
import { oracles } from '../../support/oracles.js';

/*
 * JSON → binary string values: printable ASCII without escapes is copied from the
 * JSON text into the output in the pass that finds the closing quote; every other
 * string (escapes, non-ASCII, control characters, unpaired surrogates) falls back to
 * the general reader. These tests check the exact bytes on both sides of that line —
 * short and long (a length past 127 widens the one-byte length slot), empty under
 * implicit and explicit presence, in repeated fields and google.protobuf.Value — and
 * that what the fast path must not take is still judged as before.
 */

const reg = await loadOurs(FIXTURES, 'kitchen.proto');
const kitchen = reg.findMessage('kitchen.Kitchen')!;
const codec = new ProtoCodec(reg);

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}
/** A length-delimited field: tag bytes, length, UTF-8 of `s`. */
function lenField(tag: number[], s: string): number[] {
  const utf8 = [...Buffer.from(s, 'utf8')];
  return [...tag, ...varint(utf8.length), ...utf8];
}
const enc = (json: string): number[] => [...codec.encodeJson(kitchen, json)];

const SAMPLES = [
  'a',
  'hello world',
  'x'.repeat(23),
  'x'.repeat(24),
  'x'.repeat(62),
  'del \u007f is ASCII too',
  'x'.repeat(127),
  'y'.repeat(128),
  '~!#$%&()*+,-./0123456789:;<=>?@AZ[]^_`az{|}',
  'z'.repeat(20000),
  'wörld ✓',
  'ascii first, then é',
  'tab\there',
  'quote " and backslash \\',
  '😀 pair',
  '\u0000\u001f',
  'x'.repeat(200) + 'é',
];

describe('JSON string values to binary', () => {
  it.each(SAMPLES.map((s) => [s.length > 40 ? `${s.slice(0, 20)}… (${s.length} units)` : s, s]))('string field: %s', (_, s) => {
    const json = JSON.stringify({ fString: s });
    expect(enc(json)).toEqual(lenField([0x4a], s));
    // The same value among other members, and with white space around it.
    expect(enc(`{ "fInt32" : 1 , "fString" : ${JSON.stringify(s)} , "oString":${JSON.stringify(s)} }`)).toEqual([
      0x28, 1, ...lenField([0x4a], s), ...lenField([0xc2, 0x04], s),
    ]);
  });

  it('a unit the fast path must leave, at every position of strings of 0…24 units', () => {
    // The copy loop must stop at each of them wherever it stands: first, last, and every place between.
    const special = ['"', '\\', '\u0000', '\u001f', '\n', '\u007f', ' ', '~', 'é', '\u00ff', '✓', '😀', '\ud800'];
    for (let n = 0; n <= 24; n++) {
      for (let at = 0; at <= n; at++) {
        for (const c of special) {
          const s = 'a'.repeat(at) + c + 'z'.repeat(n - at);
          const json = JSON.stringify({ fString: s, oString: 'end' });
          if (c === '\ud800') {
            expect(codecError(() => codec.encodeJson(kitchen, json)).message).toMatch(/unpaired UTF-16 surrogate/);
            continue;
          }
          expect(enc(json), JSON.stringify(s)).toEqual([...lenField([0x4a], s), ...lenField([0xc2, 0x04], 'end')]);
        }
      }
    }
    // A raw control character in the text (not escaped) is an error wherever it is.
    for (let at = 0; at < 25; at++) {
      const raw = '{"fString":"' + 'a'.repeat(at) + '\u0001' + 'b'.repeat(24 - at) + '"}';
      expect(codecError(() => codec.encodeJson(kitchen, raw)).message).toMatch(/control character/);
    }
    // The text ends inside a plain run, at each length around a quad.
    for (let n = 0; n <= 25; n++) {
      expect(codecError(() => codec.encodeJson(kitchen, '{"fString":"' + 'x'.repeat(n))).message).toMatch(/unterminated string/);
    }
  });

  it('a message that fails after growing the output buffer leaves the next results intact', () => {
    // Fill the codec's output slab almost to its end, then fail (trailing garbage) on a message
    // that outgrew it, then encode again: each result must hold exactly its own bytes.
    const own = new ProtoCodec(reg);
    const mid = JSON.stringify({ fString: 'm'.repeat(900) });
    const kept = Array.from({ length: 34 }, () => own.encodeJson(kitchen, mid));
    const big = JSON.stringify({ fString: 'b'.repeat(8000) });
    expect(codecError(() => own.encodeJson(kitchen, big + ' x')).message).toMatch(/after the JSON value/);
    const after = Array.from({ length: 40 }, (_, i) => own.encodeJson(kitchen, JSON.stringify({ fString: `${i}`.repeat(500) })));
    for (const k of kept) expect([...k]).toEqual(lenField([0x4a], 'm'.repeat(900)));
    after.forEach((a, i) => expect([...a]).toEqual(lenField([0x4a], `${i}`.repeat(500))));
  });

  it('an empty string is written only under explicit presence', () => {
    expect(enc('{"fString":""}')).toEqual([]);
    expect(enc('{"oString":""}')).toEqual([0xc2, 0x04, 0]);
    expect(enc('{"rString":["", "a", ""]}')).toEqual([0xea, 0x01, 0, 0xea, 0x01, 1, 0x61, 0xea, 0x01, 0]);
    expect(enc('{"fString":"","fInt32":2}')).toEqual([0x28, 2]);
  });

  it('repeated strings and google.protobuf.Value strings take the same path', () => {
    const long = 'v'.repeat(300);
    expect(enc(JSON.stringify({ rString: ['a', long, 'ü'] }))).toEqual([
      ...lenField([0xea, 0x01], 'a'), ...lenField([0xea, 0x01], long), ...lenField([0xea, 0x01], 'ü'),
    ]);
    // Value{string_value} inside field 84, Struct{fields: {k: Value{string_value}}} inside 83.
    const value = lenField([0x1a], long);
    expect(enc(JSON.stringify({ wValue: long }))).toEqual([0xa2, 0x05, ...varint(value.length), ...value]);
    const entry = [...lenField([0x0a], 'k'), 0x12, ...varint(value.length), ...value];
    expect(enc(JSON.stringify({ wStruct: { k: long } }))).toEqual([0x9a, 0x05, ...varint(entry.length + 1 + varint(entry.length).length), 0x0a, ...varint(entry.length), ...entry]);
  });

  it('long strings widen their length slot without disturbing what follows', () => {
    for (const n of [127, 128, 16383, 16384]) {
      const s = 'q'.repeat(n);
      expect(enc(JSON.stringify({ fString: s, fInt32: 7, oString: 'end' }))).toEqual([
        ...lenField([0x4a], s), 0x28, 7, ...lenField([0xc2, 0x04], 'end'),
      ]);
    }
  });

  it('strings the fast path leaves are still judged by the general reader', () => {
    expect(codecError(() => codec.encodeJson(kitchen, '{"fString":"a\u0001b"}')).message).toMatch(/control character/);
    expect(codecError(() => codec.encodeJson(kitchen, '{"fString":"abc')).message).toMatch(/unterminated string/);
    expect(codecError(() => codec.encodeJson(kitchen, '{"fString":"' + 'x'.repeat(100))).message).toMatch(/unterminated string/);
    expect(codecError(() => codec.encodeJson(kitchen, '{"fString":"ok\\uD800"}')).message).toMatch(/unpaired UTF-16 surrogate/);
    expect(codecError(() => codec.encodeJson(kitchen, '{"fString":"bad \\q escape"}')).message).toMatch(/escape/);
    // A failed value leaves nothing behind: the codec's next message starts clean.
    expect(enc('{"fString":"after"}')).toEqual(lenField([0x4a], 'after'));
  });
});

describe.runIf(oracles('protoc', 'wkt'))('JSON string values to binary, beside @bufbuild/protobuf', () => {
  it('random strings of every length class give the same bytes', () => {
    const Buf = loadBuf(FIXTURES, ['kitchen.proto']).getMessage('kitchen.Kitchen')!;
    const next = rng(20);
    const alphabet = ['a', 'Z', '0', ' ', '~', '"', '\\', '/', 'é', '✓', '😀', '\n', '\t'];
    for (let i = 0; i < 300; i++) {
      const len = [0, 1, 5, 31, 32, 33, 126, 127, 128, 129, 600][i % 11]!;
      // Mostly printable ASCII; now and then a unit the fast path must leave.
      let s = '';
      for (let k = 0; k < len; k++) s += next() < 0.97 ? String.fromCharCode(0x20 + Math.floor(next() * 0x5f)) : alphabet[Math.floor(next() * alphabet.length)]!;
      const json = JSON.stringify({ fString: s, rString: [s, s], oString: s, wValue: s });
      expect([...codec.encodeJson(kitchen, json)], json).toEqual([...toBinary(Buf, fromJsonString(Buf, json))]);
    }
  });
});
