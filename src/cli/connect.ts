/**
 * Client flags shared by `call` and `bench`: transport, TLS, timeouts,
 * headers, metainfo, compression and `:authority`, turned into the
 * library's ClientOptions; and the story of each connection for `-v`.
 */
import { readFileSync } from 'node:fs';
import type { AttemptInfo, CallMode, ClientOptions, Compression, ConnectionInfo, RequestMetadata, TlsOptions } from '../index.js';
import { RpcError, codeName } from '../index.js';
import { validateMetadataName } from '../http2/index.js';
import { transientMetainfoHeader } from '../generic/metainfo.js';
import { formatAddress } from '../net/connection-info.js';
import { closestName } from '../generic/suggest.js';
import { isDiscoveryTarget, parseDnsTarget } from '../discovery/index.js';
import { choiceFlag, type FlagSpec, type ParsedArgs } from './args.js';
import { CliUsageError } from './exit-codes.js';
import { parseDuration, parseHeaders } from './format.js';
import { IDL_FLAGS } from './idl.js';
import { fileProblem } from './ndjson.js';

/** Transports the `--transport` flag accepts. */
export const TRANSPORTS = ['grpc', 'ttstream', 'ttheader', 'ttheader-unframed', 'framed', 'buffered', 'theader'] as const;
/** One of {@link TRANSPORTS}. */
export type TransportName = (typeof TRANSPORTS)[number];

/**
 * Other spellings of the transports (lower-cased before lookup): kitexcall's
 * `TTHeader`, `TTHeaderFramed`, `Framed`, `Buffered`, `GRPC`. Kitex (v0.13 on)
 * sends both TTHeader spellings as TTHeader with Framed inside: idlcall's `ttheader`.
 */
export const TRANSPORT_WORDS: Readonly<Record<string, TransportName>> = {
  ttheaderframed: 'ttheader',
};

/** Flags of any gRPC connection (also reflection's and health's): headers, `:authority`, timeouts, TLS. */
export const CONNECTION_FLAGS: readonly FlagSpec[] = [
  { name: 'header', short: 'H', kind: 'list' },
  { name: 'authority', kind: 'string' },
  { name: 'timeout', kind: 'string' },
  { name: 'connect-timeout', kind: 'string' },
  { name: 'tls', kind: 'boolean' },
  { name: 'plaintext', kind: 'boolean' },
  { name: 'insecure', kind: 'boolean' },
  { name: 'cacert', kind: 'string' },
  { name: 'cert', kind: 'string' },
  { name: 'key', kind: 'string' },
  { name: 'servername', kind: 'string' },
];

/** Flags of the client side. */
export const CLIENT_FLAGS: readonly FlagSpec[] = [
  ...IDL_FLAGS,
  ...CONNECTION_FLAGS,
  { name: 'transport', kind: 'string' },
  { name: 'metadata', kind: 'string' },
  { name: 'metadata-file', kind: 'string' },
  { name: 'meta', kind: 'list' },
  { name: 'meta-persistent', kind: 'list' },
  { name: 'meta-backward', kind: 'boolean' },
  { name: 'keepalive', kind: 'string' },
  { name: 'max-msg-size', kind: 'string' },
  { name: 'compress', kind: 'string' },
  { name: 'data', short: 'd', kind: 'string' },
  { name: 'emit-defaults', kind: 'boolean' },
  { name: 'verbose', short: 'v', kind: 'boolean' },
  { name: 'service-config', kind: 'string' },
];

/** What a gRPC connection outside a call takes from the flags (reflection, health): TLS, `-H`, `:authority`, `--timeout`. */
export interface ConnectionSettings {
  tls?: TlsOptions;
  metadata?: Record<string, string | string[]>;
  authority?: string;
  timeoutMs?: number;
}

/** The {@link CONNECTION_FLAGS} as settings. */
export function connectionSettings(args: ParsedArgs, command: string): ConnectionSettings {
  const out: ConnectionSettings = {};
  const tls = tlsOptions(args, command);
  if (tls) out.tls = tls;
  const headers = args.lists.get('header');
  if (headers) {
    out.metadata = parseHeaders(headers);
    checkGrpcMetadata(out.metadata, command);
  }
  const authority = args.strings.get('authority');
  if (authority !== undefined) out.authority = authority;
  const timeout = args.strings.get('timeout');
  if (timeout !== undefined) out.timeoutMs = parseDuration(timeout, '--timeout');
  return out;
}

/** The `--transport` value in idlcall's words (kitexcall's are accepted in any case). */
function transportWord(args: ParsedArgs, command: string): TransportName | undefined {
  const text = args.strings.get('transport');
  if (text === undefined) return undefined;
  const lower = text.toLowerCase();
  if ((TRANSPORTS as readonly string[]).includes(lower)) return lower as TransportName;
  const word = TRANSPORT_WORDS[lower];
  if (word) return word;
  const near = closestName(lower, [...TRANSPORTS, ...Object.keys(TRANSPORT_WORDS)]);
  throw new CliUsageError(`${command}: --transport must be one of ${TRANSPORTS.join(', ')}, not "${text}"${near ? ` (did you mean ${near}?)` : ''}`);
}

/**
 * The transport for a method: `--transport`, else gRPC, except Thrift
 * ping-pong methods, which default to TTHeader as Kitex clients do.
 */
export function transportFor(args: ParsedArgs, idl: 'proto' | 'thrift', mode: CallMode, command: string): TransportName {
  const fallback: TransportName = idl === 'thrift' && mode === 'pingpong' ? 'ttheader' : 'grpc';
  const t = transportWord(args, command) ?? fallback;
  if (t === 'ttstream') {
    // Kitex's TTHeader Streaming: Thrift streams; ping-pong and unary methods go Framed, as Kitex sends them
    if (idl !== 'thrift') throw new CliUsageError(`${command}: ttstream carries Thrift; protobuf streams travel over grpc`);
    return t;
  }
  if (t !== 'grpc' && mode !== 'pingpong' && mode !== 'unary') {
    throw new CliUsageError(`${command}: streaming methods travel over grpc or ttstream; drop --transport ${t}`);
  }
  if (t !== 'grpc' && idl === 'proto' && t !== 'ttheader' && t !== 'framed') {
    throw new CliUsageError(`${command}: protobuf ping-pong travels over ttheader or framed, not ${t}`);
  }
  return t;
}

/** `K=V` pairs (kitexcall's -meta) into a record. */
function keyValues(items: readonly string[] | undefined, flag: string): Record<string, string> | undefined {
  if (!items) return undefined;
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new CliUsageError(`--${flag} "${item}": write it as key=value`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** ghz's `--metadata '{"k":"v"}'` (or `--metadata-file FILE`): an object of strings (or arrays of strings). */
function jsonMetadata(args: ParsedArgs, command: string): Record<string, string | string[]> | undefined {
  let text = args.strings.get('metadata');
  const file = args.strings.get('metadata-file');
  if (file !== undefined) {
    if (text !== undefined) throw new CliUsageError(`${command}: give --metadata or --metadata-file, not both`);
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new CliUsageError(`${command}: --metadata-file ${file}: ${fileProblem(err)}`);
    }
  }
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CliUsageError(`${command}: --metadata must be a JSON object like {"key":"value"}, not ${JSON.stringify(text.slice(0, 40))}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliUsageError(`${command}: --metadata must be a JSON object of strings`);
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out[k] = v as string[];
    else throw new CliUsageError(`${command}: --metadata "${k}" must be a string or an array of strings`);
  }
  return out;
}

/**
 * ClientOptions from the flags, for the targets: `host:port`s, or one `dns:`/`etcd://` target to
 * resolve. `:authority` defaults to the first target's host:port, as grpcurl and ghz send it
 * (a dns: target's name and port, as grpc-js sends it; for etcd the service name, as Kitex).
 */
export function clientOptions(args: ParsedArgs, hostPorts: string[], transport: TransportName, command: string): ClientOptions {
  const target = hostPorts[0]!;
  const resolver = isDiscoveryTarget(target) ? target : undefined;
  const opts: ClientOptions = resolver ? { resolver, transport } : { hostPorts, transport };
  const grpc = transport === 'grpc';
  const timeout = args.strings.get('timeout');
  if (timeout !== undefined) opts.timeoutMs = parseDuration(timeout, '--timeout');
  const connectTimeout = args.strings.get('connect-timeout');
  if (connectTimeout !== undefined) opts.connectTimeoutMs = parseDuration(connectTimeout, '--connect-timeout');
  const keepalive = args.strings.get('keepalive');
  if (keepalive !== undefined) {
    const ms = parseDuration(keepalive, '--keepalive');
    opts.keepalive = { intervalMs: ms, timeoutMs: ms };
  }
  const maxMsg = args.strings.get('max-msg-size');
  if (maxMsg !== undefined) opts.maxReceiveMessageBytes = parseSize(maxMsg, command);

  const metadata: Record<string, string | string[]> = { ...jsonMetadata(args, command), ...parseHeaders(args.lists.get('header') ?? []) };
  // kitexcall's -meta: Kitex transient metainfo (TTHeader RPC_TRANSIT_<key>; over gRPC the header a Kitex client sends).
  for (const [k, v] of Object.entries(keyValues(args.lists.get('meta'), 'meta') ?? {})) metadata[grpc ? transientMetainfoHeader(k) : k] = v;
  if (Object.keys(metadata).length) {
    if (grpc) checkGrpcMetadata(metadata, command);
    opts.metadata = metadata as RequestMetadata;
  }
  const persistent = keyValues(args.lists.get('meta-persistent'), 'meta-persistent');
  if (persistent) opts.persistentMetadata = persistent;

  const compress = args.strings.get('compress');
  if (compress !== undefined) {
    opts.compression = choiceFlag<Compression>(args, 'compress', ['gzip', 'deflate', 'identity'], 'identity', command);
    if (!grpc) throw new CliUsageError(`${command}: --compress applies to the grpc transport only`);
  }
  const tls = tlsOptions(args, command);
  if (tls !== undefined) {
    if (!grpc) throw new CliUsageError(`${command}: TLS applies to the grpc transport only`);
    opts.tls = tls;
  }
  const authority = args.strings.get('authority') ?? (resolver === undefined ? target : resolver.startsWith('dns:') ? dnsAuthority(resolver) : undefined);
  if (grpc && authority !== undefined) opts.authority = authority;
  else if (args.strings.has('authority')) throw new CliUsageError(`${command}: --authority applies to the grpc transport only`);
  return opts;
}

/** The `host:port` a dns: target names (grpc-js's `:authority` for it). */
function dnsAuthority(target: string): string {
  const t = parseDnsTarget(target);
  return `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
}

/** Sizes like `4194304`, `4MB`, `512KiB`. */
function parseSize(text: string, command: string): number {
  const m = /^(\d+)\s*(b|kb|kib|mb|mib|gb|gib)?$/i.exec(text.trim());
  if (!m) throw new CliUsageError(`${command}: --max-msg-size must be a size like 4194304 or 16MB, not "${text}"`);
  const unit = (m[2] ?? 'b').toLowerCase();
  const scale = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 ** 2 : unit.startsWith('g') ? 1024 ** 3 : 1;
  return Number(m[1]) * scale;
}

/**
 * Request headers HTTP/2 and gRPC reserve (`host`, `content-type`, `grpc-*`…)
 * or that are not header names at all: a mistake on the command line, said
 * before anything is sent. (`:authority` has its own flag.)
 */
function checkGrpcMetadata(md: Record<string, unknown>, command: string): void {
  for (const name of Object.keys(md)) {
    try {
      validateMetadataName(name);
    } catch (err) {
      if (!(err instanceof RpcError)) throw err;
      const hint = name === 'host' || name === ':authority' ? '; set :authority with --authority' : '';
      throw new CliUsageError(`${command}: -H ${name}: ${err.rawMessage}${hint}`);
    }
  }
}

/** TLS from `--tls`, `--cacert`, `--cert`, `--key`, `--servername`, `--insecure`; any of them turns TLS on, `--plaintext` refuses them. */
function tlsOptions(args: ParsedArgs, command: string): TlsOptions | undefined {
  const read = (flag: string): Buffer | undefined => {
    const path = args.strings.get(flag);
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch (err) {
      throw new CliUsageError(`${command}: --${flag} ${path}: ${fileProblem(err)}`);
    }
  };
  const tlsFlags = ['tls', 'insecure'].filter((f) => args.booleans.has(f)).concat(['cacert', 'cert', 'key', 'servername'].filter((f) => args.strings.has(f)));
  if (args.booleans.has('plaintext')) {
    if (tlsFlags.length) throw new CliUsageError(`${command}: --plaintext and --${tlsFlags[0]} contradict each other`);
    return undefined;
  }
  if (!tlsFlags.length) return undefined;
  const ca = read('cacert');
  const cert = read('cert');
  const key = read('key');
  if ((cert === undefined) !== (key === undefined)) throw new CliUsageError(`${command}: --cert and --key go together (a client certificate and its key)`);
  const tls: TlsOptions = {};
  if (ca) tls.ca = ca;
  if (cert) tls.cert = cert;
  if (key) tls.key = key;
  const servername = args.strings.get('servername');
  if (servername !== undefined) tls.servername = servername;
  if (args.booleans.has('insecure')) tls.rejectUnauthorized = false;
  return tls;
}

/** `-v` with a retry or hedging policy: each attempt of a call, on stderr. */
export function printAttempt(a: AttemptInfo): void {
  const why = a.kind === 'retry' && a.after ? ` (retry after ${codeName(a.after.code)}: ${a.after.message}; waited ${Math.round(a.delayMs ?? 0)} ms)` : a.kind === 'hedge' ? ' (hedged)' : '';
  process.stderr.write(`Attempt ${a.attempt} to ${a.hostPort}${why}\n`);
}

/** `-v`: the story of each connection, on stderr. */
export function printConnection(info: ConnectionInfo): void {
  process.stderr.write(connectionLines(info).join('\n') + '\n');
}

/** The connection story `-v` prints: where the name resolved, what was agreed, who the TLS peer is. */
export function connectionLines(info: ConnectionInfo): string[] {
  const via = info.protocol === 'h2' ? 'HTTP/2 over TLS' : info.protocol === 'h2c' ? 'HTTP/2 in plaintext (h2c)' : info.protocol;
  const lines = [`Connected to ${info.target} (${formatAddress(info.remoteAddress, info.remotePort)}) from ${formatAddress(info.localAddress, info.localPort)}, ${via}`];
  const t = info.tls;
  if (t) {
    lines.push(`  TLS ${t.version} ${t.cipher}, ALPN ${t.alpn ?? '(none)'}`);
    lines.push(`  peer certificate: ${t.subject || '(no subject)'}, issued by ${t.issuer || '(unknown)'}, valid until ${t.validTo}`);
    if (t.subjectAltName) lines.push(`  names: ${t.subjectAltName}`);
    lines.push(`  sha256 ${t.fingerprint256}`);
    lines.push(t.authorized ? '  verified against the trusted CAs' : `  NOT verified (${t.authorizationError ?? 'unknown reason'}): --insecure`);
  }
  return lines;
}
