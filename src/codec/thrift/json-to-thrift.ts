import { CodecError } from '../../errors/codec-error.js';
import { decodeBase64 } from '../bytes/base64.js';
import { parseInt64Decimal, type Int64Halves } from '../bytes/varint.js';
import { JsonKind, JsonScanner } from '../json/scanner.js';
import { defaultBool, defaultBytes } from './defaults.js';
import { F_BASE64, F_REJECT_UNKNOWN, F_WRITE_DEFAULTS } from './options.js';
import { mapSegment, withSegment } from './path.js';
import type { FieldPlan, StructPlan, TypePlan } from './plan.js';
import type { ThriftWriter } from './protocol.js';
import { isIntegerText, parseNumberText, parseUuid, rangeError } from './scalars.js';
import { Kind, MAX_DEPTH } from './types.js';

const TWO32 = 4294967296;

/**
 * JSON text → Thrift, in one pass: the scanner is pulled as the plan asks for
 * values and every value is written as soon as it is read, so no object model
 * is built. Errors carry the field path (segments are added while unwinding).
 */
export class JsonToThrift {
  readonly s = new JsonScanner();
  w!: ThriftWriter;
  flags = 0;
  compact = false;
  private readonly h: Int64Halves = { lo: 0, hi: 0 };

  /** Encodes the struct the whole document holds. */
  struct(sp: StructPlan): void {
    try {
      this.writeStruct(sp, 0);
      this.s.expectEnd();
    } catch (e) {
      throw withSegment(e, sp.name);
    }
  }

  /** Encodes one value of type `t` (the document is that value); no path prefix. */
  value(t: TypePlan, jsConv: boolean): void {
    this.writeValue(t, 0, jsConv);
    this.s.expectEnd();
  }

  writeStruct(sp: StructPlan, depth: number): void {
    if (depth >= MAX_DEPTH) throw this.s.error(`nesting deeper than ${MAX_DEPTH}`);
    const s = this.s;
    const w = this.w;
    s.beginObject();
    w.structBegin();
    let seen = 0;
    let seenMore: Uint8Array | null = null;
    let count = 0;
    const fields = sp.fields;
    // The field after the last one read is tried first, by comparing its quoted name in place:
    // senders mostly follow the IDL's order, and a hit reads no key string and no map.
    let next = 0;
    if (s.objectFirst()) do {
      let fp: FieldPlan | undefined = fields[next];
      if (fp === undefined || !s.keyIs(fp.keyQuoted)) {
        const key = s.key();
        fp = sp.byKey.get(key);
        if (fp === undefined) {
          if (this.flags & F_REJECT_UNKNOWN) throw new CodecError('', `unknown field "${key}"`, s.pos);
          s.skipValue();
          continue;
        }
      }
      next = fp.index + 1;
      if (s.readNullIf()) continue; // null means absent
      const i = fp.index;
      if (i < 31) {
        if (seen & (1 << i)) throw new CodecError('.' + fp.name, 'field given twice', s.pos);
        seen |= 1 << i;
      } else {
        seenMore ??= new Uint8Array(sp.fields.length);
        if (seenMore[i] === 1) throw new CodecError('.' + fp.name, 'field given twice', s.pos);
        seenMore[i] = 1;
      }
      count++;
      try {
        this.writeField(fp, depth);
      } catch (e) {
        throw withSegment(e, '.' + fp.name);
      }
    } while (s.objectNext());
    if (sp.isUnion) {
      if (count > 1) throw new CodecError('', `union ${sp.name} has ${count} fields set (at most one allowed)`, s.pos);
    } else if (count < sp.fields.length) {
      this.writeMissing(sp, seen, seenMore);
    }
    w.structEnd();
  }

  /** Missing required and default-requiredness fields get their IDL default or zero value. */
  private writeMissing(sp: StructPlan, seen: number, seenMore: Uint8Array | null): void {
    const fields = sp.fields;
    const writeDefaults = (this.flags & F_WRITE_DEFAULTS) !== 0;
    for (let i = 0; i < fields.length; i++) {
      if (i < 31 ? seen & (1 << i) : seenMore !== null && seenMore[i] === 1) continue;
      const fp = fields[i]!;
      if (fp.optional) continue;
      if (!writeDefaults) {
        if (fp.required) throw new CodecError('.' + fp.name, 'required field is missing', this.s.pos);
        continue;
      }
      this.writeDefault(fp);
    }
  }

  /** Writes a field with its IDL default or zero value. */
  writeDefault(fp: FieldPlan): void {
    if (fp.type.kind === Kind.BOOL) this.w.fieldBool(fp.id, defaultBool(fp));
    else {
      this.w.fieldBegin(fp.type.ttype, fp.id);
      this.w.raw(defaultBytes(fp, this.compact));
    }
  }

  /** Writes field `fp` whose value is the rest of the document (wrapped args and results). */
  writeFieldDoc(fp: FieldPlan): void {
    this.writeField(fp, 0);
    this.s.expectEnd();
  }

  private writeField(fp: FieldPlan, depth: number): void {
    const t = fp.type;
    if (t.kind === Kind.BOOL) {
      this.w.fieldBool(fp.id, this.s.readBoolean());
      return;
    }
    this.w.fieldBegin(t.ttype, fp.id);
    this.writeValue(t, depth, fp.jsConv);
  }

  writeValue(t: TypePlan, depth: number, jsConv: boolean): void {
    const s = this.s;
    const w = this.w;
    switch (t.kind) {
      case Kind.BOOL:
        w.bool(s.readBoolean());
        return;
      case Kind.BYTE: {
        const v = this.readInt(jsConv);
        if (v < -128 || v > 127) throw rangeError(v, 'byte');
        w.byte(v);
        return;
      }
      case Kind.I16: {
        const v = this.readInt(jsConv);
        if (v < -32768 || v > 32767) throw rangeError(v, 'i16');
        w.i16(v);
        return;
      }
      case Kind.I32: {
        const v = this.readInt(jsConv);
        if (v < -2147483648 || v > 2147483647) throw rangeError(v, 'i32');
        w.i32(v);
        return;
      }
      case Kind.ENUM: {
        let v: number;
        if (s.peek() === JsonKind.String) {
          const str = s.readString();
          const named = t.enumValues!.get(str);
          if (named !== undefined) v = named;
          else if (isIntegerText(str)) v = +str;
          else throw new CodecError('', `"${str}" is not a value of enum ${t.desc}`);
        } else v = this.readInt(false);
        if (v < -2147483648 || v > 2147483647) throw rangeError(v, t.desc);
        w.i32(v);
        return;
      }
      case Kind.I64:
        this.readI64(jsConv);
        w.i64(this.h.lo, this.h.hi);
        return;
      case Kind.DOUBLE:
        w.double(this.readDouble(jsConv));
        return;
      case Kind.STRING:
        if (s.readStringSpan()) w.stringSpan(s.text, s.spanStart, s.spanEnd);
        else w.string(s.readString());
        return;
      case Kind.BINARY: {
        const str = s.readString();
        if (this.flags & F_BASE64) {
          const b = decodeBase64(str);
          if (b === undefined) throw new CodecError('', 'invalid base64 for binary');
          w.binary(b);
        } else w.string(str);
        return;
      }
      case Kind.UUID: {
        const u = parseUuid(s.readString());
        if (u === undefined) throw new CodecError('', 'invalid uuid (expected 8-4-4-4-12 hex digits)');
        w.uuid(u);
        return;
      }
      case Kind.LIST:
      case Kind.SET: {
        if (depth >= MAX_DEPTH) throw s.error(`nesting deeper than ${MAX_DEPTH}`);
        const et = t.elem!;
        s.beginArray();
        const mark = w.listBegin(et.ttype);
        let n = 0;
        if (s.firstItem()) {
          do {
            try {
              this.writeValue(et, depth + 1, jsConv);
            } catch (e) {
              throw withSegment(e, `[${n}]`);
            }
            n++;
          } while (s.nextItem());
        }
        w.listEnd(mark, n, et.ttype);
        return;
      }
      case Kind.MAP: {
        if (depth >= MAX_DEPTH) throw s.error(`nesting deeper than ${MAX_DEPTH}`);
        const kt = t.key!;
        const vt = t.elem!;
        s.beginObject();
        const mark = w.mapBegin(kt.ttype, vt.ttype);
        let n = 0;
        for (let key = s.firstKey(); key !== undefined; key = s.nextKey()) {
          try {
            this.writeKey(kt, key);
            this.writeValue(vt, depth + 1, jsConv);
          } catch (e) {
            throw withSegment(e, mapSegment(key));
          }
          n++;
        }
        w.mapEnd(mark, n, kt.ttype, vt.ttype);
        return;
      }
      case Kind.STRUCT:
        this.writeStruct(t.structPlan(), depth + 1);
        return;
    }
  }

  /** Writes a map key from its JSON object-key text, parsed by the key type. */
  private writeKey(t: TypePlan, key: string): void {
    const w = this.w;
    switch (t.kind) {
      case Kind.STRING:
        w.string(key);
        return;
      case Kind.BINARY: {
        if (this.flags & F_BASE64) {
          const b = decodeBase64(key);
          if (b === undefined) throw new CodecError('', 'invalid base64 in binary map key');
          w.binary(b);
        } else w.string(key);
        return;
      }
      case Kind.BOOL:
        if (key === 'true') w.bool(true);
        else if (key === 'false') w.bool(false);
        else throw new CodecError('', `map key "${key}" is not a bool`);
        return;
      case Kind.BYTE:
      case Kind.I16:
      case Kind.I32:
      case Kind.ENUM: {
        let v: number;
        const named = t.kind === Kind.ENUM ? t.enumValues!.get(key) : undefined;
        if (named !== undefined) v = named;
        else if (isIntegerText(key)) v = +key;
        else throw new CodecError('', `map key "${key}" is not an integer`);
        const lim = t.kind === Kind.BYTE ? 128 : t.kind === Kind.I16 ? 32768 : 2147483648;
        if (v < -lim || v >= lim) throw rangeError(v, t.desc);
        if (t.kind === Kind.BYTE) w.byte(v);
        else if (t.kind === Kind.I16) w.i16(v);
        else w.i32(v);
        return;
      }
      case Kind.I64:
        if (!parseInt64Decimal(key, 0, key.length, true, this.h)) {
          throw isIntegerText(key) ? rangeError(key, 'i64') : new CodecError('', `map key "${key}" is not an integer`);
        }
        w.i64(this.h.lo, this.h.hi);
        return;
      case Kind.DOUBLE: {
        const v = parseNumberText(key);
        if (Number.isNaN(v) || !Number.isFinite(v)) throw new CodecError('', `map key "${key}" is not a finite number`);
        w.double(v);
        return;
      }
      case Kind.UUID: {
        const u = parseUuid(key);
        if (u === undefined) throw new CodecError('', 'invalid uuid map key');
        w.uuid(u);
        return;
      }
      default:
        throw new CodecError('', `map keys of type ${t.desc} have no JSON form (only scalar keys are supported)`);
    }
  }

  /** Reads an integer (number, or decimal text in a string) that fits a double exactly. */
  private readInt(jsConv: boolean): number {
    const s = this.s;
    const k = s.peek();
    if (k === JsonKind.Number) {
      const integer = s.readNumberSpan();
      const v = s.numberValue;
      if (!integer && !Number.isInteger(v)) throw s.errorAt(s.spanStart, `${s.spanText()} is not an integer`);
      return v;
    }
    if (k === JsonKind.String) {
      const str = s.readString();
      if (str === '' && jsConv) return 0;
      if (!isIntegerText(str)) throw new CodecError('', `"${str}" is not an integer`);
      return +str;
    }
    throw s.error(`expected an integer, found ${s.describeNext()}`);
  }

  /** Reads an i64 exactly into `h`. */
  private readI64(jsConv: boolean): void {
    const s = this.s;
    const h = this.h;
    const k = s.peek();
    if (k === JsonKind.Number) {
      const integer = s.readNumberSpan();
      const a = s.spanStart;
      const b = s.spanEnd;
      if (integer) {
        if (b - a <= 15) {
          const v = s.numberValue;
          h.lo = v >>> 0;
          h.hi = Math.floor(v / TWO32) | 0;
          return;
        }
        if (!parseInt64Decimal(s.text, a, b, true, h)) throw s.errorAt(a, `${s.spanText()} is out of range for i64`);
        return;
      }
      const v = s.numberValue;
      if (!Number.isInteger(v)) throw s.errorAt(a, `${s.spanText()} is not an integer`);
      if (Math.abs(v) > Number.MAX_SAFE_INTEGER) throw s.errorAt(a, `${s.spanText()} is not exact: write large i64 values as integer literals`);
      h.lo = v >>> 0;
      h.hi = Math.floor(v / TWO32) | 0;
      return;
    }
    if (k === JsonKind.String) {
      const str = s.readString();
      if (str === '' && jsConv) {
        h.lo = 0;
        h.hi = 0;
        return;
      }
      if (!parseInt64Decimal(str, 0, str.length, true, h)) {
        throw isIntegerText(str) ? rangeError(str, 'i64') : new CodecError('', `"${str}" is not an integer`);
      }
      return;
    }
    throw s.error(`expected an integer, found ${s.describeNext()}`);
  }

  private readDouble(jsConv: boolean): number {
    const s = this.s;
    const k = s.peek();
    let v: number;
    if (k === JsonKind.Number) {
      s.readNumberSpan();
      v = s.numberValue;
    } else if (k === JsonKind.String) {
      const str = s.readString();
      v = str === '' && jsConv ? 0 : parseNumberText(str);
      if (Number.isNaN(v)) throw new CodecError('', `"${str}" is not a finite number (NaN and Infinity have no JSON form)`);
    } else throw s.error(`expected a number, found ${s.describeNext()}`);
    if (!Number.isFinite(v)) throw new CodecError('', 'number out of double range');
    return v;
  }
}
