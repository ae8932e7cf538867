/**
 * `FileDescriptorProto` bytes → our descriptors, the same objects a parsed `.proto` gives, so
 * codecs and generics cannot tell how a schema arrived. Three steps: each file's bytes are
 * read into descriptor skeletons (names, numbers, pending type names, raw option bytes);
 * then, with every file at hand, dependencies are checked and ordered, type names resolved,
 * and the derived facts (packing, presence, map entries, closed enums, synthetic oneofs)
 * worked out as the `.proto` resolver does; last, option bytes are decoded with the loaded
 * extensions. Anything inconsistent is an `IdlError` naming the file and the symbol.
 */
import type {
  ProtoEnum, ProtoEnumValue, ProtoField, ProtoFieldType, ProtoFile, ProtoMessage, ProtoMethod, ProtoOneof, ProtoOptions,
  ProtoService, StreamingMode,
} from '../idl-parser/proto/descriptor.js';
import { ProtoRegistry } from '../idl-parser/proto/registry.js';
import { EDITION_2023, type Features } from '../idl-parser/proto/features.js';
import { toJsonName } from '../idl-parser/proto/json-name.js';
import { CodecError } from '../errors/codec-error.js';
import { IdlError } from '../errors/idl-error.js';
import { rememberFileBytes } from './descriptor-encode.js';
import { readOptions } from './option-codec.js';
import type { OptionsMessage } from './option-schema.js';
import { WireReader } from './wire.js';

type Mut<T> = { -readonly [K in keyof T]: T[K] };

const EMPTY: ProtoOptions = Object.freeze([]) as ProtoOptions;
const TYPE_NAMES: readonly (ProtoFieldType | undefined)[] = [
  undefined, 'double', 'float', 'int64', 'uint64', 'int32', 'fixed64', 'fixed32', 'bool', 'string', 'group', 'message',
  'bytes', 'uint32', 'enum', 'sfixed32', 'sfixed64', 'sint32', 'sint64',
];
const LABELS = [undefined, 'optional', 'required', 'repeated'] as const;
const EDITIONS: Readonly<Record<number, string>> = { 1000: '2023', 1001: '2024' };
/** The largest field number (2^29 - 1); message-set extensions may go to 2^31 - 1. */
const MAX_FIELD_NUMBER = 536870911;

/** An element whose options are still bytes. */
interface PendingOptions {
  readonly holder: { options?: ProtoOptions };
  readonly target: OptionsMessage;
  readonly bytes: Uint8Array;
}

/** A field or extension whose type (and extendee) names are not resolved yet. */
interface PendingField {
  readonly desc: Mut<ProtoField>;
  readonly typeNumber: number;
  readonly labelNumber: number;
  readonly typeName: string | undefined;
  readonly extendee: string | undefined;
  /** The containing message, for oneof membership (undefined for top-level extensions). */
  readonly container: Mut<ProtoMessage> | undefined;
  /** The scope type names are resolved from. */
  readonly scope: string;
}

/** A method whose input and output names are not resolved yet. */
interface PendingMethod {
  readonly desc: Mut<ProtoMethod>;
  readonly input: string;
  readonly output: string;
}

/** One file being read. */
interface FileState {
  readonly file: Mut<ProtoFile>;
  readonly bytes: Uint8Array;
  readonly fields: PendingField[];
  readonly methods: PendingMethod[];
  readonly messages: Array<Mut<ProtoMessage>>;
  readonly enums: Array<Mut<ProtoEnum>>;
  readonly options: PendingOptions[];
  readonly editionNumber: number;
}

/** Where the descriptors came from, for error messages. */
export interface DescriptorSource {
  /** `orders.protoset`, `reflection at 127.0.0.1:8889`. */
  readonly label: string;
}

function bad(file: string, reason: string): never {
  throw new IdlError({ file, line: 0, column: 0 }, reason);
}

/** Collects `[start, end)` ranges of repeated length-delimited fields while a message is read. */
function range(r: WireReader, list: number[]): void {
  const end = r.lengthEnd();
  list.push(r.pos, end);
  r.pos = end;
}

/** Reads one file's skeleton. */
class FileReader {
  readonly r: WireReader;
  readonly state: FileState;
  private readonly fileName: string;

  constructor(bytes: Uint8Array) {
    this.r = new WireReader(bytes);
    const r = this.r;
    let name: string | undefined;
    let pkg = '';
    let syntax = '';
    let edition = 0;
    let options: Uint8Array | undefined;
    const deps: string[] = [];
    const pub: number[] = [];
    const weak: number[] = [];
    const messages: number[] = [];
    const enums: number[] = [];
    const services: number[] = [];
    const extensions: number[] = [];
    while (r.pos < r.end) {
      const tag = r.tag();
      switch (tag) {
        case 0x0a: name = r.string(); break;
        case 0x12: pkg = r.string(); break;
        case 0x1a: deps.push(r.string()); break;
        case 0x22: range(r, messages); break;
        case 0x2a: range(r, enums); break;
        case 0x32: range(r, services); break;
        case 0x3a: range(r, extensions); break;
        case 0x42: options = r.bytes(); break;
        case 0x50: pub.push(r.int32()); break;
        case 0x58: weak.push(r.int32()); break;
        case 0x52: this.packed(pub); break;
        case 0x5a: this.packed(weak); break;
        case 0x62: syntax = r.string(); break;
        case 0x70: edition = r.int32(); break;
        default: r.skip(tag, 0);
      }
    }
    if (!name) throw new CodecError('', 'a FileDescriptorProto has no name', 0);
    this.fileName = name;
    const kind = syntax === '' || syntax === 'proto2' ? 'proto2' : syntax === 'proto3' ? 'proto3' : syntax === 'editions' ? 'editions' : bad(name, `unknown syntax "${syntax}"`);
    const file: Mut<ProtoFile> = {
      name, package: pkg, syntax: kind, dependencies: deps, publicDependencies: pub, weakDependencies: weak,
      messages: [], enums: [], services: [], extensions: [], options: EMPTY,
    };
    if (kind === 'editions') file.edition = EDITIONS[edition] ?? bad(name, `unsupported edition ${edition}`);
    this.state = { file, bytes, fields: [], methods: [], messages: [], enums: [], options: [], editionNumber: edition };
    if (options) this.state.options.push({ holder: file, target: 'FileOptions', bytes: options });
    const prefix = pkg ? pkg + '.' : '';
    file.messages = this.each(messages, (s, e) => this.message(s, e, prefix, undefined));
    file.enums = this.each(enums, (s, e) => this.enum(s, e, prefix, undefined));
    file.services = this.each(services, (s, e) => this.service(s, e, prefix));
    file.extensions = this.each(extensions, (s, e) => this.field(s, e, prefix, undefined, pkg));
  }

  private packed(list: number[]): void {
    const end = this.r.lengthEnd();
    while (this.r.pos < end) list.push(this.r.int32());
  }

  private each<T>(ranges: readonly number[], read: (start: number, end: number) => T): T[] {
    const out: T[] = [];
    for (let i = 0; i < ranges.length; i += 2) out.push(read(ranges[i]!, ranges[i + 1]!));
    return out;
  }

  /** Reads `[start, end)` of the file's bytes with the one reader, put back where it was afterwards (ranges nest). */
  private within<T>(start: number, end: number, read: (r: WireReader) => T): T {
    const r = this.r;
    const pos = r.pos;
    const stop = r.end;
    r.pos = start;
    r.end = end;
    try {
      return read(r);
    } finally {
      r.pos = pos;
      r.end = stop;
    }
  }

  private message(start: number, end: number, scope: string, parent: ProtoMessage | undefined): Mut<ProtoMessage> {
    return this.within(start, end, (r) => {
      let name = '';
      let options: Uint8Array | undefined;
      const fields: number[] = [];
      const nested: number[] = [];
      const enums: number[] = [];
      const extRanges: number[] = [];
      const extensions: number[] = [];
      const oneofs: number[] = [];
      const reserved: Array<{ start: number; end: number }> = [];
      const reservedNames: string[] = [];
      while (r.pos < r.end) {
        const tag = r.tag();
        switch (tag) {
          case 0x0a: name = r.string(); break;
          case 0x12: range(r, fields); break;
          case 0x1a: range(r, nested); break;
          case 0x22: range(r, enums); break;
          case 0x2a: range(r, extRanges); break;
          case 0x32: range(r, extensions); break;
          case 0x3a: options = r.bytes(); break;
          case 0x42: range(r, oneofs); break;
          case 0x4a: reserved.push(this.rangeAt(r).r); break;
          case 0x52: reservedNames.push(r.string()); break;
          default: r.skip(tag, 0);
        }
      }
      const fullName = scope + this.identifier(name, 'message', scope);
      const desc: Mut<ProtoMessage> = {
        kind: 'message', name, fullName, file: this.state.file, parent, fields: [], nestedMessages: [], nestedEnums: [],
        oneofs: [], extensions: [], extensionRanges: [], reservedRanges: reserved, reservedNames, mapEntry: false, options: EMPTY,
      };
      this.state.messages.push(desc);
      if (options) this.state.options.push({ holder: desc, target: 'MessageOptions', bytes: options });
      const inner = fullName + '.';
      desc.oneofs = this.each(oneofs, (s, e) => this.within(s, e, (o) => this.oneof(o, desc)));
      desc.fields = this.each(fields, (s, e) => this.field(s, e, inner, desc, fullName));
      desc.nestedMessages = this.each(nested, (s, e) => this.message(s, e, inner, desc));
      desc.nestedEnums = this.each(enums, (s, e) => this.enum(s, e, inner, desc));
      desc.extensions = this.each(extensions, (s, e) => this.field(s, e, inner, desc, fullName));
      desc.extensionRanges = this.each(extRanges, (s, e) => {
        const { r: rr, options: ro } = this.within(s, e, (x) => this.rangeBody(x));
        if (ro) this.state.options.push({ holder: rr, target: 'ExtensionRangeOptions', bytes: ro });
        return rr;
      });
      return desc;
    });
  }

  private oneof(r: WireReader, m: ProtoMessage): ProtoOneof {
    let name = '';
    let options: Uint8Array | undefined;
    while (r.pos < r.end) {
      const tag = r.tag();
      if (tag === 0x0a) name = r.string();
      else if (tag === 0x12) options = r.bytes();
      else r.skip(tag, 0);
    }
    const o: Mut<ProtoOneof> = { name: this.identifier(name, 'oneof', m.fullName + '.'), fields: [], synthetic: false, options: EMPTY };
    if (options) this.state.options.push({ holder: o, target: 'OneofOptions', bytes: options });
    return o;
  }

  /** The length-delimited range at the reader (which is moved past it). */
  private rangeAt(r: WireReader): { r: { start: number; end: number; options?: ProtoOptions }; options: Uint8Array | undefined } {
    const end = r.lengthEnd();
    const out = this.within(r.pos, end, (x) => this.rangeBody(x));
    r.pos = end;
    return out;
  }

  /** A reserved or extension range (start, end) with its options bytes. */
  private rangeBody(r: WireReader): { r: { start: number; end: number; options?: ProtoOptions }; options: Uint8Array | undefined } {
    let start = 0;
    let end = 0;
    let options: Uint8Array | undefined;
    while (r.pos < r.end) {
      const tag = r.tag();
      if (tag === 0x08) start = r.int32();
      else if (tag === 0x10) end = r.int32();
      else if (tag === 0x1a) options = r.bytes();
      else r.skip(tag, 0);
    }
    return { r: { start, end }, options };
  }

  private field(start: number, end: number, scope: string, container: Mut<ProtoMessage> | undefined, typeScope: string): Mut<ProtoField> {
    return this.within(start, end, (r) => {
      let name = '';
      let number = 0;
      let labelNumber = 1;
      let typeNumber = 0;
      let typeName: string | undefined;
      let extendee: string | undefined;
      let defaultValue: string | undefined;
      let options: Uint8Array | undefined;
      let oneofIndex: number | undefined;
      let jsonName: string | undefined;
      let proto3Optional = false;
      while (r.pos < r.end) {
        const tag = r.tag();
        switch (tag) {
          case 0x0a: name = r.string(); break;
          case 0x12: extendee = r.string(); break;
          case 0x18: number = r.int32(); break;
          case 0x20: labelNumber = r.int32(); break;
          case 0x28: typeNumber = r.int32(); break;
          case 0x32: typeName = r.string(); break;
          case 0x3a: defaultValue = r.string(); break;
          case 0x42: options = r.bytes(); break;
          case 0x48: oneofIndex = r.int32(); break;
          case 0x52: jsonName = r.string(); break;
          case 0x88: proto3Optional = r.bool(); break;
          default: r.skip(tag, 0);
        }
      }
      const fullName = scope + this.identifier(name, 'field', scope);
      const json = jsonName ?? toJsonName(name);
      const desc: Mut<ProtoField> = {
        kind: 'field', name, fullName, number, label: 'optional', type: 'message', message: undefined, enum: undefined,
        jsonName: json, hasJsonNameOption: json !== toJsonName(name), defaultValue, oneofIndex, proto3Optional,
        packed: false, hasPresence: false, utf8Validation: false, mapEntry: undefined, extendee: undefined, options: EMPTY,
      };
      this.state.fields.push({ desc, typeNumber, labelNumber, typeName, extendee, container, scope: typeScope });
      if (options) this.state.options.push({ holder: desc, target: 'FieldOptions', bytes: options });
      return desc;
    });
  }

  private enum(start: number, end: number, scope: string, parent: ProtoMessage | undefined): Mut<ProtoEnum> {
    return this.within(start, end, (r) => {
      let name = '';
      let options: Uint8Array | undefined;
      const values: ProtoEnumValue[] = [];
      const reserved: Array<{ start: number; end: number }> = [];
      const reservedNames: string[] = [];
      while (r.pos < r.end) {
        const tag = r.tag();
        switch (tag) {
          case 0x0a: name = r.string(); break;
          case 0x12: {
            const e = r.lengthEnd();
            values.push(this.within(r.pos, e, (v) => this.enumValue(v, scope)));
            r.pos = e;
            break;
          }
          case 0x1a: options = r.bytes(); break;
          case 0x22: reserved.push(this.rangeAt(r).r); break;
          case 0x2a: reservedNames.push(r.string()); break;
          default: r.skip(tag, 0);
        }
      }
      const desc: Mut<ProtoEnum> = {
        kind: 'enum', name, fullName: scope + this.identifier(name, 'enum', scope), file: this.state.file, parent, values,
        closed: false, reservedRanges: reserved, reservedNames, options: EMPTY,
      };
      if (values.length === 0) bad(this.fileName, `enum "${desc.fullName}" has no values`);
      this.state.enums.push(desc);
      if (options) this.state.options.push({ holder: desc, target: 'EnumOptions', bytes: options });
      return desc;
    });
  }

  private enumValue(r: WireReader, scope: string): ProtoEnumValue {
    let name = '';
    let number = 0;
    let options: Uint8Array | undefined;
    while (r.pos < r.end) {
      const tag = r.tag();
      if (tag === 0x0a) name = r.string();
      else if (tag === 0x10) number = r.int32();
      else if (tag === 0x1a) options = r.bytes();
      else r.skip(tag, 0);
    }
    const v: Mut<ProtoEnumValue> = { name: this.identifier(name, 'enum value', scope), number, options: EMPTY };
    if (options) this.state.options.push({ holder: v, target: 'EnumValueOptions', bytes: options });
    return v;
  }

  private service(start: number, end: number, scope: string): ProtoService {
    return this.within(start, end, (r) => {
      let name = '';
      let options: Uint8Array | undefined;
      const methods: number[] = [];
      while (r.pos < r.end) {
        const tag = r.tag();
        if (tag === 0x0a) name = r.string();
        else if (tag === 0x12) range(r, methods);
        else if (tag === 0x1a) options = r.bytes();
        else r.skip(tag, 0);
      }
      const fullName = scope + this.identifier(name, 'service', scope);
      const svc: Mut<ProtoService> = { kind: 'service', name, fullName, file: this.state.file, methods: [], options: EMPTY };
      if (options) this.state.options.push({ holder: svc, target: 'ServiceOptions', bytes: options });
      svc.methods = this.each(methods, (s, e) => this.within(s, e, (m) => this.method(m, fullName)));
      return svc;
    });
  }

  private method(r: WireReader, service: string): ProtoMethod {
    let name = '';
    let input = '';
    let output = '';
    let options: Uint8Array | undefined;
    let clientStreaming = false;
    let serverStreaming = false;
    while (r.pos < r.end) {
      const tag = r.tag();
      switch (tag) {
        case 0x0a: name = r.string(); break;
        case 0x12: input = r.string(); break;
        case 0x1a: output = r.string(); break;
        case 0x22: options = r.bytes(); break;
        case 0x28: clientStreaming = r.bool(); break;
        case 0x30: serverStreaming = r.bool(); break;
        default: r.skip(tag, 0);
      }
    }
    const mode: StreamingMode = clientStreaming ? (serverStreaming ? 'bidirectional' : 'client') : serverStreaming ? 'server' : 'unary';
    const desc: Mut<ProtoMethod> = {
      name: this.identifier(name, 'method', service + '.'), fullName: `${service}.${name}`, input: undefined as unknown as ProtoMessage,
      output: undefined as unknown as ProtoMessage, clientStreaming, serverStreaming, streamingMode: mode, options: EMPTY,
    };
    if (options) {
      this.state.options.push({ holder: desc, target: 'MethodOptions', bytes: options });
      if (options.length === 0) desc.hasBody = true;
    }
    this.state.methods.push({ desc, input, output });
    return desc;
  }

  /** A name as a descriptor may carry it: a non-empty identifier. */
  private identifier(name: string, what: string, scope: string): string {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) bad(this.fileName, `${what} in "${scope || this.state.file.package || '(top level)'}" has an invalid name ${JSON.stringify(name)}`);
    return name;
  }
}

/** A named type or extension, by full name, with the file that defines it. */
interface Defined {
  readonly kind: 'message' | 'enum' | 'service' | 'extension';
  readonly file: string;
  readonly value: ProtoMessage | ProtoEnum | ProtoService | ProtoField;
}

/** Features an editions element works under: its parent's, overridden by its own `features.*` options. */
const FEATURE_KEYS: Readonly<Record<string, keyof Features>> = {
  field_presence: 'fieldPresence', enum_type: 'enumType', repeated_field_encoding: 'repeatedFieldEncoding',
  utf8_validation: 'utf8Validation', message_encoding: 'messageEncoding', json_format: 'jsonFormat',
};

function withFeatures(parent: Features, options: ProtoOptions | undefined): Features {
  let out: Mut<Features> | undefined;
  for (const o of options ?? EMPTY) {
    const key = o.name.startsWith('features.') ? FEATURE_KEYS[o.name.slice(9)] : undefined;
    const v = o.value;
    if (!key || typeof v !== 'object' || v === null || !('identifier' in v)) continue;
    out ??= { ...parent };
    (out as Record<string, unknown>)[key] = v.identifier;
  }
  return out ?? parent;
}

/** Links the skeletons of every file: the second and third steps. */
class Linker {
  private readonly defined = new Map<string, Defined>();
  private readonly byName = new Map<string, FileState>();
  /** Options with fields the first pass could not place: custom options, decoded once extensions are linked. */
  private readonly custom: Array<{ file: string; pending: PendingOptions }> = [];

  constructor(
    private readonly states: readonly FileState[],
    private readonly source: DescriptorSource,
  ) {}

  /** Files in dependency order, each dependency present; duplicate names must be identical. */
  order(): FileState[] {
    const unique: FileState[] = [];
    for (const s of this.states) {
      const prev = this.byName.get(s.file.name);
      if (prev) {
        if (!sameBytes(prev.bytes, s.bytes)) bad(s.file.name, `the file appears twice in ${this.source.label} with different contents`);
        continue;
      }
      this.byName.set(s.file.name, s);
      unique.push(s);
    }
    const out: FileState[] = [];
    const mark = new Map<string, 1 | 2>();
    const visit = (s: FileState, path: string[]): void => {
      const m = mark.get(s.file.name);
      if (m === 2) return;
      if (m === 1) bad(s.file.name, `import cycle: ${[...path, s.file.name].join(' -> ')}`);
      mark.set(s.file.name, 1);
      for (const d of s.file.dependencies) {
        const dep = this.byName.get(d);
        if (!dep) bad(s.file.name, `imports "${d}", which is not in ${this.source.label}`);
        visit(dep, [...path, s.file.name]);
      }
      mark.set(s.file.name, 2);
      out.push(s);
    };
    for (const s of unique) visit(s, []);
    return out;
  }

  private define(fullName: string, d: Defined): void {
    const prev = this.defined.get(fullName);
    if (prev) bad(d.file, `"${fullName}" is already defined in file "${prev.file}"`);
    this.defined.set(fullName, d);
  }

  /** A type name as descriptors write it: fully qualified with a leading dot, or relative to `scope`. */
  private find(name: string, scope: string): Defined | undefined {
    if (name.charCodeAt(0) === 46) return this.defined.get(name.slice(1));
    for (let s = scope; ; s = s.slice(0, Math.max(0, s.lastIndexOf('.')))) {
      const d = this.defined.get(s ? `${s}.${name}` : name);
      if (d || !s) return d;
    }
  }

  link(ordered: readonly FileState[]): void {
    for (const s of ordered) {
      const file = s.file.name;
      for (const m of s.messages) this.define(m.fullName, { kind: 'message', file, value: m });
      for (const e of s.enums) this.define(e.fullName, { kind: 'enum', file, value: e });
      for (const svc of s.file.services) this.define(svc.fullName, { kind: 'service', file, value: svc });
      for (const p of s.fields) if (p.extendee !== undefined) this.define(p.desc.fullName, { kind: 'extension', file, value: p.desc });
    }
    for (const s of ordered) {
      // Standard options first (they decide packing, map entries, features); custom ones need
      // the extensions linked, so they are decoded again afterwards.
      const skipped = { count: 0 };
      for (const p of s.options) {
        skipped.count = 0;
        try {
          p.holder.options = readOptions(p.bytes, p.target, undefined, skipped);
        } catch (err) {
          bad(s.file.name, `options could not be decoded: ${(err as Error).message}`);
        }
        if (skipped.count) this.custom.push({ file: s.file.name, pending: p });
      }
      for (const m of s.messages) m.mapEntry = (m.options ?? EMPTY).some((o) => o.name === 'map_entry' && o.value === true);
      const fileFeatures = s.file.syntax === 'editions' ? withFeatures(EDITION_2023, s.file.options) : undefined;
      for (const e of s.enums) this.linkEnum(s, e, fileFeatures);
      for (const p of s.fields) this.linkField(s, p, fileFeatures);
      for (const m of s.messages) this.checkMessage(s, m);
      for (const p of s.methods) {
        p.desc.input = this.messageNamed(s, p.input, p.desc.fullName, 'input');
        p.desc.output = this.messageNamed(s, p.output, p.desc.fullName, 'output');
      }
    }
  }

  private messageNamed(s: FileState, name: string, where: string, what: string): ProtoMessage {
    const d = this.find(name, where);
    if (!d) bad(s.file.name, `method "${where}": ${what} type "${name}" is not defined`);
    if (d.kind !== 'message') bad(s.file.name, `method "${where}": ${what} type "${name}" is not a message`);
    return d.value as ProtoMessage;
  }

  /** Editions features in force on an element nested in `m` (or at file level). */
  private scopeFeatures(m: ProtoMessage | undefined, fileFeatures: Features): Features {
    return m ? withFeatures(this.scopeFeatures(m.parent, fileFeatures), m.options) : fileFeatures;
  }

  private linkEnum(s: FileState, e: Mut<ProtoEnum>, fileFeatures: Features | undefined): void {
    e.closed = fileFeatures ? withFeatures(this.scopeFeatures(e.parent, fileFeatures), e.options).enumType === 'CLOSED' : s.file.syntax === 'proto2';
  }

  private linkField(s: FileState, p: PendingField, fileFeatures: Features | undefined): void {
    const { desc } = p;
    const file = s.file.name;
    const where = `field "${desc.fullName}"`;
    const features = fileFeatures ? withFeatures(this.scopeFeatures(p.container, fileFeatures), desc.options) : undefined;
    if (p.extendee !== undefined) {
      const d = this.find(p.extendee, p.scope);
      if (!d || d.kind !== 'message') bad(file, `extension ${where}: extendee "${p.extendee}" is ${d ? 'not a message' : 'not defined'}`);
      desc.extendee = d.value as ProtoMessage;
    }
    const label = LABELS[p.labelNumber];
    if (!label) bad(file, `${where} has an invalid label ${p.labelNumber}`);
    let type = TYPE_NAMES[p.typeNumber];
    if (p.typeNumber !== 0 && !type) bad(file, `${where} has an invalid type ${p.typeNumber}`);
    if (p.typeName !== undefined && (type === undefined || type === 'message' || type === 'group' || type === 'enum')) {
      const d = this.find(p.typeName, p.scope);
      if (!d) bad(file, `${where}: type "${p.typeName}" is not defined`);
      if (d.kind === 'message' && type !== 'enum') {
        desc.message = d.value as ProtoMessage;
        type ??= 'message';
      } else if (d.kind === 'enum' && (type === undefined || type === 'enum')) {
        desc.enum = d.value as ProtoEnum;
        type = 'enum';
      } else {
        bad(file, `${where}: "${p.typeName}" is not ${type === 'enum' ? 'an enum' : type ? 'a message' : 'a type'}`);
      }
    } else if (type === undefined || type === 'message' || type === 'group' || type === 'enum') {
      bad(file, `${where} of type ${type ?? 'unknown'} names no type`);
    }
    desc.label = features?.fieldPresence === 'LEGACY_REQUIRED' ? 'required' : label;
    if (features?.messageEncoding === 'DELIMITED' && type === 'message' && !desc.message!.mapEntry) type = 'group';
    desc.type = type;
    const repeated = desc.label === 'repeated';
    if (repeated && desc.message?.mapEntry) desc.mapEntry = desc.message;
    const packable = repeated && type !== 'string' && type !== 'bytes' && type !== 'message' && type !== 'group';
    const packedOpt = desc.options.find((o) => o.name === 'packed');
    desc.packed = packable && (packedOpt ? packedOpt.value === true : s.file.syntax === 'proto3' || features?.repeatedFieldEncoding === 'PACKED');
    desc.utf8Validation = features ? features.utf8Validation === 'VERIFY' : s.file.syntax === 'proto3';
    desc.hasPresence = repeated
      ? false
      : type === 'message' || type === 'group' || desc.oneofIndex !== undefined || desc.extendee !== undefined
        ? true
        : s.file.syntax === 'proto2' || (features !== undefined && features.fieldPresence !== 'IMPLICIT');
    if (desc.oneofIndex !== undefined && p.extendee === undefined) {
      const o = p.container?.oneofs[desc.oneofIndex] as Mut<ProtoOneof> | undefined;
      if (!o) bad(file, `${where} has oneof index ${desc.oneofIndex}, but "${p.container?.fullName}" has ${p.container?.oneofs.length ?? 0} oneofs`);
      (o.fields as ProtoField[]).push(desc);
    }
    const max = desc.extendee?.options.some((o) => o.name === 'message_set_wire_format' && o.value === true) ? 0x7fffffff : MAX_FIELD_NUMBER;
    if (!(desc.number >= 1 && desc.number <= max)) bad(file, `${where} has an invalid number ${desc.number}`);
  }

  private checkMessage(s: FileState, m: Mut<ProtoMessage>): void {
    const numbers = new Set<number>();
    const names = new Set<string>();
    for (const f of m.fields) {
      if (numbers.has(f.number)) bad(s.file.name, `message "${m.fullName}" uses field number ${f.number} twice`);
      if (names.has(f.name)) bad(s.file.name, `message "${m.fullName}" has two fields named "${f.name}"`);
      numbers.add(f.number);
      names.add(f.name);
    }
    for (const o of m.oneofs as Array<Mut<ProtoOneof>>) {
      if (o.fields.length === 0) bad(s.file.name, `oneof "${m.fullName}.${o.name}" has no fields`);
      o.synthetic = o.fields.length === 1 && o.fields[0]!.proto3Optional;
    }
    if (m.mapEntry) {
      const key = m.fields.find((f) => f.number === 1);
      const value = m.fields.find((f) => f.number === 2);
      if (m.fields.length !== 2 || !key || !value || key.label === 'repeated' || value.label === 'repeated') {
        bad(s.file.name, `map entry "${m.fullName}" must have exactly the fields key = 1 and value = 2`);
      }
    }
  }

  /** Custom options, now that extensions are linked. */
  decodeCustomOptions(registry: ProtoRegistry): void {
    for (const { file, pending } of this.custom) {
      try {
        pending.holder.options = readOptions(pending.bytes, pending.target, registry);
      } catch (err) {
        bad(file, `options could not be decoded: ${(err as Error).message}`);
      }
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The `FileDescriptorProto` bytes of a `FileDescriptorSet` (views, not copies). */
export function splitDescriptorSet(bytes: Uint8Array, source: DescriptorSource): Uint8Array[] {
  const out: Uint8Array[] = [];
  const r = new WireReader(bytes);
  try {
    while (r.pos < r.end) {
      const tag = r.tag();
      if (tag === 0x0a) out.push(r.bytes());
      else r.skip(tag, 0);
    }
  } catch (err) {
    bad(source.label, `not a FileDescriptorSet: ${(err as Error).message}${err instanceof CodecError && err.offset !== undefined ? ` at byte ${err.offset}` : ''}`);
  }
  return out;
}

/**
 * Builds descriptors from `FileDescriptorProto`s (in any order; duplicates by name must be
 * identical). The registry's main file is `main(files)` when given, else the last file
 * read. Each file keeps its bytes for `descriptorSet()` and reflection.
 */
export function buildRegistry(
  fileBytes: readonly Uint8Array[],
  source: DescriptorSource,
  main?: (files: readonly ProtoFile[]) => ProtoFile | undefined,
): ProtoRegistry {
  if (fileBytes.length === 0) bad(source.label, 'holds no files');
  const states = fileBytes.map((b, i) => {
    try {
      return new FileReader(b).state;
    } catch (err) {
      if (err instanceof IdlError) throw err;
      bad(source.label, `file #${i + 1} is not a FileDescriptorProto: ${(err as Error).message}`);
    }
  });
  const linker = new Linker(states, source);
  const ordered = linker.order();
  linker.link(ordered);
  const files = ordered.map((s) => s.file as ProtoFile);
  const last = states[states.length - 1]!.file as ProtoFile;
  const registry = new ProtoRegistry(files, main?.(files) ?? files.find((f) => f === last) ?? files[files.length - 1]!);
  linker.decodeCustomOptions(registry);
  for (const s of ordered) rememberFileBytes(s.file, s.bytes);
  return registry;
}
