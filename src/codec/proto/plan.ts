import type { ProtoEnum, ProtoField, ProtoMessage } from '../../idl-parser/proto/descriptor.js';
import { quoteJsonString } from '../json/quote.js';
import { toUnits } from '../json/json-chars.js';

/*
 * Per-message plans: everything the transcoders need about a message, worked
 * out once on first use and cached on a WeakMap keyed by the descriptor, so
 * the hot loops do no string building or descriptor walking.
 */

/** Field kinds: descriptor.proto's FieldDescriptorProto.Type numbers. */
export const K = {
  DOUBLE: 1,
  FLOAT: 2,
  INT64: 3,
  UINT64: 4,
  INT32: 5,
  FIXED64: 6,
  FIXED32: 7,
  BOOL: 8,
  STRING: 9,
  GROUP: 10,
  MESSAGE: 11,
  BYTES: 12,
  UINT32: 13,
  ENUM: 14,
  SFIXED32: 15,
  SFIXED64: 16,
  SINT32: 17,
  SINT64: 18,
} as const;

const KIND_BY_NAME: Record<string, number> = {
  double: K.DOUBLE,
  float: K.FLOAT,
  int64: K.INT64,
  uint64: K.UINT64,
  int32: K.INT32,
  fixed64: K.FIXED64,
  fixed32: K.FIXED32,
  bool: K.BOOL,
  string: K.STRING,
  group: K.GROUP,
  message: K.MESSAGE,
  bytes: K.BYTES,
  uint32: K.UINT32,
  enum: K.ENUM,
  sfixed32: K.SFIXED32,
  sfixed64: K.SFIXED64,
  sint32: K.SINT32,
  sint64: K.SINT64,
};

/** Wire type of each kind (index = kind). */
export const WIRE_TYPE: readonly number[] = [-1, 1, 5, 0, 0, 0, 1, 5, 0, 2, 3, 2, 2, 0, 0, 5, 1, 0, 0];

/** True for kinds that are 64-bit integers. */
export function is64(kind: number): boolean {
  return kind === K.INT64 || kind === K.UINT64 || kind === K.FIXED64 || kind === K.SFIXED64 || kind === K.SINT64;
}

/** Well-known types with a special JSON form. */
export const W = {
  NONE: 0,
  TIMESTAMP: 1,
  DURATION: 2,
  STRUCT: 3,
  VALUE: 4,
  LIST: 5,
  FIELD_MASK: 6,
  ANY: 7,
  WRAPPER: 8,
  EMPTY: 9,
} as const;

const WKT_BY_NAME: Record<string, number> = {
  'google.protobuf.Timestamp': W.TIMESTAMP,
  'google.protobuf.Duration': W.DURATION,
  'google.protobuf.Struct': W.STRUCT,
  'google.protobuf.Value': W.VALUE,
  'google.protobuf.ListValue': W.LIST,
  'google.protobuf.FieldMask': W.FIELD_MASK,
  'google.protobuf.Any': W.ANY,
  'google.protobuf.Empty': W.EMPTY,
  'google.protobuf.DoubleValue': W.WRAPPER,
  'google.protobuf.FloatValue': W.WRAPPER,
  'google.protobuf.Int64Value': W.WRAPPER,
  'google.protobuf.UInt64Value': W.WRAPPER,
  'google.protobuf.Int32Value': W.WRAPPER,
  'google.protobuf.UInt32Value': W.WRAPPER,
  'google.protobuf.BoolValue': W.WRAPPER,
  'google.protobuf.StringValue': W.WRAPPER,
  'google.protobuf.BytesValue': W.WRAPPER,
};

/** An enum value as the JSON reader tries it: the quoted name and its number. */
export interface EnumGuess {
  readonly quoted: Uint16Array;
  readonly value: number;
}

/** Enum lookups in both directions, with the JSON text of each name. */
export interface EnumPlan {
  readonly desc: ProtoEnum;
  readonly byName: Map<string, number>;
  /** Each name with its JSON-quoted form, for the JSON reader's guesses. */
  readonly guessByName: Map<string, EnumGuess>;
  /** The names by their first character (an identifier's, so ASCII), tried in place by the JSON reader. */
  readonly guessesByFirstChar: ReadonlyArray<readonly EnumGuess[] | undefined>;
  /** First name of each number, JSON-quoted (aliases: the first declared wins, as protoc does). */
  readonly quotedByNumber: Map<number, string>;
  /**
   * The same as UTF-16 units, indexed by number − `unitsBase`, over a span of at
   * most 1024 numbers from the smallest one above −1024 (the usual ones: an
   * array beats a hash).
   */
  readonly quotedUnits: ReadonlyArray<Uint16Array | undefined>;
  readonly unitsBase: number;
  /** The same for the numbers outside that span. */
  readonly otherUnits: Map<number, Uint16Array>;
  readonly nameByNumber: Map<number, string>;
  /** `google.protobuf.NullValue`: JSON `null`. */
  readonly isNullValue: boolean;
  /** The JSON name of the zero value (for emitDefaults), or `0`. */
  readonly zeroQuoted: string;
}

/** One field, ready for the transcoders. */
export interface FieldPlan {
  readonly desc: ProtoField;
  /** Position in the message's `fields` (slot index). */
  readonly index: number;
  readonly number: number;
  readonly name: string;
  readonly jsonName: string;
  readonly kind: number;
  /** Wire type of one value (for packed fields the elements' wire type). */
  readonly wireType: number;
  /** `(number << 3) | wireType` as written for a single value. */
  readonly tag: number;
  /** Tag of the length-delimited (packed or map entry / message) form. */
  readonly lenTag: number;
  readonly repeated: boolean;
  /** Packed on output (repeated numeric scalar or enum, packed). */
  readonly packed: boolean;
  /** Can be packed on the wire (numeric scalar or enum kinds). */
  readonly packable: boolean;
  readonly isMap: boolean;
  /** Explicit presence: emitted when set even at its default. */
  readonly presence: boolean;
  /** Index of a real (non-synthetic) oneof, or -1. */
  readonly oneof: number;
  /** Slot indexes of the other members of the oneof. */
  readonly siblings: readonly number[];
  readonly message: ProtoMessage | undefined;
  /** `planOf(message)`, filled in on first use by {@link subPlanOf}. */
  subPlan: MessagePlan | undefined;
  readonly enumPlan: EnumPlan | undefined;
  /**
   * A closed (proto2, or editions `CLOSED`) enum field, or a map whose values are one: a
   * number the enum does not declare belongs in the unknown fields, not in the field.
   */
  readonly closedEnum: boolean;
  /** Map fields: the entry's key and value fields. */
  readonly mapKey: FieldPlan | undefined;
  readonly mapValue: FieldPlan | undefined;
  /** The enum value last read for this field (JSON-quoted name, number): tried first next time. */
  lastEnum: EnumGuess | undefined;
  /** Guesses for the JSON reader: this field's key as written with either name. */
  readonly jsonGuess: KeyGuess;
  readonly protoGuess: KeyGuess;
  /** `"jsonName":` and `"name":` ready to write. */
  readonly jsonKeyOut: string;
  readonly protoKeyOut: string;
  /** The same with a leading comma. */
  readonly jsonKeyOutComma: string;
  readonly protoKeyOutComma: string;
  /** The four keys above as UTF-16 units, for the char writer. */
  readonly jsonKey: Uint16Array;
  readonly protoKey: Uint16Array;
  readonly jsonKeyComma: Uint16Array;
  readonly protoKeyComma: Uint16Array;
}

/** A key the JSON reader tries first (`"name"` with quotes) and the field it means. */
export interface KeyGuess {
  readonly quoted: Uint16Array;
  readonly field: FieldPlan;
}

/** A message, ready for the transcoders. */
export interface MessagePlan {
  readonly desc: ProtoMessage;
  readonly fields: readonly FieldPlan[];
  /** JSON keys accepted on input: json names and proto names. */
  readonly byKey: Map<string, FieldPlan>;
  /** Dense lookup by field number when numbers are small; `byNumberMap` otherwise. */
  readonly byNumber: ReadonlyArray<FieldPlan | undefined>;
  readonly byNumberMap: Map<number, FieldPlan> | undefined;
  readonly oneofCount: number;
  readonly wkt: number;
  /** Declares extension ranges (and is no well-known type): extensions may be loaded for it. */
  readonly extendable: boolean;
  /** True when some singular message fields exist (so repeated occurrences may need merging). */
  readonly hasMessageFields: boolean;
  /**
   * Learned key order for the JSON reader: `nextKey[i]` is the key that last
   * followed field `i` (`nextKey[fields.length]`: the first key). Objects of one
   * type tend to repeat their key order, so most keys are matched in place.
   */
  readonly nextKey: Array<KeyGuess | undefined>;
  /** The key that followed field `i` before `nextKey[i]` (types nested in themselves alternate). */
  readonly nextKey2: Array<KeyGuess | undefined>;
}

const planCache = new WeakMap<ProtoMessage, MessagePlan>();
const enumCache = new WeakMap<ProtoEnum, EnumPlan>();

/** The plan of a message, compiled on first use. */
export function planOf(desc: ProtoMessage): MessagePlan {
  const cached = planCache.get(desc);
  return cached !== undefined ? cached : compile(desc);
}

/** The quoted names as units: a dense array for a span of numbers, a map for the rest. */
function unitsOf(quotedByNumber: Map<number, string>): Pick<EnumPlan, 'quotedUnits' | 'unitsBase' | 'otherUnits'> {
  let base = 0;
  for (const k of quotedByNumber.keys()) if (k < base && k > -1024) base = k;
  let n = 0;
  for (const k of quotedByNumber.keys()) if (k >= base && k - base < 1024 && k - base >= n) n = k - base + 1;
  const quotedUnits = new Array<Uint16Array | undefined>(n).fill(undefined);
  const otherUnits = new Map<number, Uint16Array>();
  for (const [k, q] of quotedByNumber) {
    if (k >= base && k - base < n) quotedUnits[k - base] = toUnits(q);
    else otherUnits.set(k, toUnits(q));
  }
  return { quotedUnits, unitsBase: base, otherUnits };
}

/** Whether enum `e` declares number `v`. */
export function enumDeclares(e: EnumPlan, v: number): boolean {
  return enumUnits(e, v) !== undefined;
}

/** The JSON-quoted name of enum number `v` as UTF-16 units; undefined for a number without a name. */
export function enumUnits(e: EnumPlan, v: number): Uint16Array | undefined {
  const i = v - e.unitsBase;
  return i >= 0 && i < e.quotedUnits.length ? e.quotedUnits[i] : e.otherUnits.get(v);
}

function byFirstChar(guesses: EnumGuess[]): Array<EnumGuess[] | undefined> {
  const out = new Array<EnumGuess[] | undefined>(128).fill(undefined);
  for (const g of guesses) (out[g.quoted[1]!] ??= []).push(g);
  return out;
}

/** The plan of a message-typed field's type (cached on the field: no lookup per value). */
export function subPlanOf(f: FieldPlan): MessagePlan {
  return f.subPlan ?? (f.subPlan = planOf(f.message!));
}

/** The plan of an enum, compiled on first use. */
export function enumPlanOf(desc: ProtoEnum): EnumPlan {
  let p = enumCache.get(desc);
  if (p === undefined) {
    const byName = new Map<string, number>();
    const quotedByNumber = new Map<number, string>();
    const nameByNumber = new Map<number, string>();
    const guessByName = new Map<string, EnumGuess>();
    for (const v of desc.values) {
      byName.set(v.name, v.number);
      guessByName.set(v.name, { quoted: toUnits(quoteJsonString(v.name)), value: v.number });
      if (!nameByNumber.has(v.number)) {
        nameByNumber.set(v.number, v.name);
        quotedByNumber.set(v.number, quoteJsonString(v.name));
      }
    }
    p = {
      desc,
      byName,
      guessByName,
      guessesByFirstChar: byFirstChar([...guessByName.values()]),
      quotedByNumber,
      ...unitsOf(quotedByNumber),
      nameByNumber,
      isNullValue: desc.fullName === 'google.protobuf.NullValue',
      zeroQuoted: quotedByNumber.get(0) ?? '0',
    };
    enumCache.set(desc, p);
  }
  return p;
}

function compile(desc: ProtoMessage): MessagePlan {
  const fields: FieldPlan[] = [];
  const byKey = new Map<string, FieldPlan>();
  let maxNumber = 0;
  const oneofMembers = new Map<number, number[]>();
  desc.fields.forEach((f, i) => {
    if (f.oneofIndex !== undefined && !f.proto3Optional && !desc.oneofs[f.oneofIndex]?.synthetic) {
      let list = oneofMembers.get(f.oneofIndex);
      if (list === undefined) oneofMembers.set(f.oneofIndex, (list = []));
      list.push(i);
    }
  });
  let hasMessageFields = false;
  desc.fields.forEach((f, i) => {
    const fp = compileField(f, i, oneofMembers);
    fields.push(fp);
    if (fp.number > maxNumber) maxNumber = fp.number;
    if ((fp.kind === K.MESSAGE || fp.kind === K.GROUP) && !fp.repeated) hasMessageFields = true;
  });
  // Proto names first, then json names: a json name that equals another field's proto name wins.
  for (const fp of fields) byKey.set(fp.name, fp);
  for (const fp of fields) byKey.set(fp.jsonName, fp);
  let byNumber: Array<FieldPlan | undefined> = [];
  let byNumberMap: Map<number, FieldPlan> | undefined;
  if (maxNumber < 1024) {
    byNumber = new Array<FieldPlan | undefined>(maxNumber + 1).fill(undefined);
    for (const fp of fields) byNumber[fp.number] = fp;
  } else {
    byNumberMap = new Map();
    for (const fp of fields) byNumberMap.set(fp.number, fp);
  }
  const plan: MessagePlan = {
    desc,
    fields,
    byKey,
    byNumber,
    byNumberMap,
    oneofCount: desc.oneofs.length,
    wkt: WKT_BY_NAME[desc.fullName] ?? W.NONE,
    extendable: desc.extensionRanges.length > 0 && WKT_BY_NAME[desc.fullName] === undefined,
    hasMessageFields,
    nextKey: new Array<KeyGuess | undefined>(fields.length + 1).fill(undefined),
    nextKey2: new Array<KeyGuess | undefined>(fields.length + 1).fill(undefined),
  };
  planCache.set(desc, plan);
  return plan;
}

/**
 * The plan of field `f` at slot `index`. `key` replaces both its names as the JSON key
 * (and in error paths): extensions are keyed `[full.name]`.
 */
export function compileField(f: ProtoField, index: number, oneofMembers: Map<number, number[]>, key?: string): FieldPlan {
  const name = key ?? f.name;
  const jsonName = key ?? f.jsonName;
  const kind = KIND_BY_NAME[f.type]!;
  const repeated = f.label === 'repeated';
  const isMap = repeated && f.mapEntry !== undefined;
  const packable = kind !== K.STRING && kind !== K.BYTES && kind !== K.MESSAGE && kind !== K.GROUP;
  const wireType = WIRE_TYPE[kind]!;
  const members = f.oneofIndex !== undefined ? oneofMembers.get(f.oneofIndex) : undefined;
  let mapKey: FieldPlan | undefined;
  let mapValue: FieldPlan | undefined;
  if (isMap) {
    const entry = f.mapEntry!;
    const empty = new Map<number, number[]>();
    mapKey = compileField(entry.fields.find((e) => e.number === 1)!, 0, empty);
    mapValue = compileField(entry.fields.find((e) => e.number === 2)!, 1, empty);
  }
  const fp = {
    desc: f,
    index,
    number: f.number,
    name,
    jsonName,
    kind,
    wireType,
    tag: ((f.number << 3) | wireType) >>> 0,
    lenTag: ((f.number << 3) | 2) >>> 0,
    repeated,
    packed: repeated && packable && f.packed,
    packable,
    isMap,
    presence: !repeated && (f.hasPresence || kind === K.MESSAGE || kind === K.GROUP || f.oneofIndex !== undefined),
    oneof: members !== undefined ? f.oneofIndex! : -1,
    siblings: members !== undefined ? members.filter((m) => m !== index) : [],
    message: f.message ?? (isMap ? f.mapEntry : undefined),
    subPlan: undefined,
    enumPlan: f.enum !== undefined ? enumPlanOf(f.enum) : undefined,
    closedEnum: (f.enum !== undefined && f.enum.closed) || (mapValue !== undefined && mapValue.closedEnum),
    mapKey,
    mapValue,
    jsonKeyOut: quoteJsonString(jsonName) + ':',
    protoKeyOut: quoteJsonString(name) + ':',
    jsonKeyOutComma: ',' + quoteJsonString(jsonName) + ':',
    protoKeyOutComma: ',' + quoteJsonString(name) + ':',
    jsonKey: toUnits(quoteJsonString(jsonName) + ':'),
    protoKey: toUnits(quoteJsonString(name) + ':'),
    jsonKeyComma: toUnits(',' + quoteJsonString(jsonName) + ':'),
    protoKeyComma: toUnits(',' + quoteJsonString(name) + ':'),
    lastEnum: undefined,
    jsonGuess: undefined as unknown as KeyGuess,
    protoGuess: undefined as unknown as KeyGuess,
  };
  fp.jsonGuess = { quoted: toUnits(quoteJsonString(jsonName)), field: fp };
  fp.protoGuess = { quoted: toUnits(quoteJsonString(name)), field: fp };
  return fp;
}

