/**
 * Loading the `--idl` file for a command: the IDL kind from the file
 * extension, the provider with its include path and service, the JSON
 * generic, and `Service/Method` targets.
 */
import { existsSync, statSync } from 'node:fs';
import {
  jsonPbGeneric,
  jsonThriftGeneric,
  protoFileProvider,
  thriftFileProvider,
  type Generic,
  type ProtoProvider,
  type ThriftProvider,
} from '../index.js';
import type { ParsedArgs } from './args.js';
import { CliUsageError } from './exit-codes.js';

/** A loaded IDL of either kind. */
export type LoadedIdl = { readonly kind: 'proto'; readonly provider: ProtoProvider } | { readonly kind: 'thrift'; readonly provider: ThriftProvider };

/** Output choices shared by the commands that print JSON. */
export interface JsonChoices {
  /** Proto: write fields at their default values too. */
  emitDefaults?: boolean;
}

/** Loads `--idl FILE` with `-I DIR`… and an optional service name. */
export async function loadIdl(args: ParsedArgs, command: string, service?: string, json: JsonChoices = {}): Promise<LoadedIdl> {
  const path = args.strings.get('idl');
  if (path === undefined) throw new CliUsageError(`${command}: --idl FILE is required (a .proto or .thrift file)`);
  if (!existsSync(path) || !statSync(path).isFile()) throw new CliUsageError(`${command}: --idl ${path}: no such file`);
  const includeDirs = args.lists.get('import-path') ?? [];
  const svc = service !== undefined ? { service } : {};
  if (path.endsWith('.proto')) {
    return { kind: 'proto', provider: await protoFileProvider(path, { includeDirs, ...svc, json: { emitDefaults: json.emitDefaults === true } }) };
  }
  if (path.endsWith('.thrift')) {
    return { kind: 'thrift', provider: await thriftFileProvider(path, { includeDirs, ...svc }) };
  }
  throw new CliUsageError(`${command}: cannot tell the IDL kind of ${path}; name the file *.proto or *.thrift`);
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

/** Validates a `host:port`. */
export function checkHostPort(text: string | undefined, command: string): string {
  if (text === undefined) throw new CliUsageError(`${command}: missing <host:port>; see idlcall ${command} --help`);
  const m = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(text);
  if (!m || Number(m[2]) > 65535) throw new CliUsageError(`${command}: "${text}" is not a host:port (e.g. 127.0.0.1:8888)`);
  return text;
}
