/** `idlcall describe`: a message, struct, enum, service or method as IDL-like text. */
import { closestName } from '../../generic/suggest.js';
import { parseArgs, type FlagSpec } from '../args.js';
import { CliUsageError, Exit } from '../exit-codes.js';
import { describeHelp } from '../help.js';
import { IDL_FLAGS, loadIdl, type LoadedIdl } from '../idl.js';
import {
  protoEnumText,
  protoMessageText,
  protoMethodText,
  protoServiceText,
  thriftEnumText,
  thriftFunctionText,
  thriftServiceText,
  thriftStructText,
  thriftTypedefText,
} from '../idl-text.js';

const FLAGS: readonly FlagSpec[] = [
  ...IDL_FLAGS,
];

function describeProto(idl: Extract<LoadedIdl, { kind: 'proto' }>, symbol: string): string | undefined {
  const reg = idl.provider.registry;
  const pkg = reg.mainFile.package;
  const names = pkg && !symbol.startsWith(`${pkg}.`) ? [symbol, `${pkg}.${symbol}`] : [symbol];
  for (const name of names) {
    const m = reg.findMessage(name);
    if (m) return `// ${m.fullName} (${m.file.name})\n${protoMessageText(m)}`;
    const e = reg.findEnum(name);
    if (e) return `// ${e.fullName} (${e.file.name})\n${protoEnumText(e)}`;
    const s = reg.findService(name);
    if (s) return `// ${s.fullName} (${s.file.name})\n${protoServiceText(s)}`;
    const dot = name.lastIndexOf('.');
    if (dot > 0) {
      const method = reg.findService(name.slice(0, dot))?.methods.find((x) => x.name === name.slice(dot + 1));
      if (method) return `// ${method.fullName}\n${protoMethodText(method)}`;
    }
  }
  return undefined;
}

function describeThrift(idl: Extract<LoadedIdl, { kind: 'thrift' }>, symbol: string): string | undefined {
  const reg = idl.provider.registry;
  const main = reg.mainFile;
  const st = reg.findStruct(symbol);
  if (st) return `// ${st.fullName} (${st.file.path})\n${thriftStructText(st, main)}`;
  const e = reg.findEnum(symbol);
  if (e) return `// ${e.fullName} (${e.file.path})\n${thriftEnumText(e)}`;
  const s = reg.findService(symbol);
  if (s) return `// ${s.fullName} (${s.file.path})\n${thriftServiceText(s, main)}`;
  const t = reg.findTypedef(symbol);
  if (t) return thriftTypedefText(t, main);
  const dot = symbol.lastIndexOf('.');
  if (dot > 0) {
    const fn = reg.findService(symbol.slice(0, dot))?.functions.get(symbol.slice(dot + 1));
    if (fn) return `// ${fn.service.name}.${fn.name}\n${thriftFunctionText(fn, main)}`;
  }
  return undefined;
}

function serviceNames(idl: LoadedIdl): string[] {
  return idl.kind === 'proto' ? idl.provider.registry.mainFile.services.map((s) => s.fullName) : idl.provider.registry.mainFile.services.map((s) => s.name);
}

function knownSymbols(idl: LoadedIdl): string[] {
  if (idl.kind === 'proto') {
    const reg = idl.provider.registry;
    return [
      ...[...reg.messages()].filter((m) => !m.mapEntry && m.file === reg.mainFile).map((m) => m.fullName),
      ...[...reg.enums()].filter((e) => e.file === reg.mainFile).map((e) => e.fullName),
      ...reg.mainFile.services.map((s) => s.fullName),
    ];
  }
  const main = idl.provider.registry.mainFile;
  return [...main.structs.map((s) => s.name), ...main.enums.map((e) => e.name), ...main.services.map((s) => s.name)];
}

/** Runs `idlcall describe …`; resolves to the exit code. */
export async function describeCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS, 'describe');
  if (args.booleans.has('help')) {
    process.stdout.write(describeHelp);
    return Exit.OK;
  }
  const [symbol, ...extra] = args.positionals;
  if (extra.length) throw new CliUsageError(`describe: unexpected argument "${extra[0]}"`);
  const idl = await loadIdl(args, 'describe');
  // Without a symbol, every service of the file (as grpcurl describes every service it knows).
  const symbols = symbol !== undefined ? [symbol] : serviceNames(idl);
  if (!symbols.length) throw new CliUsageError(`describe: ${args.strings.get('idl')} has no services; name a SYMBOL (a message, struct or enum)`);
  const texts: string[] = [];
  for (const name of symbols) {
    const text = idl.kind === 'proto' ? describeProto(idl, name) : describeThrift(idl, name);
    if (text === undefined) {
      const known = knownSymbols(idl);
      const near = closestName(name, [...known, ...known.map((k) => k.slice(k.lastIndexOf('.') + 1))]);
      const hint = near ? `did you mean "${near}"?` : `known: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''}`;
      throw new CliUsageError(`describe: no symbol "${name}" in ${args.strings.get('idl')}; ${hint}`);
    }
    texts.push(text);
  }
  process.stdout.write(texts.join('\n\n') + '\n');
  return Exit.OK;
}
