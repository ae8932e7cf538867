/**
 * `idlcall describe`: a message, struct, enum, service or method as IDL-like text (every
 * service when no symbol is named), from an IDL file, descriptor sets or a server's
 * reflection; `--protoset-out` also writes the descriptors as a descriptor set.
 */
import { writeFile } from 'node:fs/promises';
import type { ProtoFile } from '../../index.js';
import { closestName } from '../../generic/suggest.js';
import { descriptorSetOf } from '../../reflection/descriptor-set.js';
import { parseArgs, type FlagSpec } from '../args.js';
import { CONNECTION_FLAGS, connectionSettings } from '../connect.js';
import { CliUsageError, Exit } from '../exit-codes.js';
import { describeHelp } from '../help.js';
import { IDL_FLAGS, loadIdl, looksLikeHostPort, type LoadedIdl } from '../idl.js';
import { protoServicesOf } from './list.js';
import {
  protoEnumText,
  protoExtendText,
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
  ...CONNECTION_FLAGS,
  { name: 'protoset-out', kind: 'string' },
];

/** A protobuf symbol's text and the file that declares it. */
function describeProto(idl: Extract<LoadedIdl, { kind: 'proto' }>, symbol: string): { text: string; file: ProtoFile } | undefined {
  const reg = idl.provider.registry;
  const pkg = reg.mainFile.package;
  const names = pkg && !symbol.startsWith(`${pkg}.`) ? [symbol, `${pkg}.${symbol}`] : [symbol];
  for (const name of names) {
    const m = reg.findMessage(name);
    if (m) {
      const ext = reg.extensionsOf(m.fullName);
      const extText = ext.length === 0 ? '' : `\n// extensions loaded for ${m.fullName}\n${protoExtendText(m.fullName, ext)}`;
      return { text: `// ${m.fullName} (${m.file.name})\n${protoMessageText(m)}${extText}`, file: m.file };
    }
    const x = reg.findExtension(name);
    if (x?.extendee) return { text: `// ${x.fullName}\n${protoExtendText(x.extendee.fullName, [x])}`, file: x.extendee.file };
    const e = reg.findEnum(name);
    if (e) return { text: `// ${e.fullName} (${e.file.name})\n${protoEnumText(e)}`, file: e.file };
    const s = reg.findService(name);
    if (s) return { text: `// ${s.fullName} (${s.file.name})\n${protoServiceText(s)}`, file: s.file };
    const dot = name.lastIndexOf('.');
    if (dot > 0) {
      const service = reg.findService(name.slice(0, dot));
      const method = service?.methods.find((x) => x.name === name.slice(dot + 1));
      if (method) return { text: `// ${method.fullName}\n${protoMethodText(method)}`, file: service!.file };
    }
  }
  return undefined;
}

/** `files` and everything they import, in the registry's (dependencies-first) order. */
function withDependencies(idl: Extract<LoadedIdl, { kind: 'proto' }>, files: readonly ProtoFile[]): ProtoFile[] {
  const reg = idl.provider.registry;
  const byName = new Map(reg.files.map((f) => [f.name, f]));
  const keep = new Set<string>();
  const visit = (f: ProtoFile): void => {
    if (keep.has(f.name)) return;
    keep.add(f.name);
    for (const d of f.dependencies) {
      const dep = byName.get(d);
      if (dep) visit(dep);
    }
  };
  for (const f of files) visit(f);
  return reg.files.filter((f) => keep.has(f.name));
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

/** The services `describe` without a symbol shows: those `list` shows. */
function serviceNames(idl: LoadedIdl): string[] {
  if (idl.kind === 'thrift') return idl.provider.registry.mainFile.services.map((s) => s.name);
  return protoServicesOf(idl).map((s) => (typeof s === 'string' ? s : s.fullName));
}

function knownSymbols(idl: LoadedIdl): string[] {
  if (idl.kind === 'proto') {
    const reg = idl.provider.registry;
    return [
      ...[...reg.messages()].filter((m) => !m.mapEntry && (m.file === reg.mainFile || idl.source !== 'idl')).map((m) => m.fullName),
      ...[...reg.enums()].filter((e) => e.file === reg.mainFile || idl.source !== 'idl').map((e) => e.fullName),
      ...serviceNames(idl),
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
  const positionals = [...args.positionals];
  const hostPort = positionals.length && looksLikeHostPort(positionals[0]!) ? positionals.shift() : undefined;
  const [symbol, ...extra] = positionals;
  if (extra.length) throw new CliUsageError(`describe: unexpected argument "${extra[0]}"`);
  const remote = hostPort !== undefined
    ? { hostPort, options: connectionSettings(args, 'describe'), ...(symbol?.includes('.') ? { symbol } : {}) }
    : undefined;
  const idl = await loadIdl(args, 'describe', undefined, {}, remote);
  const where = hostPort ?? args.strings.get('idl') ?? args.lists.get('protoset')?.join(', ');
  const setOut = args.strings.get('protoset-out');
  if (setOut !== undefined && idl.kind !== 'proto') throw new CliUsageError('describe: --protoset-out writes protobuf descriptors; the IDL is Thrift');
  // Without a symbol, every service (as grpcurl describes every service it knows).
  const symbols = symbol !== undefined ? [symbol] : serviceNames(idl);
  if (!symbols.length) throw new CliUsageError(`describe: ${where} has no services; name a SYMBOL (a message, struct or enum)`);
  const texts: string[] = [];
  const files: ProtoFile[] = [];
  for (const name of symbols) {
    const found = idl.kind === 'proto' ? describeProto(idl, name) : describeThrift(idl, name);
    if (found === undefined) {
      // A service the server listed but gave no descriptors for.
      if (symbol === undefined) {
        texts.push(`// ${name}: the server gave no descriptors for it`);
        continue;
      }
      const known = knownSymbols(idl);
      const near = closestName(name, [...known, ...known.map((k) => k.slice(k.lastIndexOf('.') + 1))]);
      const hint = near ? `did you mean "${near}"?` : `known: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''}`;
      throw new CliUsageError(`describe: no symbol "${name}" in ${where}; ${hint}`);
    }
    if (typeof found === 'string') texts.push(found);
    else {
      texts.push(found.text);
      files.push(found.file);
    }
  }
  if (setOut !== undefined && idl.kind === 'proto') {
    // The described symbols' files and their imports; every file when describing every service.
    const written = symbol === undefined ? idl.provider.registry.files : withDependencies(idl, files);
    try {
      await writeFile(setOut, descriptorSetOf(idl.provider.registry, written));
    } catch (err) {
      throw new CliUsageError(`describe: --protoset-out ${setOut}: ${(err as Error).message}`);
    }
  }
  process.stdout.write(texts.join('\n\n') + '\n');
  return Exit.OK;
}
