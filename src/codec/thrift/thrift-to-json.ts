import { CodecError } from '../../errors/codec-error.js';
import { encodeBase64 } from '../bytes/base64.js';
import { readUtf8 } from '../bytes/utf8.js';
import { int64ToString } from '../bytes/varint.js';
import { formatJsonDouble, quoteJsonString } from '../json/quote.js';
import { defaultJson } from './defaults.js';
import { F_BASE64, F_GO_TAG, F_I64_STRING, F_REJECT_UNKNOWN, F_WRITE_DEFAULTS } from './options.js';
import { mapSegment, withSegment } from './path.js';
import type { FieldPlan, StructPlan, TypePlan } from './plan.js';
import type { ThriftReader } from './protocol.js';
import { formatUuid } from './scalars.js';
import { Kind, MAX_DEPTH, ttypeName } from './types.js';

const lossyDecoder = new TextDecoder('utf-8');

/**
 * Thrift → JSON text, in one pass: values are appended to the output string as
 * they are read, no objects are built. Fields sent with the wrong wire type
 * are skipped (as Apache Thrift does), unknown ids skipped, absent fields get
 * IDL defaults per the options.
 */
export class ThriftToJson {
  r!: ThriftReader;
  flags = 0;

  /** Decodes a whole struct; the path starts with the struct's name. */
  struct(sp: StructPlan): string {
    try {
      const out = this.readStruct(sp, 0);
      if (this.r.pos !== this.r.end) throw new CodecError('', `${this.r.end - this.r.pos} bytes after the end of the struct`, this.r.pos);
      return out;
    } catch (e) {
      throw withSegment(e, sp.name);
    }
  }

  readStruct(sp: StructPlan, depth: number): string {
    if (depth >= MAX_DEPTH) throw new CodecError('', `nesting deeper than ${MAX_DEPTH}`, this.r.pos);
    const r = this.r;
    const goTag = (this.flags & F_GO_TAG) !== 0;
    r.structBegin();
    let out = '{';
    let seen = 0;
    let seenMore: Uint8Array | null = null;
    let count = 0;
    for (;;) {
      const t = r.fieldBegin();
      if (t === 0) break;
      const fp = sp.byId(r.fieldId);
      if (fp === undefined || fp.type.ttype !== t) {
        if (fp === undefined && this.flags & F_REJECT_UNKNOWN) throw new CodecError('', `unknown field id ${r.fieldId}`, r.pos);
        r.skip(t, depth + 1);
        continue;
      }
      const i = fp.index;
      if (i < 31) seen |= 1 << i;
      else (seenMore ??= new Uint8Array(sp.fields.length))[i] = 1;
      let v: string;
      try {
        v = this.readValue(fp.type, depth, fp.jsConv);
      } catch (e) {
        throw withSegment(e, '.' + fp.name);
      }
      out += (count === 0 ? '' : ',') + (goTag ? fp.jsonKeyAlias : fp.jsonKeyName) + v;
      count++;
    }
    r.structEnd();
    if (count < sp.fields.length && !sp.isUnion) out = this.addMissing(sp, out, count, seen, seenMore);
    return out + '}';
  }

  /** Required fields must be there; the others get their IDL default (or, by default, zero value). */
  private addMissing(sp: StructPlan, out: string, count: number, seen: number, seenMore: Uint8Array | null): string {
    const fields = sp.fields;
    const flags = this.flags;
    const goTag = (flags & F_GO_TAG) !== 0;
    for (let i = 0; i < fields.length; i++) {
      if (i < 31 ? seen & (1 << i) : seenMore !== null && seenMore[i] === 1) continue;
      const fp: FieldPlan = fields[i]!;
      if (fp.required) throw new CodecError('.' + fp.name, 'required field is missing', this.r.pos);
      if (fp.field.defaultValue === undefined && (fp.optional || (flags & F_WRITE_DEFAULTS) === 0)) continue;
      out += (count === 0 ? '' : ',') + (goTag ? fp.jsonKeyAlias : fp.jsonKeyName) + defaultJson(fp, flags);
      count++;
    }
    return out;
  }

  readValue(t: TypePlan, depth: number, jsConv: boolean): string {
    const r = this.r;
    switch (t.kind) {
      case Kind.BOOL:
        return r.bool() ? 'true' : 'false';
      case Kind.BYTE:
        return jsConv ? '"' + r.byte() + '"' : '' + r.byte();
      case Kind.I16:
        return jsConv ? '"' + r.i16() + '"' : '' + r.i16();
      case Kind.I32:
      case Kind.ENUM:
        return jsConv ? '"' + r.i32() + '"' : '' + r.i32();
      case Kind.I64: {
        const lo = r.i64();
        const hi = r.hi;
        // Fast path: values within ±2^31 (hi is the sign extension of lo).
        const s = hi === lo >> 31 ? '' + lo : int64ToString(lo, hi, true);
        return jsConv || this.flags & F_I64_STRING ? '"' + s + '"' : s;
      }
      case Kind.DOUBLE: {
        const v = r.double();
        if (!Number.isFinite(v)) throw new CodecError('', `${v} has no JSON form`, r.pos - 8);
        return jsConv ? '"' + formatJsonDouble(v) + '"' : formatJsonDouble(v);
      }
      case Kind.STRING:
        return quoteJsonString(this.readString());
      case Kind.BINARY: {
        const start = r.bytesBegin();
        const b = r.buf.subarray(start, start + r.len);
        if (this.flags & F_BASE64) return '"' + encodeBase64(b) + '"';
        return quoteJsonString(lossyDecoder.decode(b));
      }
      case Kind.UUID:
        return '"' + formatUuid(r.buf, r.uuidBegin()) + '"';
      case Kind.LIST:
      case Kind.SET: {
        if (depth >= MAX_DEPTH) throw new CodecError('', `nesting deeper than ${MAX_DEPTH}`, r.pos);
        const at = r.pos;
        const et = r.listBegin();
        const n = r.size;
        const elem = t.elem!;
        if (n === 0) return '[]';
        if (et !== elem.ttype) throw new CodecError('', `expected ${t.desc} elements of wire type ${ttypeName(elem.ttype)}, got ${ttypeName(et)}`, at);
        let out = '[';
        for (let i = 0; i < n; i++) {
          try {
            out += (i === 0 ? '' : ',') + this.readValue(elem, depth + 1, jsConv);
          } catch (e) {
            throw withSegment(e, `[${i}]`);
          }
        }
        return out + ']';
      }
      case Kind.MAP: {
        if (depth >= MAX_DEPTH) throw new CodecError('', `nesting deeper than ${MAX_DEPTH}`, r.pos);
        const at = r.pos;
        const kt = r.mapBegin();
        const vt = r.valueType;
        const n = r.size;
        if (n === 0) return '{}';
        const key = t.key!;
        const val = t.elem!;
        if (kt !== key.ttype || vt !== val.ttype) {
          throw new CodecError('', `expected ${t.desc} (wire ${ttypeName(key.ttype)}/${ttypeName(val.ttype)}), got ${ttypeName(kt)}/${ttypeName(vt)}`, at);
        }
        if (!key.scalarKey) throw new CodecError('', `map keys of type ${key.desc} have no JSON form (only scalar keys are supported)`, at);
        let out = '{';
        for (let i = 0; i < n; i++) {
          const k = this.readKey(key);
          try {
            out += (i === 0 ? '' : ',') + k + ':' + this.readValue(val, depth + 1, jsConv);
          } catch (e) {
            throw withSegment(e, mapSegment(JSON.parse(k) as string));
          }
        }
        return out + '}';
      }
      case Kind.STRUCT:
        return this.readStruct(t.structPlan(), depth + 1);
    }
    throw new CodecError('', `unsupported type ${t.desc}`);
  }

  private readString(): string {
    const r = this.r;
    const start = r.bytesBegin();
    const s = readUtf8(r.buf, start, start + r.len);
    if (s === undefined) throw new CodecError('', 'invalid UTF-8 in string', start);
    return s;
  }

  /** A map key as a quoted JSON object key. */
  private readKey(t: TypePlan): string {
    const r = this.r;
    switch (t.kind) {
      case Kind.STRING:
        return quoteJsonString(this.readString());
      case Kind.BINARY: {
        const start = r.bytesBegin();
        const b = r.buf.subarray(start, start + r.len);
        if (this.flags & F_BASE64) return '"' + encodeBase64(b) + '"';
        return quoteJsonString(lossyDecoder.decode(b));
      }
      case Kind.BOOL:
        return r.bool() ? '"true"' : '"false"';
      case Kind.BYTE:
        return '"' + r.byte() + '"';
      case Kind.I16:
        return '"' + r.i16() + '"';
      case Kind.I32:
      case Kind.ENUM:
        return '"' + r.i32() + '"';
      case Kind.I64: {
        const lo = r.i64();
        return '"' + int64ToString(lo, r.hi, true) + '"';
      }
      case Kind.DOUBLE: {
        const v = r.double();
        if (!Number.isFinite(v)) throw new CodecError('', `${v} has no JSON form`, r.pos - 8);
        return '"' + formatJsonDouble(v) + '"';
      }
      case Kind.UUID:
        return '"' + formatUuid(r.buf, r.uuidBegin()) + '"';
    }
    throw new CodecError('', `map keys of type ${t.desc} have no JSON form`);
  }
}
