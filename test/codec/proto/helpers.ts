import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { createFileRegistry, type FileRegistry } from '@bufbuild/protobuf';
import { loadProtoFile } from '../../../src/idl-parser/proto/index.js';
import type { ProtoRegistry } from '../../../src/idl-parser/proto/index.js';
import { PROTO_INCLUDE } from '../../support/oracles.js';

/** The codec's own fixtures. */
export const FIXTURES = join(import.meta.dirname, '../../fixtures/proto-codec');

/** Loads a fixture with our parser (the well-known types are built in). */
export async function loadOurs(dir: string, file: string): Promise<ProtoRegistry> {
  return loadProtoFile(join(dir, file), { includeDirs: [dir] });
}

/** Builds a @bufbuild/protobuf registry from protoc's descriptor set for the same files (needs the `protoc` and `wkt` oracles). */
export function loadBuf(dir: string, files: string[]): FileRegistry {
  const tmp = mkdtempSync(join(tmpdir(), 'idlcall-pc-'));
  try {
    const out = join(tmp, 'set.pb');
    execFileSync('protoc', ['-I', dir, '-I', PROTO_INCLUDE, `--descriptor_set_out=${out}`, '--include_imports', ...files]);
    return createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(out)));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Deterministic PRNG (mulberry32) so failures reproduce from the seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Hex of bytes, for readable assertions. */
export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
