import { loadProtoFile, parseProtoContent, type ProtoRegistry } from '../idl-parser/proto/index.js';
import type { ProtoMessage, ProtoService } from '../idl-parser/proto/descriptor.js';
import { ProtoCodec, type ProtoJsonOptions } from '../codec/proto/index.js';
import { UsageError } from '../errors/usage-error.js';
import { buildRegistry } from '../reflection/descriptor-decode.js';
import { descriptorSetOf, fileOfService, readDescriptorSets, type DescriptorSetInput } from '../reflection/descriptor-set.js';
import type { ReflectionFetchOptions } from '../reflection/reflection-client.js';
import type { CallMode } from './call-mode.js';
import { unknownNameHint } from './suggest.js';

/** Options for the `.proto` providers. */
export interface ProtoProviderOptions {
  /** Import search path, like protoc's `-I`. */
  includeDirs?: string[];
  /** The service to call when the file declares several; by default the last one, as Kitex does. */
  service?: string;
  /** Default JSON mapping options for `encodeJson`/`decodeToJson` and the JSON generic. */
  json?: ProtoJsonOptions;
}

/** Options for {@link protoReflectionProvider}. */
export interface ProtoReflectionOptions extends Omit<ProtoProviderOptions, 'includeDirs'>, Omit<ReflectionFetchOptions, 'service'> {}

/** Options for {@link protoContentProvider}. */
export interface ProtoContentOptions extends ProtoProviderOptions {
  /** Imported files by import path (`'common.proto': '…'`). */
  files?: Record<string, string>;
  /** The main file's name, used in error locations and for relative imports. */
  mainName?: string;
}

/**
 * A loaded `.proto` IDL: its resolved descriptors, the chosen service and a
 * codec (Kitex's `PbFileProvider`). Also transcodes any message type.
 */
export class ProtoProvider {
  readonly idl = 'proto' as const;
  readonly registry: ProtoRegistry;
  /** The service calls go to; undefined when the file declares none. */
  readonly service: ProtoService | undefined;
  readonly codec: ProtoCodec;
  /** The services a server listed, for a provider built by reflection without a `service`. */
  readonly servedServices: readonly string[] | undefined;

  constructor(registry: ProtoRegistry, opts: ProtoProviderOptions = {}, servedServices?: readonly string[]) {
    this.registry = registry;
    this.service = pickService(registry, opts.service);
    this.codec = new ProtoCodec(registry, opts.json);
    this.servedServices = servedServices;
  }

  /** The chosen service's methods with their call modes. */
  methods(): Array<{ name: string; mode: CallMode }> {
    return (this.service?.methods ?? []).map((m) => ({ name: m.name, mode: m.streamingMode }));
  }

  /**
   * A message type by full name (`pb.Request`) or by a name relative to the
   * main file's package (`Request`, `Outer.Inner`).
   */
  messageType(typeName: string): ProtoMessage {
    const name = typeName.startsWith('.') ? typeName.slice(1) : typeName;
    const pkg = this.registry.mainFile.package;
    const found = this.registry.findMessage(name) ?? (pkg ? this.registry.findMessage(`${pkg}.${name}`) : undefined);
    if (found) return found;
    // Name types the way the caller may: relative to the main package where that applies.
    const prefix = pkg ? `${pkg}.` : '';
    const known: string[] = [];
    for (const m of this.registry.messages()) {
      if (!m.mapEntry) known.push(prefix && m.fullName.startsWith(prefix) ? m.fullName.slice(prefix.length) : m.fullName);
    }
    throw new UsageError(`unknown message type "${typeName}"; ${unknownNameHint(name, known)}`);
  }

  /** Encodes a JSON message of the named type to protobuf binary. */
  encodeJson(typeName: string, json: string, opts?: ProtoJsonOptions): Uint8Array {
    return this.codec.encodeJson(this.messageType(typeName), json, opts);
  }

  /** Decodes protobuf binary of the named type to JSON text. */
  decodeToJson(typeName: string, bytes: Uint8Array, opts?: ProtoJsonOptions): string {
    return this.codec.decodeToJson(this.messageType(typeName), bytes, opts);
  }

  /**
   * Re-encodes protobuf binary of the named type as canonical protobuf binary, in one
   * pass: parsed and checked (UTF-8, wire types, closed enums…), then written as a
   * protobuf runtime would (fields in number order, last one wins, messages merged,
   * shortest varints, packing as declared). Unknown fields are kept with
   * `keepUnknownFields`, else dropped.
   */
  transcode(typeName: string, bytes: Uint8Array, opts?: { keepUnknownFields?: boolean }): Uint8Array {
    return this.codec.transcode(this.messageType(typeName), bytes, opts);
  }

  /**
   * Every loaded file as a `google.protobuf.FileDescriptorSet`, dependencies first: for a
   * parsed `.proto`, what `protoc --include_imports --descriptor_set_out` writes for it
   * (without source info); for descriptors that arrived as bytes, those bytes.
   */
  descriptorSet(): Uint8Array {
    return descriptorSetOf(this.registry);
  }
}

function pickService(registry: ProtoRegistry, wanted: string | undefined): ProtoService | undefined {
  const services = registry.mainFile.services;
  if (wanted === undefined) return services[services.length - 1];
  const found = services.find((s) => s.name === wanted || s.fullName === wanted);
  if (!found) {
    throw new UsageError(
      `no service "${wanted}" in ${registry.mainFile.name}; ${unknownNameHint(wanted, services.map((s) => s.name))}`,
    );
  }
  return found;
}

/** Loads a `.proto` file and its imports (Kitex's `NewPbFileProvider`). */
export async function protoFileProvider(path: string, opts: ProtoProviderOptions = {}): Promise<ProtoProvider> {
  const registry = await loadProtoFile(path, { includeDirs: opts.includeDirs ?? [] });
  return new ProtoProvider(registry, opts);
}

/**
 * Builds a provider from compiled descriptors: a `FileDescriptorSet` (`protoc -o`,
 * `buf build -o`, grpcurl's `-protoset` files) as bytes or a file path, or several of them
 * (their files are merged; a file in more than one must be identical). The descriptors and
 * codecs are the same as for the `.proto` files they were compiled from. The main file is
 * the one declaring `opts.service` when given, else the set's last file. Throws `IdlError`
 * for a malformed set, a missing dependency, a duplicate symbol or an unresolvable type.
 */
export async function protoDescriptorSetProvider(
  setOrPath: DescriptorSetInput | readonly DescriptorSetInput[],
  opts: Omit<ProtoProviderOptions, 'includeDirs'> = {},
): Promise<ProtoProvider> {
  const inputs = Array.isArray(setOrPath) ? (setOrPath as readonly DescriptorSetInput[]) : [setOrPath as DescriptorSetInput];
  return new ProtoProvider(await readDescriptorSets(inputs, opts.service), opts);
}

/**
 * Builds a provider from a running server's gRPC reflection (`grpc.reflection.v1`, else
 * `v1alpha`), as grpcurl does when it has no `.proto` at hand: the files declaring the
 * server's services (only `opts.service`'s when given) and their dependencies. Without
 * `service`, the main file is the one declaring the last listed service that is not health
 * or reflection. Throws `UsageError` when the server offers no reflection or lacks
 * `service`, `IdlError` for inconsistent descriptors, `RpcError` when the exchange fails
 * (garbage: INTERNAL; more than `maxDescriptorBytes`, default 16 MiB: RESOURCE_EXHAUSTED).
 */
export function protoReflectionProvider(hostPort: string, opts: ProtoReflectionOptions = {}): Promise<ProtoProvider> {
  return reflectedProvider(hostPort, opts);
}

/**
 * protoReflectionProvider, and for the CLI's `describe SYMBOL`: with `symbol`, only the files
 * declaring that symbol (any symbol) are fetched. A `service` given by its simple name makes
 * every listed service's files be fetched, to find it among them.
 */
export async function reflectedProvider(hostPort: string, opts: ProtoReflectionOptions, symbol?: string): Promise<ProtoProvider> {
  const only = symbol ?? (opts.service?.includes('.') ? opts.service : undefined);
  const { service: _wanted, ...fetchOpts } = opts;
  // The reflection client (and node:http2's client side) loads only for providers that need it.
  const { fetchReflection } = await import('../reflection/reflection-client.js');
  const got = await fetchReflection(hostPort, { ...fetchOpts, ...(only !== undefined ? { service: only } : {}) });
  if (got.files.length === 0) throw new UsageError(`the server at ${hostPort} lists no services`);
  const own = got.services?.filter((s) => !s.startsWith('grpc.reflection.') && s !== 'grpc.health.v1.Health');
  const mainService = opts.service ?? own?.[own.length - 1] ?? got.services?.[got.services.length - 1];
  const registry = buildRegistry(got.files, { label: `the reflection answers of ${hostPort}` }, (files) => fileOfService(files, mainService));
  // An asked-for service must exist (the provider says so); a guessed one only when it does.
  const service = opts.service !== undefined || (mainService !== undefined && fileOfService(registry.files, mainService)) ? { service: mainService } : {};
  return new ProtoProvider(registry, { ...opts, ...service }, got.services);
}

/** Builds a provider from `.proto` text held in memory (Kitex's `NewPbContentProvider`). */
export function protoContentProvider(mainText: string, opts: ProtoContentOptions = {}): ProtoProvider {
  const registry = parseProtoContent(mainText, {
    files: opts.files ?? {},
    ...(opts.mainName !== undefined ? { mainName: opts.mainName } : {}),
    ...(opts.includeDirs !== undefined ? { includeDirs: opts.includeDirs } : {}),
  });
  return new ProtoProvider(registry, opts);
}
