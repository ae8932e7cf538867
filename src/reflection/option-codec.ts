/**
 * Options ⇄ the bytes of descriptor.proto's `*Options` messages, as protoc writes them: the
 * standard options as known fields in field-number order (several `features.x` statements
 * merged into one FeatureSet), then each custom option statement as its own record, in the
 * order written (`(rule).name = …` and `(rule).level = …` are two records of `rule`);
 * aggregate values (`{ … }`) encoded like protoc's text-format parser encodes a message:
 * fields in number order, repeated scalars packed where the field is, implicit-presence
 * zeros left out.
 */
import type { ProtoField, ProtoMessage, ProtoOptionValue, ProtoOptions } from '../idl-parser/proto/descriptor.js';
import { readUtf8 } from '../codec/bytes/utf8.js';
import { writeVarint64 } from '../codec/bytes/varint.js';
import { findOptionExtension, standardOptions, type OptionsMessage, type SymbolLookup } from './option-schema.js';
import { END_GROUP, FIXED32, FIXED64, LEN, START_GROUP, VARINT, WireReader, WireWriter } from './wire.js';

type Aggregate = { readonly [key: string]: ProtoOptionValue | ProtoOptionValue[] };

/** Thrown for an option the files at hand cannot encode (an extension that is not loaded). */
export class OptionEncodeError extends Error {
  override readonly name = 'OptionEncodeError';
}

const MASK32 = 0xffffffffn;

function wireTypeOf(f: ProtoField): number {
  switch (f.type) {
    case 'double':
    case 'fixed64':
    case 'sfixed64':
      return FIXED64;
    case 'float':
    case 'fixed32':
    case 'sfixed32':
      return FIXED32;
    case 'string':
    case 'bytes':
    case 'message':
      return LEN;
    case 'group':
      return START_GROUP;
    default:
      return VARINT;
  }
}

function isAggregate(v: ProtoOptionValue): v is Aggregate {
  return typeof v === 'object' && v !== null && !('identifier' in v) && !('bytes' in v);
}

function identifierOf(v: ProtoOptionValue): string | undefined {
  return typeof v === 'object' && v !== null && 'identifier' in v ? (v.identifier as string) : undefined;
}

function integer(v: ProtoOptionValue, f: ProtoField): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'boolean') return v ? 1n : 0n;
  throw new OptionEncodeError(`option field "${f.fullName}": expected an integer, not ${JSON.stringify(String(v))}`);
}

function floating(v: ProtoOptionValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const id = identifierOf(v)?.toLowerCase() ?? '';
  if (id === 'nan' || id === '-nan') return NaN;
  return id.startsWith('-') ? -Infinity : Infinity;
}

function enumNumber(v: ProtoOptionValue, f: ProtoField): number {
  if (typeof v === 'number') return v;
  const id = identifierOf(v);
  const found = f.enum?.values.find((x) => x.name === id);
  if (!found) throw new OptionEncodeError(`option field "${f.fullName}": unknown enum value ${JSON.stringify(id ?? String(v))}`);
  return found.number;
}

function writeVarintBig(w: WireWriter, v: bigint): void {
  const u = BigInt.asUintN(64, v);
  writeVarint64(w, Number(u & MASK32), Number(u >> 32n));
}

/** The value of one scalar field, without its tag (also the items of a packed run). */
function writeScalar(w: WireWriter, f: ProtoField, v: ProtoOptionValue): void {
  switch (f.type) {
    case 'bool':
      w.writeByte(v === true || v === 1 ? 1 : 0);
      return;
    case 'enum':
      writeVarintBig(w, BigInt(enumNumber(v, f)));
      return;
    case 'int32':
    case 'int64':
    case 'uint32':
    case 'uint64':
      writeVarintBig(w, integer(v, f));
      return;
    case 'sint32':
    case 'sint64': {
      const n = integer(v, f);
      writeVarintBig(w, n >= 0n ? n << 1n : ((-n) << 1n) - 1n);
      return;
    }
    case 'fixed32':
    case 'sfixed32':
      w.writeUint32LE(Number(BigInt.asUintN(32, integer(v, f))));
      return;
    case 'fixed64':
    case 'sfixed64': {
      const u = BigInt.asUintN(64, integer(v, f));
      w.writeUint32LE(Number(u & MASK32));
      w.writeUint32LE(Number(u >> 32n));
      return;
    }
    case 'float':
      w.writeFloat32LE(floating(v));
      return;
    case 'double':
      w.writeFloat64LE(floating(v));
      return;
    default:
      throw new OptionEncodeError(`option field "${f.fullName}" of type ${f.type} is not a scalar`);
  }
}

/** True for a value an implicit-presence (proto3 singular) field does not write. */
function isZero(f: ProtoField, v: ProtoOptionValue): boolean {
  switch (f.type) {
    case 'message':
    case 'group':
      return false;
    case 'string':
    case 'bytes':
      return v === '';
    case 'bool':
      return v === false;
    case 'enum':
      return enumNumber(v, f) === 0;
    case 'float':
    case 'double':
      return Object.is(floating(v), 0);
    default:
      return integer(v, f) === 0n;
  }
}

/** Encodes option values: a writer plus the files' symbols. */
class OptionWriter {
  constructor(
    readonly w: WireWriter,
    readonly lookup: SymbolLookup,
  ) {}

  /** One field with its tag: scalar, string, message (aggregate) or group. */
  value(f: ProtoField, v: ProtoOptionValue): void {
    const w = this.w;
    switch (f.type) {
      case 'string':
      case 'bytes':
        if (typeof v === 'object' && 'bytes' in v) w.bytes(f.number, v.bytes as Uint8Array);
        else if (typeof v === 'string') w.string(f.number, v);
        else throw new OptionEncodeError(`option field "${f.fullName}": expected a string`);
        return;
      case 'message': {
        const s = w.begin(f.number);
        this.body(f.message!, v);
        w.end(s);
        return;
      }
      case 'group':
        w.tag(f.number, START_GROUP);
        this.body(f.message!, v);
        w.tag(f.number, END_GROUP);
        return;
      default:
        w.tag(f.number, wireTypeOf(f));
        writeScalar(w, f, v);
    }
  }

  /** A message from an aggregate value: fields in number order, as a serialized message has them. */
  body(m: ProtoMessage, v: ProtoOptionValue): void {
    if (!isAggregate(v)) throw new OptionEncodeError(`option of message type "${m.fullName}" needs an aggregate value { … }`);
    const agg: Aggregate = v;
    const entries: Array<{ field: ProtoField; values: ProtoOptionValue[] }> = [];
    for (const key of Object.keys(agg)) {
      const raw = agg[key]!;
      const values = Array.isArray(raw) ? raw : [raw];
      if (key.startsWith('[') && key.includes('/')) {
        this.expandedAny(m, key.slice(1, -1), values[0]!);
        return;
      }
      const field = key.startsWith('[')
        ? this.lookup.findExtension(key.slice(key.charCodeAt(1) === 46 ? 2 : 1, -1))
        : m.fields.find((f) => f.name === key || (f.type === 'group' && f.message?.name === key));
      if (!field) throw new OptionEncodeError(`message "${m.fullName}" has no field or loaded extension "${key}"`);
      entries.push({ field, values });
    }
    entries.sort((a, b) => a.field.number - b.field.number);
    for (const { field, values } of entries) {
      if (field.label !== 'repeated') {
        const last = values[values.length - 1]!;
        if (!field.hasPresence && isZero(field, last)) continue;
        this.value(field, last);
      } else if (field.packed && values.length) {
        const s = this.w.begin(field.number);
        for (const x of values) writeScalar(this.w, field, x);
        this.w.end(s);
      } else {
        for (const x of values) this.value(field, x);
      }
    }
  }

  /** `[type.googleapis.com/pkg.Msg] { … }` in a google.protobuf.Any: its type URL and encoded value. */
  private expandedAny(any: ProtoMessage, url: string, value: ProtoOptionValue): void {
    const type = this.lookup.findMessage(url.slice(url.lastIndexOf('/') + 1));
    if (any.fullName !== 'google.protobuf.Any' || !type) {
      throw new OptionEncodeError(`cannot expand "[${url}]" in "${any.fullName}"`);
    }
    this.w.string(1, url);
    const s = this.w.begin(2);
    this.body(type, value);
    this.w.end(s);
  }

  /** A custom option statement `(ext).a.b = v`: one record of the extension, nested down the path. */
  path(fields: readonly ProtoField[], i: number, v: ProtoOptionValue): void {
    const f = fields[i]!;
    if (i === fields.length - 1) {
      this.value(f, v);
      return;
    }
    if (f.type === 'group') {
      this.w.tag(f.number, START_GROUP);
      this.path(fields, i + 1, v);
      this.w.tag(f.number, END_GROUP);
      return;
    }
    const s = this.w.begin(f.number);
    this.path(fields, i + 1, v);
    this.w.end(s);
  }
}

/** Splits `(a.b).c.(d).e` into its parts (extension names keep their text, without parentheses). */
function nameParts(name: string): Array<{ name: string; extension: boolean }> {
  const parts: Array<{ name: string; extension: boolean }> = [];
  let i = 0;
  while (i < name.length) {
    if (name[i] === '(') {
      const close = name.indexOf(')', i);
      parts.push({ name: name.slice(i + 1, close), extension: true });
      i = close + 2;
    } else {
      let dot = name.indexOf('.', i);
      if (dot < 0) dot = name.length;
      parts.push({ name: name.slice(i, dot), extension: false });
      i = dot + 1;
    }
  }
  return parts;
}

/**
 * Writes `options` as field `fieldNumber` of the enclosing descriptor (nothing when there are
 * none, unless `present`: an empty message then). `relativeTo` is the element custom option
 * names are resolved from, as protoc does.
 */
export function writeOptions(
  w: WireWriter,
  fieldNumber: number,
  target: OptionsMessage,
  options: ProtoOptions,
  relativeTo: string,
  lookup: SymbolLookup,
  present = false,
): void {
  if (options.length === 0 && !present) return;
  const std = standardOptions(target, lookup);
  const known = new Map<ProtoField, ProtoOptionValue[]>();
  const merged = new Map<ProtoField, Record<string, ProtoOptionValue>>();
  const custom: Array<{ fields: ProtoField[]; value: ProtoOptionValue }> = [];
  for (const o of options) {
    const parts = nameParts(o.name);
    if (!parts[0]!.extension) {
      const f = std.byName.get(parts[0]!.name);
      if (!f) throw new OptionEncodeError(`unknown option "${o.name}" in ${target}`);
      if (parts.length === 1) {
        const list = known.get(f);
        if (list) list.push(o.value);
        else known.set(f, [o.value]);
      } else {
        // `features.field_presence = IMPLICIT`: sub-fields of one known message field, merged.
        let agg = merged.get(f);
        if (!agg) merged.set(f, (agg = {}));
        for (let i = 1; i < parts.length; i++) {
          const p = parts[i]!;
          let key = p.name;
          if (p.extension) {
            const ext = findOptionExtension(lookup, p.name, relativeTo);
            if (!ext) throw new OptionEncodeError(`option "${o.name}": "${p.name}" is not a loaded extension`);
            key = `[${ext.fullName}]`;
          }
          if (i === parts.length - 1) agg[key] = o.value;
          else agg = (agg[key] ??= {}) as Record<string, ProtoOptionValue>;
        }
      }
      continue;
    }
    const fields: ProtoField[] = [];
    let current: ProtoMessage | undefined;
    for (const p of parts) {
      const f = p.extension ? findOptionExtension(lookup, p.name, relativeTo) : current?.fields.find((x) => x.name === p.name);
      if (!f) throw new OptionEncodeError(`option "${o.name}": "${p.name}" is not a loaded ${p.extension ? 'extension' : 'field'}`);
      fields.push(f);
      current = f.message;
    }
    custom.push({ fields, value: o.value });
  }
  const s = w.begin(fieldNumber);
  const out = new OptionWriter(w, lookup);
  const ordered = [...new Set([...known.keys(), ...merged.keys()])].sort((a, b) => a.number - b.number);
  for (const f of ordered) {
    const agg = merged.get(f);
    if (agg) out.value(f, agg);
    for (const v of known.get(f) ?? []) out.value(f, v);
  }
  for (const c of custom) out.path(c.fields, 0, c.value);
  w.end(s);
}

// ---- decoding ----

function readScalar(r: WireReader, f: ProtoField): ProtoOptionValue {
  switch (f.type) {
    case 'bool':
      return r.bool();
    case 'enum': {
      const n = r.int32();
      const v = f.enum?.values.find((x) => x.number === n);
      return v ? { identifier: v.name } : n;
    }
    case 'int32':
      return r.int32();
    case 'uint32':
      return r.varint32() >>> 0;
    case 'sint32': {
      const z = r.varint32();
      return (z >>> 1) ^ -(z & 1);
    }
    case 'int64':
    case 'uint64':
    case 'sint64': {
      const lo = r.varint64();
      const u = (BigInt(r.hi) << 32n) | BigInt(lo);
      return small(f.type === 'uint64' ? u : f.type === 'int64' ? BigInt.asIntN(64, u) : (u >> 1n) ^ -(u & 1n));
    }
    case 'fixed32':
      return r.fixed32();
    case 'sfixed32':
      return r.fixed32() | 0;
    case 'fixed64':
    case 'sfixed64': {
      const lo = r.fixed64();
      const u = (BigInt(r.hi) << 32n) | BigInt(lo);
      return small(f.type === 'fixed64' ? u : BigInt.asIntN(64, u));
    }
    case 'float':
      return finite(r.float());
    case 'double':
      return finite(r.double());
    default:
      throw new Error(`not a scalar type: ${f.type}`);
  }
}

function small(v: bigint): number | bigint {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

function finite(v: number): ProtoOptionValue {
  if (Number.isFinite(v)) return v;
  return { identifier: v !== v ? 'nan' : v > 0 ? 'inf' : '-inf' };
}

/** Decodes option values with the files' symbols. */
class OptionReader {
  constructor(readonly lookup: SymbolLookup | undefined) {}

  /**
   * One field's value at the reader, or undefined (value skipped) when its wire type does not
   * fit the field. A packed run of a repeated scalar comes back as an array.
   */
  value(r: WireReader, f: ProtoField, tag: number, depth: number): ProtoOptionValue | ProtoOptionValue[] | undefined {
    const wt = tag & 7;
    if (f.type === 'group') {
      if (wt !== START_GROUP) return r.skip(tag, 0), undefined;
      const start = r.pos;
      const end = r.groupEnd(f.number, depth); // reads past the end tag too
      return this.message(new WireReader(r.buf, start, end), f.message!, depth + 1);
    }
    if (wt === LEN && f.type === 'message') {
      const end = r.lengthEnd();
      const v = this.message(new WireReader(r.buf, r.pos, end), f.message!, depth + 1);
      r.pos = end;
      return v;
    }
    if (wt === LEN && (f.type === 'string' || f.type === 'bytes')) {
      const end = r.lengthEnd();
      const text: ProtoOptionValue = readUtf8(r.buf, r.pos, end) ?? { bytes: r.buf.slice(r.pos, end) };
      r.pos = end;
      return text;
    }
    const expected = wireTypeOf(f);
    if (wt === LEN && f.label === 'repeated' && expected !== LEN) {
      const end = r.lengthEnd();
      const items: ProtoOptionValue[] = [];
      const inner = new WireReader(r.buf, r.pos, end);
      while (inner.pos < end) items.push(readScalar(inner, f));
      r.pos = end;
      return items;
    }
    if (wt !== expected) return r.skip(tag, 0), undefined;
    return readScalar(r, f);
  }

  /** A message as an aggregate value: field names (extensions as `[full.name]`) to values. */
  message(r: WireReader, m: ProtoMessage, depth: number): Aggregate {
    if (depth > 64) throw new Error('option values nested too deeply');
    const out: { [key: string]: ProtoOptionValue | ProtoOptionValue[] } = {};
    while (r.pos < r.end) {
      const tag = r.tag();
      const n = tag >>> 3;
      const field = m.fields.find((f) => f.number === n) ?? this.lookup?.extensionsOf(m.fullName).find((x) => x.number === n);
      if (!field) {
        r.skip(tag, 0);
        continue;
      }
      const v = this.value(r, field, tag, depth);
      if (v === undefined) continue;
      const key = field.extendee ? `[${field.fullName}]` : field.name;
      if (field.label === 'repeated') {
        const prev = out[key] as ProtoOptionValue[] | undefined;
        out[key] = prev ? prev.concat(v) : Array.isArray(v) ? v : [v];
      } else {
        out[key] = v as ProtoOptionValue;
      }
    }
    return out;
  }
}

/**
 * Options from the bytes of a `*Options` message: standard ones by their names (a FeatureSet
 * as `features.x` entries, as written in editions files), custom ones as `(.full.name)` with
 * scalar or aggregate values. Fields neither descriptor.proto nor the files' extensions know
 * are left out (all custom options when there is no `lookup`), and counted in `skipped`.
 * Throws `CodecError` for malformed bytes.
 */
export function readOptions(
  bytes: Uint8Array,
  target: OptionsMessage,
  lookup: SymbolLookup | undefined,
  skipped?: { count: number },
): ProtoOptions {
  const std = standardOptions(target, lookup);
  const reader = new OptionReader(lookup);
  const out: Array<{ name: string; value: ProtoOptionValue }> = [];
  const r = new WireReader(bytes);
  const extendee = `google.protobuf.${target}`;
  while (r.pos < r.end) {
    const tag = r.tag();
    const n = tag >>> 3;
    const known = std.byNumber.get(n);
    const field = known ?? lookup?.extensionsOf(extendee).find((x) => x.number === n);
    if (!field) {
      if (skipped) skipped.count++;
      r.skip(tag, 0);
      continue;
    }
    const v = reader.value(r, field, tag, 0);
    if (v === undefined) continue;
    if (known && known.type === 'message' && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v as Aggregate)) out.push({ name: `${known.name}.${k.startsWith('[') ? `(${k.slice(1, -1)})` : k}`, value: x as ProtoOptionValue });
      continue;
    }
    const name = known ? known.name : `(.${field.fullName})`;
    if (Array.isArray(v)) for (const x of v) out.push({ name, value: x });
    else out.push({ name, value: v });
  }
  return out;
}
