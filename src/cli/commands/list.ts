/**
 * `idlcall list`: the services of an IDL file, of descriptor sets, or of a server (by its
 * reflection), with their methods and streaming modes.
 */
import type { ProtoService } from '../../index.js';
import { parseArgs, type FlagSpec } from '../args.js';
import { CONNECTION_FLAGS, connectionSettings } from '../connect.js';
import { CliUsageError, Exit } from '../exit-codes.js';
import { listHelp } from '../help.js';
import { IDL_FLAGS, checkHostPort, loadIdl, type LoadedIdl } from '../idl.js';
import { protoMethodSignature, thriftFunctionSignature, thriftTypeText } from '../idl-text.js';

const FLAGS: readonly FlagSpec[] = [
  ...IDL_FLAGS,
  ...CONNECTION_FLAGS,
  { name: 'json', kind: 'boolean' },
];

/** One method as `list` reports it. */
interface MethodInfo {
  name: string;
  /** unary | client | server | bidirectional | pingpong */
  mode: string;
  request: string;
  response: string;
  signature: string;
}

/** One service as `list` reports it. */
interface ServiceInfo {
  name: string;
  fullName: string;
  methods: MethodInfo[];
}

const MODE_WORDS: Record<string, string> = {
  unary: 'unary',
  client: 'client streaming',
  server: 'server streaming',
  bidirectional: 'bidi streaming',
  pingpong: 'ping-pong',
};

/**
 * The protobuf services a listing shows: those the server listed (reflection, in its order),
 * those of every file (descriptor sets, as grpcurl lists a protoset), or the main file's.
 */
export function protoServicesOf(idl: Extract<LoadedIdl, { kind: 'proto' }>): ReadonlyArray<ProtoService | string> {
  const reg = idl.provider.registry;
  const served = idl.provider.servedServices;
  if (idl.source === 'reflection' && served) return served.map((name) => reg.findService(name) ?? name);
  if (idl.source === 'protoset') return reg.files.flatMap((f) => f.services);
  return reg.mainFile.services;
}

function servicesOf(idl: LoadedIdl): ServiceInfo[] {
  if (idl.kind === 'proto') {
    return protoServicesOf(idl).map((s): ServiceInfo => {
      // A listed service whose descriptors the server did not give is shown by name alone.
      if (typeof s === 'string') return { name: s.slice(s.lastIndexOf('.') + 1), fullName: s, methods: [] };
      return {
        name: s.name,
        fullName: s.fullName,
        methods: s.methods.map((m) => ({
          name: m.name,
          mode: m.streamingMode,
          request: m.input.fullName,
          response: m.output.fullName,
          signature: protoMethodSignature(m),
        })),
      };
    });
  }
  const main = idl.provider.registry.mainFile;
  return main.services.map((s) => ({
    name: s.name,
    fullName: s.fullName,
    methods: [...s.functions.values()].map((f) => ({
      name: f.name,
      mode: f.streamingMode === 'none' ? 'pingpong' : f.streamingMode,
      request: f.args.length === 1 ? thriftTypeText(f.args[0]!.type, main) : `(${f.args.map((a) => a.name).join(', ')})`,
      response: thriftTypeText(f.returnType, main),
      signature: `${thriftFunctionSignature(f, main)} returns ${thriftTypeText(f.returnType, main)}${f.oneway ? ' (oneway)' : ''}`,
    })),
  }));
}

/** Runs `idlcall list …`; resolves to the exit code. */
export async function listCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS, 'list');
  if (args.booleans.has('help')) {
    process.stdout.write(listHelp);
    return Exit.OK;
  }
  const [hostPort, ...extra] = args.positionals;
  if (extra.length) throw new CliUsageError(`list: unexpected argument "${extra[0]}"`);
  const remote = hostPort !== undefined ? { hostPort: checkHostPort(hostPort, 'list'), options: connectionSettings(args, 'list') } : undefined;
  const idl = await loadIdl(args, 'list', undefined, {}, remote);
  const services = servicesOf(idl);
  if (args.booleans.has('json')) {
    process.stdout.write(JSON.stringify({ idl: idl.kind, services }) + '\n');
    return Exit.OK;
  }
  if (!services.length) process.stdout.write('(no services)\n');
  for (const s of services) {
    process.stdout.write(`${idl.kind === 'proto' ? s.fullName : s.name}\n`);
    const width = Math.max(...s.methods.map((m) => m.name.length), 0);
    for (const m of s.methods) {
      process.stdout.write(`  ${m.name.padEnd(width)}  ${(MODE_WORDS[m.mode] ?? m.mode).padEnd(16)}  ${m.signature}\n`);
    }
  }
  return Exit.OK;
}
