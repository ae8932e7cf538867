/**
 * Renders our descriptors in the shape `thrift --gen json` prints, so the
 * parity test can compare the two with a deep equality. Only what the
 * generator emits is rendered; doc comments and annotations inside type
 * objects are dropped on both sides (see `normalizeCompilerJson`).
 */
import type {
  ThriftAnnotations, ThriftConstValue, ThriftField, ThriftFile, ThriftReturnType, ThriftStruct, ThriftType,
} from '../../../src/idl-parser/thrift/index.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

/** One file as the JSON generator prints it. */
export function toCompilerJson(file: ThriftFile): JsonObject {
  const out: JsonObject = {
    name: file.includeName,
    namespaces: Object.fromEntries(file.namespaces),
    includes: file.includes.map((f) => f.includeName),
    enums: file.enums.map((e) => withAnnotations({ name: e.name }, e.annotations, {
      members: e.values.map((v) => ({ name: v.name, value: v.value })),
    })),
    typedefs: file.typedefs.map((t) => withAnnotations({ name: t.name, ...typeEntry(t.type, file) }, t.annotations)),
    structs: file.structs.map((s) => struct(s, file)),
    constants: file.constants.map((c) => ({ name: c.name, ...typeEntry(c.type, file), value: constJson(c.value) })),
    services: file.services.map((s) => {
      const o: JsonObject = { name: s.name };
      if (s.extends !== undefined) o['extends'] = qualified(s.extends, file);
      return withAnnotations(o, s.annotations, {
        functions: s.ownFunctions.map((f) => withAnnotations({
          name: f.name,
          ...returnEntry(f.returnType, file),
          oneway: f.oneway,
        }, f.annotations, {
          arguments: f.args.map((a) => field(a, file)),
          exceptions: f.throws.map((x) => field(x, file)),
        })),
      });
    }),
  };
  return out;
}

function struct(s: ThriftStruct, file: ThriftFile): JsonObject {
  return withAnnotations({ name: s.name }, s.annotations, {
    isException: s.kind === 'exception',
    isUnion: s.kind === 'union',
    fields: s.fields.map((f) => field(f, file)),
  });
}

function field(f: ThriftField, file: ThriftFile): JsonObject {
  const o: JsonObject = withAnnotations({ key: f.id, name: f.name, ...typeEntry(f.type, file) }, f.annotations, {
    required: f.requiredness === 'default' ? 'req_out' : f.requiredness,
  });
  if (f.defaultValue !== undefined) o['default'] = constJson(f.defaultValue);
  return o;
}

function withAnnotations(o: JsonObject, annotations: ThriftAnnotations, rest: JsonObject = {}): JsonObject {
  if (annotations.length > 0) {
    const a: JsonObject = {};
    for (const { key, value } of annotations) a[key] = value;
    o['annotations'] = a;
  }
  return Object.assign(o, rest);
}

function typeId(t: ThriftType): string {
  switch (t.kind) {
    case 'byte':
      return 'i8';
    case 'enum':
      return 'i32';
    case 'struct':
      return t.struct.kind;
    default:
      return t.kind;
  }
}

function qualified(d: { name: string; file: ThriftFile }, from: ThriftFile): string {
  return d.file === from ? d.name : `${d.file.includeName}.${d.name}`;
}

/** `typeId` plus `type` for the kinds the generator details. */
function typeEntry(t: ThriftType, file: ThriftFile): JsonObject {
  const o: JsonObject = { typeId: typeId(t) };
  const detail = typeDetail(t, file);
  if (detail !== undefined) o['type'] = detail;
  return o;
}

function returnEntry(t: ThriftReturnType, file: ThriftFile): JsonObject {
  if (t.kind === 'void') return { returnTypeId: 'void' };
  const o: JsonObject = { returnTypeId: typeId(t) };
  const detail = typeDetail(t, file);
  if (detail !== undefined) o['returnType'] = detail;
  return o;
}

function typeDetail(t: ThriftType, file: ThriftFile): JsonObject | undefined {
  switch (t.kind) {
    case 'struct':
      return { typeId: t.struct.kind, class: qualified(t.struct, file) };
    case 'list':
    case 'set': {
      const o: JsonObject = { typeId: t.kind, elemTypeId: typeId(t.element) };
      const d = typeDetail(t.element, file);
      if (d !== undefined) o['elemType'] = d;
      return o;
    }
    case 'map': {
      const o: JsonObject = { typeId: 'map', keyTypeId: typeId(t.key) };
      const k = typeDetail(t.key, file);
      if (k !== undefined) o['keyType'] = k;
      o['valueTypeId'] = typeId(t.value);
      const v = typeDetail(t.value, file);
      if (v !== undefined) o['valueType'] = v;
      return o;
    }
    default:
      return undefined;
  }
}

/** Constants as the generator prints them: bools as 1/0, map keys as strings. */
export function constJson(v: ThriftConstValue): Json {
  switch (v.kind) {
    case 'int':
      return bigIntJson(v.value);
    case 'bool':
      return v.value ? 1 : 0;
    case 'double':
    case 'string':
      return v.value;
    case 'list':
      return v.items.map(constJson);
    case 'map': {
      const o: JsonObject = {};
      for (const [k, x] of v.entries) o[k.kind === 'int' ? String(k.value) : String(constJson(k))] = constJson(x);
      return o;
    }
    case 'struct': {
      const o: JsonObject = {};
      for (const [k, x] of v.fields) o[k] = constJson(x);
      return o;
    }
  }
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Integers beyond 2^53 as `#big:<digits>` strings, so they compare exactly. */
function bigIntJson(v: bigint): Json {
  return v > SAFE || v < -SAFE ? `#big:${v}` : Number(v);
}

/** Parses the compiler's JSON keeping integers beyond 2^53 exact (as `#big:<digits>`). */
export function parseCompilerJson(text: string): Json {
  return JSON.parse(text.replace(/([:\[,]\s*)(-?\d{16,})(?=\s*[,\]}])/g, (m, pre: string, digits: string) => {
    const v = BigInt(digits);
    return v > SAFE || v < -SAFE ? `${pre}"#big:${digits}"` : m;
  })) as Json;
}

/**
 * Printing differences that are not model differences: the compiler prints a
 * double constant written as a 64-bit integer with all its digits (we hold
 * the nearest double), other doubles with 15 significant digits, and an empty
 * `{}` given for a list or set as a map. Where only printing differs, take ours.
 */
export function reconcileDoubles(ours: Json, theirs: Json): Json {
  if (typeof theirs === 'string' && theirs.startsWith('#big:') && typeof ours === 'number') {
    return Number(theirs.slice(5)) === ours ? ours : theirs;
  }
  // The generator prints doubles with 15 significant digits.
  if (typeof theirs === 'number' && typeof ours === 'number') {
    if (ours === theirs || Number.isSafeInteger(theirs)) return theirs;
    return Number(ours.toPrecision(15)) === theirs ? ours : theirs;
  }
  // It also prints an empty `{}` given for a set as written.
  if (Array.isArray(ours) && ours.length === 0 && isEmptyObject(theirs)) return ours;
  if (Array.isArray(theirs) && Array.isArray(ours)) return theirs.map((x, i) => reconcileDoubles(ours[i] ?? null, x));
  if (theirs !== null && typeof theirs === 'object' && !Array.isArray(theirs) && ours !== null && typeof ours === 'object' && !Array.isArray(ours)) {
    const o: JsonObject = {};
    for (const [k, x] of Object.entries(theirs)) o[k] = reconcileDoubles(ours[k] ?? null, x);
    return o;
  }
  return theirs;
}

function isEmptyObject(j: Json): boolean {
  return j !== null && typeof j === 'object' && !Array.isArray(j) && Object.keys(j).length === 0;
}

const TYPE_KEYS = new Set(['type', 'returnType', 'elemType', 'keyType', 'valueType']);

/** Drops what we do not model from the compiler's output: doc text and annotations inside type objects. */
export function normalizeCompilerJson(j: Json, inType = false): Json {
  if (Array.isArray(j)) return j.map((x) => normalizeCompilerJson(x, inType));
  if (j === null || typeof j !== 'object') return j;
  const o: JsonObject = {};
  for (const [k, v] of Object.entries(j)) {
    if (k === 'doc') continue;
    if (inType && k === 'annotations') continue;
    o[k] = normalizeCompilerJson(v, inType || TYPE_KEYS.has(k));
  }
  return o;
}
