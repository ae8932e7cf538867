/**
 * Client flags shared by `call` and `bench`: transport, TLS, timeout,
 * headers and compression, turned into the library's ClientOptions.
 */
import { readFileSync } from 'node:fs';
import type { CallMode, ClientOptions, Compression, TlsOptions } from '../index.js';
import { choiceFlag, type FlagSpec, type ParsedArgs } from './args.js';
import { CliUsageError } from './exit-codes.js';
import { parseDuration, parseHeaders } from './format.js';

/** Transports the `--transport` flag accepts. */
export const TRANSPORTS = ['grpc', 'ttheader', 'ttheader-unframed', 'framed', 'buffered', 'theader'] as const;
/** One of {@link TRANSPORTS}. */
export type TransportName = (typeof TRANSPORTS)[number];

/** Flags of the client side. */
export const CLIENT_FLAGS: readonly FlagSpec[] = [
  { name: 'idl', kind: 'string' },
  { name: 'import-path', short: 'I', kind: 'list' },
  { name: 'transport', short: 't', kind: 'string' },
  { name: 'header', short: 'H', kind: 'list' },
  { name: 'timeout', kind: 'string' },
  { name: 'compress', kind: 'string' },
  { name: 'tls', kind: 'boolean' },
  { name: 'insecure', kind: 'boolean' },
  { name: 'cacert', kind: 'string' },
  { name: 'cert', kind: 'string' },
  { name: 'key', kind: 'string' },
  { name: 'servername', kind: 'string' },
  { name: 'data', short: 'd', kind: 'string' },
  { name: 'emit-defaults', kind: 'boolean' },
];

/**
 * The transport for a method: `--transport`, else gRPC, except Thrift
 * ping-pong methods, which default to TTHeader as Kitex clients do.
 */
export function transportFor(args: ParsedArgs, idl: 'proto' | 'thrift', mode: CallMode, command: string): TransportName {
  const fallback: TransportName = idl === 'thrift' && mode === 'pingpong' ? 'ttheader' : 'grpc';
  const t = choiceFlag(args, 'transport', TRANSPORTS, fallback, command);
  if (t !== 'grpc' && mode !== 'pingpong' && mode !== 'unary') {
    throw new CliUsageError(`${command}: streaming methods travel over gRPC only; drop --transport ${t}`);
  }
  if (t !== 'grpc' && idl === 'proto' && t !== 'ttheader' && t !== 'framed') {
    throw new CliUsageError(`${command}: protobuf ping-pong travels over ttheader or framed, not ${t}`);
  }
  return t;
}

/** ClientOptions from the flags, for one target. */
export function clientOptions(args: ParsedArgs, hostPort: string, transport: TransportName, command: string): ClientOptions {
  const opts: ClientOptions = { hostPorts: [hostPort], transport };
  const timeout = args.strings.get('timeout');
  if (timeout !== undefined) opts.timeoutMs = parseDuration(timeout, '--timeout');
  const headers = args.lists.get('header');
  if (headers) opts.metadata = parseHeaders(headers);
  const compress = args.strings.get('compress');
  if (compress !== undefined) {
    opts.compression = choiceFlag<Compression>(args, 'compress', ['gzip', 'deflate', 'identity'], 'identity', command);
    if (transport !== 'grpc') throw new CliUsageError(`${command}: --compress applies to the grpc transport only`);
  }
  const tls = tlsOptions(args, command);
  if (tls !== undefined) {
    if (transport !== 'grpc') throw new CliUsageError(`${command}: TLS applies to the grpc transport only`);
    opts.tls = tls;
  }
  return opts;
}

/** TLS from `--tls`, `--cacert`, `--cert`, `--key`, `--servername`, `--insecure`; any of them turns TLS on. */
function tlsOptions(args: ParsedArgs, command: string): TlsOptions | undefined {
  const read = (flag: string): Buffer | undefined => {
    const path = args.strings.get(flag);
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch {
      throw new CliUsageError(`${command}: --${flag} ${path}: cannot read the file`);
    }
  };
  const ca = read('cacert');
  const cert = read('cert');
  const key = read('key');
  const servername = args.strings.get('servername');
  const insecure = args.booleans.has('insecure');
  if (!args.booleans.has('tls') && !ca && !cert && !key && servername === undefined && !insecure) return undefined;
  if ((cert === undefined) !== (key === undefined)) throw new CliUsageError(`${command}: --cert and --key go together (a client certificate and its key)`);
  const tls: TlsOptions = {};
  if (ca) tls.ca = ca;
  if (cert) tls.cert = cert;
  if (key) tls.key = key;
  if (servername !== undefined) tls.servername = servername;
  if (insecure) tls.rejectUnauthorized = false;
  return tls;
}
