import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { fromBinary, fromJsonString, toBinary, toJsonString, type DescMessage, type FileRegistry } from '@bufbuild/protobuf';
import { ProtoCodec } from '../../../src/codec/proto/index.js';
import type { ProtoMessage, ProtoRegistry } from '../../../src/idl-parser/proto/index.js';
import { genMessage, type GenOptions } from './generate.js';
import { FIXTURES, loadBuf, loadOurs, rng } from './helpers.js';
import { describeNeeding } from '../../support/oracles.js';

/*
 * Differential tests against @bufbuild/protobuf v2 (built from protoc's
 * descriptor set of the same files): random JSON from the descriptors is
 * encoded by both; each side's bytes are decoded by the other; canonical JSON
 * output must match bufbuild's toJsonString (compared as parsed JSON: map key
 * order differs, values do not). Seeds are printed on failure.
 */

const ANY_TYPES = ['kitchen.Inner', 'google.protobuf.Timestamp', 'google.protobuf.Int64Value'];

function check(
  codec: ProtoCodec,
  ours: ProtoMessage,
  buf: DescMessage,
  registry: FileRegistry,
  json: string,
  oracleJson: string,
  seed: number,
  variant: number,
): boolean {
  const ctx = `seed ${seed} ${ours.fullName}\n${json}`;
  const jsonOpts = {
    registry,
    alwaysEmitImplicit: variant === 1,
    useProtoFieldName: variant === 2,
    enumAsInteger: variant === 3,
  };
  let theirs;
  let expected: unknown;
  try {
    theirs = fromJsonString(buf, oracleJson, { registry });
    expected = JSON.parse(toJsonString(buf, theirs, jsonOpts));
  } catch (e) {
    // The oracle refuses its own input only for un-instantiable types (a cycle of required fields).
    if (String(e).includes('required field not set')) return false;
    throw e;
  }
  const ourBytes = codec.encodeJson(ours, json);
  const ourOpts = { emitDefaults: variant === 1, useProtoNames: variant === 2, enumAsInteger: variant === 3 };
  // Our bytes, read by bufbuild, mean the same message.
  const back = fromBinary(buf, ourBytes);
  expect(JSON.parse(toJsonString(buf, back, jsonOpts)), ctx).toEqual(expected);
  // Our JSON output of our bytes equals bufbuild's output.
  expect(JSON.parse(codec.decodeToJson(ours, ourBytes, ourOpts)), ctx).toEqual(expected);
  // bufbuild's bytes decode with ours to the same JSON.
  const theirBytes = toBinary(buf, theirs);
  expect(JSON.parse(codec.decodeToJson(ours, theirBytes, ourOpts)), ctx).toEqual(expected);
  return true;
}

function runMessages(reg: ProtoRegistry, bufReg: FileRegistry, names: string[], iterations: number, opts: GenOptions): void {
  const codec = new ProtoCodec(reg);
  for (const name of names) {
    const ours = reg.findMessage(name)!;
    const buf = bufReg.getMessage(name)!;
    expect(buf, name).toBeDefined();
    let checked = 0;
    for (let i = 0; i < iterations; i++) {
      const seed = hashSeed(name, i);
      const json = genMessage(rng(seed), ours, opts);
      const oracleJson = genMessage(rng(seed), ours, { ...opts, quote64: true });
      if (check(codec, ours, buf, bufReg, json, oracleJson, seed, i % 4)) checked++;
    }
    if (name !== 'edge.required.Req') expect(checked, name).toBe(iterations);
  }
}

function hashSeed(name: string, i: number): number {
  let h = 2166136261;
  for (let k = 0; k < name.length; k++) h = Math.imul(h ^ name.charCodeAt(k), 16777619);
  return (h ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0;
}

describeNeeding(['protoc', 'wkt'], 'differential vs @bufbuild/protobuf: kitchen fixtures', async () => {
  const reg = await loadOurs(FIXTURES, 'kitchen.proto');
  const bufReg = loadBuf(FIXTURES, ['kitchen.proto', 'kitchen2.proto']);
  it('kitchen.Kitchen and kitchen.Inner (proto3, every kind, WKTs, maps, oneofs)', () => {
    runMessages(reg, bufReg, ['kitchen.Kitchen', 'kitchen.Inner'], 400, { unknownEnums: true, anyTypes: ANY_TYPES, depth: 3 });
  });
  it('kitchen2.Legacy (proto2: groups, required, closed enums)', async () => {
    const reg2 = await loadOurs(FIXTURES, 'kitchen2.proto');
    runMessages(reg2, bufReg, ['kitchen2.Legacy'], 300, { depth: 3 });
  });
});

describeNeeding(['protoc', 'wkt'], 'differential vs @bufbuild/protobuf: parser corpus', async () => {
  const dir = join(import.meta.dirname, '../../fixtures/proto');
  const files = readdirSync(dir).filter((f) => f.endsWith('.proto'));
  for (const file of files) {
    let bufReg: FileRegistry;
    try {
      bufReg = loadBuf(dir, [file]);
    } catch {
      continue; // not a file protoc accepts on its own (negative fixtures, newer syntax)
    }
    it(file, async () => {
      const reg = await loadOurs(dir, file);
      const names = [...reg.messages()]
        .filter((m) => m.file.name === reg.mainFile.name && !m.mapEntry)
        .map((m) => m.fullName)
        .filter((n) => bufReg.getMessage(n) !== undefined);
      runMessages(reg, bufReg, names, 40, { unknownEnums: true, depth: 2 });
    });
  }
});
