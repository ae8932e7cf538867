/**
 * Descriptor sets out and in, judged by protoc: `provider.descriptorSet()` of a parsed `.proto`
 * is what `protoc --include_imports --descriptor_set_out` writes, byte for byte; a provider
 * built from protoc's set has the same descriptors and encodes messages to the same bytes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { create, createFileRegistry, fromBinary, toBinary, toJson, type FileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { afterAll, describe, expect, it } from 'vitest';
import { IdlError, protoDescriptorSetProvider, protoFileProvider } from '../../src/index.js';
import { encodeFileDescriptor } from '../../src/reflection/descriptor-encode.js';
import { genMessage } from '../codec/proto/generate.js';
import { rng } from '../codec/proto/helpers.js';
import { oracles, PROTO_INCLUDE } from '../support/oracles.js';
import { protoFiles } from '../support/proto-files.js';
import { fileSnapshot } from './model-snapshot.js';
import { filesOf, protocSet } from './protoc.js';

const FIXTURES = path.resolve(__dirname, '../fixtures/proto');
const CODEC_FIXTURES = path.resolve(__dirname, '../fixtures/proto-codec');
const ready = oracles('protoc', 'wkt');
const work = mkdtempSync(path.join(tmpdir(), 'idlcall-dset-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Json = { [key: string]: unknown };



/** A file as @bufbuild/protobuf reads it, custom options included (as extensions from `registry`). */
function readable(bytes: Uint8Array, registry: FileRegistry): Json {
  return toJson(FileDescriptorProtoSchema, fromBinary(FileDescriptorProtoSchema, bytes, { readUnknownFields: true }), { registry }) as Json;
}

/** Ours equals protoc's: file by file, first as decoded structure (readable failures), then as bytes. */
function expectSameSet(ours: Uint8Array, theirs: Uint8Array): void {
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, theirs));
  const a = filesOf(ours);
  const b = filesOf(theirs);
  expect(a.map(([n]) => n)).toEqual(b.map(([n]) => n));
  a.forEach(([name, bytes], i) => {
    expect(readable(bytes, registry), name).toEqual(readable(b[i]![1], registry));
    expect(Buffer.from(bytes).toString('hex'), name).toBe(Buffer.from(b[i]![1]).toString('hex'));
  });
  expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true);
}

const fixtureFiles = protoFiles(FIXTURES).filter((f) => !f.startsWith('editions/'));
const systemFiles = ready ? protoFiles(path.join(PROTO_INCLUDE, 'google/protobuf')).map((f) => `google/protobuf/${f}`) : [];

describe.skipIf(!ready)('descriptors out: provider.descriptorSet() against protoc', () => {
  for (const name of fixtureFiles) {
    it(`${name} and its imports, byte for byte`, async () => {
      const p = await protoFileProvider(path.join(FIXTURES, name), { includeDirs: [FIXTURES, PROTO_INCLUDE] });
      expectSameSet(p.descriptorSet(), protocSet([FIXTURES, PROTO_INCLUDE], [name]));
    });
  }
  it(`the ${systemFiles.length} google/protobuf files of libprotobuf-dev, byte for byte`, async () => {
    for (const name of systemFiles) {
      const p = await protoFileProvider(path.join(PROTO_INCLUDE, name), { includeDirs: [PROTO_INCLUDE] });
      expectSameSet(p.descriptorSet(), protocSet([PROTO_INCLUDE], [name]));
    }
  });
});

describe.skipIf(!ready)('option values protoc encodes its own way', () => {
  it('an expanded Any, groups, every scalar kind, packed runs and proto3 zeros in aggregates, byte for byte', async () => {
    const files: Record<string, string> = {
      'opts/kinds.proto': `syntax = "proto2";
package opts.kinds;
import "google/protobuf/any.proto";
import "google/protobuf/descriptor.proto";
import "opts/p3.proto";
message All {
  optional sint32 s32 = 1; optional sint64 s64 = 2; optional fixed32 f32 = 3; optional sfixed64 sf64 = 4;
  optional float fl = 5; optional double db = 6; optional uint64 u64 = 7; optional bytes raw = 8;
  repeated int32 packed = 9 [packed = true]; repeated sint32 loose = 10;
  optional group Grp = 11 { optional int32 g = 1; }
  optional google.protobuf.Any any = 12; optional E e = 13;
  enum E { ZERO = 0; NEG = -2; }
}
message Three { optional All all = 1; }
extend google.protobuf.FileOptions { optional All all = 51000; repeated int32 nums = 51001; }
extend google.protobuf.MessageOptions { optional P3 p3 = 51002; optional All.E e = 51003; }
extend google.protobuf.FieldOptions { optional group Gx = 51004 { optional string note = 1; } }
`,
      'opts/p3.proto': `syntax = "proto3";
package opts.kinds;
message P3 { int32 zero = 1; string empty = 2; bool off = 3; int32 one = 4; repeated int32 many = 5; }
`,
      'opts/use.proto': `syntax = "proto2";
package opts.use;
import "opts/kinds.proto";
import "opts/p3.proto";
option (opts.kinds.all) = {
  s32: -5 s64: -9000000000 f32: 4000000000 sf64: -1 fl: 1.25 db: -inf u64: 18446744073709551615 raw: "\\x00\\xff"
  packed: [1, -1, 300] loose: [-1, 2] Grp { g: 7 } e: NEG
  any { [type.googleapis.com/opts.kinds.P3] { one: 3 many: [4, 5] } }
};
option (opts.kinds.nums) = 1;
option (opts.kinds.nums) = -2;
message M {
  option (opts.kinds.p3) = { zero: 0 empty: "" off: false one: 1 many: [] };
  option (opts.kinds.e) = NEG;
  optional int32 f = 1 [(opts.kinds.gx).note = "grouped"];
}
`,
    };
    const dir = mkdtempSync(path.join(tmpdir(), 'idlcall-opt-kinds-'));
    try {
      for (const [name, text] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        writeFileSync(path.join(dir, name), text);
      }
      const p = await protoFileProvider(path.join(dir, 'opts/use.proto'), { includeDirs: [dir, PROTO_INCLUDE] });
      expectSameSet(p.descriptorSet(), protocSet([dir, PROTO_INCLUDE], ['opts/use.proto']));
      // And back: decoded from protoc's bytes, encoded again to the same bytes.
      const back = await protoDescriptorSetProvider(protocSet([dir, PROTO_INCLUDE], ['opts/use.proto']));
      const use = back.registry.files.find((f) => f.name === 'opts/use.proto')!;
      const expected = new Map(filesOf(protocSet([dir, PROTO_INCLUDE], ['opts/use.proto'])));
      expect(Buffer.from(encodeFileDescriptor(use, back.registry)).toString('hex')).toBe(Buffer.from(expected.get('opts/use.proto')!).toString('hex'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!ready)('descriptors in: protoDescriptorSetProvider over protoc -o', () => {
  for (const name of [...fixtureFiles, 'google/protobuf/descriptor.proto']) {
    it(`${name}: the same descriptors, options included, as the parsed .proto`, async () => {
      const root = name.startsWith('google/') ? PROTO_INCLUDE : FIXTURES;
      const set = protocSet([root, PROTO_INCLUDE], [name]);
      const fromSet = await protoDescriptorSetProvider(set);
      const parsed = await protoFileProvider(path.join(root, name), { includeDirs: [root, PROTO_INCLUDE] });
      expect(fromSet.registry.mainFile.name).toBe(name);
      expect(fromSet.registry.files.map((f) => f.name)).toEqual(parsed.registry.files.map((f) => f.name));
      const protocBytes = new Map(filesOf(set));
      fromSet.registry.files.forEach((file, i) => {
        expect(fileSnapshot(file), file.name).toEqual(fileSnapshot(parsed.registry.files[i]!));
        // Encoded again from the decoded model (not the kept bytes): nothing was lost, options included.
        expect(Buffer.from(encodeFileDescriptor(file, fromSet.registry)).toString('hex'), file.name).toBe(
          Buffer.from(protocBytes.get(file.name)!).toString('hex'),
        );
      });
      expect(Buffer.from(fromSet.descriptorSet()).equals(Buffer.from(set))).toBe(true);
    });
  }

  it('several sets merge (a file in both must be identical); `service` picks the main file', async () => {
    const a = protocSet([FIXTURES, PROTO_INCLUDE], ['seed/streaming.proto']);
    const b = protocSet([FIXTURES, PROTO_INCLUDE], ['search/gpt.proto']);
    const path1 = path.join(work, 'a.protoset');
    writeFileSync(path1, a);
    const p = await protoDescriptorSetProvider([path1, b], { service: 'pb.StreamingService' });
    expect(p.registry.mainFile.name).toBe('seed/streaming.proto');
    expect(p.service?.fullName).toBe('pb.StreamingService');
    const last = await protoDescriptorSetProvider([a, b]);
    expect(last.registry.mainFile.name).toBe('search/gpt.proto');
  });

  it('a message encodes to the same bytes, and decodes to the same JSON, whichever way its schema arrived', async () => {
    const names = ['kitchen.proto', 'kitchen2.proto', 'runs.proto'];
    const fromSet = await protoDescriptorSetProvider(protocSet([CODEC_FIXTURES, PROTO_INCLUDE], names));
    let checked = 0;
    for (const name of names) {
      const parsed = await protoFileProvider(path.join(CODEC_FIXTURES, name), { includeDirs: [CODEC_FIXTURES, PROTO_INCLUDE] });
      const rand = rng(22 + checked);
      for (const m of parsed.registry.mainFile.messages) {
        for (let i = 0; i < 40; i++) {
          const json = genMessage(rand, m);
          const bytes = parsed.encodeJson(m.fullName, json);
          expect(Buffer.from(fromSet.encodeJson(m.fullName, json)).equals(Buffer.from(bytes)), `${m.fullName} ${json}`).toBe(true);
          expect(fromSet.decodeToJson(m.fullName, bytes)).toBe(parsed.decodeToJson(m.fullName, bytes));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(160);
  });
});

describe.skipIf(!ready)('descriptor sets: bad input is an IdlError naming the file and the symbol', () => {
  const set = (): Uint8Array => protocSet([FIXTURES, PROTO_INCLUDE], ['imports/main.proto']);
  const edit = (f: (s: ReturnType<typeof fromBinary<typeof FileDescriptorSetSchema>>) => void): Uint8Array => {
    const s = fromBinary(FileDescriptorSetSchema, set());
    f(s);
    return toBinary(FileDescriptorSetSchema, s);
  };
  const rejects = async (bytes: Uint8Array, message: RegExp): Promise<void> => {
    const err = await protoDescriptorSetProvider(bytes).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IdlError);
    expect((err as Error).message).toMatch(message);
  };

  it('a missing dependency', async () => {
    await rejects(edit((s) => s.file.splice(0, 1)), /^imports\/.*: imports "imports\/common\/base\.proto", which is not in the descriptor set$/);
  });
  it('a duplicate symbol', async () => {
    await rejects(
      edit((s) => {
        const main = s.file[s.file.length - 1]!;
        main.messageType.push(create(FileDescriptorProtoSchema, { messageType: [{ name: main.messageType[0]!.name }] }).messageType[0]!);
      }),
      /^imports\/main\.proto: "edge\.imports\.\w+" is already defined in file "imports\/main\.proto"$/,
    );
  });
  it('an unresolvable type', async () => {
    await rejects(
      edit((s) => {
        s.file[s.file.length - 1]!.messageType[0]!.field[0]!.typeName = '.nowhere.Gone';
      }),
      /^imports\/main\.proto: field "edge\.imports\.\w+\.\w+": type "\.nowhere\.Gone" is not defined$/,
    );
  });
  it('bytes that are no descriptor set', async () => {
    await rejects(new Uint8Array([0x0a, 0x05, 0x01]), /^the descriptor set: not a FileDescriptorSet: length 5 runs past the end/);
    await rejects(new Uint8Array([0x0a, 0x02, 0x08, 0x01]), /^the descriptor set: file #1 is not a FileDescriptorProto: a FileDescriptorProto has no name/);
  });
  it('a file twice with different contents, and a missing file on disk', async () => {
    const a = protocSet([FIXTURES, PROTO_INCLUDE], ['seed/streaming.proto']);
    const b = edit((s) => (s.file[s.file.length - 1]!.name = 'seed/streaming.proto'));
    const err = await protoDescriptorSetProvider([a, b]).catch((e: unknown) => e);
    expect(String(err)).toMatch(/seed\/streaming\.proto: the file appears twice in the descriptor set, the descriptor set with different contents/);
    await expect(protoDescriptorSetProvider(path.join(work, 'nope.pb'))).rejects.toThrow(/nope\.pb: cannot read the descriptor set/);
  });
});

describe.skipIf(!ready)('editions (protoc 3.21 has none): our set as @bufbuild/protobuf reads it', () => {
  it('features become the field and enum facts bufbuild derives from the set', async () => {
    const parsed = await protoFileProvider(path.join(FIXTURES, 'editions/features.proto'), { includeDirs: [FIXTURES] });
    const set = parsed.descriptorSet();
    const buf = createFileRegistry(fromBinary(FileDescriptorSetSchema, set));
    const back = await protoDescriptorSetProvider(set);
    expect(back.registry.files.map(fileSnapshot)).toEqual(parsed.registry.files.map(fileSnapshot));
    let fields = 0;
    for (const m of parsed.registry.messages()) {
      if (m.mapEntry) continue;
      const bm = buf.getMessage(m.fullName)!;
      for (const f of m.fields) {
        const bf = bm.fields.find((x) => x.number === f.number)!;
        expect('delimitedEncoding' in bf && bf.delimitedEncoding === true, f.fullName).toBe(f.type === 'group');
        if (bf.fieldKind === 'list') expect(bf.packed, f.fullName).toBe(f.packed);
        if (bf.fieldKind === 'scalar' || bf.fieldKind === 'enum') {
          // bufbuild: 1 explicit, 2 implicit, 3 legacy required.
          expect(bf.presence !== 2, f.fullName).toBe(f.hasPresence);
          expect(bf.presence === 3, f.fullName).toBe(f.label === 'required');
        }
        if (bf.fieldKind === 'enum') expect(bf.enum.open, f.fullName).toBe(!f.enum!.closed);
        fields++;
      }
    }
    expect(fields).toBeGreaterThan(10);
  });
});
