import { CodecError } from '../../../errors/codec-error.js';
import { ByteWriter } from '../../bytes/byte-writer.js';
import { base64DecodedLength, decodeBase64Into } from '../../bytes/base64.js';
import { utf8Length, writeUtf8 } from '../../bytes/utf8.js';
import { parseInt64Decimal, writeVarint32, writeVarint64, writeVarintInt32, zigzagEncode32, zigzagEncode64, type Int64Halves } from '../../bytes/varint.js';
import { JsonKind, JsonScanner } from '../../json/scanner.js';
import { quoteJsonString } from '../../json/quote.js';
import { K, enumDeclares, type EnumPlan, type FieldPlan } from '../plan.js';
import type { Extensions } from '../extensions.js';
import type { TypeResolver } from '../type-resolver.js';
import { beginLen, endLen } from '../length-slot.js';
import { ProtoReader } from '../reader.js';
import type { RepeatedKeys } from './repeated-keys.js';

export const TWO32 = 4294967296;

export const NO_BYTES = new Uint8Array(0);

const FLOAT32_MAX = 3.4028234663852886e38;

const INTEGER = /^-?\d+$/;

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

export const KIND_NAMES = [
  '', 'double', 'float', 'int64', 'uint64', 'int32', 'fixed64', 'fixed32', 'bool', 'string',
  'group', 'message', 'bytes', 'uint32', 'enum', 'sfixed32', 'sfixed64', 'sint32', 'sint64',
];

/** Kinds whose repeated items `intItems()` reads: integers and bools (1). */
export const PLAIN_INT_KINDS = new Uint8Array(19);
for (const k of [K.INT32, K.UINT32, K.SINT32, K.FIXED32, K.SFIXED32, K.INT64, K.UINT64, K.SINT64, K.FIXED64, K.SFIXED64, K.BOOL]) PLAIN_INT_KINDS[k] = 1;

/** The signed 64-bit kinds (1). */
export const INT64_SIGNED = new Uint8Array(19);
for (const k of [K.INT64, K.SINT64, K.SFIXED64]) INT64_SIGNED[k] = 1;

/** `String.prototype.isWellFormed` (ES2024, in every Node the package supports): no unpaired surrogate. */
function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

const KIND_DESC = ['an object', 'an array', 'a string', 'a number', 'a boolean', 'a boolean', 'null', 'end of input'];

/**
 * The bottom layer of the JSON → binary transcoder: its state (scanner, writer,
 * options of the call), scalar values read from JSON and written to the wire, and
 * length slots. The layers above add unknown fields, well-known types, repeated
 * fields, maps and the message loop (see message.ts).
 */
export abstract class ScalarEncoder {
  readonly s = new JsonScanner();
  w: ByteWriter = new ByteWriter();
  resolver: TypeResolver | undefined;
  ignoreUnknown = false;
  /** Kitex mapping: well-known types are read as plain messages, as dynamicgo does. */
  plainWkt = false;
  /** Unknown fields pass through: a `$unknown` member (base64 wire data) is written after the known fields. */
  keepUnknown = false;
  /** The extensions loaded with the codec's provider. */
  ext: Extensions | undefined;
  /**
   * Kitex mapping, keeping dynamicgo's leniencies (conv/j2p/decode.go): a key repeated in
   * an object (also under both names of a field) is taken, the last one winning
   * (`visitorUserNode.OnObjectKey` writes every occurrence; proto/idl.go registers both
   * names in one table); a closed enum takes any number (`OnInt64` writes an EnumKind
   * value unchecked). The canonical mapping rejects both.
   */
  kitex = false;
  /** Keys of the open maps and Structs, per depth, for the repeated-key check. */
  protected readonly keySets: Array<RepeatedKeys | undefined> = [];
  protected readonly unknownReader = new ProtoReader();
  protected stamp = 0;
  protected readonly seenStack: Uint32Array[] = [];
  protected readonly h: Int64Halves = { lo: 0, hi: 0 };

  protected typeError(what: string): CodecError {
    const k = this.s.peek();
    return this.s.error(`expected ${what}, found ${KIND_DESC[k]}`);
  }

  protected tag(t: number): void {
    const w = this.w;
    if (t < 0x80) {
      if (w.pos >= w.buf.length) w.ensure(1);
      w.buf[w.pos++] = t;
    } else writeVarint32(w, t);
  }

  protected beginLen(): number {
    return beginLen(this.w);
  }

  protected endLen(at: number): void {
    endLen(this.w, at);
  }

  /** Puts a safe integer into `h` as its two's-complement halves. */
  protected setInt64(v: number): void {
    this.h.lo = v >>> 0;
    this.h.hi = Math.floor(v / TWO32) >>> 0;
  }

  /** One element of a packed field: the value only. */
  protected packedValue(f: FieldPlan, kind: number): void {
    const s = this.s;
    if (s.peek() === JsonKind.Null) throw s.error('null is not allowed in a repeated field');
    switch (kind) {
      case K.DOUBLE:
      case K.FLOAT:
        this.writeNum(kind, this.readDouble(kind));
        return;
      case K.INT64:
      case K.UINT64:
      case K.SINT64:
      case K.FIXED64:
      case K.SFIXED64:
        this.readInt64(kind);
        this.write64(kind);
        return;
      case K.BOOL:
        this.writeNum(kind, this.readBool());
        return;
      case K.ENUM: {
        const v = this.readEnum(f.enumPlan!, f);
        if (v !== undefined) this.writeNum(kind, v);
        return;
      }
      default:
        this.writeNum(kind, this.readInt32(kind));
    }
  }

  /** A singular scalar: reads the value, then writes tag and value (skipping defaults when `implicit`). */
  protected scalar(f: FieldPlan, kind: number, tag: number, implicit: boolean): void {
    switch (kind) {
      case K.STRING: {
        const s = this.s;
        if (s.peek() !== JsonKind.String) throw this.typeError('a string');
        const w = this.w;
        const tagAt = w.pos;
        this.tag(tag);
        const slot = w.pos;
        if (this.plainString()) {
          if (implicit && w.pos === slot + 1) w.pos = tagAt; // "": nothing to write
          return;
        }
        w.pos = tagAt;
        const str = s.readString();
        if (implicit && str.length === 0) return;
        this.tag(tag);
        this.writeString(str);
        return;
      }
      case K.BYTES: {
        const s = this.s;
        if (s.peek() !== JsonKind.String) throw this.typeError('a base64 string');
        const at = s.pos;
        const str = s.readString();
        const n = base64DecodedLength(str);
        if (n < 0) throw this.base64Error(str, at);
        if (implicit && n === 0) return;
        this.tag(tag);
        const w = this.w;
        writeVarint32(w, n);
        w.ensure(n);
        if (decodeBase64Into(str, w.buf, w.pos) < 0) throw this.base64Error(str, at);
        w.pos += n;
        return;
      }
      case K.DOUBLE:
      case K.FLOAT: {
        const v = this.readDouble(kind);
        if (implicit && v === 0 && 1 / v > 0) return;
        this.tag(tag);
        this.writeNum(kind, v);
        return;
      }
      case K.INT64:
      case K.UINT64:
      case K.SINT64:
      case K.FIXED64:
      case K.SFIXED64: {
        this.readInt64(kind);
        if (implicit && this.h.lo === 0 && this.h.hi === 0) return;
        this.tag(tag);
        this.write64(kind);
        return;
      }
      case K.BOOL: {
        const v = this.readBool();
        if (implicit && v === 0) return;
        this.tag(tag);
        this.w.writeByte(v);
        return;
      }
      case K.ENUM: {
        const v = this.readEnum(f.enumPlan!, f);
        if (v === undefined || (implicit && v === 0)) return;
        this.tag(tag);
        writeVarintInt32(this.w, v);
        return;
      }
      default: {
        const v = this.readInt32(kind);
        if (implicit && v === 0) return;
        this.tag(tag);
        this.writeNum(kind, v);
      }
    }
  }

  /**
   * The JSON string at the scanner (at its opening quote) as a length-delimited value when
   * it is printable ASCII without escapes (most strings are): copied from the text into
   * the output in the one pass that finds its end. Returns false, having consumed and kept
   * nothing, for any other string (an escape, a control character, non-ASCII, no closing
   * quote), which the general readers then take and judge. (One native UTF-8 write of the
   * rest was slower here up to 100 units: the calls cost more than the loop.)
   */
  protected plainString(): boolean {
    const s = this.s;
    const text = s.text;
    const w = this.w;
    const at = beginLen(w);
    let p = s.pos + 1;
    // Output index = text index + shift: one counter in the loop.
    const shift = at + 1 - p;
    for (;;) {
      const buf = w.buf;
      const end = Math.min(text.length, buf.length - shift);
      for (; p < end; p++) {
        const c = text.charCodeAt(p);
        if (((c - 0x20) >>> 0) >= 0x60 || c === 34 || c === 92) {
          if (c !== 34) break;
          s.pos = p + 1;
          w.pos = p + shift;
          endLen(w, at);
          return true;
        }
        buf[p + shift] = c;
      }
      if (p < end || p >= text.length) break;
      // The output is full: grow it and go on.
      w.pos = p + shift;
      w.ensure(64);
    }
    w.pos = at;
    return false;
  }

  /** Writes `text[start, end)` (a string's contents without escapes) as a length-delimited UTF-8 value, unsliced when short ASCII. */
  protected writeSpan(text: string, start: number, end: number): void {
    const n = end - start;
    const w = this.w;
    if (n < 0x80) {
      if (w.pos + 1 + n > w.buf.length) w.ensure(1 + n);
      const buf = w.buf;
      const at = w.pos;
      let o = at + 1;
      let i = start;
      for (; i < end; i++) {
        const c = text.charCodeAt(i);
        if (c >= 0x80) break;
        buf[o++] = c;
      }
      if (i === end) {
        buf[at] = n;
        w.pos = o;
        return;
      }
    }
    this.writeString(text.slice(start, end));
  }

  protected writeString(str: string): void {
    // Strings are UTF-8 on the wire: an unpaired UTF-16 surrogate (`"\\uD800"`) has no
    // encoding, so it is an error rather than a silent U+FFFD.
    const w = this.w;
    const n = str.length;
    if (n < 43) {
      // At most 126 UTF-8 bytes: a one-byte length, filled in afterwards.
      if (w.pos + 1 + n * 3 > w.buf.length) w.ensure(1 + n * 3);
      const at = w.pos;
      const len = writeUtf8(str, w.buf, at + 1, true);
      if (len < 0) throw this.surrogateError(str);
      w.buf[at] = len;
      w.pos = at + 1 + len;
      return;
    }
    if (!isWellFormed(str)) throw this.surrogateError(str);
    const len = utf8Length(str);
    writeVarint32(w, len);
    w.ensure(len);
    writeUtf8(str, w.buf, w.pos);
    w.pos += len;
  }

  /** Strings are UTF-8 on the wire: an unpaired UTF-16 surrogate (`"\\uD800"`) has no encoding. */
  protected surrogateError(str: string): CodecError {
    return new CodecError('', `unpaired UTF-16 surrogate in string ${quoteJsonString(str.length > 40 ? str.slice(0, 40) + '…' : str)}`, this.s.pos);
  }

  protected writeNum(kind: number, v: number): void {
    const w = this.w;
    switch (kind) {
      case K.INT32:
      case K.ENUM:
        writeVarintInt32(w, v);
        return;
      case K.UINT32:
        writeVarint32(w, v);
        return;
      case K.SINT32:
        writeVarint32(w, zigzagEncode32(v));
        return;
      case K.BOOL:
        w.writeByte(v);
        return;
      case K.FIXED32:
      case K.SFIXED32:
        w.writeUint32LE(v);
        return;
      case K.FLOAT:
        w.writeFloat32LE(v);
        return;
      case K.DOUBLE:
        w.writeFloat64LE(v);
        return;
    }
  }

  protected write64(kind: number): void {
    const h = this.h;
    const w = this.w;
    if (kind === K.FIXED64 || kind === K.SFIXED64) {
      w.writeUint32LE(h.lo);
      w.writeUint32LE(h.hi);
      return;
    }
    if (kind === K.SINT64) zigzagEncode64(h);
    writeVarint64(w, h.lo, h.hi);
  }

  protected readBool(): number {
    const k = this.s.peek();
    if (k === JsonKind.True || k === JsonKind.False) return this.s.readBoolean() ? 1 : 0;
    throw this.typeError('a boolean');
  }

  protected base64Error(str: string, at: number): CodecError {
    return new CodecError('', `invalid base64 ${quoteJsonString(str.length > 40 ? str.slice(0, 40) + '…' : str)}`, at);
  }

  /** A number from JSON number or numeric string (int and float fields accept both). */
  protected readNumeric(what: string): number {
    const s = this.s;
    const k = s.peek();
    if (k === JsonKind.Number) {
      s.readNumberSpan();
      return s.numberValue;
    }
    if (k === JsonKind.String) {
      const at = s.pos;
      const str = s.readString();
      if (!JSON_NUMBER.test(str)) throw new CodecError('', `invalid ${what} ${quoteJsonString(str)}`, at);
      return +str;
    }
    throw this.typeError(`${what === 'enum' ? 'a' : 'an'} ${what} (number or string)`);
  }

  protected readInt32(kind: number): number {
    const at = this.s.pos;
    const v = this.readNumeric(KIND_NAMES[kind]!);
    if (!Number.isInteger(v)) throw new CodecError('', `${KIND_NAMES[kind]} must be an integer, got ${v}`, at);
    if (kind === K.UINT32 || kind === K.FIXED32) {
      if (v < 0 || v > 0xffffffff) throw new CodecError('', `${v} is out of range for ${KIND_NAMES[kind]}`, at);
      return v >>> 0;
    }
    if (v < -0x80000000 || v > 0x7fffffff) throw new CodecError('', `${v} is out of range for ${KIND_NAMES[kind]}`, at);
    return v | 0;
  }

  protected readEnum(e: EnumPlan, f?: FieldPlan): number | undefined {
    const s = this.s;
    const k = s.peek();
    if (k === JsonKind.String) {
      // Enum fields tend to repeat values: try the last one in place before slicing.
      const last = f !== undefined ? f.lastEnum : undefined;
      if (last !== undefined && s.valueIs(last.quoted)) return last.value;
      // Then the names starting with the same character, compared in place (no slicing, no hashing).
      const guesses = e.guessesByFirstChar[s.text.charCodeAt(s.pos + 1)];
      if (guesses !== undefined) {
        for (let g = 0; g < guesses.length; g++) {
          const guess = guesses[g]!;
          if (s.valueIs(guess.quoted)) {
            if (f !== undefined) f.lastEnum = guess;
            return guess.value;
          }
        }
      }
      const at = s.pos;
      const name = s.readString();
      const g = e.guessByName.get(name);
      if (g !== undefined) {
        if (f !== undefined) f.lastEnum = g;
        return g.value;
      }
      if (this.ignoreUnknown) return undefined;
      // Numbers in strings are accepted too (some encoders quote them).
      if (/^-?\d+$/.test(name)) {
        const n = +name;
        if (n >= -0x80000000 && n <= 0x7fffffff) return this.enumNumber(e, n, at);
      }
      throw new CodecError('', `unknown value ${quoteJsonString(name)} for enum ${e.desc.fullName}`, at);
    }
    if (k === JsonKind.Number) {
      const at = s.pos;
      s.readNumberSpan();
      const v = s.numberValue;
      if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
        throw new CodecError('', `${s.text.slice(s.spanStart, s.spanEnd)} is not a valid number for enum ${e.desc.fullName}`, at);
      }
      return e.desc.closed ? this.enumNumber(e, v, at) : v;
    }
    throw this.typeError(`an enum name or number for ${e.desc.fullName}`);
  }

  /** A number for a closed enum: declared, else skipped with ignoreUnknownFields, else an error (kitex: any). */
  protected enumNumber(e: EnumPlan, v: number, at: number): number | undefined {
    if (!e.desc.closed || this.kitex || enumDeclares(e, v)) return v;
    if (this.ignoreUnknown) return undefined;
    throw new CodecError('', `${v} is not a value of the closed enum ${e.desc.fullName}`, at);
  }

  protected readDouble(kind: number): number {
    const s = this.s;
    const k = s.peek();
    const at = s.pos;
    let v: number;
    if (k === JsonKind.Number) {
      s.readNumberSpan();
      v = s.numberValue;
      if (!Number.isFinite(v)) throw new CodecError('', `${s.text.slice(s.spanStart, s.spanEnd)} is out of range for ${KIND_NAMES[kind]}`, at);
    } else if (k === JsonKind.String) {
      const str = s.readString();
      if (str === 'NaN') return NaN;
      if (str === 'Infinity') return Infinity;
      if (str === '-Infinity') return -Infinity;
      if (!JSON_NUMBER.test(str)) throw new CodecError('', `invalid ${KIND_NAMES[kind]} ${quoteJsonString(str)}`, at);
      v = +str;
      if (!Number.isFinite(v)) throw new CodecError('', `${str} is out of range for ${KIND_NAMES[kind]}`, at);
    } else throw this.typeError(`a ${KIND_NAMES[kind]} (number or string)`);
    if (kind === K.FLOAT && (v > FLOAT32_MAX || v < -FLOAT32_MAX)) throw new CodecError('', `${v} is out of range for float`, at);
    return v;
  }

  /** Reads a 64-bit integer into `h`, exactly, from a JSON number or string. */
  protected readInt64(kind: number): void {
    const s = this.s;
    const signed = kind === K.INT64 || kind === K.SINT64 || kind === K.SFIXED64;
    const k = s.peek();
    const at = s.pos;
    if (k === JsonKind.Number) {
      const integer = s.readNumberSpan();
      if (integer) {
        if (!parseInt64Decimal(s.text, s.spanStart, s.spanEnd, signed, this.h)) {
          throw new CodecError('', `${s.text.slice(s.spanStart, s.spanEnd)} is out of range for ${KIND_NAMES[kind]}`, at);
        }
        return;
      }
      this.int64FromDouble(s.numberValue, kind, signed, at, s.text.slice(s.spanStart, s.spanEnd));
      return;
    }
    if (k === JsonKind.String) {
      // Up to 15 digits in quotes (ids, mostly): valued in the one pass that finds the quote.
      const text = s.text;
      let p = at + 1;
      const neg = text.charCodeAt(p) === 45;
      if (neg) p++;
      const d0 = p;
      let v = 0;
      let c = text.charCodeAt(p);
      while (c >= 48 && c <= 57 && p - d0 < 15) {
        v = v * 10 + (c - 48);
        c = text.charCodeAt(++p);
      }
      if (c === 34 && p > d0 && (signed || !neg || v === 0)) {
        this.setInt64(neg ? -v : v);
        s.pos = p + 1;
        return;
      }
      // Digits in quotes: parse them in place.
      if (s.readStringSpan() && parseInt64Decimal(s.text, s.spanStart, s.spanEnd, signed, this.h)) return;
      s.pos = at;
      const str = s.readString();
      if (parseInt64Decimal(str, 0, str.length, signed, this.h)) return;
      if (!JSON_NUMBER.test(str)) throw new CodecError('', `invalid ${KIND_NAMES[kind]} ${quoteJsonString(str)}`, at);
      // A plain integer that did not parse is out of range (a double would round it into range).
      if (INTEGER.test(str)) throw new CodecError('', `${str} is out of range for ${KIND_NAMES[kind]}`, at);
      this.int64FromDouble(+str, kind, signed, at, str);
      return;
    }
    throw this.typeError(`an ${KIND_NAMES[kind]} (number or string)`);
  }

  protected int64FromDouble(v: number, kind: number, signed: boolean, at: number, text: string): void {
    if (!Number.isInteger(v)) throw new CodecError('', `${KIND_NAMES[kind]} must be an integer, got ${text}`, at);
    const b = BigInt(v);
    if (signed ? b < -(1n << 63n) || b >= 1n << 63n : b < 0n || b >= 1n << 64n) {
      throw new CodecError('', `${text} is out of range for ${KIND_NAMES[kind]}`, at);
    }
    const u = BigInt.asUintN(64, b);
    this.h.lo = Number(u & 0xffffffffn);
    this.h.hi = Number(u >> 32n);
  }
}
