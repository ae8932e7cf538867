import type { Pos } from './ast.js';
import type { ProtoField } from './descriptor.js';
import { fail } from './fail.js';
import { MAX_FIELD_NUMBER } from './parse-enum.js';
import type { BuiltEnum, BuiltField, BuiltMessage, FileBuild } from './build-state.js';

const INT32_MAX = 2147483647;
const FIRST_RESERVED = 19000;
const LAST_RESERVED = 19999;

type Range = { start: number; end: number };

/** `a to b` with protoc's inclusive display. */
function show(r: Range, inclusive: boolean): string {
  const end = inclusive ? r.end : r.end - 1;
  return r.start === end ? `${r.start}` : `${r.start} to ${end}`;
}

function inRanges(n: number, ranges: readonly Range[], inclusive: boolean): Range | undefined {
  for (const r of ranges) if (n >= r.start && (inclusive ? n <= r.end : n < r.end)) return r;
  return undefined;
}

function overlaps(a: Range, b: Range, inclusive: boolean): boolean {
  return inclusive ? a.start <= b.end && b.start <= a.end : a.start < b.end && b.start < a.end;
}

function checkNumber(fileName: string, f: BuiltField, maxNumber: number): void {
  const n = f.node.number;
  const pos = f.node.numberPos;
  if (n <= 0) fail(fileName, pos, `field numbers must be positive integers ("${f.node.name}" = ${n})`);
  if (n > maxNumber) fail(fileName, pos, `field numbers cannot be greater than ${maxNumber} ("${f.node.name}" = ${n})`);
  if (n >= FIRST_RESERVED && n <= LAST_RESERVED) {
    fail(fileName, pos, `field numbers ${FIRST_RESERVED} through ${LAST_RESERVED} are reserved for the protocol buffer library implementation ("${f.node.name}" = ${n})`);
  }
}

/** Numbers, ranges, reserved names, oneofs, maps and proto3 rules of one message. */
export function validateMessage(b: FileBuild, m: BuiltMessage): void {
  const fileName = b.node.name;
  const { node, desc } = m;
  const messageSet = node.options.some((o) => o.name === 'message_set_wire_format' && o.value === true);
  const maxEnd = messageSet ? INT32_MAX : MAX_FIELD_NUMBER + 1;
  const fix = (r: { start: number; end: number; pos: Pos }, what: string): Range => {
    const end = r.end === -1 ? maxEnd : r.end;
    if (r.start <= 0) fail(fileName, r.pos, `${what} numbers must be positive integers`);
    if (end <= r.start) fail(fileName, r.pos, `${what} range end number must be greater than or equal to its start number`);
    if (end > maxEnd) fail(fileName, r.pos, `${what} numbers cannot be greater than ${maxEnd - 1}`);
    return { start: r.start, end };
  };
  const reserved = node.reservedRanges.map((r) => fix(r, 'reserved'));
  reserved.forEach((r, i) => {
    for (let j = 0; j < i; j++) {
      if (overlaps(r, reserved[j]!, false)) {
        fail(fileName, node.reservedRanges[i]!.pos, `reserved range ${show(r, false)} overlaps with already-defined range ${show(reserved[j]!, false)}`);
      }
    }
  });
  if (node.extensionRanges.length && b.node.syntax === 'proto3') {
    fail(fileName, node.extensionRanges[0]!.pos, 'extension ranges are not allowed in proto3');
  }
  const extRanges = node.extensionRanges.map((r) => fix(r, 'extension'));
  extRanges.forEach((r, i) => {
    const pos = node.extensionRanges[i]!.pos;
    for (let j = 0; j < i; j++) {
      if (overlaps(r, extRanges[j]!, false)) {
        fail(fileName, pos, `extension range ${show(r, false)} overlaps with already-defined range ${show(extRanges[j]!, false)}`);
      }
    }
    for (const q of reserved) {
      if (overlaps(r, q, false)) fail(fileName, pos, `extension range ${show(r, false)} overlaps with reserved range ${show(q, false)}`);
    }
  });
  desc.reservedRanges = reserved;
  desc.extensionRanges = extRanges.map((r, i) => {
    const opts = node.extensionRanges[i]!.options;
    return opts.length ? { ...r, options: opts.map((o) => ({ name: o.name, value: o.value })) } : r;
  });

  const byNumber = new Map<number, string>();
  const reservedNames = new Set(desc.reservedNames);
  const jsonNames = b.node.syntax === 'proto3' ? new Map<string, string>() : undefined;
  for (const f of m.fields) {
    const fn = f.node;
    checkNumber(fileName, f, MAX_FIELD_NUMBER);
    const prev = byNumber.get(fn.number);
    if (prev !== undefined) {
      fail(fileName, fn.numberPos, `field number ${fn.number} has already been used in "${desc.fullName}" by field "${prev}"`);
    }
    byNumber.set(fn.number, fn.name);
    const r = inRanges(fn.number, reserved, false);
    if (r) fail(fileName, fn.numberPos, `field "${fn.name}" uses reserved number ${fn.number} (reserved ${show(r, false)})`);
    if (reservedNames.has(fn.name)) fail(fileName, fn.pos, `field name "${fn.name}" is reserved`);
    const e = inRanges(fn.number, extRanges, false);
    if (e) fail(fileName, fn.numberPos, `extension range ${show(e, false)} includes field "${fn.name}" (${fn.number})`);
    if (jsonNames) {
      // protoc 3.21 compares lower-cased names without underscores (stricter than camel case).
      const j = fn.name.replace(/_/g, '').toLowerCase();
      const other = jsonNames.get(j);
      if (other !== undefined) {
        fail(fileName, fn.pos, `the JSON camel-case name of field "${fn.name}" conflicts with field "${other}"; this is not allowed in proto3`);
      }
      jsonNames.set(j, fn.name);
    }
    if (b.node.syntax === 'proto3' && f.desc.type === 'enum' && f.desc.enum!.closed) {
      fail(fileName, fn.typePos, `enum type "${f.desc.enum!.fullName}" is not an open enum, but is used in "${desc.fullName}" which is a proto3 message type`);
    }
    if (fn.mapEntry) checkMapEntry(fileName, f);
  }
  for (const o of node.oneofs) {
    if (o.fields.length === 0) fail(fileName, o.pos, `oneof "${o.name}" must have at least one field`);
  }
}

function checkMapEntry(fileName: string, f: BuiltField): void {
  const entry = f.desc.mapEntry!;
  const key = entry.fields[0]!;
  const keyNode = f.node.mapEntry!.fields[0]!;
  const bad = key.type === 'float' || key.type === 'double' || key.type === 'bytes' || key.type === 'message' || key.type === 'group';
  if (bad) fail(fileName, keyNode.typePos, `map key type cannot be ${key.type === 'message' ? 'a message' : key.type} (use an integer type, bool or string)`);
  if (key.type === 'enum') fail(fileName, keyNode.typePos, 'map key type cannot be an enum (use an integer type, bool or string)');
  // protoc, in every syntax (descriptor.cc ValidateMapEntry): an enum map value needs a zero
  // default, as an entry without a value must decode to one.
  const value = entry.fields[1]!;
  if (value.type === 'enum' && value.enum!.values[0]?.number !== 0) fail(fileName, f.node.typePos, 'enum value in map must define 0 as the first value');
}

/** protoc's `EnumValueToPascalCase(PrefixRemover(enum).MaybeRemove(value))`; `prefix` is the enum name lower-cased without underscores. */
function enumValueKey(prefix: string, value: string): string {
  let stripped = value;
  let i = 0;
  let j = 0;
  let matched = true;
  for (; i < value.length && j < prefix.length; i++) {
    if (value[i] === '_') continue;
    if (value[i]!.toLowerCase() !== prefix[j++]) {
      matched = false;
      break;
    }
  }
  if (matched && j === prefix.length) {
    while (i < value.length && value[i] === '_') i++;
    if (i < value.length) stripped = value.slice(i);
  }
  let out = '';
  let upper = true;
  for (const ch of stripped) {
    if (ch === '_') upper = true;
    else {
      out += upper ? ch.toUpperCase() : ch.toLowerCase();
      upper = false;
    }
  }
  return out;
}

/** Values, aliases, reserved numbers/names and proto3's zero-first rule of one enum. */
export function validateEnum(b: FileBuild, e: BuiltEnum): void {
  const fileName = b.node.name;
  const { node, desc } = e;
  if (node.values.length === 0) fail(fileName, node.pos, `enum "${node.name}" must contain at least one value`);
  if (!desc.closed && node.values[0]!.number !== 0) {
    fail(fileName, node.values[0]!.numberPos, `the first enum value must be zero in ${b.node.syntax === 'proto3' ? 'proto3' : 'open enums'}`);
  }
  const ranges = node.reservedRanges;
  ranges.forEach((r, i) => {
    if (r.end < r.start) fail(fileName, r.pos, 'reserved range end number must be greater than or equal to its start number');
    for (let j = 0; j < i; j++) {
      if (overlaps(r, ranges[j]!, true)) fail(fileName, r.pos, `reserved range ${show(r, true)} overlaps with already-defined range ${show(ranges[j]!, true)}`);
    }
  });
  const aliasOpt = node.options.find((o) => o.name === 'allow_alias');
  const allowAlias = aliasOpt?.value === true;
  const byNumber = new Map<number, string>();
  const reservedNames = new Set(desc.reservedNames);
  const keys = desc.closed ? undefined : new Map<string, { name: string; number: number }>();
  const prefix = node.name.replace(/_/g, '').toLowerCase();
  let aliases = false;
  for (const v of node.values) {
    const prev = byNumber.get(v.number);
    if (prev !== undefined) {
      if (!allowAlias) {
        fail(fileName, v.numberPos, `"${v.name}" uses the same enum value (${v.number}) as "${prev}"; if this is intended, set "option allow_alias = true;" on enum "${node.name}"`);
      }
      aliases = true;
    } else byNumber.set(v.number, v.name);
    const r = inRanges(v.number, ranges, true);
    if (r) fail(fileName, v.numberPos, `enum value "${v.name}" uses reserved number ${v.number} (reserved ${show(r, true)})`);
    if (reservedNames.has(v.name)) fail(fileName, v.pos, `enum value name "${v.name}" is reserved`);
    if (keys) {
      const k = enumValueKey(prefix, v.name);
      const other = keys.get(k);
      if (other && other.name !== v.name && other.number !== v.number) {
        fail(fileName, v.pos, `enum value "${v.name}" has the same name as "${other.name}" if you ignore case and strip out the enum name prefix; this is error-prone, rename one of them (or give both the same number as aliases)`);
      }
      if (!other) keys.set(k, { name: v.name, number: v.number });
    }
  }
  if (aliasOpt && allowAlias && !aliases) {
    fail(fileName, aliasOpt.pos, `enum "${desc.fullName}" sets allow_alias but no two values share a number; remove the option or add an alias`);
  }
}

const OPTION_MESSAGES = new Set([
  'google.protobuf.FileOptions', 'google.protobuf.MessageOptions', 'google.protobuf.FieldOptions',
  'google.protobuf.OneofOptions', 'google.protobuf.EnumOptions', 'google.protobuf.EnumValueOptions',
  'google.protobuf.ServiceOptions', 'google.protobuf.MethodOptions', 'google.protobuf.ExtensionRangeOptions',
  'google.protobuf.StreamOptions',
]);

/** Extension numbers, extendee ranges and the proto3 options-only rule. */
export function validateFile(b: FileBuild, extensions: readonly BuiltField[]): void {
  const fileName = b.node.name;
  for (const f of extensions) {
    const extendee = f.desc.extendee!;
    const isMessageSet = extendee.options.some((o) => o.name === 'message_set_wire_format' && o.value === true);
    checkNumber(fileName, f, isMessageSet ? INT32_MAX : MAX_FIELD_NUMBER);
    if (f.desc.label === 'required') fail(fileName, f.node.labelPos ?? f.node.pos, `extension "${f.desc.fullName}" cannot be required`);
    if (b.node.syntax === 'proto3' && !OPTION_MESSAGES.has(extendee.fullName)) {
      fail(fileName, f.node.extendeePos!, 'extensions in proto3 are only allowed for defining options (extending google.protobuf.*Options)');
    }
    if (!inRanges(f.node.number, extendee.extensionRanges, false)) {
      fail(fileName, f.node.numberPos, `"${extendee.fullName}" does not declare ${f.node.number} as an extension number`);
    }
    let used = b.ctx.extensionNumbers.get(extendee.fullName);
    if (!used) b.ctx.extensionNumbers.set(extendee.fullName, (used = new Map<number, ProtoField>()));
    const prev = used.get(f.node.number);
    if (prev) {
      fail(fileName, f.node.numberPos, `extension number ${f.node.number} has already been used in "${extendee.fullName}" by extension "${prev.fullName}"`);
    }
    used.set(f.node.number, f.desc);
  }
}
