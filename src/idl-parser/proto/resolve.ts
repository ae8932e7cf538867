import { fail } from './fail.js';
import type { EnumNode, FieldNode, FileNode, MessageNode, OptionNode, Pos } from './ast.js';
import type {
  ProtoEnum, ProtoEnumValue, ProtoField, ProtoFieldType, ProtoFile, ProtoMessage, ProtoMethod, ProtoOneof,
  ProtoOptions, ProtoService, StreamingMode,
} from './descriptor.js';
import { fieldFeatures, fileFeatures, scopeFeatures, type Features } from './features.js';
import { toJsonName } from './json-name.js';
import { checkOptions, type OptionTarget } from './options.js';
import type { Sym } from './symbols.js';
import type { BuiltField, BuiltMessage, FileBuild, Mut, ResolveContext } from './build-state.js';
import { validateEnum, validateFile, validateMessage } from './validate.js';

function toOptions(nodes: readonly OptionNode[]): ProtoOptions {
  if (nodes.length === 0) return EMPTY;
  return nodes.map((o) => ({ name: o.name, value: o.value }));
}
const EMPTY: ProtoOptions = Object.freeze([]) as ProtoOptions;

/**
 * Resolves one parsed file against the files already built (its imports must
 * be in `ctx.files`) and adds it to the context. Throws IdlError on the first
 * problem; the context must then be discarded.
 */
export function buildFile(node: FileNode, ctx: ResolveContext): ProtoFile {
  const fileName = node.name;
  const deps: string[] = [];
  const pub: number[] = [];
  const weak: number[] = [];
  node.imports.forEach((imp, i) => {
    if (deps.includes(imp.path)) fail(fileName, imp.pos, `import "${imp.path}" was listed twice`);
    deps.push(imp.path);
    if (imp.kind === 'public') pub.push(i);
    else if (imp.kind === 'weak') weak.push(i);
  });
  const visible = new Set<string>([fileName]);
  const addPublic = (name: string): void => {
    const f = ctx.files.get(name);
    if (!f) return;
    for (const i of f.publicDependencies) {
      const d = f.dependencies[i]!;
      if (!visible.has(d)) {
        visible.add(d);
        addPublic(d);
      }
    }
  };
  for (const d of deps) {
    visible.add(d);
    addPublic(d);
  }

  const file: Mut<ProtoFile> = {
    name: fileName, package: node.package, syntax: node.syntax, dependencies: deps, publicDependencies: pub,
    weakDependencies: weak, messages: [], enums: [], services: [], extensions: [], options: toOptions(node.options),
  };
  if (node.edition !== undefined) file.edition = node.edition;
  const features = fileFeatures(node, fileName);
  const b: FileBuild = { node, file, messages: [], fields: [], enums: [], services: [], visible, features, ctx };
  const table = ctx.table;

  const define = (sym: Sym): void => {
    const prev = table.add(sym);
    if (!prev) return;
    const cut = sym.fullName.lastIndexOf('.');
    const scope = cut < 0 ? '' : sym.fullName.slice(0, cut);
    const short = sym.fullName.slice(cut + 1);
    if (prev.kind === 'package') {
      fail(fileName, sym.pos, `"${sym.fullName}" is already defined as a package`);
    }
    if (prev.file !== fileName) {
      fail(fileName, sym.pos, `"${sym.fullName}" is already defined in file "${prev.file}"`);
    }
    if (sym.kind === 'enumValue' || prev.kind === 'enumValue') {
      fail(
        fileName,
        sym.pos,
        `"${short}" is already defined in ${scope ? `"${scope}"` : 'the top-level scope'}; enum values are siblings of their enum type (C++ scoping), so "${short}" must be unique within ${scope ? `"${scope}"` : 'the top-level scope'}, not just within its enum`,
      );
    }
    fail(fileName, sym.pos, `"${short}" is already defined in ${scope ? `"${scope}"` : 'the file'}`);
  };

  if (node.package) {
    const parts = node.package.split('.');
    for (let i = 1; i <= parts.length; i++) {
      const name = parts.slice(0, i).join('.');
      const prev = table.get(name);
      if (prev && prev.kind !== 'package') {
        fail(fileName, node.packagePos, `"${name}" is already defined (as something other than a package) in file "${prev.file}"`);
      }
      table.add({ kind: 'package', fullName: name, file: fileName, pos: node.packagePos, value: undefined });
    }
  }
  const prefix = node.package ? node.package + '.' : '';

  // Pass 1: create descriptors and register every name.
  const newField = (f: FieldNode, fullName: string, container: BuiltMessage | undefined, isExtension: boolean, parentFeatures: Features): BuiltField => {
    const desc: Mut<ProtoField> = {
      kind: 'field', name: f.name, fullName, number: f.number, label: f.label ?? 'optional', type: 'message',
      message: undefined, enum: undefined, jsonName: f.jsonName ?? toJsonName(f.name),
      hasJsonNameOption: f.jsonName !== undefined, defaultValue: f.defaultValue, oneofIndex: f.oneofIndex,
      proto3Optional: f.proto3Optional, packed: false, hasPresence: false, utf8Validation: false, mapEntry: undefined, extendee: undefined,
      options: toOptions(f.options),
    };
    const bf: BuiltField = { node: f, desc, container, isExtension, features: fieldFeatures(parentFeatures, f, fileName) };
    desc.utf8Validation = bf.features.utf8Validation === 'VERIFY';
    b.fields.push(bf);
    define({ kind: isExtension ? 'extension' : 'field', fullName, file: fileName, pos: f.pos, value: desc });
    return bf;
  };

  const newEnum = (e: EnumNode, scope: string, parent: ProtoMessage | undefined, parentFeatures: Features): ProtoEnum => {
    const fullName = scope + e.name;
    const feats = scopeFeatures(parentFeatures, e.options, fileName);
    const values: ProtoEnumValue[] = e.values.map((v) => ({ name: v.name, number: v.number, options: toOptions(v.options) }));
    const desc: Mut<ProtoEnum> = {
      kind: 'enum', name: e.name, fullName, file, parent, values, closed: feats.enumType === 'CLOSED',
      reservedRanges: e.reservedRanges.map((r) => ({ start: r.start, end: r.end })),
      reservedNames: e.reservedNames.map((r) => r.name), options: toOptions(e.options),
    };
    define({ kind: 'enum', fullName, file: fileName, pos: e.pos, value: desc });
    for (const v of e.values) {
      define({ kind: 'enumValue', fullName: scope + v.name, file: fileName, pos: v.pos, value: undefined });
    }
    b.enums.push({ node: e, desc });
    return desc;
  };

  const extensionsOut: BuiltField[] = [];
  const newMessage = (m: MessageNode, scope: string, parent: ProtoMessage | undefined, parentFeatures: Features): ProtoMessage => {
    const fullName = scope + m.name;
    const feats = scopeFeatures(parentFeatures, m.options, fileName);
    const desc: Mut<ProtoMessage> = {
      kind: 'message', name: m.name, fullName, file, parent, fields: [], nestedMessages: [], nestedEnums: [],
      oneofs: [], extensions: [], extensionRanges: [], reservedRanges: [], reservedNames: m.reservedNames.map((r) => r.name),
      mapEntry: m.mapEntry, options: toOptions(m.options),
    };
    if (m.mapEntry) desc.options = [{ name: 'map_entry', value: true }];
    define({ kind: 'message', fullName, file: fileName, pos: m.pos, value: desc });
    const bm: BuiltMessage = { node: m, desc, features: feats, fields: [] };
    b.messages.push(bm);
    const inner = fullName + '.';
    const oneofs: Array<Mut<ProtoOneof>> = m.oneofs.map((o) => ({
      name: o.name, fields: [], synthetic: o.synthetic, options: toOptions(o.options),
    }));
    for (const o of m.oneofs) define({ kind: 'oneof', fullName: inner + o.name, file: fileName, pos: o.pos, value: undefined });
    desc.oneofs = oneofs;
    const fields: ProtoField[] = [];
    for (const f of m.fields) {
      const bf = newField(f, inner + f.name, bm, false, feats);
      bm.fields.push(bf);
      fields.push(bf.desc);
      if (f.oneofIndex !== undefined) (oneofs[f.oneofIndex]!.fields as ProtoField[]).push(bf.desc);
    }
    desc.fields = fields;
    desc.nestedMessages = m.messages.map((n) => newMessage(n, inner, desc, feats));
    desc.nestedEnums = m.enums.map((n) => newEnum(n, inner, desc, feats));
    desc.extensions = m.extensions.map((f) => {
      const bf = newField(f, inner + f.name, bm, true, feats);
      extensionsOut.push(bf);
      return bf.desc;
    });
    return desc;
  };

  file.messages = node.messages.map((m) => newMessage(m, prefix, undefined, features));
  file.enums = node.enums.map((e) => newEnum(e, prefix, undefined, features));
  file.extensions = node.extensions.map((f) => {
    const bf = newField(f, prefix + f.name, undefined, true, features);
    extensionsOut.push(bf);
    return bf.desc;
  });
  const services: ProtoService[] = [];
  for (const s of node.services) {
    const fullName = prefix + s.name;
    const svc: Mut<ProtoService> = { kind: 'service', name: s.name, fullName, file, methods: [], options: toOptions(s.options) };
    define({ kind: 'service', fullName, file: fileName, pos: s.pos, value: svc });
    for (const m of s.methods) define({ kind: 'method', fullName: fullName + '.' + m.name, file: fileName, pos: m.pos, value: undefined });
    services.push(svc);
    b.services.push({ node: s, desc: svc });
  }
  file.services = services;

  // Pass 2: resolve references.
  const nodeToMessage = new Map<MessageNode, ProtoMessage>();
  for (const m of b.messages) nodeToMessage.set(m.node, m.desc);
  const resolve = (name: string, relativeTo: string, pos: Pos, typesOnly: boolean): Sym => {
    const r = table.lookup(name, relativeTo, visible, typesOnly, fileName);
    if ('reason' in r) fail(fileName, pos, r.reason);
    return r as Sym;
  };

  for (const bf of b.fields) linkField(b, bf, nodeToMessage, resolve);

  for (const { node: s, desc } of b.services) {
    (desc as Mut<ProtoService>).methods = s.methods.map((m): ProtoMethod => {
      const fullName = desc.fullName + '.' + m.name;
      const messageOf = (type: string, pos: Pos): ProtoMessage => {
        const sym = resolve(type, fullName, pos, false);
        if (sym.kind !== 'message') fail(fileName, pos, `"${type}" is not a message type`);
        return sym.value as ProtoMessage;
      };
      const input = messageOf(m.inputType, m.inputPos);
      const output = messageOf(m.outputType, m.outputPos);
      const mode: StreamingMode = m.clientStreaming
        ? m.serverStreaming ? 'bidirectional' : 'client'
        : m.serverStreaming ? 'server' : 'unary';
      return {
        name: m.name, fullName, input, output, clientStreaming: m.clientStreaming, serverStreaming: m.serverStreaming,
        streamingMode: mode, options: toOptions(m.options), ...(m.body ? { hasBody: true } : {}),
      };
    });
  }

  // Register extensions per extendee (clashes are checked in validation).
  for (const bf of extensionsOut) {
    const extendee = bf.desc.extendee!.fullName;
    let list = ctx.extensionsByExtendee.get(extendee);
    if (!list) ctx.extensionsByExtendee.set(extendee, (list = []));
    list.push(bf.desc);
  }

  // Pass 3: validate and interpret options.
  for (const m of b.messages) validateMessage(b, m);
  for (const e of b.enums) validateEnum(b, e);
  validateFile(b, extensionsOut);
  checkAllOptions(b);

  ctx.files.set(fileName, file);
  return file;
}

function linkField(
  b: FileBuild,
  bf: BuiltField,
  nodeToMessage: ReadonlyMap<MessageNode, ProtoMessage>,
  resolve: (name: string, relativeTo: string, pos: Pos, typesOnly: boolean) => Sym,
): void {
  const { node: f, desc } = bf;
  const fileName = b.node.name;
  const syntax = b.node.syntax;
  if (f.extendee !== undefined) {
    const sym = resolve(f.extendee, desc.fullName, f.extendeePos!, false);
    if (sym.kind !== 'message') fail(fileName, f.extendeePos!, `"${f.extendee}" is not a message type`);
    desc.extendee = sym.value as ProtoMessage;
  }
  let type: ProtoFieldType;
  if (f.scalar) {
    type = f.typeName as ProtoFieldType;
  } else if (f.mapEntry || f.groupBody) {
    desc.message = nodeToMessage.get((f.mapEntry ?? f.groupBody)!)!;
    if (f.mapEntry) desc.mapEntry = desc.message;
    type = f.groupBody ? 'group' : 'message';
  } else {
    const sym = resolve(f.typeName, desc.fullName, f.typePos, true);
    if (sym.kind !== 'message' && sym.kind !== 'enum') fail(fileName, f.typePos, `"${f.typeName}" is not a type (it names a ${sym.kind})`);
    if (sym.kind === 'message') {
      desc.message = sym.value as ProtoMessage;
      type = bf.features.messageEncoding === 'DELIMITED' && !desc.message.mapEntry ? 'group' : 'message';
    } else {
      desc.enum = sym.value as ProtoEnum;
      type = 'enum';
    }
  }
  desc.type = type;
  if (syntax === 'editions' && bf.features.fieldPresence === 'LEGACY_REQUIRED') desc.label = 'required';

  if (f.defaultValue !== undefined) {
    if (type === 'message' || type === 'group') fail(fileName, f.defaultPos!, 'messages cannot have default values');
    if (type === 'enum' && !desc.enum!.values.some((v) => v.name === f.defaultValue)) {
      fail(fileName, f.defaultPos!, `enum type "${desc.enum!.fullName}" has no value named "${f.defaultValue}"`);
    }
  }

  const repeated = desc.label === 'repeated';
  const packable = repeated && type !== 'string' && type !== 'bytes' && type !== 'message' && type !== 'group';
  const packedOpt = f.options.find((o) => o.name === 'packed');
  if (packedOpt) {
    if (syntax === 'editions') {
      fail(fileName, packedOpt.pos, 'option "packed" is not allowed in editions; use "features.repeated_field_encoding"');
    }
    if (!packable) fail(fileName, packedOpt.pos, '[packed = true] can only be specified for repeated primitive fields');
  }
  desc.packed = packable
    ? packedOpt
      ? packedOpt.value === true
      : syntax === 'proto3' || (syntax === 'editions' && bf.features.repeatedFieldEncoding === 'PACKED')
    : false;

  desc.hasPresence = repeated
    ? false
    : type === 'message' || type === 'group' || f.oneofIndex !== undefined || bf.isExtension
      ? true
      : syntax === 'proto2'
        ? true
        : syntax === 'proto3'
          ? false
          : bf.features.fieldPresence !== 'IMPLICIT';
}

function checkAllOptions(b: FileBuild): void {
  const pkgScope = b.node.package ? b.node.package + '.dummy' : 'dummy';
  const check = (target: OptionTarget, nodes: readonly OptionNode[], scope: string): void => {
    if (nodes.length) checkOptions(b, target, nodes, scope);
  };
  check('FileOptions', b.node.options, pkgScope);
  for (const m of b.messages) {
    if (!m.desc.mapEntry) check('MessageOptions', m.node.options, m.desc.fullName);
    for (const o of m.node.oneofs) check('OneofOptions', o.options, m.desc.fullName + '.' + o.name);
    for (const r of m.node.extensionRanges) check('ExtensionRangeOptions', r.options, m.desc.fullName);
  }
  for (const f of b.fields) check('FieldOptions', f.node.options, f.desc.fullName);
  for (const e of b.enums) {
    check('EnumOptions', e.node.options, e.desc.fullName);
    const scope = e.desc.parent ? e.desc.parent.fullName + '.' : b.node.package ? b.node.package + '.' : '';
    for (const v of e.node.values) check('EnumValueOptions', v.options, scope + v.name);
  }
  for (const s of b.services) {
    check('ServiceOptions', s.node.options, s.desc.fullName);
    for (const m of s.node.methods) check('MethodOptions', m.options, s.desc.fullName + '.' + m.name);
  }
}
