/**
 * `idlcall serve --echo`: the generic server as a mock. Every method
 * answers with its request, re-encoded as the response type.
 */
import { newGenericServer, type Handler, type Handlers, type ServerContext, type ThriftReturnType } from '../../index.js';
import { parseArgs, type FlagSpec } from '../args.js';
import { CliUsageError, Exit } from '../exit-codes.js';
import { serveHelp } from '../help.js';
import { jsonGenericOf, loadIdl, type LoadedIdl } from '../idl.js';

const FLAGS: readonly FlagSpec[] = [
  { name: 'idl', kind: 'string' },
  { name: 'import-path', short: 'I', kind: 'list' },
  { name: 'echo', kind: 'boolean' },
  { name: 'listen', short: 'l', kind: 'string' },
  { name: 'service', kind: 'string' },
  { name: 'verbose', short: 'v', kind: 'boolean' },
];

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
function echoHandlers(idl: LoadedIdl, methods: ReadonlyArray<{ name: string; mode: string }>, log: (method: string, mode: string) => void): Handlers<string, string> {
  const converters = idl.kind === 'proto' ? protoConverters(idl) : thriftConverters(idl);
  const handlers: Handlers<string, string> = {};
  for (const { name, mode } of methods) {
    const convert = converters.get(name) ?? same;
    let h: Handler<string, string>;
    switch (mode) {
      case 'client':
        // One answer for many requests: the last one echoed.
        h = async (requests: AsyncIterable<string>, ctx: ServerContext) => {
          log(ctx.method, mode);
          let last = '{}';
          for await (const r of requests) last = r;
          return convert(last);
        };
        break;
      case 'server':
        h = async function* (req: string, ctx: ServerContext) {
          log(ctx.method, mode);
          yield convert(req);
        };
        break;
      case 'bidirectional':
        h = async function* (requests: AsyncIterable<string>, ctx: ServerContext) {
          log(ctx.method, mode);
          for await (const r of requests) yield convert(r);
        };
        break;
      default:
        h = (req: string, ctx: ServerContext) => {
          log(ctx.method, mode);
          return convert(req);
        };
    }
    handlers[name] = h;
  }
  return handlers;
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
  const idl = await loadIdl(args, 'serve', args.strings.get('service'));
  const generic = jsonGenericOf(idl);
  const verbose = args.booleans.has('verbose');
  const log = (method: string, mode: string): void => {
    if (verbose) process.stderr.write(`${new Date().toISOString()} ${method} (${mode})\n`);
  };
  const server = newGenericServer(generic, echoHandlers(idl, generic.methods(), log), { listen: args.strings.get('listen') ?? '127.0.0.1:0' });
  const { host, port } = await server.start();
  process.stdout.write(`${host.includes(':') ? `[${host}]` : host}:${port}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return Exit.OK;
}
