import { CodecError } from '../../errors/codec-error.js';
import { int64ToString } from '../bytes/varint.js';
import { defaultJson } from './defaults.js';
import { CharWriter, removeMember, writeChars, writeDoubleChars, writeIntChars, writeJsonBase64Chars, writeJsonStringChars, writeJsonStringUtf8Chars, writeUnits } from '../json/json-chars.js';
import { F_BASE64, F_GO_TAG, F_I64_STRING, F_REJECT_UNKNOWN, F_WRITE_DEFAULTS } from './options.js';
import { mapSegment, withSegment } from './path.js';
import type { FieldPlan, StructPlan, TypePlan } from './plan.js';
import type { ThriftReader } from './protocol.js';
import { formatUuid } from './scalars.js';
import { Kind, MAX_DEPTH, ttypeName } from './types.js';

const lossyDecoder = new TextDecoder('utf-8');
const TWO32 = 4294967296;

/**
 * Thrift → JSON text, in one pass: the JSON is written as UTF-16 units into a
 * reused buffer while the wire is read (wire strings are validated, decoded
 * and escaped as they are copied, never made into JS strings one by one),
 * then turned into a string at the end. Fields sent with the wrong wire type
 * are skipped (as Apache Thrift does), unknown ids skipped, absent fields get
 * defaults per the options.
 */
export class ThriftToJson {
  r!: ThriftReader;
  flags = 0;
  readonly out = new CharWriter(4096);

  /** Decodes a whole struct; the path starts with the struct's name. */
  struct(sp: StructPlan): string {
    const out = this.out.reset();
    try {
      this.readStruct(sp, 0);
      if (this.r.pos !== this.r.end) throw new CodecError('', `${this.r.end - this.r.pos} bytes after the end of the struct`, this.r.pos);
      return out.text();
    } catch (e) {
      throw withSegment(e, sp.name);
    }
  }

  /** Decodes one value as a separate JSON text (wrapped args and results); no path prefix. */
  valueText(t: TypePlan, jsConv: boolean): string {
    const out = this.out.reset();
    this.readValue(t, 0, jsConv);
    return out.text();
  }

  readStruct(sp: StructPlan, depth: number): void {
    if (depth >= MAX_DEPTH) throw new CodecError('', `nesting deeper than ${MAX_DEPTH}`, this.r.pos);
    const r = this.r;
    const out = this.out;
    const goTag = (this.flags & F_GO_TAG) !== 0;
    r.structBegin();
    if (out.pos >= out.buf.length) out.ensure(1);
    out.buf[out.pos++] = 123; // {
    const open = out.pos;
    let seen = 0;
    let seenMore: Uint8Array | null = null;
    let count = 0;
    for (;;) {
      const t = r.fieldBegin();
      if (t === 0) break;
      const fp = sp.byId(r.fieldId);
      if (fp === undefined || fp.ttype !== t) {
        if (fp === undefined && this.flags & F_REJECT_UNKNOWN) throw new CodecError('', `unknown field id ${r.fieldId}`, r.pos);
        r.skip(t, depth + 1);
        continue;
      }
      const i = fp.index;
      const key = goTag ? fp.keyUnitsAlias : fp.keyUnitsName;
      if (i < 31 ? (seen & (1 << i)) !== 0 : seenMore !== null && seenMore[i] === 1) {
        // The same field again: the last value wins, as in Apache Thrift and Kitex.
        removeMember(out, open, key, 1);
      } else {
        if (i < 31) seen |= 1 << i;
        else (seenMore ??= new Uint8Array(sp.fields.length))[i] = 1;
        count++;
      }
      // `,"key":` in one copy; the first member skips the comma.
      const kn = key.length;
      if (out.pos + kn > out.buf.length) out.ensure(kn);
      const ob = out.buf;
      let op = out.pos;
      for (let k = op === open ? 1 : 0; k < kn; k++) ob[op++] = key[k]!;
      out.pos = op;
      try {
        // The most common values skip the generic dispatch.
        const fast = fp.fast;
        if (fast === 1) this.string();
        else if (fast === 2) writeIntChars(out, r.i32());
        else if (fast === 3) this.readStruct(fp.type.structPlan(), depth + 1);
        else this.readValue(fp.type, depth, fp.jsConv);
      } catch (e) {
        throw withSegment(e, '.' + fp.name);
      }
    }
    r.structEnd();
    if (count < sp.fields.length && !sp.isUnion) this.addMissing(sp, count, seen, seenMore);
    if (out.pos >= out.buf.length) out.ensure(1);
    out.buf[out.pos++] = 125; // }
  }

  /** Required fields must be there; the others get their IDL default (or, by default, zero value). */
  private addMissing(sp: StructPlan, count: number, seen: number, seenMore: Uint8Array | null): void {
    const fields = sp.fields;
    const flags = this.flags;
    const out = this.out;
    const goTag = (flags & F_GO_TAG) !== 0;
    for (let i = 0; i < fields.length; i++) {
      if (i < 31 ? seen & (1 << i) : seenMore !== null && seenMore[i] === 1) continue;
      const fp: FieldPlan = fields[i]!;
      if (fp.required) throw new CodecError('.' + fp.name, 'required field is missing', this.r.pos);
      if (fp.field.defaultValue === undefined && (fp.optional || (flags & F_WRITE_DEFAULTS) === 0)) continue;
      const key = goTag ? fp.keyUnitsAlias : fp.keyUnitsName;
      writeUnits(out, count !== 0 ? key : key.subarray(1));
      writeChars(out, defaultJson(fp, flags));
      count++;
    }
  }

  readValue(t: TypePlan, depth: number, jsConv: boolean): void {
    const r = this.r;
    const out = this.out;
    switch (t.kind) {
      case Kind.BOOL: {
        const v = r.bool();
        if (out.pos + 5 > out.buf.length) out.ensure(5);
        const b = out.buf;
        let p = out.pos;
        if (v) {
          b[p++] = 116; // true
          b[p++] = 114;
          b[p++] = 117;
          b[p++] = 101;
        } else {
          b[p++] = 102; // false
          b[p++] = 97;
          b[p++] = 108;
          b[p++] = 115;
          b[p++] = 101;
        }
        out.pos = p;
        return;
      }
      case Kind.BYTE:
        this.int(r.byte(), jsConv);
        return;
      case Kind.I16:
        this.int(r.i16(), jsConv);
        return;
      case Kind.I32:
      case Kind.ENUM:
        this.int(r.i32(), jsConv);
        return;
      case Kind.I64: {
        const lo = r.i64();
        const hi = r.hi;
        const quote = jsConv || (this.flags & F_I64_STRING) !== 0;
        if (quote) writeByte(out, 34);
        if (hi === lo >> 31) writeIntChars(out, lo);
        else if (hi >= -0x200000 && hi < 0x200000) writeIntChars(out, hi * TWO32 + (lo >>> 0));
        else writeChars(out, int64ToString(lo, hi, true));
        if (quote) writeByte(out, 34);
        return;
      }
      case Kind.DOUBLE: {
        const v = r.double();
        if (!Number.isFinite(v)) throw new CodecError('', `${v} has no JSON form`, r.pos - 8, 'serialize');
        if (jsConv) writeByte(out, 34);
        writeDoubleChars(out, v);
        if (jsConv) writeByte(out, 34);
        return;
      }
      case Kind.STRING:
        this.string();
        return;
      case Kind.BINARY: {
        const start = r.bytesBegin();
        if (this.flags & F_BASE64) writeJsonBase64Chars(out, r.buf, start, start + r.len);
        else writeJsonStringChars(out, lossyDecoder.decode(r.buf.subarray(start, start + r.len)));
        return;
      }
      case Kind.UUID:
        writeChars(out, '"' + formatUuid(r.buf, r.uuidBegin()) + '"');
        return;
      case Kind.LIST:
      case Kind.SET: {
        if (depth >= MAX_DEPTH) throw new CodecError('', `nesting deeper than ${MAX_DEPTH}`, r.pos);
        const at = r.pos;
        const et = r.listBegin();
        const n = r.size;
        const elem = t.elem!;
        if (n === 0) {
          writeChars(out, '[]');
          return;
        }
        if (et !== elem.ttype) throw new CodecError('', `expected ${t.desc} elements of wire type ${ttypeName(elem.ttype)}, got ${ttypeName(et)}`, at);
        writeByte(out, 91); // [
        // Common element kinds skip the generic dispatch (same depth and paths as through it).
        const ek = elem.kind === Kind.STRING ? 1 : elem.kind === Kind.STRUCT ? 2 : (elem.kind === Kind.I32 || elem.kind === Kind.ENUM) && !jsConv ? 3 : 0;
        const esp = ek === 2 ? elem.structPlan() : null;
        for (let i = 0; i < n; i++) {
          if (i !== 0) writeByte(out, 44);
          try {
            if (ek === 1) this.string();
            else if (ek === 2) this.readStruct(esp!, depth + 2);
            else if (ek === 3) writeIntChars(out, r.i32());
            else this.readValue(elem, depth + 1, jsConv);
          } catch (e) {
            throw withSegment(e, `[${i}]`);
          }
        }
        writeByte(out, 93); // ]
        return;
      }
      case Kind.MAP: {
        if (depth >= MAX_DEPTH) throw new CodecError('', `nesting deeper than ${MAX_DEPTH}`, r.pos);
        const at = r.pos;
        const kt = r.mapBegin();
        const vt = r.valueType;
        const n = r.size;
        if (n === 0) {
          writeChars(out, '{}');
          return;
        }
        const key = t.key!;
        const val = t.elem!;
        if (kt !== key.ttype || vt !== val.ttype) {
          throw new CodecError('', `expected ${t.desc} (wire ${ttypeName(key.ttype)}/${ttypeName(val.ttype)}), got ${ttypeName(kt)}/${ttypeName(vt)}`, at);
        }
        if (!key.scalarKey) throw new CodecError('', `map keys of type ${key.desc} have no JSON form (only scalar keys are supported)`, at);
        writeByte(out, 123);
        for (let i = 0; i < n; i++) {
          if (i !== 0) writeByte(out, 44);
          const keyStart = out.pos;
          if (key.kind === Kind.STRING) this.string();
          else this.readKey(key);
          const keyEnd = out.pos;
          writeByte(out, 58); // :
          try {
            if (val.kind === Kind.STRING) this.string();
            else this.readValue(val, depth + 1, jsConv);
          } catch (e) {
            const k = JSON.parse(out.text(keyStart, keyEnd)) as string;
            throw withSegment(e, mapSegment(k));
          }
        }
        writeByte(out, 125);
        return;
      }
      case Kind.STRUCT:
        this.readStruct(t.structPlan(), depth + 1);
        return;
    }
    throw new CodecError('', `unsupported type ${t.desc}`);
  }

  /** Copies a wire string into the output as a JSON string literal. */
  private string(): void {
    const r = this.r;
    const out = this.out;
    const start = r.bytesBegin();
    const res = writeJsonStringUtf8Chars(out, r.buf, start, start + r.len);
    if (res !== -1) throw new CodecError('', 'invalid UTF-8 in string', res);
  }

  private int(v: number, jsConv: boolean): void {
    if (jsConv) {
      writeByte(this.out, 34);
      writeIntChars(this.out, v);
      writeByte(this.out, 34);
    } else writeIntChars(this.out, v);
  }

  /** A map key as a quoted JSON object key. */
  private readKey(t: TypePlan): void {
    const r = this.r;
    const out = this.out;
    switch (t.kind) {
      case Kind.STRING:
        this.string();
        return;
      case Kind.BINARY:
        this.readValue(t, 0, false);
        return;
      case Kind.BOOL:
        writeChars(out, r.bool() ? '"true"' : '"false"');
        return;
      case Kind.BYTE:
        this.int(r.byte(), true);
        return;
      case Kind.I16:
        this.int(r.i16(), true);
        return;
      case Kind.I32:
      case Kind.ENUM:
        this.int(r.i32(), true);
        return;
      case Kind.I64: {
        const lo = r.i64();
        writeChars(out, '"' + int64ToString(lo, r.hi, true) + '"');
        return;
      }
      case Kind.DOUBLE: {
        const v = r.double();
        if (!Number.isFinite(v)) throw new CodecError('', `${v} has no JSON form`, r.pos - 8, 'serialize');
        writeByte(out, 34);
        writeDoubleChars(out, v);
        writeByte(out, 34);
        return;
      }
      case Kind.UUID:
        this.readValue(t, 0, false);
        return;
    }
    throw new CodecError('', `map keys of type ${t.desc} have no JSON form`);
  }
}

/** One ASCII unit (punctuation). */
function writeByte(out: CharWriter, c: number): void {
  if (out.pos >= out.buf.length) out.ensure(1);
  out.buf[out.pos++] = c;
}
