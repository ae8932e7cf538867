import type { MessageNode, OptionNode } from './ast.js';
import type { ProtoField, ProtoMessage, ProtoOptionValue } from './descriptor.js';
import { fail } from './fail.js';
import { parseProto } from './parser.js';
import type { FileBuild } from './build-state.js';
import { didYouMean } from './suggest.js';
import { WELL_KNOWN_SOURCES } from './well-known.js';

/** The `google.protobuf.*Options` message an option list belongs to. */
export type OptionTarget =
  | 'FileOptions'
  | 'MessageOptions'
  | 'FieldOptions'
  | 'OneofOptions'
  | 'EnumOptions'
  | 'EnumValueOptions'
  | 'ServiceOptions'
  | 'MethodOptions'
  | 'ExtensionRangeOptions';

interface StdOption {
  readonly type: string;
  readonly repeated: boolean;
  /** Value names, for enum-typed options. */
  readonly enumValues: readonly string[] | undefined;
}

let standard: Map<string, Map<string, StdOption>> | undefined;

/** Standard option fields, read once from our built-in descriptor.proto (as protoc uses its compiled-in copy). */
function standardOptions(target: OptionTarget): Map<string, StdOption> {
  if (!standard) {
    standard = new Map();
    const file = parseProto(WELL_KNOWN_SOURCES['google/protobuf/descriptor.proto']!, 'google/protobuf/descriptor.proto');
    const topEnums = new Map(file.enums.map((e) => [e.name, e.values.map((v) => v.name)]));
    for (const m of file.messages) {
      if (!m.name.endsWith('Options')) continue;
      standard.set(m.name, optionFields(m, topEnums));
    }
  }
  return standard.get(target) ?? new Map();
}

/**
 * When this load includes a google/protobuf/descriptor.proto (from the include
 * dirs, possibly newer than ours), its options messages are the reference, so
 * newer standard options (`retention`, `targets`, …) are accepted.
 */
function loadedStandardOptions(b: FileBuild, target: OptionTarget): Map<string, StdOption> | undefined {
  const sym = b.ctx.table.get('google.protobuf.' + target);
  if (!sym || sym.kind !== 'message') return undefined;
  const msg = sym.value as ProtoMessage;
  if (msg.file.name !== 'google/protobuf/descriptor.proto') return undefined;
  let out = loadedCache.get(msg);
  if (!out) {
    out = new Map();
    for (const f of msg.fields) {
      out.set(f.name, { type: f.type, repeated: f.label === 'repeated', enumValues: f.enum?.values.map((v) => v.name) });
    }
    loadedCache.set(msg, out);
  }
  return out;
}
const loadedCache = new WeakMap<ProtoMessage, Map<string, StdOption>>();

function optionFields(m: MessageNode, topEnums: Map<string, string[]>): Map<string, StdOption> {
  const out = new Map<string, StdOption>();
  for (const f of m.fields) {
    const short = f.typeName.slice(f.typeName.lastIndexOf('.') + 1);
    const nested = m.enums.find((e) => e.name === short);
    const enumValues = nested ? nested.values.map((v) => v.name) : topEnums.get(short);
    out.set(f.name, { type: enumValues ? 'enum' : f.typeName, repeated: f.label === 'repeated', enumValues });
  }
  return out;
}

const INT_TYPES = new Set(['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64']);

function isAggregate(v: ProtoOptionValue): boolean {
  return typeof v === 'object' && v !== null && !('identifier' in v) && !('bytes' in v);
}

/** Why `value` does not fit a field of `type`, or undefined when it does. */
function valueMismatch(type: string, enumValues: readonly string[] | undefined, value: ProtoOptionValue): string | undefined {
  const id = typeof value === 'object' && value !== null && 'identifier' in value ? (value.identifier as string) : undefined;
  switch (type) {
    case 'bool':
      return typeof value === 'boolean' ? undefined : 'expected true or false';
    case 'string':
    case 'bytes':
      return typeof value === 'string' || (typeof value === 'object' && 'bytes' in value) ? undefined : 'expected a string';
    case 'double':
    case 'float':
      return typeof value === 'number' || typeof value === 'bigint' || (id !== undefined && /^-?(inf|infinity|nan)$/.test(id))
        ? undefined
        : 'expected a number';
    case 'enum':
      if (id === undefined) return 'expected an enum value name';
      if (enumValues && !enumValues.includes(id)) return `unknown enum value "${id}"${didYouMean(id, enumValues)}`;
      return undefined;
    case 'message':
    case 'group':
      return isAggregate(value) ? undefined : 'expected an aggregate value { ... }';
    default:
      if (INT_TYPES.has(type)) {
        const ok = (typeof value === 'number' && Number.isInteger(value)) || typeof value === 'bigint';
        if (!ok) return 'expected an integer';
        if (type.startsWith('u') || type.startsWith('fixed')) {
          if ((typeof value === 'number' && value < 0) || (typeof value === 'bigint' && value < 0n)) return 'expected a non-negative integer';
        }
      }
      return undefined;
  }
}

/**
 * Checks one element's options like protoc's option interpreter: standard
 * names exist with values of the right type; custom `(ext)` names resolve
 * (from `scope`) to visible extensions of the right options message, and
 * their `.sub.fields` exist.
 */
export function checkOptions(b: FileBuild, target: OptionTarget, options: readonly OptionNode[], scope: string): void {
  const fileName = b.node.name;
  const seen = new Set<string>();
  for (const o of options) {
    const first = o.parts[0]!;
    if (!first.extension) {
      if (first.name === 'features') {
        if (b.node.syntax === 'editions') continue; // checked with the features
        fail(fileName, first.pos, `option "${o.name}" is only allowed in editions files (edition = "2023")`);
      }
      const std = loadedStandardOptions(b, target) ?? standardOptions(target);
      const spec = std.get(first.name);
      if (!spec || first.name === 'uninterpreted_option') {
        fail(fileName, first.pos, `unknown option "${first.name}" in ${target}${didYouMean(first.name, std.keys())}`);
      }
      if (o.parts.length > 1) fail(fileName, o.parts[1]!.pos, `option "${first.name}" has no sub-fields`);
      const why = valueMismatch(spec.type, spec.enumValues, o.value);
      if (why) fail(fileName, o.valuePos, `invalid value for option "${o.name}": ${why}`);
      if (!spec.repeated) {
        if (seen.has(o.name)) fail(fileName, o.pos, `option "${o.name}" was already set`);
        seen.add(o.name);
      }
      continue;
    }
    let field = resolveExtension(b, o, 0, scope, 'google.protobuf.' + target);
    for (let i = 1; i < o.parts.length; i++) {
      const part = o.parts[i]!;
      const msg: ProtoMessage | undefined = field.message;
      if (!msg || (field.type !== 'message' && field.type !== 'group')) {
        fail(fileName, part.pos, `option "${o.name}": "${field.name}" is not a message, so it has no field "${part.name}"`);
      }
      if (part.extension) {
        field = resolveExtension(b, o, i, scope, msg.fullName);
      } else {
        const sub = msg.fields.find((f) => f.name === part.name);
        if (!sub) {
          fail(fileName, part.pos, `option "${o.name}": message "${msg.fullName}" has no field "${part.name}"${didYouMean(part.name, msg.fields.map((f) => f.name))}`);
        }
        field = sub;
      }
    }
    const why = valueMismatch(field.type, field.enum?.values.map((v) => v.name), o.value);
    if (why) fail(fileName, o.valuePos, `invalid value for option "${o.name}": ${why}`);
    if (field.message && isAggregate(o.value)) {
      checkAggregate(b, o, field.message, o.value as { [key: string]: ProtoOptionValue | ProtoOptionValue[] });
    }
    if (field.label !== 'repeated' && field.type !== 'message' && field.type !== 'group') {
      if (seen.has(o.name)) fail(fileName, o.pos, `option "${o.name}" was already set`);
      seen.add(o.name);
    }
  }
}

function resolveExtension(b: FileBuild, o: OptionNode, index: number, scope: string, extendee: string): ProtoField {
  const fileName = b.node.name;
  const part = o.parts[index]!;
  const r = b.ctx.table.lookup(part.name, scope, b.visible, false, fileName);
  if ('reason' in r) {
    fail(fileName, part.pos, `option "(${part.name})" unknown: ${r.reason}; make sure the file defining the extension is imported`);
  }
  const sym = r as { kind: string; value: unknown; fullName: string };
  if (sym.kind !== 'extension') fail(fileName, part.pos, `option "(${part.name})" is not an extension (it names a ${sym.kind})`);
  const field = sym.value as ProtoField;
  if (field.extendee?.fullName !== extendee) {
    fail(fileName, part.pos, `option "(${part.name})" extends "${field.extendee?.fullName}", not "${extendee}"`);
  }
  return field;
}

/** Field names, extension keys and value kinds of a text-format aggregate, checked against `msg`. */
function checkAggregate(
  b: FileBuild,
  o: OptionNode,
  msg: ProtoMessage,
  value: { readonly [key: string]: ProtoOptionValue | ProtoOptionValue[] },
): void {
  const fileName = b.node.name;
  function bad(why: string): never {
    fail(fileName, o.valuePos, `invalid value for option "${o.name}": ${why}`);
  }
  for (const key of Object.keys(value)) {
    let field: ProtoField | undefined;
    if (key.startsWith('[')) {
      const name = key.slice(1, -1);
      if (name.includes('/')) continue; // an expanded google.protobuf.Any: its type is not checked here
      const sym = b.ctx.table.get(name.startsWith('.') ? name.slice(1) : name);
      if (!sym || sym.kind !== 'extension' || !b.ctx.table.isVisible(sym, b.visible)) bad(`unknown extension "${name}"`);
      field = sym.value as ProtoField;
      if (field.extendee !== msg) bad(`extension "${name}" does not extend "${msg.fullName}"`);
    } else {
      field = msg.fields.find((f) => f.name === key || (f.type === 'group' && f.message?.name === key));
      if (!field) bad(`message "${msg.fullName}" has no field "${key}"${didYouMean(key, msg.fields.map((f) => f.name))}`);
    }
    const v = value[key]!;
    const items = Array.isArray(v) ? v : [v];
    if (items.length > 1 && field.label !== 'repeated') bad(`field "${key}" of "${msg.fullName}" is not repeated but is given ${items.length} values`);
    for (const item of items) {
      const why = valueMismatch(field.type, field.enum?.values.map((x) => x.name), item);
      if (why) bad(`field "${key}" of "${msg.fullName}": ${why}`);
      if (field.message && isAggregate(item)) {
        checkAggregate(b, o, field.message, item as { [key: string]: ProtoOptionValue | ProtoOptionValue[] });
      }
    }
  }
}
