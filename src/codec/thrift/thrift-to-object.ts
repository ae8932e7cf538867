import { CodecError } from '../../errors/codec-error.js';
import { readUtf8 } from '../bytes/utf8.js';
import { BinaryReader } from './binary-reader.js';
import { defaultBytes } from './defaults.js';
import { F_REJECT_UNKNOWN, F_WRITE_DEFAULTS } from './options.js';
import { withSegment } from './path.js';
import type { FieldPlan, StructPlan, TypePlan } from './plan.js';
import type { ThriftReader } from './protocol.js';
import { formatUuid } from './scalars.js';
import { Kind, MAX_DEPTH, ttypeName } from './types.js';

/**
 * Thrift → plain JavaScript values (the object API): structs as objects keyed
 * by IDL field name (go.tag aliases are a JSON concern; the encoder accepts
 * both), i64 as bigint, binary as a
 * Uint8Array (a copy), maps as `Map` with typed keys, lists and sets as arrays.
 * Absent fields follow the same default rules as the JSON decoder.
 */
export class ThriftToObject {
  r!: ThriftReader;
  flags = 0;
  /** While materialising defaults, missing required fields get zero values instead of failing. */
  private lenient = false;

  struct(sp: StructPlan): Record<string, unknown> {
    try {
      const out = this.readStruct(sp, 0);
      if (this.r.pos !== this.r.end) throw new CodecError('', `${this.r.end - this.r.pos} bytes after the end of the struct`, this.r.pos);
      return out;
    } catch (e) {
      throw withSegment(e, sp.name);
    }
  }

  readStruct(sp: StructPlan, depth: number): Record<string, unknown> {
    if (depth >= MAX_DEPTH) throw new CodecError('', `nesting deeper than ${MAX_DEPTH}`, this.r.pos);
    const r = this.r;
    const out: Record<string, unknown> = {};
    const seen = new Uint8Array(sp.fields.length);
    r.structBegin();
    for (;;) {
      const t = r.fieldBegin();
      if (t === 0) break;
      const fp = sp.byId(r.fieldId);
      if (fp === undefined || fp.type.ttype !== t) {
        if (fp === undefined && this.flags & F_REJECT_UNKNOWN) throw new CodecError('', `unknown field id ${r.fieldId}`, r.pos);
        r.skip(t, depth + 1);
        continue;
      }
      seen[fp.index] = 1;
      try {
        out[fp.name] = this.readValue(fp.type, depth);
      } catch (e) {
        throw withSegment(e, '.' + fp.name);
      }
    }
    r.structEnd();
    if (!sp.isUnion) {
      for (const fp of sp.fields) {
        if (seen[fp.index] === 1) continue;
        if (fp.required && !this.lenient) throw new CodecError('.' + fp.name, 'required field is missing', r.pos);
        if (fp.field.defaultValue === undefined && (fp.optional || (this.flags & F_WRITE_DEFAULTS) === 0)) continue;
        out[fp.name] = this.defaultValue(fp);
      }
    }
    return out;
  }

  /** A fresh copy of a field's default, decoded from its precomputed wire bytes. */
  private defaultValue(fp: FieldPlan): unknown {
    const saved = this.r;
    const savedLenient = this.lenient;
    const b = defaultBytes(fp, false);
    const tmp = new BinaryReader();
    tmp.reset(b, 0, b.length);
    this.r = tmp;
    this.lenient = true;
    try {
      return this.readValue(fp.type, 0);
    } finally {
      this.r = saved;
      this.lenient = savedLenient;
    }
  }

  readValue(t: TypePlan, depth: number): unknown {
    const r = this.r;
    switch (t.kind) {
      case Kind.BOOL:
        return r.bool();
      case Kind.BYTE:
        return r.byte();
      case Kind.I16:
        return r.i16();
      case Kind.I32:
      case Kind.ENUM:
        return r.i32();
      case Kind.I64: {
        const lo = r.i64();
        return BigInt.asIntN(64, (BigInt(r.hi >>> 0) << 32n) | BigInt(lo >>> 0));
      }
      case Kind.DOUBLE:
        return r.double();
      case Kind.STRING: {
        const start = r.bytesBegin();
        const s = readUtf8(r.buf, start, start + r.len);
        if (s === undefined) throw new CodecError('', 'invalid UTF-8 in string', start);
        return s;
      }
      case Kind.BINARY: {
        const start = r.bytesBegin();
        // A copy (Buffer#slice would share memory with the input).
        return new Uint8Array(r.buf.subarray(start, start + r.len));
      }
      case Kind.UUID:
        return formatUuid(r.buf, r.uuidBegin());
      case Kind.LIST:
      case Kind.SET: {
        if (depth >= MAX_DEPTH) throw new CodecError('', `nesting deeper than ${MAX_DEPTH}`, r.pos);
        const at = r.pos;
        const et = r.listBegin();
        const n = r.size;
        const elem = t.elem!;
        const out: unknown[] = [];
        if (n === 0) return out;
        if (et !== elem.ttype) throw new CodecError('', `expected ${t.desc} elements of wire type ${ttypeName(elem.ttype)}, got ${ttypeName(et)}`, at);
        for (let i = 0; i < n; i++) {
          try {
            out.push(this.readValue(elem, depth + 1));
          } catch (e) {
            throw withSegment(e, `[${i}]`);
          }
        }
        return out;
      }
      case Kind.MAP: {
        if (depth >= MAX_DEPTH) throw new CodecError('', `nesting deeper than ${MAX_DEPTH}`, r.pos);
        const at = r.pos;
        const kt = r.mapBegin();
        const vt = r.valueType;
        const n = r.size;
        const out = new Map<unknown, unknown>();
        if (n === 0) return out;
        const key = t.key!;
        const val = t.elem!;
        if (kt !== key.ttype || vt !== val.ttype) {
          throw new CodecError('', `expected ${t.desc} (wire ${ttypeName(key.ttype)}/${ttypeName(val.ttype)}), got ${ttypeName(kt)}/${ttypeName(vt)}`, at);
        }
        for (let i = 0; i < n; i++) {
          const k = this.readValue(key, depth + 1);
          try {
            out.set(k, this.readValue(val, depth + 1));
          } catch (e) {
            throw withSegment(e, `[${typeof k === 'string' ? JSON.stringify(k) : String(k)}]`);
          }
        }
        return out;
      }
      case Kind.STRUCT:
        return this.readStruct(t.structPlan(), depth + 1);
    }
    throw new CodecError('', `unsupported type ${t.desc}`);
  }
}
