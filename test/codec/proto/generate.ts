import type { ProtoField, ProtoMessage } from '../../../src/idl-parser/proto/index.js';

/*
 * Random canonical-JSON messages generated from descriptors, for the
 * differential tests. Values mix the forms the proto3 JSON mapping accepts
 * (64-bit as strings or exact numbers, enums as names or numbers, either field
 * name) and lean on boundaries.
 */

type Rand = () => number;

const STRINGS = [
  '',
  'a',
  'hello world',
  'quote " backslash \\ slash /',
  'controls \b\f\n\r\t \u0000 \u001f \u007f',
  'héllo wörld ñ',
  '中文字符串',
  'emoji 😀 astral 𝄞 𠀋',
  '\u2028\u2029 line seps',
  '\ufeffbom',
  'x'.repeat(130),
  'é'.repeat(70),
];

const INT32 = [0, 1, -1, 127, 128, 300, -300, 2147483647, -2147483648, 65535];
const UINT32 = [0, 1, 127, 128, 4294967295, 2147483648, 65535];
const INT64 = ['0', '1', '-1', '9223372036854775807', '-9223372036854775808', '9007199254740993', '-9007199254740993', '4294967296', '-4294967296'];
const UINT64 = ['0', '1', '18446744073709551615', '9223372036854775808', '9007199254740993', '4294967295'];
const FLOATS = [0, 1, -1, 0.5, 1e-45, 1.401298464324817e-45, 3.4028234663852886e38, -3.4028234663852886e38, 1.1754943508222875e-38];
const DOUBLES = [0, 1, -1, 0.1, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308, 123456.789, 1e21];

function pick<T>(r: Rand, a: readonly T[]): T {
  return a[Math.floor(r() * a.length)]!;
}

function randInt(r: Rand, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

function rand64(r: Rand, signed: boolean): string {
  if (r() < 0.5) return pick(r, signed ? INT64 : UINT64);
  const u = (BigInt(Math.floor(r() * 2 ** 32)) << 32n) | BigInt(Math.floor(r() * 2 ** 32));
  const bits = BigInt(randInt(r, 1, 64));
  const v = u & ((1n << bits) - 1n);
  return String(signed ? BigInt.asIntN(64, v) : v);
}

/** Options for the generator. */
export interface GenOptions {
  /** Allow unknown enum numbers (open enums only). */
  unknownEnums?: boolean;
  /** Max nesting. */
  depth?: number;
  /** Type URLs usable in Any. */
  anyTypes?: string[];
  /** Always quote 64-bit integers (the form for oracles that go through JSON.parse). Same draws either way. */
  quote64?: boolean;
}

/** Generates the JSON text of a random `msg`. */
export function genMessage(r: Rand, msg: ProtoMessage, opts: GenOptions = {}, depth = 0): string {
  const wkt = genWkt(r, msg, opts, depth);
  if (wkt !== undefined) return wkt;
  return '{' + genMembers(r, msg, opts, depth).map((m) => JSON.stringify(m.key) + ':' + m.value).join(',') + '}';
}

/** A member of a generated JSON object: the field, the key used (either name) and the value's JSON text. */
export interface GenMember {
  readonly field: ProtoField;
  readonly key: string;
  readonly value: string;
}

/** The members of a random `msg` object (not a well-known type), in declaration order. */
export function genMembers(r: Rand, msg: ProtoMessage, opts: GenOptions = {}, depth = 0): GenMember[] {
  const maxDepth = opts.depth ?? 3;
  const parts: GenMember[] = [];
  const oneofChosen = new Map<number, ProtoField | null>();
  for (const f of msg.fields) {
    const real = f.oneofIndex !== undefined && !f.proto3Optional && !msg.oneofs[f.oneofIndex]!.synthetic;
    if (real) {
      if (!oneofChosen.has(f.oneofIndex!)) {
        const members = msg.fields.filter((x) => x.oneofIndex === f.oneofIndex);
        oneofChosen.set(f.oneofIndex!, r() < 0.7 ? pick(r, members) : null);
      }
      if (oneofChosen.get(f.oneofIndex!) !== f) continue;
    } else if (f.label === 'required') {
      // always set
    } else if (r() < 0.35) continue;
    if ((f.type === 'message' || f.type === 'group') && depth >= maxDepth) {
      if (f.label !== 'required') continue;
      parts.push({ field: f, key: f.jsonName, value: '{}' });
      continue;
    }
    const key = r() < 0.5 ? f.jsonName : f.name;
    parts.push({ field: f, key, value: genField(r, f, opts, depth) });
  }
  return parts;
}

/** A random value (JSON text) for field `f`: a list for repeated fields, an object for maps. */
export function genFieldValue(r: Rand, f: ProtoField, opts: GenOptions = {}, depth = 0): string {
  return genField(r, f, opts, depth);
}

function genField(r: Rand, f: ProtoField, opts: GenOptions, depth: number): string {
  if (f.label === 'repeated' && f.mapEntry !== undefined) {
    const n = randInt(r, 0, 3);
    const k = f.mapEntry.fields.find((x) => x.number === 1)!;
    const v = f.mapEntry.fields.find((x) => x.number === 2)!;
    const parts = new Map<string, string>();
    for (let i = 0; i < n; i++) {
      const key = genMapKey(r, k);
      parts.set(key, genValue(r, v, opts, depth + 1));
    }
    return '{' + [...parts].map(([a, b]) => JSON.stringify(a) + ':' + b).join(',') + '}';
  }
  if (f.label === 'repeated') {
    const n = randInt(r, 0, 4);
    const items: string[] = [];
    for (let i = 0; i < n; i++) items.push(genValue(r, f, opts, depth + 1));
    return '[' + items.join(',') + ']';
  }
  return genValue(r, f, opts, depth + 1);
}

function genMapKey(r: Rand, k: ProtoField): string {
  switch (k.type) {
    case 'string':
      return pick(r, STRINGS);
    case 'bool':
      return r() < 0.5 ? 'true' : 'false';
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return rand64(r, true);
    case 'uint64':
    case 'fixed64':
      return rand64(r, false);
    case 'uint32':
    case 'fixed32':
      return String(r() < 0.5 ? pick(r, UINT32) : randInt(r, 0, 100000));
    default:
      return String(r() < 0.5 ? pick(r, INT32) : randInt(r, -100000, 100000));
  }
}

function genValue(r: Rand, f: ProtoField, opts: GenOptions, depth: number): string {
  const asString = r() < 0.3;
  switch (f.type) {
    case 'message':
    case 'group':
      return genMessage(r, f.message!, opts, depth);
    case 'enum': {
      const e = f.enum!;
      if (opts.unknownEnums && !e.closed && r() < 0.1) return String(randInt(r, 1000, 2000));
      const v = pick(r, e.values);
      if (e.fullName === 'google.protobuf.NullValue') return 'null';
      return r() < 0.7 ? JSON.stringify(v.name) : String(v.number);
    }
    case 'string':
      return JSON.stringify(pick(r, STRINGS));
    case 'bytes': {
      const n = randInt(r, 0, 40);
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = randInt(r, 0, 255);
      return JSON.stringify(r() < 0.2 ? b.toString('base64url') : b.toString('base64'));
    }
    case 'bool':
      return r() < 0.5 ? 'true' : 'false';
    case 'double':
    case 'float': {
      if (r() < 0.08) return JSON.stringify(pick(r, ['NaN', 'Infinity', '-Infinity']));
      let v = r() < 0.5 ? pick(r, f.type === 'float' ? FLOATS : DOUBLES) : (r() - 0.5) * 10 ** randInt(r, -10, 30);
      if (f.type === 'float') v = Math.fround(v);
      return asString ? JSON.stringify(String(v)) : String(v);
    }
    case 'int64':
    case 'sint64':
    case 'sfixed64': {
      const v = rand64(r, true);
      return asString || opts.quote64 ? JSON.stringify(v) : v;
    }
    case 'uint64':
    case 'fixed64': {
      const v = rand64(r, false);
      return asString || opts.quote64 ? JSON.stringify(v) : v;
    }
    case 'uint32':
    case 'fixed32': {
      const v = r() < 0.5 ? pick(r, UINT32) : randInt(r, 0, 2 ** 32 - 1);
      return asString ? JSON.stringify(String(v)) : String(v);
    }
    default: {
      const v = r() < 0.5 ? pick(r, INT32) : randInt(r, -(2 ** 31), 2 ** 31 - 1);
      return asString ? JSON.stringify(String(v)) : String(v);
    }
  }
}

function genJsonValue(r: Rand, depth: number): string {
  const k = randInt(r, 0, depth > 2 ? 3 : 5);
  switch (k) {
    case 0:
      return 'null';
    case 1:
      return String(pick(r, [0, 1.5, -2, 1e100, 123456789]));
    case 2:
      return JSON.stringify(pick(r, STRINGS));
    case 3:
      return r() < 0.5 ? 'true' : 'false';
    case 4: {
      const n = randInt(r, 0, 3);
      const o: string[] = [];
      for (let i = 0; i < n; i++) o.push(JSON.stringify('k' + i + pick(r, ['', 'é', '"'])) + ':' + genJsonValue(r, depth + 1));
      return '{' + o.join(',') + '}';
    }
    default: {
      const n = randInt(r, 0, 3);
      const o: string[] = [];
      for (let i = 0; i < n; i++) o.push(genJsonValue(r, depth + 1));
      return '[' + o.join(',') + ']';
    }
  }
}

function genTimestamp(r: Rand): string {
  const sec = randInt(r, -62135596800, 253402300799);
  const d = new Date(sec * 1000).toISOString().slice(0, 19);
  const frac = pick(r, ['', '.5', '.123', '.000001', '.123456789', '.100000000']);
  return JSON.stringify(d + frac + (r() < 0.8 ? 'Z' : '+00:00'));
}

function genWkt(r: Rand, msg: ProtoMessage, opts: GenOptions, depth: number): string | undefined {
  switch (msg.fullName) {
    case 'google.protobuf.Timestamp':
      return genTimestamp(r);
    case 'google.protobuf.Duration': {
      const s = randInt(r, -315576000000, 315576000000);
      const frac = pick(r, ['', '.5', '.001', '.000000001', '.123456']);
      return JSON.stringify(`${s}${s === 0 && r() < 0.5 ? '' : frac}s`);
    }
    case 'google.protobuf.Struct': {
      const v = genJsonValue(r, 1);
      return v.startsWith('{') ? v : '{"a":' + v + '}';
    }
    case 'google.protobuf.Value':
      return genJsonValue(r, 0);
    case 'google.protobuf.ListValue': {
      const v = genJsonValue(r, 1);
      return v.startsWith('[') ? v : '[' + v + ']';
    }
    case 'google.protobuf.FieldMask':
      return JSON.stringify(pick(r, ['', 'a', 'fooBar', 'fooBar.bazQux,x', 'a.b.c']));
    case 'google.protobuf.Empty':
      return '{}';
    case 'google.protobuf.Any': {
      const types = opts.anyTypes ?? [];
      if (types.length === 0 || r() < 0.1) return '{}';
      const t = pick(r, types);
      if (t === 'google.protobuf.Timestamp') return `{"@type":"type.googleapis.com/${t}","value":${genTimestamp(r)}}`;
      if (t === 'google.protobuf.Int64Value') return `{"value":"${rand64(r, true)}","@type":"type.googleapis.com/${t}"}`;
      return `{"@type":"type.googleapis.com/${t}","name":"n${randInt(r, 0, 9)}","id":"${rand64(r, true)}"}`;
    }
    case 'google.protobuf.DoubleValue':
    case 'google.protobuf.FloatValue':
    case 'google.protobuf.Int64Value':
    case 'google.protobuf.UInt64Value':
    case 'google.protobuf.Int32Value':
    case 'google.protobuf.UInt32Value':
    case 'google.protobuf.BoolValue':
    case 'google.protobuf.StringValue':
    case 'google.protobuf.BytesValue':
      return genValue(r, msg.fields[0]!, opts, depth);
    default:
      return undefined;
  }
}
