/**
 * Loading the schema for a command: the `--idl` file (the IDL kind from the
 * file extension, the provider with its include path and service), or
 * `--protoset` descriptor sets, or a server's reflection; the JSON generic,
 * and `Service/Method` targets.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  jsonPbGeneric,
  jsonThriftGeneric,
  protoDescriptorSetProvider,
  protoFileProvider,
  thriftFileProvider,
  type Generic,
  type ProtoProvider,
  type ThriftProvider,
} from '../index.js';
import { reflectedProvider, type ProtoReflectionOptions } from '../generic/proto-provider.js';
import { ReflectionUnavailableError } from '../reflection/reflection-client.js';
import { isDiscoveryTarget, parseDnsTarget, parseEtcdTarget } from '../discovery/index.js';
import type { FlagSpec, ParsedArgs } from './args.js';
import { CliUsageError } from './exit-codes.js';

/**
 * The flags that say which IDL to load: the file, kitexcall's `--type`, import directories,
 * or descriptor sets (grpcurl's and ghz's `--protoset`, repeatable).
 */
export const IDL_FLAGS: readonly FlagSpec[] = [
  { name: 'idl', kind: 'string' },
  { name: 'type', kind: 'string' },
  { name: 'import-path', short: 'I', kind: 'list' },
  { name: 'protoset', kind: 'list' },
];

/** Where a schema came from: an IDL file, descriptor sets, or the server's reflection. */
export type SchemaSource = 'idl' | 'protoset' | 'reflection';

/** A loaded IDL of either kind. */
export type LoadedIdl = (
  | { readonly kind: 'proto'; readonly provider: ProtoProvider }
  | { readonly kind: 'thrift'; readonly provider: ThriftProvider }
) & { readonly source: SchemaSource };

/** A server to ask by reflection when neither `--idl` nor `--protoset` is given. */
export interface RemoteSchema {
  readonly hostPort: string;
  /** TLS, metadata, timeout and `:authority` for the reflection stream. */
  readonly options: ProtoReflectionOptions;
  /** A symbol to fetch the file of (instead of every listed service's files). */
  readonly symbol?: string;
}

/** Output choices shared by the commands that print JSON. */
export interface JsonChoices {
  /** Proto: write fields at their default values too. */
  emitDefaults?: boolean;
}

/** The IDL kind: kitexcall's `--type` (thrift | protobuf), else the file's extension. */
function idlKind(path: string, type: string | undefined, command: string): 'proto' | 'thrift' {
  const byName = path.endsWith('.proto') ? 'proto' : path.endsWith('.thrift') ? 'thrift' : undefined;
  if (type === undefined) {
    if (byName) return byName;
    throw new CliUsageError(`${command}: cannot tell the IDL kind of ${path}; name the file *.proto or *.thrift, or give --type thrift|protobuf`);
  }
  const t = type.toLowerCase();
  const kind = t === 'thrift' ? 'thrift' : t === 'protobuf' || t === 'proto' ? 'proto' : undefined;
  if (!kind) throw new CliUsageError(`${command}: --type must be thrift or protobuf, not "${type}"`);
  if (byName && byName !== kind) throw new CliUsageError(`${command}: --type ${type} does not match ${path}`);
  return kind;
}

/** Which IDL file (or descriptor sets) to load and how: plain data, so a bench worker thread can load it again. */
export interface IdlSpec {
  /** The IDL file; empty when `protosets` name the schema. */
  readonly path: string;
  /** kitexcall's `--type` (thrift | protobuf), when given. */
  readonly type: string | undefined;
  readonly importPaths: readonly string[];
  /** `--protoset` files, instead of `path`. */
  readonly protosets?: readonly string[];
}

/** The `--idl`, `--type`, `-I` and `--protoset` flags as an {@link IdlSpec}. */
export function idlSpecOf(args: ParsedArgs, command: string): IdlSpec {
  const path = args.strings.get('idl');
  const protosets = args.lists.get('protoset');
  if (path !== undefined && protosets) throw new CliUsageError(`${command}: give --idl or --protoset, not both`);
  if (protosets) return { path: '', type: undefined, importPaths: [], protosets };
  if (path === undefined) throw new CliUsageError(`${command}: --idl FILE or --protoset FILE is required (a .proto or .thrift file, or a descriptor set)`);
  return { path, type: args.strings.get('type'), importPaths: args.lists.get('import-path') ?? [] };
}

/**
 * Loads the schema: `--idl FILE` with `-I DIR`…, or `--protoset FILE`… (merged), or else, given
 * a `remote` server, that server's reflection (as grpcurl does); `service` picks the service.
 */
export async function loadIdl(args: ParsedArgs, command: string, service?: string, json: JsonChoices = {}, remote?: RemoteSchema): Promise<LoadedIdl> {
  if (remote && !args.strings.has('idl') && !args.lists.has('protoset')) {
    const opts: ProtoReflectionOptions = { ...remote.options, json: { emitDefaults: json.emitDefaults === true }, ...(service !== undefined ? { service } : {}) };
    try {
      return { kind: 'proto', source: 'reflection', provider: await reflectedProvider(remote.hostPort, opts, remote.symbol) };
    } catch (err) {
      if (err instanceof ReflectionUnavailableError) {
        throw new CliUsageError(`${command}: ${err.message.replace(/; load the schema.*$/, '')}; give the schema with --idl FILE or --protoset FILE`);
      }
      throw err;
    }
  }
  return loadIdlSpec(idlSpecOf(args, command), command, service, json);
}

/** Loads an IDL file, with imports looked up in its directory and the current one too; or descriptor sets. */
export async function loadIdlSpec(spec: IdlSpec, command: string, service?: string, json: JsonChoices = {}): Promise<LoadedIdl> {
  if (spec.protosets) {
    for (const p of spec.protosets) if (!existsSync(p) || !statSync(p).isFile()) throw new CliUsageError(`${command}: --protoset ${p}: no such file`);
    const svc = service !== undefined ? { service } : {};
    return { kind: 'proto', source: 'protoset', provider: await protoDescriptorSetProvider(spec.protosets, { ...svc, json: { emitDefaults: json.emitDefaults === true } }) };
  }
  // grpcurl names -proto files relative to its -import-path directories; the current directory comes first.
  const path = [spec.path, ...spec.importPaths.map((d) => join(d, spec.path))].find((p) => existsSync(p) && statSync(p).isFile());
  if (path === undefined) throw new CliUsageError(`${command}: --idl ${spec.path}: no such file${spec.importPaths.length ? ' (nor under the import paths)' : ''}`);
  const kind = idlKind(path, spec.type, command);
  // The -I directories, then the file's own directory and the current one (as ghz adds them),
  // so a file that imports its neighbours loads without flags.
  const includeDirs = [...new Set([...spec.importPaths, dirname(path), '.'])];
  const svc = service !== undefined ? { service } : {};
  if (kind === 'proto') {
    return { kind, source: 'idl', provider: await protoFileProvider(path, { includeDirs, ...svc, json: { emitDefaults: json.emitDefaults === true } }) };
  }
  return { kind, source: 'idl', provider: await thriftFileProvider(path, { includeDirs, ...svc }) };
}

/** The JSON generic over a loaded IDL (Kitex's JSONPbGeneric / JSONThriftGeneric). */
export function jsonGenericOf(idl: LoadedIdl, json: JsonChoices = {}): Generic<string, string> {
  return idl.kind === 'proto'
    ? jsonPbGeneric(idl.provider, { emitDefaults: json.emitDefaults === true })
    : jsonThriftGeneric(idl.provider);
}

/** A `Service/Method` (or `pkg.Service/Method`, `pkg.Service.Method`, bare `Method`) target. */
export interface MethodTarget {
  /** Undefined when only a method was named: the IDL's default (last) service. */
  readonly service: string | undefined;
  readonly method: string;
}

/** Splits a method target; the service part may carry the package. */
export function parseTarget(text: string, command: string): MethodTarget {
  const slash = text.lastIndexOf('/');
  if (slash >= 0) {
    const service = text.slice(0, slash).replace(/^\//, '');
    const method = text.slice(slash + 1);
    if (!method) throw new CliUsageError(`${command}: "${text}" names no method; write Service/Method`);
    return { service: service || undefined, method };
  }
  const dot = text.lastIndexOf('.');
  if (dot > 0) return { service: text.slice(0, dot), method: text.slice(dot + 1) };
  if (!text) throw new CliUsageError(`${command}: name the method as Service/Method`);
  return { service: undefined, method: text };
}

/**
 * The addresses and the method of a call: `<host:port> <Service/Method>` as
 * grpcurl and ghz take them, or kitexcall's `-e HOST:PORT` (repeatable) and
 * `-m Service/Method` (ghz: `--call`).
 */
export function callTarget(args: ParsedArgs, command: string): { hostPorts: string[]; target: MethodTarget } {
  const positionals = [...args.positionals];
  const endpoints = args.lists.get('endpoint');
  const hostPorts = endpoints ? endpoints.map((e) => checkHostPort(e, command)) : [checkHostPort(positionals.shift(), command)];
  if (hostPorts.length > 1 && hostPorts.some(isDiscoveryTarget)) throw new CliUsageError(`${command}: a dns: or etcd:// target stands alone; give it once`);
  const methodText = args.strings.get('method') ?? positionals.shift();
  if (positionals.length) throw new CliUsageError(`${command}: unexpected argument "${positionals[0]}"; quote JSON given to -d`);
  if (methodText === undefined) throw new CliUsageError(`${command}: missing <Service/Method>; see idlcall list --idl FILE`);
  return { hostPorts, target: parseTarget(methodText, command) };
}

/** True for a `host:port` (`[v6]:port`) rather than a symbol name. */
export function looksLikeHostPort(text: string): boolean {
  return /^(\[[^\]]+\]|[^:\s/]+):\d{1,5}$/.test(text);
}

/** Validates a target: a `host:port`, or a `dns:///host:port` or `etcd://host:port[,host:port]/Service` to resolve. */
export function checkHostPort(text: string | undefined, command: string): string {
  if (text === undefined) throw new CliUsageError(`${command}: missing <host:port>; see idlcall ${command} --help`);
  if (isDiscoveryTarget(text)) {
    try {
      if (text.startsWith('dns:')) parseDnsTarget(text);
      else parseEtcdTarget(text);
    } catch (e) {
      throw new CliUsageError(`${command}: ${(e as Error).message}`);
    }
    return text;
  }
  const m = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(text);
  if (!m || Number(m[2]) > 65535) throw new CliUsageError(`${command}: "${text}" is not a host:port (e.g. 127.0.0.1:8888), dns:///host:port or etcd://host:port/Service`);
  return text;
}
