/**
 * Our descriptors → `google.protobuf.FileDescriptorProto` bytes, as protoc writes them with
 * `--descriptor_set_out` (without source info): every message's fields in field-number order,
 * elements in declaration order, `json_name` on every field, `syntax` for proto3 (and
 * editions), options as option-codec writes them. Files that came in as descriptor bytes
 * (a protoset, a reflection answer) go out as those same bytes.
 */
import type {
  ProtoEnum, ProtoField, ProtoFile, ProtoMessage, ProtoOptions, ProtoService,
} from '../idl-parser/proto/descriptor.js';
import { writeOptions } from './option-codec.js';
import type { OptionsMessage, SymbolLookup } from './option-schema.js';
import { WireWriter } from './wire.js';

/** FieldDescriptorProto.Type numbers. */
export const FIELD_TYPE: Readonly<Record<ProtoField['type'], number>> = {
  double: 1, float: 2, int64: 3, uint64: 4, int32: 5, fixed64: 6, fixed32: 7, bool: 8, string: 9,
  group: 10, message: 11, bytes: 12, uint32: 13, enum: 14, sfixed32: 15, sfixed64: 16, sint32: 17, sint64: 18,
};

/** FieldDescriptorProto.Label numbers. */
export const FIELD_LABEL: Readonly<Record<ProtoField['label'], number>> = { optional: 1, required: 2, repeated: 3 };

/** descriptor.proto's Edition numbers for the editions we parse. */
export const EDITION_NUMBER: Readonly<Record<string, number>> = { '2023': 1000, '2024': 1001 };

/** Encoded files, by descriptor: decoded ones keep their bytes, encoded ones are done once. */
const encoded = new WeakMap<ProtoFile, Uint8Array>();

/** Remembers the bytes a file was decoded from, so it is served exactly as it came. */
export function rememberFileBytes(file: ProtoFile, bytes: Uint8Array): void {
  encoded.set(file, bytes);
}

/** Writes one file's descriptor. */
class FileWriter {
  constructor(
    readonly w: WireWriter,
    readonly lookup: SymbolLookup,
    readonly editions: boolean,
  ) {}

  options(fieldNumber: number, target: OptionsMessage, options: ProtoOptions, relativeTo: string, present = false): void {
    writeOptions(this.w, fieldNumber, target, options, relativeTo, this.lookup, present);
  }

  field(fieldNumber: number, f: ProtoField): void {
    const w = this.w;
    const s = w.begin(fieldNumber);
    w.string(1, f.name);
    if (f.extendee) w.string(2, '.' + f.extendee.fullName);
    w.int32(3, f.number);
    // Editions have no `required` or `group` keywords: protoc writes what the features imply.
    const editions = this.editions;
    w.uint32(4, editions && f.label === 'required' ? FIELD_LABEL.optional : FIELD_LABEL[f.label]);
    w.uint32(5, editions && f.type === 'group' ? FIELD_TYPE.message : FIELD_TYPE[f.type]);
    const ref = f.message ?? f.enum;
    if (ref) w.string(6, '.' + ref.fullName);
    if (f.defaultValue !== undefined) w.string(7, f.defaultValue);
    this.options(8, 'FieldOptions', f.options, f.fullName);
    if (f.oneofIndex !== undefined) w.int32(9, f.oneofIndex);
    w.string(10, f.jsonName);
    if (f.proto3Optional) w.bool(17, true);
    w.end(s);
  }

  message(fieldNumber: number, m: ProtoMessage): void {
    const w = this.w;
    const s = w.begin(fieldNumber);
    w.string(1, m.name);
    for (const f of m.fields) this.field(2, f);
    for (const n of m.nestedMessages) this.message(3, n);
    for (const e of m.nestedEnums) this.enum(4, e);
    for (const r of m.extensionRanges) {
      const rs = w.begin(5);
      w.int32(1, r.start);
      w.int32(2, r.end);
      if (r.options) this.options(3, 'ExtensionRangeOptions', r.options, m.fullName);
      w.end(rs);
    }
    for (const x of m.extensions) this.field(6, x);
    this.options(7, 'MessageOptions', m.options, m.fullName);
    for (const o of m.oneofs) {
      const os = w.begin(8);
      w.string(1, o.name);
      this.options(2, 'OneofOptions', o.options, `${m.fullName}.${o.name}`);
      w.end(os);
    }
    for (const r of m.reservedRanges) {
      const rs = w.begin(9);
      w.int32(1, r.start);
      w.int32(2, r.end);
      w.end(rs);
    }
    for (const n of m.reservedNames) w.string(10, n);
    w.end(s);
  }

  enum(fieldNumber: number, e: ProtoEnum): void {
    const w = this.w;
    const s = w.begin(fieldNumber);
    w.string(1, e.name);
    // Enum values are siblings of their enum: their option names resolve from its scope.
    const scope = e.fullName.slice(0, e.fullName.length - e.name.length);
    for (const v of e.values) {
      const vs = w.begin(2);
      w.string(1, v.name);
      w.int32(2, v.number);
      this.options(3, 'EnumValueOptions', v.options, scope + v.name);
      w.end(vs);
    }
    this.options(3, 'EnumOptions', e.options, e.fullName);
    for (const r of e.reservedRanges) {
      const rs = w.begin(4);
      w.int32(1, r.start);
      w.int32(2, r.end);
      w.end(rs);
    }
    for (const n of e.reservedNames) w.string(5, n);
    w.end(s);
  }

  service(fieldNumber: number, svc: ProtoService): void {
    const w = this.w;
    const s = w.begin(fieldNumber);
    w.string(1, svc.name);
    for (const m of svc.methods) {
      const ms = w.begin(2);
      w.string(1, m.name);
      w.string(2, '.' + m.input.fullName);
      w.string(3, '.' + m.output.fullName);
      this.options(4, 'MethodOptions', m.options, m.fullName, m.hasBody === true);
      if (m.clientStreaming) w.bool(5, true);
      if (m.serverStreaming) w.bool(6, true);
      w.end(ms);
    }
    this.options(3, 'ServiceOptions', svc.options, svc.fullName);
    w.end(s);
  }

  file(f: ProtoFile): void {
    const w = this.w;
    w.string(1, f.name);
    if (f.package) w.string(2, f.package);
    for (const d of f.dependencies) w.string(3, d);
    for (const m of f.messages) this.message(4, m);
    for (const e of f.enums) this.enum(5, e);
    for (const s of f.services) this.service(6, s);
    for (const x of f.extensions) this.field(7, x);
    this.options(8, 'FileOptions', f.options, f.package ? `${f.package}.dummy` : 'dummy');
    for (const i of f.publicDependencies) w.int32(10, i);
    for (const i of f.weakDependencies) w.int32(11, i);
    if (f.syntax === 'proto3') w.string(12, 'proto3');
    else if (f.syntax === 'editions') {
      w.string(12, 'editions');
      w.int32(14, EDITION_NUMBER[f.edition ?? '2023'] ?? 1000);
    }
  }
}

/**
 * Encodes `file` as a `FileDescriptorProto`. `lookup` finds the extensions its custom options
 * name (the registry the file was loaded in). Throws `OptionEncodeError` for an option whose
 * extension `lookup` does not know.
 */
export function encodeFileDescriptor(file: ProtoFile, lookup: SymbolLookup): Uint8Array {
  // One buffer for every file (encoding is synchronous), shrunk after an outsized one.
  const w = scratch.reset(1 << 20);
  new FileWriter(w, lookup, file.syntax === 'editions').file(file);
  return w.finish();
}

const scratch = new WireWriter(8192);

/** The `FileDescriptorProto` of `file`: the bytes it was decoded from, or encoded once and kept. */
export function fileDescriptorBytes(file: ProtoFile, lookup: SymbolLookup): Uint8Array {
  let bytes = encoded.get(file);
  if (!bytes) {
    bytes = encodeFileDescriptor(file, lookup);
    encoded.set(file, bytes);
  }
  return bytes;
}

/** A `FileDescriptorSet` of `files`, in the order given (dependencies first, as protoc writes it). */
export function encodeDescriptorSet(files: readonly ProtoFile[], lookup: SymbolLookup): Uint8Array {
  const w = new WireWriter(8192);
  for (const f of files) w.bytes(1, fileDescriptorBytes(f, lookup));
  return w.finish();
}
