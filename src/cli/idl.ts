/**
 * Loading the `--idl` file for a command: the IDL kind from the file
 * extension, the provider with its include path and service, the JSON
 * generic, and `Service/Method` targets.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  jsonPbGeneric,
  jsonThriftGeneric,
  protoFileProvider,
  thriftFileProvider,
  type Generic,
  type ProtoProvider,
  type ThriftProvider,
} from '../index.js';
import type { FlagSpec, ParsedArgs } from './args.js';
import { CliUsageError } from './exit-codes.js';

/** The flags that say which IDL to load: the file, kitexcall's `--type`, import directories. */
export const IDL_FLAGS: readonly FlagSpec[] = [
  { name: 'idl', kind: 'string' },
  { name: 'type', kind: 'string' },
  { name: 'import-path', short: 'I', kind: 'list' },
];

/** A loaded IDL of either kind. */
export type LoadedIdl = { readonly kind: 'proto'; readonly provider: ProtoProvider } | { readonly kind: 'thrift'; readonly provider: ThriftProvider };

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

/** Which IDL file to load and how: plain data, so a bench worker thread can load it again. */
export interface IdlSpec {
  readonly path: string;
  /** kitexcall's `--type` (thrift | protobuf), when given. */
  readonly type: string | undefined;
  readonly importPaths: readonly string[];
}

/** The `--idl`, `--type` and `-I` flags as an {@link IdlSpec}. */
export function idlSpecOf(args: ParsedArgs, command: string): IdlSpec {
  const path = args.strings.get('idl');
  if (path === undefined) throw new CliUsageError(`${command}: --idl FILE is required (a .proto or .thrift file)`);
  return { path, type: args.strings.get('type'), importPaths: args.lists.get('import-path') ?? [] };
}

/** Loads `--idl FILE` with `-I DIR`… and an optional service name. */
export function loadIdl(args: ParsedArgs, command: string, service?: string, json: JsonChoices = {}): Promise<LoadedIdl> {
  return loadIdlSpec(idlSpecOf(args, command), command, service, json);
}

/** Loads an IDL file, with imports looked up in its directory and the current one too. */
export async function loadIdlSpec(spec: IdlSpec, command: string, service?: string, json: JsonChoices = {}): Promise<LoadedIdl> {
  // grpcurl names -proto files relative to its -import-path directories; the current directory comes first.
  const path = [spec.path, ...spec.importPaths.map((d) => join(d, spec.path))].find((p) => existsSync(p) && statSync(p).isFile());
  if (path === undefined) throw new CliUsageError(`${command}: --idl ${spec.path}: no such file${spec.importPaths.length ? ' (nor under the import paths)' : ''}`);
  const kind = idlKind(path, spec.type, command);
  // The -I directories, then the file's own directory and the current one (as ghz adds them),
  // so a file that imports its neighbours loads without flags.
  const includeDirs = [...new Set([...spec.importPaths, dirname(path), '.'])];
  const svc = service !== undefined ? { service } : {};
  if (kind === 'proto') {
    return { kind, provider: await protoFileProvider(path, { includeDirs, ...svc, json: { emitDefaults: json.emitDefaults === true } }) };
  }
  return { kind, provider: await thriftFileProvider(path, { includeDirs, ...svc }) };
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
  const methodText = args.strings.get('method') ?? positionals.shift();
  if (positionals.length) throw new CliUsageError(`${command}: unexpected argument "${positionals[0]}"; quote JSON given to -d`);
  if (methodText === undefined) throw new CliUsageError(`${command}: missing <Service/Method>; see idlcall list --idl FILE`);
  return { hostPorts, target: parseTarget(methodText, command) };
}

/** Validates a `host:port`. */
export function checkHostPort(text: string | undefined, command: string): string {
  if (text === undefined) throw new CliUsageError(`${command}: missing <host:port>; see idlcall ${command} --help`);
  const m = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(text);
  if (!m || Number(m[2]) > 65535) throw new CliUsageError(`${command}: "${text}" is not a host:port (e.g. 127.0.0.1:8888)`);
  return text;
}
