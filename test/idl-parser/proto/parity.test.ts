/**
 * Parity with protoc: every corpus file, resolved by us, equals protoc's
 * FileDescriptorProto (decoded with @bufbuild/protobuf) field by field.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fromBinary, toJson } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { afterAll, expect, it } from 'vitest';
import { loadProtoFile, parseProtoContent, WELL_KNOWN_SOURCES } from '../../../src/idl-parser/proto/index.js';
import { protoFiles } from '../../support/proto-files.js';
import { fileToProtocJson, normaliseProtocJson } from './descriptor-json.js';
import { PROTO_INCLUDE, describeNeeding } from '../../support/oracles.js';

const FIXTURES = path.resolve(__dirname, '../../fixtures/proto');
const SYSTEM = PROTO_INCLUDE;
const work = mkdtempSync(path.join(tmpdir(), 'idlcall-parity-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Json = { [key: string]: unknown };


/** protoc's descriptors for `files` (and their imports), by file name. */
function protoc(includeDirs: string[], files: string[]): Map<string, Json> {
  const out = path.join(work, `set-${Math.random().toString(36).slice(2)}.pb`);
  execFileSync('protoc', ['--include_imports', `--descriptor_set_out=${out}`, ...includeDirs.map((d) => `-I${d}`), ...files], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const set = toJson(FileDescriptorSetSchema, fromBinary(FileDescriptorSetSchema, readFileSync(out))) as { file: Json[] };
  return new Map(set.file.map((f) => [f.name as string, normaliseProtocJson(f)]));
}

const fixtureFiles = protoFiles(FIXTURES).filter((f) => !f.startsWith('editions/'));

describeNeeding(['protoc', 'wkt'], 'protoc parity', () => {
  const systemFiles = protoFiles(path.join(SYSTEM, 'google/protobuf')).map((f) => `google/protobuf/${f}`);
  const expected = new Map<string, Json>([...protoc([SYSTEM], systemFiles), ...protoc([FIXTURES, SYSTEM], fixtureFiles)]);

  it('has a corpus of at least 30 edge-case files plus the seed', () => {
    expect(fixtureFiles.filter((f) => !f.startsWith('seed/')).length).toBeGreaterThanOrEqual(30);
    expect(fixtureFiles).toContain('seed/streaming.proto');
  });

  for (const name of fixtureFiles) {
    it(`matches protoc for ${name} and its imports`, async () => {
      const registry = await loadProtoFile(path.join(FIXTURES, name), { includeDirs: [FIXTURES, SYSTEM] });
      expect(registry.mainFile.name).toBe(name);
      for (const file of registry.files) expect(fileToProtocJson(file), file.name).toEqual(expected.get(file.name));
    });
  }

  for (const name of systemFiles) {
    it(`matches protoc for ${name} read from ${SYSTEM}`, async () => {
      const registry = await loadProtoFile(path.join(SYSTEM, name), { includeDirs: [SYSTEM] });
      for (const file of registry.files) expect(fileToProtocJson(file), file.name).toEqual(expected.get(file.name));
    });
  }

  it('built-in well-known types equal the installed ones, with no include dirs', () => {
    const names = Object.keys(WELL_KNOWN_SOURCES);
    expect(names.sort()).toEqual(systemFiles.filter((f) => !f.includes('/compiler/')).sort());
    const main = names.map((n) => `import "${n}";`).join('\n');
    const registry = parseProtoContent(main, { mainName: 'all.proto' });
    expect(registry.files.length).toBe(names.length + 1);
    for (const file of registry.files) {
      if (file.name === 'all.proto') continue;
      expect(fileToProtocJson(file), file.name).toEqual(expected.get(file.name));
    }
  });
});
