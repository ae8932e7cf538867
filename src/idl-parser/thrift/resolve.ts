import { IdlError } from '../../errors/idl-error.js';
import { toAnnotations } from './ast.js';
import type { ConstDefNode, DocumentNode, EnumNode, FieldNode, Pos, ServiceNode, StructNode, TypeNode, TypedefNode } from './ast.js';
import { goTagJson } from './annotations.js';
import { evalConst, type ConstRef } from './const-value.js';
import type {
  ThriftConst, ThriftConstValue, ThriftEnum, ThriftField, ThriftFile, ThriftService, ThriftStruct, ThriftType, ThriftTypedef,
} from './descriptor.js';
import { buildService } from './service.js';
import { didYouMean } from './suggest.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

type TypeSymbol =
  | { readonly kind: 'struct'; readonly struct: ThriftStruct; readonly node: StructNode }
  | { readonly kind: 'enum'; readonly enum: ThriftEnum; readonly node: EnumNode }
  | { kind: 'typedef'; readonly node: TypedefNode; resolved: ThriftType | undefined; busy: boolean }
  | { readonly kind: 'service'; readonly node: ServiceNode; service: ThriftService | undefined };

interface ConstSymbol {
  readonly node: ConstDefNode;
  value: ThriftConstValue | undefined;
  busy: boolean;
}

/** A resolved file with the symbol tables its includers look names up in. */
export interface Scope {
  readonly file: ThriftFile;
  readonly types: ReadonlyMap<string, TypeSymbol>;
  readonly consts: ReadonlyMap<string, ConstSymbol>;
}

/**
 * Resolves one parsed file whose includes are already resolved: builds its
 * descriptors, resolves type names and typedef chains, evaluates constants
 * and defaults, and builds services. Forward references to types, constants
 * and services of the same file are allowed (a superset of the compiler,
 * which wants constants declared first); cycles are errors.
 */
export function resolveDocument(doc: DocumentNode, path: string, includes: ReadonlyArray<readonly [string, Scope]>): Scope {
  return new FileResolver(doc, path, includes).run();
}

/** `dir/base.thrift` → `base`. */
export function includeNameOf(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const base = path.slice(slash + 1);
  return base.endsWith('.thrift') ? base.slice(0, -7) : base;
}

class FileResolver {
  private readonly file: Mutable<ThriftFile>;
  private readonly types = new Map<string, TypeSymbol>();
  private readonly consts = new Map<string, ConstSymbol>();
  private readonly includes = new Map<string, Scope>();
  private readonly lookupConst = (name: string, pos: Pos): ConstRef => this.constRef(name, pos);

  constructor(
    private readonly doc: DocumentNode,
    private readonly path: string,
    includes: ReadonlyArray<readonly [string, Scope]>,
  ) {
    for (const [name, scope] of includes) this.includes.set(name, scope);
    this.file = {
      path,
      includeName: includeNameOf(path),
      namespaces: doc.namespaces,
      includes: includes.map(([, s]) => s.file),
      cppIncludes: doc.cppIncludes,
      typedefs: [],
      constants: [],
      enums: [],
      structs: [],
      services: [],
    };
  }

  run(): Scope {
    const file = this.file;
    const prefix = `${file.includeName}.`;
    const typedefs: ThriftTypedef[] = [];
    const structs: ThriftStruct[] = [];
    const enums: ThriftEnum[] = [];
    // Declare every name first so definitions may refer forward.
    for (const d of this.doc.definitions) {
      if (d.kind === 'const') {
        const prev = this.consts.get(d.name);
        if (prev !== undefined) throw this.err(d.pos, `constant ${d.name} is already defined at line ${prev.node.pos.line}`);
        this.consts.set(d.name, { node: d, value: undefined, busy: false });
        continue;
      }
      const prev = this.types.get(d.name);
      if (prev !== undefined) throw this.err(d.pos, `${d.name} is already defined at line ${symbolLine(prev)}`);
      switch (d.kind) {
        case 'struct':
        case 'union':
        case 'exception': {
          const s: ThriftStruct = { kind: d.kind, name: d.name, fullName: prefix + d.name, file, fields: [], annotations: toAnnotations(d.annotations) };
          structs.push(s);
          this.types.set(d.name, { kind: 'struct', struct: s, node: d });
          break;
        }
        case 'enum': {
          const values: Array<ThriftEnum['values'][number]> = [];
          let next = 0;
          for (const v of d.values) {
            if (values.some((x) => x.name === v.name)) throw this.err(v.pos, `enum value ${d.name}.${v.name} is already defined`);
            const value = v.value === undefined ? next : Number(v.value);
            if (value > 2147483647) throw this.err(v.pos, `implicit value of ${d.name}.${v.name} overflows i32`);
            values.push({ name: v.name, value, annotations: toAnnotations(v.annotations) });
            next = value + 1;
          }
          const e: ThriftEnum = { name: d.name, fullName: prefix + d.name, file, values, annotations: toAnnotations(d.annotations) };
          enums.push(e);
          this.types.set(d.name, { kind: 'enum', enum: e, node: d });
          break;
        }
        case 'typedef':
          this.types.set(d.name, { kind: 'typedef', node: d, resolved: undefined, busy: false });
          break;
        case 'service':
          this.types.set(d.name, { kind: 'service', node: d, service: undefined });
          break;
      }
    }
    for (const d of this.doc.definitions) {
      if (d.kind === 'typedef') {
        typedefs.push({ name: d.name, fullName: prefix + d.name, type: this.typedefTarget(d.name, d.pos), annotations: toAnnotations(d.annotations) });
      }
    }
    // Field types first, defaults second: a default may be a literal of a later struct.
    const pending: Array<[Mutable<ThriftStruct>, StructNode]> = [];
    for (const sym of this.types.values()) {
      if (sym.kind !== 'struct') continue;
      (sym.struct as Mutable<ThriftStruct>).fields = this.fields(sym.node.fields, sym.node.kind, `${sym.node.kind} ${sym.node.name}`);
      pending.push([sym.struct as Mutable<ThriftStruct>, sym.node]);
    }
    for (const [s, node] of pending) s.fields = this.defaults(s.fields, node.fields, s.name);
    const constants: ThriftConst[] = [];
    for (const sym of this.consts.values()) {
      const type = this.type(sym.node.type);
      constants.push({ name: sym.node.name, fullName: prefix + sym.node.name, type, value: this.constValue(sym) });
    }
    const services: ThriftService[] = [];
    for (const d of this.doc.definitions) if (d.kind === 'service') services.push(this.service(d.name, d.pos));
    file.typedefs = typedefs;
    file.constants = constants;
    file.enums = enums;
    file.structs = structs;
    file.services = services;
    return { file, types: this.types, consts: this.consts };
  }

  /** Resolves a field list's types and checks ids and names; defaults come later. */
  fields(nodes: readonly FieldNode[], owner: 'struct' | 'union' | 'exception' | 'args' | 'throws', where: string): ThriftField[] {
    const out: ThriftField[] = [];
    for (const n of nodes) {
      for (const f of out) {
        if (f.id === n.id) throw this.err(n.pos, `duplicate field id ${n.id} in ${where}: ${n.name} and ${f.name}`);
        if (f.name === n.name) throw this.err(n.namePos, `duplicate field name ${n.name} in ${where}`);
      }
      let requiredness = n.requiredness;
      // As the compiler reports them: union members are always optional; an
      // optional argument or exception is treated as default.
      if (owner === 'union') requiredness = 'optional';
      else if ((owner === 'args' || owner === 'throws') && requiredness === 'optional') requiredness = 'default';
      const goTag = goTagJson(n.annotations);
      out.push({
        id: n.id,
        name: n.name,
        type: this.type(n.type),
        requiredness,
        defaultValue: undefined,
        annotations: toAnnotations(n.annotations),
        goTagJsonName: goTag.name,
        goTagJsonIgnored: goTag.ignored,
      });
    }
    return out;
  }

  /** Evaluates the default values of already typed fields. */
  defaults(fields: readonly ThriftField[], nodes: readonly FieldNode[], owner: string): ThriftField[] {
    return fields.map((f, i) => {
      const d = nodes[i]!.defaultValue;
      if (d === undefined) return f;
      return { ...f, defaultValue: evalConst(d, f.type, `default value of ${owner}.${f.name}`, this.path, this.lookupConst) };
    });
  }

  type(node: TypeNode): ThriftType {
    switch (node.kind) {
      case 'base':
        return node.annotations.length === 0 ? { kind: node.base } : { kind: node.base, annotations: toAnnotations(node.annotations) };
      case 'list':
      case 'set': {
        const element = this.type(node.element);
        return node.annotations.length === 0 ? { kind: node.kind, element } : { kind: node.kind, element, annotations: toAnnotations(node.annotations) };
      }
      case 'map': {
        const key = this.type(node.key);
        const value = this.type(node.value);
        return node.annotations.length === 0 ? { kind: 'map', key, value } : { kind: 'map', key, value, annotations: toAnnotations(node.annotations) };
      }
      case 'ref':
        return this.named(node.name, node.pos);
    }
  }

  private named(name: string, pos: Pos): ThriftType {
    const dot = name.indexOf('.');
    let sym: TypeSymbol | undefined;
    let typedefOwner: FileResolver | undefined = this;
    if (dot < 0) {
      sym = this.types.get(name);
    } else {
      const inc = this.includes.get(name.slice(0, dot));
      if (inc === undefined) throw this.err(pos, `unknown type ${name}: no include named ${name.slice(0, dot)}`);
      sym = inc.types.get(name.slice(dot + 1));
      typedefOwner = undefined;
    }
    if (sym === undefined) throw this.err(pos, `unknown type ${name}${didYouMean(name, this.typeNames())}`);
    switch (sym.kind) {
      case 'struct':
        return { kind: 'struct', struct: sym.struct };
      case 'enum':
        return { kind: 'enum', enum: sym.enum };
      case 'service':
        throw this.err(pos, `${name} is a service, not a type`);
      case 'typedef': {
        const target = typedefOwner !== undefined ? typedefOwner.typedefTarget(name, pos) : sym.resolved!;
        return { ...target, typedefName: name };
      }
    }
  }

  /** The resolved target of a local typedef (cycles are errors). */
  private typedefTarget(name: string, pos: Pos): ThriftType {
    const sym = this.types.get(name);
    if (sym?.kind !== 'typedef') throw this.err(pos, `unknown type ${name}`);
    if (sym.resolved !== undefined) return sym.resolved;
    if (sym.busy) throw this.err(sym.node.pos, `typedef ${name} refers to itself`);
    sym.busy = true;
    sym.resolved = this.type(sym.node.type);
    sym.busy = false;
    return sym.resolved;
  }

  private constValue(sym: ConstSymbol): ThriftConstValue {
    if (sym.value !== undefined) return sym.value;
    if (sym.busy) throw this.err(sym.node.pos, `constant ${sym.node.name} refers to itself`);
    sym.busy = true;
    sym.value = evalConst(sym.node.value, this.type(sym.node.type), `constant ${sym.node.name}`, this.path, this.lookupConst);
    sym.busy = false;
    return sym.value;
  }

  /** `X`, `Enum.V`, `inc.X`, `inc.Enum.V`, as the compiler's scope names them. */
  private constRef(name: string, pos: Pos): ConstRef {
    const parts = name.split('.');
    if (parts.length === 1) {
      const c = this.consts.get(name);
      if (c !== undefined) return { kind: 'const', value: this.constValue(c) };
      for (const sym of this.types.values()) {
        if (sym.kind === 'enum' && sym.enum.values.some((v) => v.name === name)) {
          throw this.err(pos, `enum value ${name} must be qualified: ${sym.enum.name}.${name}`);
        }
      }
      throw this.err(pos, `unknown constant ${name}${didYouMean(name, this.consts.keys())}`);
    }
    if (parts.length === 2) {
      const sym = this.types.get(parts[0]!);
      if (sym?.kind === 'enum') return enumRef(sym.enum, parts[1]!, () => this.err(pos, `enum ${parts[0]} has no value ${parts[1]}`));
      const inc = this.includes.get(parts[0]!);
      const c = inc?.consts.get(parts[1]!);
      if (c !== undefined) return { kind: 'const', value: c.value! };
      throw this.err(pos, `unknown constant ${name}`);
    }
    if (parts.length === 3) {
      const sym = this.includes.get(parts[0]!)?.types.get(parts[1]!);
      if (sym?.kind === 'enum') return enumRef(sym.enum, parts[2]!, () => this.err(pos, `enum ${parts[0]}.${parts[1]} has no value ${parts[2]}`));
    }
    throw this.err(pos, `unknown constant ${name}`);
  }

  /** Type names as this file may write them: local, then qualified by include name. */
  private *typeNames(): Iterable<string> {
    for (const [n, sym] of this.types) if (sym.kind !== 'service') yield n;
    for (const [inc, scope] of this.includes) for (const [n, sym] of scope.types) if (sym.kind !== 'service') yield `${inc}.${n}`;
  }

  private service(name: string, pos: Pos): ThriftService {
    const sym = this.types.get(name);
    if (sym?.kind !== 'service') throw this.err(pos, `unknown service ${name}`);
    if (sym.service !== undefined) return sym.service;
    const node = sym.node;
    let parent: ThriftService | undefined;
    if (node.extends !== undefined) {
      const ext = node.extends;
      const dot = ext.name.indexOf('.');
      if (dot < 0) {
        const p = this.types.get(ext.name);
        if (p === undefined) throw this.err(ext.pos, `service ${name} extends unknown service ${ext.name}`);
        if (p.kind !== 'service') throw this.err(ext.pos, `service ${name} extends ${ext.name}, which is not a service`);
        if (p.node === node) throw this.err(ext.pos, `service ${name} extends itself`);
        const cycle = p.service === undefined ? this.extendsChain(p.node, node) : undefined;
        if (cycle !== undefined) throw this.err(ext.pos, `extends cycle: ${[name, ...cycle].join(' -> ')}`);
        parent = this.service(ext.name, ext.pos);
      } else {
        const inc = this.includes.get(ext.name.slice(0, dot));
        const p = inc?.types.get(ext.name.slice(dot + 1));
        if (p?.kind !== 'service' || p.service === undefined) throw this.err(ext.pos, `service ${name} extends unknown service ${ext.name}`);
        parent = p.service;
      }
    }
    sym.service = buildService(node, parent, this.file, {
      path: this.path,
      fields: (nodes, owner, where, label) => this.defaults(this.fields(nodes, owner, where), nodes, label),
      type: (t) => this.type(t),
    });
    return sym.service;
  }

  /** The names from `from` up the local extends chain back to `target`, if it gets there. */
  private extendsChain(from: ServiceNode, target: ServiceNode): string[] | undefined {
    const names: string[] = [];
    const seen = new Set<ServiceNode>();
    let cur: ServiceNode | undefined = from;
    while (cur !== undefined && !seen.has(cur)) {
      names.push(cur.name);
      if (cur === target) return names;
      seen.add(cur);
      const ext: string | undefined = cur.extends?.name;
      const next: TypeSymbol | undefined = ext === undefined || ext.includes('.') ? undefined : this.types.get(ext);
      cur = next?.kind === 'service' ? next.node : undefined;
    }
    return undefined;
  }

  private err(pos: Pos, reason: string): IdlError {
    return new IdlError({ file: this.path, line: pos.line, column: pos.column }, reason);
  }
}

function enumRef(e: ThriftEnum, name: string, missing: () => IdlError): ConstRef {
  const v = e.values.find((x) => x.name === name);
  if (v === undefined) throw missing();
  return { kind: 'enum', enum: e, name, value: v.value };
}

function symbolLine(sym: TypeSymbol): number {
  return sym.node.pos.line;
}
