import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ProtoCodec } from '../../../src/codec/proto/index.js';
import { FIXTURES, hex, loadOurs } from './helpers.js';
import { codecError } from '../../support/codec-error.js';
import { PROTO_INCLUDE, oracles } from '../../support/oracles.js';

/*
 * proto2 extensions: registered per codec (per provider) from every loaded file,
 * top-level and nested `extend`; binary both ways, JSON keys `[full.name]` both
 * ways, the object API too. protoc is the judge of the bytes.
 */

const reg = await loadOurs(FIXTURES, 'extensions-more.proto');
const codec = new ProtoCodec(reg);
const Base = reg.findMessage('ext.Base')!;
const Holder = reg.findMessage('ext.Holder')!;

const TEXT = 'id: 1 [ext.note]: "n" [ext.stamps]: 5 [ext.stamps]: -1 [ext.color]: BLUE [ext.Detail.detail_ext] { text: "x" } [ext.packed_nums]: 1 [ext.packed_nums]: 300 [ext.big]: 18446744073709551615 [ext.extra] { level: 3 } [ext.more.more]: -2 [ext.Detail.raw]: "\\001"';
/** What protoc --encode writes for TEXT (field-number order). */
const BYTES = '0801a206016ea80605a806ffffffffffffffffff01b00601c2060301ac02c806ffffffffffffffffff01d306d80603d406f206030a0178fa060101b00903';
const JSON_TEXT = '{"id":1,"[ext.note]":"n","[ext.stamps]":["5","-1"],"[ext.color]":"BLUE","[ext.packed_nums]":[1,300],"[ext.big]":"18446744073709551615","[ext.extra]":{"level":3},"[ext.Detail.detail_ext]":{"text":"x"},"[ext.Detail.raw]":"AQ==","[ext.more.more]":-2}';

describe('binary ⇄ JSON', () => {
  it('decodes every extension shape, keyed "[full.name]", after the fields in load order', () => {
    expect(codec.decodeToJson(Base, Buffer.from(BYTES, 'hex'))).toBe(JSON_TEXT);
  });
  it('encodes "[full.name]" keys to the bytes protoc writes (up to field order)', () => {
    const ours = codec.encodeJson(Base, JSON_TEXT);
    expect(codec.decodeToJson(Base, ours)).toBe(JSON_TEXT);
    expect(ours.length).toBe(BYTES.length / 2);
  });
  it('nested in other messages, in lists, and with proto names', () => {
    const json = '{"base":{"id":2,"[ext.note]":"a"},"bases":[{"[ext.color]":"BLUE"},{"id":3}]}';
    const bytes = codec.encodeJson(Holder, json);
    expect(hex(bytes)).toBe('0a060802a2060161' + '1203b00601' + '12020803');
    expect(codec.decodeToJson(Holder, bytes)).toBe(json);
    expect(codec.decodeToJson(Holder, bytes, { useProtoNames: true })).toBe(json);
  });
  it('an extension key not loaded, repeated, or of another message is an error (or skipped with ignoreUnknownFields)', () => {
    const unknown = codecError(() => codec.encodeJson(Base, '{"[ext.nope]":1}'));
    expect(unknown.path).toBe('Base[ext.nope]');
    expect(unknown.reason).toMatch(/unknown field "\[ext.nope\]" in ext.Base/);
    expect(codecError(() => codec.encodeJson(Base, '{"[ext.note]":"a","[ext.note]":"b"}')).reason).toMatch(/more than once/);
    expect(codecError(() => codec.encodeJson(Holder, '{"[ext.note]":"a"}')).reason).toMatch(/unknown field/);
    expect(hex(codec.encodeJson(Base, '{"[ext.nope]":1,"id":1}', { ignoreUnknownFields: true }))).toBe('0801');
  });
  it('a bad extension value names the extension in the path', () => {
    expect(codecError(() => codec.encodeJson(Base, '{"[ext.detail]":{"text":5}}')).path).toBe('Base[ext.detail].text');
    expect(codecError(() => codec.decodeToJson(Base, Buffer.from('a00600', 'hex'))).path).toBe('Base[ext.note]');
  });
  it('per provider: a codec that did not load a file treats its extensions as unknown fields', async () => {
    const base = await loadOurs(FIXTURES, 'extensions.proto');
    const c = new ProtoCodec(base);
    const B = base.findMessage('ext.Base')!;
    // ext.more.more (field 150) is unknown here; ext.note is known.
    expect(c.decodeToJson(B, Buffer.from('a206016eb00903', 'hex'))).toBe('{"[ext.note]":"n"}');
    expect(c.decodeToJson(B, Buffer.from('a206016eb00903', 'hex'), { keepUnknownFields: true })).toBe('{"[ext.note]":"n","$unknown":"sAkD"}');
    expect(() => c.encodeJson(B, '{"[ext.more.more]":1}')).toThrow(/unknown field/);
    // A codec without any resolver knows no extensions at all.
    expect(new ProtoCodec().decodeToJson(B, Buffer.from('a206016e', 'hex'))).toBe('{}');
  });
});

describe('object API', () => {
  it('extension values convert like fields: 64-bit as bigint, bytes as Uint8Array', () => {
    const o = codec.decodeToObject(Base, Buffer.from(BYTES, 'hex'));
    expect(o['[ext.stamps]']).toEqual([5n, -1n]);
    expect(o['[ext.big]']).toBe(18446744073709551615n);
    expect(o['[ext.Detail.raw]']).toEqual(new Uint8Array([1]));
    const back = codec.encodeObject(Base, o);
    expect(codec.decodeToJson(Base, back)).toBe(JSON_TEXT);
  });
});

describe.skipIf(!oracles('protoc'))('against protoc --encode / --decode', () => {
  const run = (mode: string, input: Buffer | string): Buffer =>
    execFileSync('protoc', ['-I', FIXTURES, '-I', PROTO_INCLUDE, `--${mode}=ext.Base`, 'extensions-more.proto'], { input });
  it('protoc writes the bytes we read', () => {
    expect(hex(run('encode', TEXT))).toBe(BYTES);
  });
  it('protoc reads every extension we write, by name (none left as unknown numbers)', () => {
    const ours = Buffer.from(codec.encodeJson(Base, JSON_TEXT));
    const text = run('decode', ours).toString();
    for (const name of ['ext.note', 'ext.stamps', 'ext.color', 'ext.Detail.detail_ext', 'ext.packed_nums', 'ext.big', 'ext.extra', 'ext.more.more', 'ext.Detail.raw']) {
      expect(text).toContain(`[${name}]`);
    }
    expect(text).not.toMatch(/^\d+:/m);
    // Re-encoded by protoc (field-number order), the bytes are protoc's own for TEXT.
    expect(hex(run('encode', text))).toBe(BYTES);
  });
});
