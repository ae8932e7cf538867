import { CodecError } from '../../errors/codec-error.js';
import { decodeBase64 } from '../bytes/base64.js';
import { parseInt64Decimal, type Int64Halves } from '../bytes/varint.js';
import { defaultBool, defaultBytes } from './defaults.js';
import { F_BASE64, F_REJECT_UNKNOWN, F_WRITE_DEFAULTS } from './options.js';
import { mapSegment, withSegment } from './path.js';
import type { StructPlan, TypePlan } from './plan.js';
import type { ThriftWriter } from './protocol.js';
import { isIntegerText, parseNumberText, parseUuid, rangeError } from './scalars.js';
import { Kind, MAX_DEPTH } from './types.js';

const textEncoder = new TextEncoder();
const MIN_I64 = -(2n ** 63n);
const MAX_I64 = 2n ** 63n - 1n;

/**
 * Plain JavaScript values → Thrift (the object API): structs are objects keyed
 * by field name (or go.tag alias), i64 is a bigint (numbers and decimal
 * strings accepted), binary a Uint8Array, maps a `Map` or a plain object with
 * stringified keys, lists and sets arrays (or any iterable).
 */
export class ObjectToThrift {
  w!: ThriftWriter;
  flags = 0;
  compact = false;
  private readonly h: Int64Halves = { lo: 0, hi: 0 };

  struct(sp: StructPlan, v: unknown): void {
    try {
      this.writeStruct(sp, v, 0);
    } catch (e) {
      throw withSegment(e, sp.name);
    }
  }

  writeStruct(sp: StructPlan, v: unknown, depth: number): void {
    if (depth >= MAX_DEPTH) throw new CodecError('', `nesting deeper than ${MAX_DEPTH}`);
    if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Map || v instanceof Uint8Array) {
      throw new CodecError('', `expected an object for ${sp.name}, got ${describe(v)}`);
    }
    const o = v as Record<string, unknown>;
    if (this.flags & F_REJECT_UNKNOWN) {
      for (const k of Object.keys(o)) if (!sp.byKey.has(k)) throw new CodecError('', `unknown field "${k}"`);
    }
    const w = this.w;
    w.structBegin();
    let count = 0;
    for (const fp of sp.fields) {
      let fv = o[fp.name];
      if (fv === undefined && fp.alias !== fp.name) fv = o[fp.alias];
      if (fv === undefined || fv === null) {
        if (sp.isUnion || fp.optional) continue;
        if ((this.flags & F_WRITE_DEFAULTS) === 0) {
          if (fp.required) throw new CodecError('.' + fp.name, 'required field is missing');
          continue;
        }
        if (fp.type.kind === Kind.BOOL) w.fieldBool(fp.id, defaultBool(fp));
        else {
          w.fieldBegin(fp.type.ttype, fp.id);
          w.raw(defaultBytes(fp, this.compact));
        }
        continue;
      }
      count++;
      try {
        if (fp.type.kind === Kind.BOOL) w.fieldBool(fp.id, this.bool(fv));
        else {
          w.fieldBegin(fp.type.ttype, fp.id);
          this.writeValue(fp.type, fv, depth);
        }
      } catch (e) {
        throw withSegment(e, '.' + fp.name);
      }
    }
    if (sp.isUnion && count > 1) throw new CodecError('', `union ${sp.name} has ${count} fields set (at most one allowed)`);
    w.structEnd();
  }

  private bool(v: unknown): boolean {
    if (typeof v !== 'boolean') throw new CodecError('', `expected a boolean, got ${describe(v)}`);
    return v;
  }

  private int(v: unknown, t: TypePlan): number {
    let n: number;
    if (typeof v === 'number') n = v;
    else if (typeof v === 'bigint') n = Number(v);
    else if (typeof v === 'string' && t.kind === Kind.ENUM && t.enumValues!.has(v)) n = t.enumValues!.get(v)!;
    else if (typeof v === 'string' && isIntegerText(v)) n = +v;
    else throw new CodecError('', `expected an integer, got ${describe(v)}`);
    if (!Number.isInteger(n)) throw new CodecError('', `${n} is not an integer`);
    const lim = t.kind === Kind.BYTE ? 128 : t.kind === Kind.I16 ? 32768 : 2147483648;
    if (n < -lim || n >= lim) throw rangeError(n, t.desc);
    return n;
  }

  private i64(v: unknown): void {
    const h = this.h;
    let b: bigint;
    if (typeof v === 'bigint') b = v;
    else if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) throw new CodecError('', `${v} is not an exact integer (use a bigint)`);
      b = BigInt(v);
    } else if (typeof v === 'string') {
      if (!parseInt64Decimal(v, 0, v.length, true, h)) throw new CodecError('', `"${v}" is not an i64`);
      return;
    } else throw new CodecError('', `expected an integer, got ${describe(v)}`);
    if (b < MIN_I64 || b > MAX_I64) throw rangeError(b.toString(), 'i64');
    const u = BigInt.asUintN(64, b);
    h.lo = Number(u & 0xffffffffn) | 0;
    h.hi = Number(u >> 32n) | 0;
  }

  private bytes(v: unknown): Uint8Array {
    if (v instanceof Uint8Array) return v;
    if (typeof v === 'string') {
      if (this.flags & F_BASE64) {
        const b = decodeBase64(v);
        if (b === undefined) throw new CodecError('', 'invalid base64 for binary');
        return b;
      }
      return textEncoder.encode(v);
    }
    throw new CodecError('', `expected a Uint8Array, got ${describe(v)}`);
  }

  writeValue(t: TypePlan, v: unknown, depth: number): void {
    const w = this.w;
    switch (t.kind) {
      case Kind.BOOL:
        w.bool(this.bool(v));
        return;
      case Kind.BYTE:
        w.byte(this.int(v, t));
        return;
      case Kind.I16:
        w.i16(this.int(v, t));
        return;
      case Kind.I32:
      case Kind.ENUM:
        w.i32(this.int(v, t));
        return;
      case Kind.I64:
        this.i64(v);
        w.i64(this.h.lo, this.h.hi);
        return;
      case Kind.DOUBLE: {
        const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'string' ? parseNumberText(v) : NaN;
        if (typeof v !== 'number' && Number.isNaN(n)) throw new CodecError('', `expected a number, got ${describe(v)}`);
        if (!Number.isFinite(n)) throw new CodecError('', `${n} cannot be encoded (NaN and Infinity are refused)`);
        w.double(n);
        return;
      }
      case Kind.STRING:
        if (typeof v !== 'string') throw new CodecError('', `expected a string, got ${describe(v)}`);
        w.string(v);
        return;
      case Kind.BINARY:
        w.binary(this.bytes(v));
        return;
      case Kind.UUID: {
        const u = typeof v === 'string' ? parseUuid(v) : v instanceof Uint8Array && v.length === 16 ? v : undefined;
        if (u === undefined) throw new CodecError('', 'invalid uuid');
        w.uuid(u);
        return;
      }
      case Kind.LIST:
      case Kind.SET: {
        if (depth >= MAX_DEPTH) throw new CodecError('', `nesting deeper than ${MAX_DEPTH}`);
        if (v === null || typeof v !== 'object' || typeof (v as Iterable<unknown>)[Symbol.iterator] !== 'function' || v instanceof Map || v instanceof Uint8Array) {
          throw new CodecError('', `expected an array, got ${describe(v)}`);
        }
        const items = Array.isArray(v) ? v : [...(v as Iterable<unknown>)];
        const et = t.elem!;
        w.listHeader(et.ttype, items.length);
        for (let i = 0; i < items.length; i++) {
          const item: unknown = items[i];
          if (item === undefined || item === null) throw new CodecError(`[${i}]`, 'null is not allowed in a list');
          try {
            this.writeValue(et, item, depth + 1);
          } catch (e) {
            throw withSegment(e, `[${i}]`);
          }
        }
        return;
      }
      case Kind.MAP: {
        if (depth >= MAX_DEPTH) throw new CodecError('', `nesting deeper than ${MAX_DEPTH}`);
        const kt = t.key!;
        const vt = t.elem!;
        let entries: Array<[unknown, unknown]>;
        if (v instanceof Map) entries = [...(v as Map<unknown, unknown>).entries()];
        else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
          if (!kt.scalarKey) throw new CodecError('', `map keys of type ${kt.desc} need a Map`);
          entries = Object.entries(v as Record<string, unknown>).map(([k, x]) => [this.keyFromString(kt, k), x]);
        } else throw new CodecError('', `expected a Map or an object, got ${describe(v)}`);
        w.mapHeader(kt.ttype, vt.ttype, entries.length);
        for (const [k, x] of entries) {
          try {
            if (k === undefined || k === null) throw new CodecError('', 'null map key');
            if (x === undefined || x === null) throw new CodecError('', 'null is not allowed as a map value');
            this.writeValue(kt, k, depth + 1);
            this.writeValue(vt, x, depth + 1);
          } catch (e) {
            throw withSegment(e, mapSegment(String(k)));
          }
        }
        return;
      }
      case Kind.STRUCT:
        this.writeStruct(t.structPlan(), v, depth + 1);
        return;
    }
  }

  /** A plain-object key (always a string) converted to the key type's JS value. */
  private keyFromString(t: TypePlan, k: string): unknown {
    switch (t.kind) {
      case Kind.BOOL:
        if (k === 'true' || k === 'false') return k === 'true';
        throw new CodecError(mapSegment(k), `map key "${k}" is not a bool`);
      case Kind.I64:
        if (!isIntegerText(k)) throw new CodecError(mapSegment(k), `map key "${k}" is not an integer`);
        return BigInt(k);
      case Kind.DOUBLE:
        return k;
      default:
        return k;
    }
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return 'a Uint8Array';
  if (v instanceof Map) return 'a Map';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}
