/** `idlcall list`: the services of an IDL file, their methods and streaming modes. */
import { parseArgs, type FlagSpec } from '../args.js';
import { Exit } from '../exit-codes.js';
import { listHelp } from '../help.js';
import { IDL_FLAGS, loadIdl, type LoadedIdl } from '../idl.js';
import { protoMethodSignature, thriftFunctionSignature, thriftTypeText } from '../idl-text.js';

const FLAGS: readonly FlagSpec[] = [
  ...IDL_FLAGS,
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

function servicesOf(idl: LoadedIdl): ServiceInfo[] {
  if (idl.kind === 'proto') {
    return idl.provider.registry.mainFile.services.map((s) => ({
      name: s.name,
      fullName: s.fullName,
      methods: s.methods.map((m) => ({
        name: m.name,
        mode: m.streamingMode,
        request: m.input.fullName,
        response: m.output.fullName,
        signature: protoMethodSignature(m),
      })),
    }));
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
  const idl = await loadIdl(args, 'list');
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
