/**
 * Descriptor sets in and out: `protoc -o` / `buf build -o` / grpcurl `-protoset` files read
 * into a registry, and a registry written back as a `FileDescriptorSet`.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ProtoFile, ProtoService } from '../idl-parser/proto/descriptor.js';
import type { ProtoRegistry } from '../idl-parser/proto/registry.js';
import { IdlError } from '../errors/idl-error.js';
import { buildRegistry, splitDescriptorSet } from './descriptor-decode.js';
import { encodeDescriptorSet, fileDescriptorBytes } from './descriptor-encode.js';

/** A descriptor set: its bytes, or the path of a file holding them. */
export type DescriptorSetInput = Uint8Array | string;

/** The file declaring `service` (a full name, or a simple name when only one file has it). */
export function fileOfService(files: readonly ProtoFile[], service: string | undefined): ProtoFile | undefined {
  if (service === undefined) return undefined;
  const name = service.startsWith('.') ? service.slice(1) : service;
  const matches = (s: ProtoService): boolean => s.fullName === name || s.name === name;
  return files.find((f) => f.services.some((s) => s.fullName === name)) ?? files.find((f) => f.services.some(matches));
}

/**
 * Reads one or more descriptor sets (later ones may repeat files of earlier ones, which must
 * then be identical) into one registry. Its main file is the one declaring `service` when
 * given, else the last file of the last set (protoc writes the named files last).
 */
export async function readDescriptorSets(inputs: readonly DescriptorSetInput[], service?: string): Promise<ProtoRegistry> {
  const files: Uint8Array[] = [];
  const labels: string[] = [];
  for (const input of inputs) {
    let bytes: Uint8Array;
    let label: string;
    if (typeof input === 'string') {
      label = basename(input);
      try {
        bytes = await readFile(input);
      } catch (e) {
        throw new IdlError({ file: input, line: 0, column: 0 }, `cannot read the descriptor set: ${(e as Error).message}`);
      }
    } else {
      bytes = input;
      label = 'the descriptor set';
    }
    labels.push(label);
    files.push(...splitDescriptorSet(bytes, { label }));
  }
  return buildRegistry(files, { label: labels.join(', ') || 'the descriptor set' }, (all) => fileOfService(all, service));
}

/**
 * The registry's files as a `FileDescriptorSet`, dependencies first: for a parsed `.proto`
 * what `protoc --include_imports --descriptor_set_out` writes (without source info).
 */
export function descriptorSetOf(registry: ProtoRegistry, files: readonly ProtoFile[] = registry.files): Uint8Array {
  return encodeDescriptorSet(files, registry);
}

/** One file's `FileDescriptorProto` bytes. */
export function fileDescriptorOf(registry: ProtoRegistry, file: ProtoFile): Uint8Array {
  return fileDescriptorBytes(file, registry);
}
