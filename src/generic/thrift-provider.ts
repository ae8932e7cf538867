import { loadThriftFile, parseThriftContent, type ThriftRegistry } from '../idl-parser/thrift/index.js';
import type { ThriftService, ThriftStruct } from '../idl-parser/thrift/descriptor.js';
import { ThriftCodec, type ThriftJsonOptions } from '../codec/thrift/index.js';
import { UsageError } from '../errors/usage-error.js';
import type { CallMode } from './call-mode.js';
import { unknownNameHint } from './suggest.js';

/** Options for the `.thrift` providers. */
export interface ThriftProviderOptions {
  /** Include search path, after the including file's own directory. */
  includeDirs?: string[];
  /** The service to call when the file declares several; by default the last one, as Kitex does. */
  service?: string;
  /** Default JSON mapping options for `encodeJson`/`decodeToJson` and the JSON generic. */
  json?: ThriftJsonOptions;
}

/** Options for {@link thriftContentProvider}. */
export interface ThriftContentOptions extends ThriftProviderOptions {
  /** Included files by include path (`'base.thrift': '…'`). */
  files?: Record<string, string>;
  /** The main file's name, used in error locations and as its include name. */
  mainName?: string;
}

/**
 * A loaded `.thrift` IDL: resolved descriptors, the chosen service and a
 * codec (Kitex's `ThriftFileProvider`). Also transcodes any struct type.
 */
export class ThriftProvider {
  readonly idl = 'thrift' as const;
  readonly registry: ThriftRegistry;
  /** The service calls go to; undefined when the file declares none. */
  readonly service: ThriftService | undefined;
  readonly codec: ThriftCodec;

  constructor(registry: ThriftRegistry, opts: ThriftProviderOptions = {}) {
    this.registry = registry;
    this.service = pickService(registry, opts.service);
    this.codec = new ThriftCodec(opts.json);
  }

  /** The chosen service's functions (inherited ones included) with their call modes. */
  methods(): Array<{ name: string; mode: CallMode }> {
    if (!this.service) return [];
    return [...this.service.functions.values()].map((f) => ({
      name: f.name,
      mode: f.streamingMode === 'none' ? 'pingpong' : f.streamingMode,
    }));
  }

  /** A struct, union or exception by IDL name: `Kitchen` (main file) or `kitchen.Kitchen`. */
  structType(typeName: string): ThriftStruct {
    const found = this.registry.findStruct(typeName);
    if (found) return found;
    const known: string[] = [];
    for (const f of this.registry.files) for (const s of f.structs) known.push(f === this.registry.mainFile ? s.name : s.fullName);
    throw new UsageError(`unknown struct type "${typeName}"; ${unknownNameHint(typeName, known)}`);
  }

  /** Encodes a JSON value of the named struct type to Thrift binary (or compact, per options). */
  encodeJson(typeName: string, json: string, opts?: ThriftJsonOptions): Uint8Array {
    return this.codec.encodeJson(this.structType(typeName), json, opts);
  }

  /** Decodes Thrift bytes of the named struct type to JSON text. */
  decodeToJson(typeName: string, bytes: Uint8Array, opts?: ThriftJsonOptions): string {
    return this.codec.decodeToJson(this.structType(typeName), bytes, opts);
  }
}

function pickService(registry: ThriftRegistry, wanted: string | undefined): ThriftService | undefined {
  const services = registry.mainFile.services;
  if (wanted === undefined) return services[services.length - 1];
  const found = services.find((s) => s.name === wanted || s.fullName === wanted);
  if (!found) {
    throw new UsageError(
      `no service "${wanted}" in ${registry.mainFile.path}; ${unknownNameHint(wanted, services.map((s) => s.name))}`,
    );
  }
  return found;
}

/** Loads a `.thrift` file and its includes (Kitex's `NewThriftFileProvider`). */
export async function thriftFileProvider(path: string, opts: ThriftProviderOptions = {}): Promise<ThriftProvider> {
  const registry = await loadThriftFile(path, { includeDirs: opts.includeDirs ?? [] });
  return new ThriftProvider(registry, opts);
}

/** Builds a provider from `.thrift` text held in memory (Kitex's `NewThriftContentProvider`). */
export function thriftContentProvider(mainText: string, opts: ThriftContentOptions = {}): ThriftProvider {
  const registry = parseThriftContent(mainText, {
    files: opts.files ?? {},
    ...(opts.mainName !== undefined ? { mainName: opts.mainName } : {}),
    ...(opts.includeDirs !== undefined ? { includeDirs: opts.includeDirs } : {}),
  });
  return new ThriftProvider(registry, opts);
}
