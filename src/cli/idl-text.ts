/**
 * Descriptors back to IDL-like text, for `list` and `describe`. The text is
 * for reading, not for feeding back to a compiler: comments and some
 * options are not kept.
 */
import type {
  ProtoEnum,
  ProtoField,
  ProtoMessage,
  ProtoMethod,
  ProtoService,
  ThriftConstValue,
  ThriftEnum,
  ThriftField,
  ThriftFile,
  ThriftFunction,
  ThriftReturnType,
  ThriftService,
  ThriftStruct,
  ThriftTypedef,
  ThriftAnnotations,
} from '../index.js';

const pad = (depth: number): string => '  '.repeat(depth);

// ---- protobuf ----

function protoFieldType(f: ProtoField): string {
  if (f.mapEntry) {
    const [k, v] = [f.mapEntry.fields[0]!, f.mapEntry.fields[1]!];
    return `map<${protoFieldType(k)}, ${protoFieldType(v)}>`;
  }
  if (f.type === 'message' || f.type === 'group') return f.message!.fullName;
  if (f.type === 'enum') return f.enum!.fullName;
  return f.type;
}

function protoFieldLine(f: ProtoField, syntax: string): string {
  let label = '';
  if (f.mapEntry) label = '';
  else if (f.label === 'repeated') label = 'repeated ';
  else if (f.proto3Optional) label = 'optional ';
  else if (syntax === 'proto2' && f.oneofIndex === undefined) label = `${f.label} `;
  const opts: string[] = [];
  if (f.defaultValue !== undefined) opts.push(`default = ${f.type === 'string' || f.type === 'bytes' ? JSON.stringify(f.defaultValue) : f.defaultValue}`);
  if (f.hasJsonNameOption) opts.push(`json_name = ${JSON.stringify(f.jsonName)}`);
  return `${label}${protoFieldType(f)} ${f.name} = ${f.number}${opts.length ? ` [${opts.join(', ')}]` : ''};`;
}

/** A message (with nested types) as `.proto` text. */
export function protoMessageText(m: ProtoMessage, depth = 0): string {
  const syntax = m.file.syntax;
  const lines = [`${pad(depth)}message ${m.name} {`];
  for (const e of m.nestedEnums) lines.push(protoEnumText(e, depth + 1));
  for (const n of m.nestedMessages) if (!n.mapEntry) lines.push(protoMessageText(n, depth + 1));
  const doneOneofs = new Set<number>();
  for (const f of m.fields) {
    const oi = f.oneofIndex;
    if (oi !== undefined && !m.oneofs[oi]!.synthetic) {
      if (doneOneofs.has(oi)) continue;
      doneOneofs.add(oi);
      const o = m.oneofs[oi]!;
      lines.push(`${pad(depth + 1)}oneof ${o.name} {`);
      for (const x of o.fields) lines.push(`${pad(depth + 2)}${protoFieldLine(x, syntax)}`);
      lines.push(`${pad(depth + 1)}}`);
      continue;
    }
    lines.push(`${pad(depth + 1)}${protoFieldLine(f, syntax)}`);
  }
  for (const r of m.extensionRanges) lines.push(`${pad(depth + 1)}extensions ${rangeText(r.start, r.end)};`);
  for (const r of m.reservedRanges) lines.push(`${pad(depth + 1)}reserved ${rangeText(r.start, r.end)};`);
  if (m.reservedNames.length) lines.push(`${pad(depth + 1)}reserved ${m.reservedNames.map((n) => JSON.stringify(n)).join(', ')};`);
  lines.push(`${pad(depth)}}`);
  return lines.join('\n');
}

/** `start to end - 1` (descriptor ranges end exclusively; 2^29 - 1 is `max`). */
function rangeText(start: number, end: number): string {
  if (end - 1 === start) return String(start);
  return `${start} to ${end - 1 === 536870911 ? 'max' : end - 1}`;
}

/** The extensions loaded for a message, as an `extend` block; each line ends with the JSON key it takes. */
export function protoExtendText(extendee: string, extensions: readonly ProtoField[]): string {
  const lines = [`extend ${extendee} {`];
  for (const x of extensions) lines.push(`  ${protoFieldLine(x, 'proto2')} // JSON key "[${x.fullName}]"`);
  lines.push('}');
  return lines.join('\n');
}

/** An enum as `.proto` text. */
export function protoEnumText(e: ProtoEnum, depth = 0): string {
  return [`${pad(depth)}enum ${e.name} {`, ...e.values.map((v) => `${pad(depth + 1)}${v.name} = ${v.number};`), `${pad(depth)}}`].join('\n');
}

/** The signature of an rpc: `(stream pb.Request) returns (pb.Response)`. */
export function protoMethodSignature(m: ProtoMethod): string {
  return `(${m.clientStreaming ? 'stream ' : ''}${m.input.fullName}) returns (${m.serverStreaming ? 'stream ' : ''}${m.output.fullName})`;
}

/** An rpc line. */
export function protoMethodText(m: ProtoMethod, depth = 0): string {
  return `${pad(depth)}rpc ${m.name} ${protoMethodSignature(m)};`;
}

/** A service as `.proto` text. */
export function protoServiceText(s: ProtoService): string {
  return [`service ${s.name} {`, ...s.methods.map((m) => protoMethodText(m, 1)), '}'].join('\n');
}

// ---- Thrift ----

/** A type as written in Thrift, relative to `main` (names from other files keep their include prefix). */
export function thriftTypeText(t: ThriftReturnType, main: ThriftFile): string {
  if ('typedefName' in t && t.typedefName) return t.typedefName;
  switch (t.kind) {
    case 'void':
      return 'void';
    case 'list':
    case 'set':
      return `${t.kind}<${thriftTypeText(t.element, main)}>`;
    case 'map':
      return `map<${thriftTypeText(t.key, main)}, ${thriftTypeText(t.value, main)}>`;
    case 'enum':
      return t.enum.file === main ? t.enum.name : t.enum.fullName;
    case 'struct':
      return t.struct.file === main ? t.struct.name : t.struct.fullName;
    default:
      return t.kind;
  }
}

/** A constant value in Thrift literal syntax. */
export function thriftConstText(v: ThriftConstValue): string {
  switch (v.kind) {
    case 'int':
      return v.value.toString();
    case 'double':
      return String(v.value);
    case 'string':
      return JSON.stringify(v.value);
    case 'bool':
      return v.value ? 'true' : 'false';
    case 'list':
      return `[${v.items.map(thriftConstText).join(', ')}]`;
    case 'map':
      return `{${v.entries.map(([k, x]) => `${thriftConstText(k)}: ${thriftConstText(x)}`).join(', ')}}`;
    case 'struct':
      return `{${v.fields.map(([k, x]) => `${JSON.stringify(k)}: ${thriftConstText(x)}`).join(', ')}}`;
  }
}

function annotationsText(a: ThriftAnnotations): string {
  return a.length ? ` (${a.map((x) => `${x.key} = ${JSON.stringify(x.value)}`).join(', ')})` : '';
}

function thriftFieldText(f: ThriftField, main: ThriftFile): string {
  const req = f.requiredness === 'default' ? '' : `${f.requiredness} `;
  const def = f.defaultValue !== undefined ? ` = ${thriftConstText(f.defaultValue)}` : '';
  return `${f.id}: ${req}${thriftTypeText(f.type, main)} ${f.name}${def}${annotationsText(f.annotations)}`;
}

/** A struct, union or exception as Thrift text. */
export function thriftStructText(s: ThriftStruct, main: ThriftFile): string {
  return [`${s.kind} ${s.name} {`, ...s.fields.map((f) => `  ${thriftFieldText(f, main)},`), `}${annotationsText(s.annotations)}`].join('\n');
}

/** An enum as Thrift text. */
export function thriftEnumText(e: ThriftEnum): string {
  return [`enum ${e.name} {`, ...e.values.map((v) => `  ${v.name} = ${v.value},`), '}'].join('\n');
}

/** A typedef line. */
export function thriftTypedefText(t: ThriftTypedef, main: ThriftFile): string {
  // The resolved type, not the typedef's own name.
  const { typedefName: _ignored, ...resolved } = t.type as ThriftReturnType & { typedefName?: string };
  return `typedef ${thriftTypeText(resolved as ThriftReturnType, main)} ${t.name}${annotationsText(t.annotations)}`;
}

/** The argument list and throws of a function: `(1: Request req) throws (1: Err e)`. */
export function thriftFunctionSignature(f: ThriftFunction, main: ThriftFile): string {
  const args = `(${f.args.map((a) => thriftFieldText(a, main)).join(', ')})`;
  const throws = f.throws.length ? ` throws (${f.throws.map((a) => thriftFieldText(a, main)).join(', ')})` : '';
  return args + throws;
}

/** A function line. */
export function thriftFunctionText(f: ThriftFunction, main: ThriftFile): string {
  return `${f.oneway ? 'oneway ' : ''}${thriftTypeText(f.returnType, main)} ${f.name}${thriftFunctionSignature(f, main)}${annotationsText(f.annotations)}`;
}

/** A service (own functions; inherited ones listed after a comment) as Thrift text. */
export function thriftServiceText(s: ThriftService, main: ThriftFile): string {
  const ext = s.extends ? ` extends ${s.extends.file === main ? s.extends.name : s.extends.fullName}` : '';
  const lines = [`service ${s.name}${ext} {`, ...s.ownFunctions.map((f) => `  ${thriftFunctionText(f, main)},`)];
  const inherited = [...s.functions.values()].filter((f) => f.service !== s);
  if (inherited.length) {
    lines.push('  // inherited:');
    for (const f of inherited) lines.push(`  // ${thriftFunctionText(f, main)}  (from ${f.service.name})`);
  }
  lines.push(`}${annotationsText(s.annotations)}`);
  return lines.join('\n');
}
