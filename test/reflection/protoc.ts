/** protoc as the judge of descriptor sets: its output for some files, split into files. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { BinaryReader } from '@bufbuild/protobuf/wire';

/** protoc's `--include_imports --descriptor_set_out` for `files` (a temp file, removed). */
export function protocSet(includeDirs: readonly string[], files: readonly string[]): Uint8Array {
  const dir = mkdtempSync(path.join(tmpdir(), 'idlcall-protoc-'));
  try {
    const out = path.join(dir, 'set.pb');
    execFileSync('protoc', ['--include_imports', `--descriptor_set_out=${out}`, ...includeDirs.map((d) => `-I${d}`), ...files], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return new Uint8Array(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The `FileDescriptorProto` bytes of a set with their file names, in order (split by @bufbuild/protobuf). */
export function filesOf(set: Uint8Array): Array<[string, Uint8Array]> {
  const r = new BinaryReader(set);
  const out: Array<[string, Uint8Array]> = [];
  while (r.pos < r.len) {
    r.tag();
    const bytes = r.bytes();
    out.push([fromBinary(FileDescriptorProtoSchema, bytes).name, bytes]);
  }
  return out;
}
