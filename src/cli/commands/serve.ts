/**
 * `idlcall serve --echo`: the generic server as a mock. Every method
 * answers with its request, re-encoded as the response type. With `-v`
 * each call is logged on stderr: the peer, the method, the status and the
 * request metadata.
 */
import { readFileSync } from 'node:fs';
import { RpcError, codeName, newGenericServer, type Handler, type Handlers, type ServerContext, type ThriftReturnType } from '../../index.js';
import { parseArgs, type FlagSpec, type ParsedArgs } from '../args.js';
import { CliUsageError, Exit } from '../exit-codes.js';
import { metadataLines } from '../format.js';
import { serveHelp } from '../help.js';
import { fileProblem } from '../ndjson.js';
import { IDL_FLAGS, jsonGenericOf, loadIdl, type LoadedIdl } from '../idl.js';

const FLAGS: readonly FlagSpec[] = [
  ...IDL_FLAGS,
  { name: 'echo', kind: 'boolean' },
  { name: 'listen', short: 'l', kind: 'string' },
  { name: 'service', kind: 'string' },
  { name: 'verbose', short: 'v', kind: 'boolean' },
  { name: 'tls', kind: 'boolean' },
  { name: 'cert', kind: 'string' },
  { name: 'key', kind: 'string' },
];

/** Logs one finished call: `status` is OK or the code name it failed with. */
type CallLog = (ctx: ServerContext, mode: string, status: string) => void;

/** The status a handler's failure gives the call. */
function statusOf(err: unknown): string {
  return err instanceof RpcError ? codeName(err.code) : 'UNKNOWN';
}

/** How one method turns its request JSON into its response JSON. */
type Convert = (req: string) => string;

const same: Convert = (req) => req;

/**
 * Protobuf: the request's JSON encoded as the response message (unknown
 * keys skipped) and decoded again, so the answer has exactly the response
 * type's fields.
 */
function protoConverters(idl: Extract<LoadedIdl, { kind: 'proto' }>): Map<string, Convert> {
  const p = idl.provider;
  const out = new Map<string, Convert>();
  for (const m of p.service?.methods ?? []) {
    const type = m.output.fullName;
    out.set(m.name, m.input === m.output ? same : (req) => p.decodeToJson(type, p.encodeJson(type, req, { ignoreUnknownFields: true })));
  }
  return out;
}

/** The JSON of a zero value, for ping-pong methods whose result is not a struct. */
function zeroJson(t: ThriftReturnType): string {
  switch (t.kind) {
    case 'void':
      return 'null';
    case 'string':
    case 'binary':
      return '""';
    case 'bool':
      return 'false';
    case 'list':
    case 'set':
      return '[]';
    case 'map':
      return '{}';
    case 'uuid':
      return '"00000000-0000-0000-0000-000000000000"';
    default:
      return '0';
  }
}

/** Thrift: the request (the argument, or the object of arguments) re-encoded as the result type. */
function thriftConverters(idl: Extract<LoadedIdl, { kind: 'thrift' }>): Map<string, Convert> {
  const p = idl.provider;
  const out = new Map<string, Convert>();
  for (const fn of p.service?.functions.values() ?? []) {
    const ret = fn.returnType;
    const arg = fn.args.length === 1 ? fn.args[0]!.type : undefined;
    let convert: Convert;
    if (ret.kind === 'struct') {
      const name = ret.struct.fullName;
      convert = arg?.kind === 'struct' && arg.struct === ret.struct ? same : (req) => p.decodeToJson(name, p.encodeJson(name, req));
    } else if (ret.kind !== 'void' && arg !== undefined && arg.kind === ret.kind && ret.kind !== 'enum') {
      convert = same;
    } else {
      const zero = zeroJson(ret);
      convert = () => zero;
    }
    out.set(fn.name, convert);
  }
  return out;
}

/** Echo handlers for every method of the generic's service, by call mode. */
function echoHandlers(idl: LoadedIdl, methods: ReadonlyArray<{ name: string; mode: string }>, log: CallLog | undefined): Handlers<string, string> {
  const converters = idl.kind === 'proto' ? protoConverters(idl) : thriftConverters(idl);
  const handlers: Handlers<string, string> = {};
  for (const { name, mode } of methods) {
    const convert = converters.get(name) ?? same;
    let h: Handler<string, string>;
    switch (mode) {
      case 'client':
        // One answer for many requests: the last one echoed.
        h = async (requests: AsyncIterable<string>, ctx: ServerContext) => {
          try {
            let last = '{}';
            for await (const r of requests) last = r;
            const res = convert(last);
            log?.(ctx, mode, 'OK');
            return res;
          } catch (err) {
            log?.(ctx, mode, statusOf(err));
            throw err;
          }
        };
        break;
      case 'server':
        h = async function* (req: string, ctx: ServerContext) {
          yield convert(req);
          log?.(ctx, mode, 'OK');
        };
        break;
      case 'bidirectional':
        h = async function* (requests: AsyncIterable<string>, ctx: ServerContext) {
          try {
            for await (const r of requests) yield convert(r);
            log?.(ctx, mode, 'OK');
          } catch (err) {
            log?.(ctx, mode, statusOf(err));
            throw err;
          }
        };
        break;
      default:
        h = (req: string, ctx: ServerContext) => {
          const res = convert(req);
          log?.(ctx, mode, 'OK');
          return res;
        };
    }
    handlers[name] = h;
  }
  return handlers;
}

/** `--tls --cert FILE --key FILE` (the certificate and key imply --tls). */
function tlsOf(args: ParsedArgs): { cert: Buffer; key: Buffer } | undefined {
  const certPath = args.strings.get('cert');
  const keyPath = args.strings.get('key');
  if (!args.booleans.has('tls') && certPath === undefined && keyPath === undefined) return undefined;
  if (certPath === undefined || keyPath === undefined) throw new CliUsageError('serve: TLS needs --cert FILE and --key FILE (the server certificate and its key, PEM)');
  const read = (flag: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new CliUsageError(`serve: --${flag} ${path}: ${fileProblem(err)}`);
    }
  };
  return { cert: read('cert', certPath), key: read('key', keyPath) };
}

/** Runs `idlcall serve …`; resolves to the exit code once a signal stopped the server. */
export async function serveCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS, 'serve');
  if (args.booleans.has('help')) {
    process.stdout.write(serveHelp);
    return Exit.OK;
  }
  if (args.positionals.length) throw new CliUsageError(`serve: unexpected argument "${args.positionals[0]}"`);
  if (!args.booleans.has('echo')) throw new CliUsageError('serve: say how to answer: add --echo (each method answers with its request)');
  const tls = tlsOf(args);
  const idl = await loadIdl(args, 'serve', args.strings.get('service'));
  const generic = jsonGenericOf(idl);
  const log: CallLog | undefined = args.booleans.has('verbose')
    ? (ctx, mode, status) => {
        const md = metadataLines(ctx.metadata).map((l) => `  ${l}\n`).join('');
        process.stderr.write(`${new Date().toISOString()} ${ctx.peer || '-'} ${generic.serviceName}/${ctx.method} ${mode} over ${ctx.transport}: ${status}\n${md}`);
      }
    : undefined;
  const server = newGenericServer(generic, echoHandlers(idl, generic.methods(), log), {
    listen: args.strings.get('listen') ?? '127.0.0.1:0',
    ...(tls ? { tls } : {}),
  });
  const { host, port } = await server.start();
  process.stdout.write(`${host.includes(':') ? `[${host}]` : host}:${port}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return Exit.OK;
}
