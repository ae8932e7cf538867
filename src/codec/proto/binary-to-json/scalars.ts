import { CodecError } from '../../../errors/codec-error.js';
import { encodeBase64 } from '../../bytes/base64.js';
import { int64ToString, zigzagDecode32, zigzagDecode64 } from '../../bytes/varint.js';
import { CharWriter, writeChars, writeDoubleChars, writeIntChars, writeJsonBase64Chars, writeJsonStringUtf8Chars, writeUnits } from '../../json/json-chars.js';
import { quoteJsonString } from '../../json/quote.js';
import type { TypeResolver } from '../type-resolver.js';
import { K, enumDeclares, enumUnits, type FieldPlan } from '../plan.js';
import type { Extensions } from '../extensions.js';
import { ProtoReader } from '../reader.js';
import { WIRE_NAMES, h64, EMPTY, unzigzag, putUnit, formatFloat, jsonStringFromUtf8 } from './json-text.js';
import type { SlotFrame } from './frame.js';

/** Decodes UTF-8 with U+FFFD for each bad sequence (proto2 strings). */
const lossyUtf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * The bottom layer of the binary → JSON transcoder: its state (reader, char
 * writer, options of the call) and the scalars, read from the wire and written
 * as JSON text. The layers above add unknown fields, well-known types, repeated
 * runs, maps, the slot mode and the message loop (see message.ts).
 */
export abstract class ScalarWriter {
  readonly r = new ProtoReader();
  /** The output, as UTF-16 units (see json-chars): reused across calls. */
  readonly w = new CharWriter(4096);
  resolver: TypeResolver | undefined;
  /** The extensions loaded with the codec's provider. */
  ext: Extensions | undefined;
  /** Options for the current call. */
  int64AsString = true;
  enumNames = true;
  protoNames = false;
  emitDefaults = false;
  /**
   * Kitex mapping (dynamicgo's p2j): well-known types are plain messages,
   * NullValue is a number, and zero values present on the wire are written.
   */
  kitex = false;
  /** Unknown fields pass through: each message object gets a last member `"$unknown":"<base64>"`. */
  keepUnknown = false;
  /**
   * Unknown fields' bytes (tag and value) while messages are decoded, used as a
   * stack: a message claims the top from its first unknown field on and gives it
   * back when it writes `$unknown` (nested messages finish before it goes on).
   */
  protected unk = EMPTY;
  protected unkTop = 0;
  /** Set by `writeMapEntry()`: where the entry's key text lies in the output. */
  protected keyStart = 0;
  protected keyEnd = 0;
  /** Set by `scalar()`: whether the value read was the type's default. */
  protected zero = false;
  /** Set by `mapEntry()`; `entryUndeclared`: its value is a closed-enum number the enum does not declare. */
  protected entryKey = '';
  protected entryValue = '';
  protected entryUndeclared = false;
  protected readonly rangeStack: Int32Array[] = [];
  protected readonly frames: Array<SlotFrame | undefined> = [];
  protected slotStamp = 0;

  protected wireTypeError(f: FieldPlan, wt: number): CodecError {
    return new CodecError('', `wrong wire type ${WIRE_NAMES[wt]} for ${f.desc.type} field ${f.number}`, this.r.pos);
  }

  /** Reads one scalar value (wire type already checked) and writes its JSON; sets `zero`. */
  protected writeScalar(f: FieldPlan, kind: number): void {
    const r = this.r;
    const w = this.w;
    switch (kind) {
      case K.STRING: {
        const end = r.lengthEnd();
        const at = r.pos;
        this.zero = end === at;
        const mark = w.pos;
        if (writeJsonStringUtf8Chars(w, r.buf, at, end) >= 0) this.rewriteInvalidUtf8(f, mark, at, end);
        r.pos = end;
        return;
      }
      case K.INT32: {
        const v = r.varint32() | 0;
        this.zero = v === 0;
        writeIntChars(w, v);
        return;
      }
      case K.UINT32: {
        const v = r.varint32();
        this.zero = v === 0;
        writeIntChars(w, v);
        return;
      }
      case K.SINT32: {
        const v = zigzagDecode32(r.varint32());
        this.zero = v === 0;
        writeIntChars(w, v);
        return;
      }
      case K.FIXED32: {
        const v = r.fixed32();
        this.zero = v === 0;
        writeIntChars(w, v);
        return;
      }
      case K.SFIXED32: {
        const v = r.fixed32() | 0;
        this.zero = v === 0;
        writeIntChars(w, v);
        return;
      }
      case K.DOUBLE:
      case K.FLOAT: {
        const v = kind === K.DOUBLE ? r.double() : r.float();
        this.zero = v === 0 && 1 / v > 0;
        if (v - v === 0) writeDoubleChars(w, v);
        else writeChars(w, formatFloat(v));
        return;
      }
      case K.BYTES: {
        const end = r.lengthEnd();
        const at = r.pos;
        this.zero = end === at;
        r.pos = end;
        writeJsonBase64Chars(w, r.buf, at, end);
        return;
      }
      case K.INT64:
      case K.UINT64:
      case K.SINT64:
      case K.FIXED64:
      case K.SFIXED64:
        this.write64(kind, this.int64AsString);
        return;
      case K.ENUM: {
        const v = r.varint32() | 0;
        this.zero = v === 0;
        const e = f.enumPlan!;
        if (e.isNullValue && !this.kitex) writeChars(w, 'null');
        else if (!this.enumNames) writeIntChars(w, v);
        else {
          const u = enumUnits(e, v);
          if (u !== undefined) writeUnits(w, u);
          else writeIntChars(w, v);
        }
        return;
      }
      default:
        // Bools.
        writeChars(w, this.scalar(f, kind));
    }
  }

  /** Reads a 64-bit integer of `kind`: returns the low half, leaves both halves in `h64`; sets `zero`. */
  protected read64(kind: number): number {
    const r = this.r;
    let lo: number;
    let hi: number;
    if (kind === K.FIXED64 || kind === K.SFIXED64) {
      lo = r.fixed32();
      hi = r.fixed32();
    } else {
      lo = r.varint64();
      hi = r.hi;
      if (kind === K.SINT64) {
        h64.lo = lo;
        h64.hi = hi;
        zigzagDecode64(h64);
        lo = h64.lo;
        hi = h64.hi;
      }
    }
    h64.lo = lo;
    h64.hi = hi;
    this.zero = lo === 0 && hi === 0;
    return lo;
  }

  /** Reads a 64-bit integer and writes its decimal text, quoted or not; sets `zero`. */
  protected write64(kind: number, quoted: boolean): void {
    const w = this.w;
    if (kind !== K.FIXED64 && kind !== K.SFIXED64) {
      const r = this.r;
      const at = r.pos;
      let v = r.shortVarint();
      if (v >= 0) {
        if (kind === K.SINT64) v = unzigzag(v, r.buf[at]!);
        this.zero = v === 0;
        if (quoted) putUnit(w, 34);
        writeIntChars(w, v);
        if (quoted) putUnit(w, 34);
        return;
      }
    }
    const lo = this.read64(kind);
    const hi = h64.hi;
    if (quoted) putUnit(w, 34);
    // Below 2^53 in magnitude the digits come straight from a double.
    const uh = hi >>> 0;
    if (uh < 0x200000) writeIntChars(w, uh * 4294967296 + (lo >>> 0));
    else if (uh > 0xffe00000 && kind !== K.UINT64 && kind !== K.FIXED64) writeIntChars(w, (uh - 4294967296) * 4294967296 + (lo >>> 0));
    else writeChars(w, int64ToString(lo, hi, kind !== K.UINT64 && kind !== K.FIXED64));
    if (quoted) putUnit(w, 34);
  }

  /** Reads one scalar value (wire type already checked) and returns its JSON. */
  protected scalar(f: FieldPlan, kind: number): string {
    const r = this.r;
    switch (kind) {
      case K.STRING: {
        const end = r.lengthEnd();
        const at = r.pos;
        this.zero = end === at;
        const j = jsonStringFromUtf8(r.buf, at, end) ?? this.invalidUtf8(f, at, end);
        r.pos = end;
        return j;
      }
      case K.INT32: {
        const v = r.varint32() | 0;
        this.zero = v === 0;
        return String(v);
      }
      case K.ENUM: {
        const v = r.varint32() | 0;
        this.zero = v === 0;
        const e = f.enumPlan!;
        if (e.isNullValue && !this.kitex) return 'null';
        if (!this.enumNames) return String(v);
        const q = e.quotedByNumber.get(v);
        return q !== undefined ? q : String(v);
      }
      case K.UINT32: {
        const v = r.varint32();
        this.zero = v === 0;
        return String(v);
      }
      case K.SINT32: {
        const v = zigzagDecode32(r.varint32());
        this.zero = v === 0;
        return String(v);
      }
      case K.BOOL: {
        const lo = r.varint64();
        const v = lo !== 0 || r.hi !== 0;
        this.zero = !v;
        return v ? 'true' : 'false';
      }
      case K.FIXED32: {
        const v = r.fixed32();
        this.zero = v === 0;
        return String(v);
      }
      case K.SFIXED32: {
        const v = r.fixed32() | 0;
        this.zero = v === 0;
        return String(v);
      }
      case K.DOUBLE:
      case K.FLOAT: {
        const v = kind === K.DOUBLE ? r.double() : r.float();
        this.zero = v === 0 && 1 / v > 0;
        return formatFloat(v);
      }
      case K.BYTES: {
        const end = r.lengthEnd();
        const at = r.pos;
        this.zero = end === at;
        r.pos = end;
        return '"' + encodeBase64(r.buf.subarray(at, end)) + '"';
      }
      default: {
        // 64-bit integers.
        const lo = this.read64(kind);
        const hi = h64.hi;
        if (hi === 0 && lo < 0x80000000 && !this.int64AsString) return String(lo);
        const s = int64ToString(lo, hi, kind !== K.UINT64 && kind !== K.FIXED64);
        return this.int64AsString ? '"' + s + '"' : s;
      }
    }
  }

  /** The JSON of a field's default (for emitDefaults and missing map values). */
  protected defaultJson(f: FieldPlan): string {
    if (f.isMap) return '{}';
    if (f.repeated) return '[]';
    switch (f.kind) {
      case K.STRING:
      case K.BYTES:
        return '""';
      case K.BOOL:
        return 'false';
      case K.ENUM:
        return f.enumPlan!.isNullValue && !this.kitex ? 'null' : this.enumNames ? f.enumPlan!.zeroQuoted : '0';
      case K.INT64:
      case K.UINT64:
      case K.SINT64:
      case K.FIXED64:
      case K.SFIXED64:
        return this.int64AsString ? '"0"' : '0';
      default:
        return '0';
    }
  }

  /**
   * Whether the value at `r.pos` (a varint, `wt` 0) of closed-enum field `f` is a
   * number its enum does not declare; reads nothing.
   */
  /**
   * The JSON of string `[at, end)` of `f`, which is not valid UTF-8: an error where strings
   * are checked (proto3, editions), else each bad sequence as U+FFFD, as bufbuild reads it.
   */
  protected invalidUtf8(f: FieldPlan, at: number, end: number): string {
    if (f.desc.utf8Validation) throw new CodecError('', 'invalid UTF-8 in string', at);
    return quoteJsonString(lossyUtf8.decode(this.r.buf.subarray(at, end)));
  }

  /** After a failed `writeJsonStringUtf8Chars` from `mark`: writes `invalidUtf8()` there instead. */
  protected rewriteInvalidUtf8(f: FieldPlan, mark: number, at: number, end: number): void {
    this.w.pos = mark;
    writeChars(this.w, this.invalidUtf8(f, at, end));
  }

  protected undeclaredEnum(f: FieldPlan, wt: number): boolean {
    if (wt !== 0) return false;
    const r = this.r;
    const at = r.pos;
    const v = r.varint32() | 0;
    r.pos = at;
    return !enumDeclares(f.enumPlan!, v);
  }
}
