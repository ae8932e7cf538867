/**
 * Converts our descriptors to the proto3-JSON shape of protoc's
 * FileDescriptorProto (as `@bufbuild/protobuf`'s `toJson` prints it), so the
 * two can be compared with one deep equality. Custom options are left out
 * (protoc stores them as unknown fields, which toJson drops).
 */
import type {
  ProtoEnum, ProtoField, ProtoFile, ProtoMessage, ProtoOptions, ProtoOptionValue, ProtoService,
} from '../../../src/idl-parser/proto/descriptor.js';

type Json = { [key: string]: unknown };

function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function optionValue(v: ProtoOptionValue): unknown {
  if (typeof v === 'object' && v !== null && 'identifier' in v) return v.identifier;
  if (typeof v === 'bigint') return v.toString();
  return v;
}

function options(opts: ProtoOptions): Json | undefined {
  const out: Json = {};
  let any = false;
  for (const o of opts) {
    if (o.name.startsWith('(')) continue;
    // Removed from newer descriptor.proto, so @bufbuild/protobuf drops protoc's value as unknown.
    if (o.name === 'php_generic_services') continue;
    out[camel(o.name)] = optionValue(o.value);
    any = true;
  }
  return any ? out : undefined;
}

function put(obj: Json, key: string, value: unknown): void {
  if (value === undefined) return;
  if (Array.isArray(value) && value.length === 0) return;
  obj[key] = value;
}

const TYPE: Record<string, string> = {
  double: 'TYPE_DOUBLE', float: 'TYPE_FLOAT', int64: 'TYPE_INT64', uint64: 'TYPE_UINT64', int32: 'TYPE_INT32',
  fixed64: 'TYPE_FIXED64', fixed32: 'TYPE_FIXED32', bool: 'TYPE_BOOL', string: 'TYPE_STRING', group: 'TYPE_GROUP',
  message: 'TYPE_MESSAGE', bytes: 'TYPE_BYTES', uint32: 'TYPE_UINT32', enum: 'TYPE_ENUM', sfixed32: 'TYPE_SFIXED32',
  sfixed64: 'TYPE_SFIXED64', sint32: 'TYPE_SINT32', sint64: 'TYPE_SINT64',
};

function field(f: ProtoField): Json {
  const out: Json = { name: f.name, number: f.number, label: `LABEL_${f.label.toUpperCase()}`, type: TYPE[f.type] };
  const ref = f.message ?? f.enum;
  put(out, 'typeName', ref ? '.' + ref.fullName : undefined);
  put(out, 'extendee', f.extendee ? '.' + f.extendee.fullName : undefined);
  put(out, 'defaultValue', f.defaultValue);
  put(out, 'oneofIndex', f.oneofIndex);
  put(out, 'jsonName', f.jsonName);
  put(out, 'options', options(f.options));
  if (f.proto3Optional) out.proto3Optional = true;
  return out;
}

function enumJson(e: ProtoEnum): Json {
  const out: Json = { name: e.name };
  put(out, 'value', e.values.map((v) => {
    const j: Json = { name: v.name, number: v.number };
    put(j, 'options', options(v.options));
    return j;
  }));
  put(out, 'options', options(e.options));
  put(out, 'reservedRange', e.reservedRanges.map((r) => ({ start: r.start, end: r.end })));
  put(out, 'reservedName', e.reservedNames);
  return out;
}

function message(m: ProtoMessage, rangeOptions: (m: ProtoMessage, i: number) => Json | undefined): Json {
  const out: Json = { name: m.name };
  put(out, 'field', m.fields.map(field));
  put(out, 'extension', m.extensions.map(field));
  put(out, 'nestedType', m.nestedMessages.map((n) => message(n, rangeOptions)));
  put(out, 'enumType', m.nestedEnums.map(enumJson));
  put(out, 'extensionRange', m.extensionRanges.map((r, i) => {
    const j: Json = { start: r.start, end: r.end };
    put(j, 'options', rangeOptions(m, i));
    return j;
  }));
  put(out, 'oneofDecl', m.oneofs.map((o) => {
    const j: Json = { name: o.name };
    put(j, 'options', options(o.options));
    return j;
  }));
  put(out, 'options', options(m.options));
  put(out, 'reservedRange', m.reservedRanges.map((r) => ({ start: r.start, end: r.end })));
  put(out, 'reservedName', m.reservedNames);
  return out;
}

function service(s: ProtoService): Json {
  const out: Json = { name: s.name };
  put(out, 'method', s.methods.map((m) => {
    const j: Json = { name: m.name, inputType: '.' + m.input.fullName, outputType: '.' + m.output.fullName };
    put(j, 'options', options(m.options));
    if (m.clientStreaming) j.clientStreaming = true;
    if (m.serverStreaming) j.serverStreaming = true;
    return j;
  }));
  put(out, 'options', options(s.options));
  return out;
}

/** Our file in protoc's JSON shape (without source info). */
export function fileToProtocJson(f: ProtoFile): Json {
  const out: Json = { name: f.name };
  put(out, 'package', f.package || undefined);
  put(out, 'dependency', f.dependencies);
  put(out, 'publicDependency', f.publicDependencies);
  put(out, 'weakDependency', f.weakDependencies);
  const noRangeOptions = (): undefined => undefined;
  put(out, 'messageType', f.messages.map((m) => message(m, noRangeOptions)));
  put(out, 'enumType', f.enums.map(enumJson));
  put(out, 'service', f.services.map(service));
  put(out, 'extension', f.extensions.map(field));
  put(out, 'options', options(f.options));
  if (f.syntax === 'proto3') out.syntax = 'proto3';
  return out;
}

/** Drops what we do not model from protoc's JSON: source info and extension-range options. */
export function normaliseProtocJson(file: Json): Json {
  const copy = structuredClone(file);
  delete copy.sourceCodeInfo;
  const visit = (m: Json): void => {
    for (const r of (m.extensionRange as Json[] | undefined) ?? []) delete r.options;
    for (const n of (m.nestedType as Json[] | undefined) ?? []) visit(n);
  };
  for (const m of (copy.messageType as Json[] | undefined) ?? []) visit(m);
  // Elements with only custom options print as `options: {}`.
  const prune = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(prune);
    else if (v && typeof v === 'object') {
      const o = v as Json;
      if (o.options && typeof o.options === 'object' && Object.keys(o.options).length === 0) delete o.options;
      Object.values(o).forEach(prune);
    }
  };
  prune(copy);
  return copy;
}
