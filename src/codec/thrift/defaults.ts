import type { ThriftConstValue } from '../../idl-parser/thrift/descriptor.js';
import { ByteWriter } from '../bytes/byte-writer.js';
import { encodeBase64 } from '../bytes/base64.js';
import { formatJsonDouble, quoteJsonString } from '../json/quote.js';
import { BinaryWriter } from './binary-writer.js';
import { CompactWriter } from './compact-writer.js';
import { F_BASE64, F_GO_TAG, F_I64_STRING } from './options.js';
import type { FieldPlan, StructPlan, TypePlan } from './plan.js';
import type { ThriftWriter } from './protocol.js';
import { formatUuid, parseUuid } from './scalars.js';
import { Kind } from './types.js';

/*
 * Defaults for missing fields: the IDL default when there is one, else the
 * type's zero value (dynamicgo's WriteDefaultOrEmpty). Both the wire bytes
 * (per protocol) and the JSON text (per option flags) are built once per
 * field and cached on its plan.
 */

const textEncoder = new TextEncoder();
const ZERO_UUID = new Uint8Array(16);

/** The default value of a field in wire form (value only, no field header). */
export function defaultBytes(fp: FieldPlan, compact: boolean): Uint8Array {
  const i = compact ? 1 : 0;
  let b = fp.defaultBytes[i];
  if (b === null || b === undefined) {
    const bw = new ByteWriter(64);
    const w: ThriftWriter = compact ? new CompactWriter() : new BinaryWriter();
    w.begin(bw);
    const dv = fp.field.defaultValue;
    if (dv !== undefined) writeConst(w, fp.type, dv);
    else writeZero(w, fp.type);
    b = fp.defaultBytes[i] = bw.finish();
  }
  return b;
}

/** The value of a bool field's default (compact writes it in the field header). */
export function defaultBool(fp: FieldPlan): boolean {
  const dv = fp.field.defaultValue;
  if (dv === undefined) return false;
  return dv.kind === 'bool' ? dv.value : dv.kind === 'int' ? dv.value !== 0n : false;
}

/** Writes a type's zero value. Structs are written empty (no recursion, so self-referencing types are safe). */
export function writeZero(w: ThriftWriter, t: TypePlan): void {
  switch (t.kind) {
    case Kind.BOOL:
      w.bool(false);
      return;
    case Kind.BYTE:
      w.byte(0);
      return;
    case Kind.I16:
      w.i16(0);
      return;
    case Kind.I32:
    case Kind.ENUM:
      w.i32(0);
      return;
    case Kind.I64:
      w.i64(0, 0);
      return;
    case Kind.DOUBLE:
      w.double(0);
      return;
    case Kind.STRING:
      w.string('');
      return;
    case Kind.BINARY:
      w.binary(new Uint8Array(0));
      return;
    case Kind.UUID:
      w.uuid(ZERO_UUID);
      return;
    case Kind.LIST:
    case Kind.SET:
      w.listHeader(t.elem!.ttype, 0);
      return;
    case Kind.MAP:
      w.mapHeader(t.key!.ttype, t.elem!.ttype, 0);
      return;
    case Kind.STRUCT:
      w.structBegin();
      w.structEnd();
      return;
  }
}

function constInt(c: ThriftConstValue): bigint {
  if (c.kind === 'int') return c.value;
  if (c.kind === 'bool') return c.value ? 1n : 0n;
  if (c.kind === 'double') return BigInt(Math.trunc(c.value));
  throw new Error(`constant of kind ${c.kind} is not an integer`);
}

function constNumber(c: ThriftConstValue): number {
  if (c.kind === 'double') return c.value;
  return Number(constInt(c));
}

function constString(c: ThriftConstValue): string {
  if (c.kind === 'string') return c.value;
  throw new Error(`constant of kind ${c.kind} is not a string`);
}

/** Writes an IDL constant as a value of type `t`. */
export function writeConst(w: ThriftWriter, t: TypePlan, c: ThriftConstValue): void {
  switch (t.kind) {
    case Kind.BOOL:
      w.bool(c.kind === 'bool' ? c.value : constInt(c) !== 0n);
      return;
    case Kind.BYTE:
      w.byte(Number(BigInt.asIntN(8, constInt(c))));
      return;
    case Kind.I16:
      w.i16(Number(BigInt.asIntN(16, constInt(c))));
      return;
    case Kind.I32:
    case Kind.ENUM:
      w.i32(Number(BigInt.asIntN(32, constInt(c))));
      return;
    case Kind.I64: {
      const v = BigInt.asUintN(64, constInt(c));
      w.i64(Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0);
      return;
    }
    case Kind.DOUBLE:
      w.double(constNumber(c));
      return;
    case Kind.STRING:
      w.string(constString(c));
      return;
    case Kind.BINARY:
      w.binary(textEncoder.encode(constString(c)));
      return;
    case Kind.UUID:
      w.uuid(parseUuid(constString(c)) ?? ZERO_UUID);
      return;
    case Kind.LIST:
    case Kind.SET: {
      const items = c.kind === 'list' ? c.items : [];
      w.listHeader(t.elem!.ttype, items.length);
      for (const it of items) writeConst(w, t.elem!, it);
      return;
    }
    case Kind.MAP: {
      const entries = c.kind === 'map' ? c.entries : [];
      w.mapHeader(t.key!.ttype, t.elem!.ttype, entries.length);
      for (const [k, v] of entries) {
        writeConst(w, t.key!, k);
        writeConst(w, t.elem!, v);
      }
      return;
    }
    case Kind.STRUCT: {
      const sp = t.structPlan();
      w.structBegin();
      const given = structConstFields(sp, c);
      for (const [fp, v] of given) {
        if (fp.type.kind === Kind.BOOL) w.fieldBool(fp.id, v.kind === 'bool' ? v.value : constInt(v) !== 0n);
        else {
          w.fieldBegin(fp.type.ttype, fp.id);
          writeConst(w, fp.type, v);
        }
      }
      w.structEnd();
      return;
    }
  }
}

function structConstFields(sp: StructPlan, c: ThriftConstValue): Array<[FieldPlan, ThriftConstValue]> {
  const out: Array<[FieldPlan, ThriftConstValue]> = [];
  if (c.kind === 'struct') {
    for (const [name, v] of c.fields) {
      const fp = sp.byKey.get(name);
      if (fp !== undefined) out.push([fp, v]);
    }
  } else if (c.kind === 'map') {
    for (const [k, v] of c.entries) {
      if (k.kind !== 'string') continue;
      const fp = sp.byKey.get(k.value);
      if (fp !== undefined) out.push([fp, v]);
    }
  }
  return out;
}

/** The JSON text of a field's default (IDL default, else zero value) under option flags. */
export function defaultJson(fp: FieldPlan, flags: number): string {
  let s = fp.defaultJson[flags];
  if (s === undefined) {
    const dv = fp.field.defaultValue;
    s = dv !== undefined ? constJson(fp.type, dv, flags, fp.jsConv) : zeroJson(fp.type, flags, fp.jsConv, new Set());
    fp.defaultJson[flags] = s;
  }
  return s;
}

function intJson(v: bigint, t: TypePlan, flags: number, jsConv: boolean): string {
  const s = v.toString();
  return jsConv || (t.kind === Kind.I64 && (flags & F_I64_STRING) !== 0) ? '"' + s + '"' : s;
}

/** The JSON text of a type's zero value; a struct's lists its required and default fields (cycles cut to `{}`). */
export function zeroJson(t: TypePlan, flags: number, jsConv: boolean, visiting: Set<StructPlan>): string {
  switch (t.kind) {
    case Kind.BOOL:
      return 'false';
    case Kind.BYTE:
    case Kind.I16:
    case Kind.I32:
    case Kind.ENUM:
    case Kind.I64:
      return intJson(0n, t, flags, jsConv);
    case Kind.DOUBLE:
      return jsConv ? '"0"' : '0';
    case Kind.STRING:
    case Kind.BINARY:
      return '""';
    case Kind.UUID:
      return '"00000000-0000-0000-0000-000000000000"';
    case Kind.LIST:
    case Kind.SET:
      return '[]';
    case Kind.MAP:
      return '{}';
    case Kind.STRUCT: {
      const sp = t.structPlan();
      if (sp.isUnion || visiting.has(sp)) return '{}';
      visiting.add(sp);
      let out = '{';
      for (const fp of sp.fields) {
        if (fp.optional && fp.field.defaultValue === undefined) continue;
        if (out.length > 1) out += ',';
        out += (flags & F_GO_TAG ? fp.jsonKeyAlias : fp.jsonKeyName) + (fp.field.defaultValue !== undefined ? constJson(fp.type, fp.field.defaultValue, flags, fp.jsConv) : zeroJson(fp.type, flags, fp.jsConv, visiting));
      }
      visiting.delete(sp);
      return out + '}';
    }
  }
  return 'null';
}

/** The JSON text of an IDL constant as a value of type `t`. */
export function constJson(t: TypePlan, c: ThriftConstValue, flags: number, jsConv: boolean): string {
  switch (t.kind) {
    case Kind.BOOL:
      return (c.kind === 'bool' ? c.value : constInt(c) !== 0n) ? 'true' : 'false';
    case Kind.BYTE:
      return intJson(BigInt.asIntN(8, constInt(c)), t, flags, jsConv);
    case Kind.I16:
      return intJson(BigInt.asIntN(16, constInt(c)), t, flags, jsConv);
    case Kind.I32:
    case Kind.ENUM:
      return intJson(BigInt.asIntN(32, constInt(c)), t, flags, jsConv);
    case Kind.I64:
      return intJson(BigInt.asIntN(64, constInt(c)), t, flags, jsConv);
    case Kind.DOUBLE: {
      const s = formatJsonDouble(constNumber(c));
      return jsConv ? '"' + s + '"' : s;
    }
    case Kind.STRING:
      return quoteJsonString(constString(c));
    case Kind.BINARY:
      return flags & F_BASE64 ? '"' + encodeBase64(textEncoder.encode(constString(c))) + '"' : quoteJsonString(constString(c));
    case Kind.UUID: {
      const u = parseUuid(constString(c)) ?? ZERO_UUID;
      return '"' + formatUuid(u, 0) + '"';
    }
    case Kind.LIST:
    case Kind.SET: {
      const items = c.kind === 'list' ? c.items : [];
      return '[' + items.map((it) => constJson(t.elem!, it, flags, jsConv)).join(',') + ']';
    }
    case Kind.MAP: {
      const entries = c.kind === 'map' ? c.entries : [];
      return '{' + entries.map(([k, v]) => constKeyJson(t.key!, k, flags) + ':' + constJson(t.elem!, v, flags, jsConv)).join(',') + '}';
    }
    case Kind.STRUCT: {
      const sp = t.structPlan();
      const given = structConstFields(sp, c);
      return '{' + given.map(([fp, v]) => (flags & F_GO_TAG ? fp.jsonKeyAlias : fp.jsonKeyName) + constJson(fp.type, v, flags, fp.jsConv)).join(',') + '}';
    }
  }
  return 'null';
}

function constKeyJson(t: TypePlan, c: ThriftConstValue, flags: number): string {
  const s = constJson(t, c, flags & ~F_I64_STRING, false);
  return s.charCodeAt(0) === 34 ? s : '"' + s + '"';
}
