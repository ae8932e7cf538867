import { spawnSync } from 'node:child_process';
import { fromBinary, toJsonString } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { ProtoCodec } from '../../../src/codec/proto/index.js';
import { FIXTURES, hex, loadBuf, loadOurs } from './helpers.js';
import { codecError } from '../../support/codec-error.js';
import { PROTO_INCLUDE, describeNeeding } from '../../support/oracles.js';

/*
 * proto2 does not ask strings to be UTF-8: protoc parses such bytes (it only logs), and
 * @bufbuild/protobuf decodes each bad sequence to U+FFFD. proto3 (and editions, unless
 * utf8_validation = NONE) rejects them. idlcall: the same decision per field; proto2
 * strings come out in JSON as bufbuild writes them, and transcode keeps their bytes.
 */

const reg = await loadOurs(FIXTURES, 'kitchen2.proto');
const closedReg = await loadOurs(FIXTURES, 'closed.proto');
const kitchen = await loadOurs(FIXTURES, 'kitchen.proto');
const b = (h: string): Uint8Array => Buffer.from(h, 'hex');

// Legacy { id: 1, label: ff fe "a", Result { url: c3, snippets: ["ok", ed a0 80 (an encoded surrogate)] } }
const LEGACY = b('0801' + '1203fffe61' + '3b' + '4201c3' + '4a026f6b' + '4a03eda080' + '3c');
// Holder { by_name: { ff: LEVEL_LOW } }
const HOLDER = b('22050a01ff1001');

describe('proto2 strings that are not UTF-8', () => {
  const codec = new ProtoCodec(reg);
  const Legacy = reg.findMessage('kitchen2.Legacy')!;
  it('are read, each bad sequence as U+FFFD, in singular, repeated and map-key strings', () => {
    expect(JSON.parse(codec.decodeToJson(Legacy, LEGACY))).toEqual({ id: 1, label: '\uFFFD\uFFFDa', result: { url: '\uFFFD', snippets: ['ok', '\uFFFD\uFFFD\uFFFD'] } });
    const holder = new ProtoCodec(closedReg);
    expect(holder.decodeToJson(closedReg.findMessage('closed.Holder')!, HOLDER)).toBe('{"byName":{"\uFFFD":"LEVEL_LOW"}}');
  });
  it('transcode keeps their bytes, as protoc does', () => {
    expect(hex(codec.transcode(Legacy, LEGACY))).toBe(hex(LEGACY));
    expect(hex(new ProtoCodec(closedReg).transcode(closedReg.findMessage('closed.Holder')!, HOLDER))).toBe(hex(HOLDER));
  });
  it('proto3 strings are still checked, both ways', () => {
    const K = kitchen.findMessage('kitchen.Kitchen')!;
    const bad = b('4a02fffe'); // f_string (9)
    const k = new ProtoCodec(kitchen);
    expect(codecError(() => k.decodeToJson(K, bad)).reason).toMatch(/invalid UTF-8/);
    expect(codecError(() => k.transcode(K, bad)).reason).toMatch(/invalid UTF-8/);
  });
});

describeNeeding(['protoc', 'wkt'], 'proto2 strings that are not UTF-8, against protoc and @bufbuild/protobuf', () => {
  it('bufbuild writes the same JSON', () => {
    const buf = loadBuf(FIXTURES, ['kitchen2.proto', 'closed.proto']);
    const ours = new ProtoCodec(reg);
    const BufLegacy = buf.getMessage('kitchen2.Legacy')!;
    expect(ours.decodeToJson(reg.findMessage('kitchen2.Legacy')!, LEGACY)).toBe(toJsonString(BufLegacy, fromBinary(BufLegacy, LEGACY)));
    const BufHolder = buf.getMessage('closed.Holder')!;
    expect(new ProtoCodec(closedReg).decodeToJson(closedReg.findMessage('closed.Holder')!, HOLDER)).toBe(toJsonString(BufHolder, fromBinary(BufHolder, HOLDER)));
  });
  it('protoc parses them in proto2 and rejects them in proto3', () => {
    const decode = (file: string, type: string, bytes: Uint8Array) => spawnSync('protoc', ['-I', FIXTURES, '-I', PROTO_INCLUDE, `--decode=${type}`, file], { input: bytes });
    const p2 = decode('kitchen2.proto', 'kitchen2.Legacy', LEGACY);
    expect(p2.status).toBe(0);
    expect(p2.stdout.toString()).toContain('label: "\\377\\376a"');
    const p3 = decode('kitchen.proto', 'kitchen.Kitchen', b('4a02fffe'));
    expect(p3.status).not.toBe(0);
    expect(p3.stderr.toString()).toMatch(/invalid UTF-8/);
  });
});
