import type { ProtoMessage } from '../../idl-parser/proto/descriptor.js';
import { CodecError } from '../../errors/codec-error.js';
import { ByteWriter } from '../bytes/byte-writer.js';
import { base64DecodedLength, decodeBase64Into } from '../bytes/base64.js';
import { utf8Length, writeUtf8 } from '../bytes/utf8.js';
import {
  parseInt64Decimal,
  writeVarint32,
  writeVarint64,
  writeVarintInt32,
  zigzagEncode32,
  zigzagEncode64,
  type Int64Halves,
} from '../bytes/varint.js';
import { JsonKind, JsonScanner } from '../json/scanner.js';
import { quoteJsonString } from '../json/quote.js';
import { K, W, enumDeclares, is64, planOf, subPlanOf, type EnumPlan, type FieldPlan, type KeyGuess, type MessagePlan } from './plan.js';
import type { Extensions } from './extensions.js';
import { beginLen, endLen } from './length-slot.js';
import { prefixPath } from './path.js';
import { MAX_DEPTH, ProtoReader } from './reader.js';
import { parseTimestamp } from './well-known/timestamp.js';
import { parseDuration } from './well-known/duration.js';
import { pathFromJson } from './well-known/field-mask.js';

/** Finds message types by full name (for `google.protobuf.Any`). */
export interface TypeResolver {
  findMessage(fullName: string): ProtoMessage | undefined;
}

const TWO32 = 4294967296;
const NO_BYTES = new Uint8Array(0);
const FLOAT32_MAX = 3.4028234663852886e38;
const INTEGER = /^-?\d+$/;
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

const KIND_NAMES = [
  '', 'double', 'float', 'int64', 'uint64', 'int32', 'fixed64', 'fixed32', 'bool', 'string',
  'group', 'message', 'bytes', 'uint32', 'enum', 'sfixed32', 'sfixed64', 'sint32', 'sint64',
];

/** Kinds whose repeated items `intItems()` reads: integers and bools (1). */
const PLAIN_INT_KINDS = new Uint8Array(19);
for (const k of [K.INT32, K.UINT32, K.SINT32, K.FIXED32, K.SFIXED32, K.INT64, K.UINT64, K.SINT64, K.FIXED64, K.SFIXED64, K.BOOL]) PLAIN_INT_KINDS[k] = 1;
/** The signed 64-bit kinds (1). */
const INT64_SIGNED = new Uint8Array(19);
for (const k of [K.INT64, K.SINT64, K.SFIXED64]) INT64_SIGNED[k] = 1;

/** `String.prototype.isWellFormed` (ES2024, in every Node the package supports): no unpaired surrogate. */
function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/**
 * A map key as the repeated-key check compares it: integer keys by value
 * (`"01"` and `"1"` are one key), others as written.
 */
function canonicalMapKey(kind: number, key: string): string {
  if (kind === K.STRING || kind === K.BOOL) return key;
  const m = /^(-?)0*(\d+)$/.exec(key);
  return m === null ? key : m[2] === '0' ? '0' : m[1]! + m[2]!;
}

const KIND_DESC = ['an object', 'an array', 'a string', 'a number', 'a boolean', 'a boolean', 'null', 'end of input'];

/**
 * JSON text → protobuf binary in one pass: the scanner is walked with the
 * message plan, values are written as they are read. Length-delimited values
 * get a one-byte length slot that is widened in place when the value turns
 * out longer than 127 bytes (a move of the tail, never a re-encode).
 */
export class JsonToBinary {
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
  private readonly keySets: Array<Set<string> | undefined> = [];
  private readonly unknownReader = new ProtoReader();
  private stamp = 0;
  private readonly seenStack: Uint32Array[] = [];
  private readonly h: Int64Halves = { lo: 0, hi: 0 };

  /** Encodes `json` as a `plan` message at `w.pos`. On error `w.pos` is restored. */
  encode(w: ByteWriter, plan: MessagePlan, json: string): void {
    this.w = w;
    const start = w.pos;
    const s = this.s.reset(json);
    try {
      try {
        // A top-level null is no message (only google.protobuf.Value reads null; dynamicgo
        // rejects it too: conv/j2p/decode.go `OnNull` at the root ends in "disMatched ValueEnd").
        this.messageValue(plan, 0);
        s.expectEnd();
      } catch (e) {
        throw prefixPath(e, plan.desc.name);
      }
    } catch (e) {
      w.pos = start;
      s.reset('');
      throw e;
    }
    s.reset('');
  }

  private typeError(what: string): CodecError {
    const k = this.s.peek();
    return this.s.error(`expected ${what}, found ${KIND_DESC[k]}`);
  }

  /** A message value: a JSON object, or a well-known type's special form. */
  private messageValue(plan: MessagePlan, depth: number): void {
    if (depth > MAX_DEPTH) throw this.s.error(`nesting deeper than ${MAX_DEPTH}`);
    switch (this.plainWkt ? W.NONE : plan.wkt) {
      case W.NONE:
      case W.EMPTY:
        this.object(plan, depth, false);
        return;
      case W.TIMESTAMP:
        this.timestamp();
        return;
      case W.DURATION:
        this.duration();
        return;
      case W.WRAPPER: {
        const f = plan.fields[0]!;
        this.scalar(f, f.kind, f.tag, true);
        return;
      }
      case W.VALUE:
        this.value(depth);
        return;
      case W.STRUCT:
        this.struct(depth);
        return;
      case W.LIST:
        this.list(depth);
        return;
      case W.FIELD_MASK:
        this.fieldMask();
        return;
      case W.ANY:
        this.any(depth);
        return;
    }
  }

  private seenFor(depth: number, n: number): Uint32Array {
    let seen = this.seenStack[depth];
    if (seen === undefined || seen.length < n) seen = this.seenStack[depth] = new Uint32Array(Math.max(n, 32));
    return seen;
  }

  private object(plan: MessagePlan, depth: number, skipAtType: boolean): void {
    const s = this.s;
    if (s.peek() !== JsonKind.Object) throw this.typeError(`an object for ${plan.desc.fullName}`);
    const objStart = s.pos;
    const wStart = this.w.pos;
    s.pos++;
    if (!s.objectFirst()) return;
    const nf = plan.fields.length;
    // Slots: fields, then oneofs, then loaded extensions.
    const seen = this.seenFor(depth, nf + plan.oneofCount + (plan.extendable ? (this.ext?.of(plan)?.fields.length ?? 0) : 0));
    if (this.stamp >= 0xfffffffe) {
      for (const a of this.seenStack) a.fill(0);
      this.stamp = 0;
    }
    const stamp = ++this.stamp;
    const byKey = plan.byKey;
    const nextKey = plan.nextKey;
    const nextKey2 = plan.nextKey2;
    let prev = nf;
    do {
      let f: FieldPlan | undefined;
      const guess = nextKey[prev];
      let guess2: KeyGuess | undefined;
      if (guess !== undefined && s.keyIs(guess.quoted)) f = guess.field;
      else if ((guess2 = nextKey2[prev]) !== undefined && s.keyIs(guess2.quoted)) {
        f = guess2.field;
        nextKey2[prev] = guess;
        nextKey[prev] = guess2;
      } else {
        const key = s.key();
        f = byKey.get(key);
        if (f === undefined) {
          const x = plan.extendable ? this.extensionByKey(plan, key) : undefined;
          if (x !== undefined) {
            this.extensionMember(plan, x, seen, plan.oneofCount + x.index, stamp, depth);
            prev = nf; // extensions take no part in the key-order guesses
            continue;
          }
          if (this.unknownKey(plan, key, skipAtType, depth)) {
            // `$unknown` before other members: start over in the mode that writes it last.
            this.w.pos = wStart;
            s.pos = objStart;
            this.objectLastWins(plan, depth, skipAtType);
            return;
          }
          continue;
        }
        nextKey2[prev] = guess;
        nextKey[prev] = key === f.jsonName ? f.jsonGuess : key === f.name ? f.protoGuess : undefined;
      }
      prev = f.index;
      if (seen[f.index] === stamp) {
        if (!this.kitex) throw this.duplicateError(plan, f);
        // A duplicate key: start over in the two-pass mode that keeps the last one.
        this.w.pos = wStart;
        s.pos = objStart;
        this.objectLastWins(plan, depth, skipAtType);
        return;
      }
      seen[f.index] = stamp;
      let set: boolean;
      try {
        set = this.field(f, depth);
      } catch (e) {
        throw prefixPath(e, f.name);
      }
      if (set && f.oneof >= 0) {
        if (seen[nf + f.oneof] === stamp) throw this.oneofError(plan, f);
        seen[nf + f.oneof] = stamp;
      }
    } while (s.objectNext());
  }

  /** The loaded extension of (extendable) `plan` keyed `key` (`[pkg.ext]`), if any. */
  private extensionByKey(plan: MessagePlan, key: string): FieldPlan | undefined {
    return key.charCodeAt(0) === 91 /* [ */ ? this.ext?.of(plan)?.byKey.get(key) : undefined;
  }

  /** An extension's member in the fast object loop: its value, once (`slot` in `seen`). */
  private extensionMember(plan: MessagePlan, x: FieldPlan, seen: Uint32Array, slot: number, stamp: number, depth: number): void {
    if (seen[slot] === stamp && !this.kitex) throw this.duplicateError(plan, x);
    seen[slot] = stamp;
    try {
      this.field(x, depth);
    } catch (e) {
      throw prefixPath(e, x.name);
    }
  }

  /** A field's key seen twice in one object (under either of its names). */
  private duplicateError(plan: MessagePlan, f: FieldPlan): CodecError {
    const names = f.jsonName === f.name ? quoteJsonString(f.name) : `${quoteJsonString(f.jsonName)} or ${quoteJsonString(f.name)}`;
    return new CodecError(f.name, `field ${names} of ${plan.desc.fullName} appears more than once`, this.s.pos);
  }

  /** A reused, emptied set for the keys of a map or Struct object at `depth`. */
  private keySet(depth: number): Set<string> {
    let set = this.keySets[depth];
    if (set === undefined) this.keySets[depth] = set = new Set();
    else set.clear();
    return set;
  }

  private oneofError(plan: MessagePlan, f: FieldPlan): CodecError {
    return new CodecError(f.name, `more than one field of oneof ${plan.desc.oneofs[f.oneof]!.name} is set`, this.s.pos);
  }

  /** Slow path for objects with duplicate keys: find each field's last value, then encode only those. */
  private objectLastWins(plan: MessagePlan, depth: number, skipAtType: boolean): void {
    const s = this.s;
    const objStart = s.pos;
    const x = plan.extendable ? this.ext?.of(plan) : undefined;
    const last = new Int32Array(x !== undefined ? x.all.length : plan.fields.length).fill(-1);
    s.pos++;
    for (let key = s.firstKey(); key !== undefined; key = s.nextKey()) {
      const f = plan.byKey.get(key) ?? (x !== undefined ? x.byKey.get(key) : undefined);
      if (f !== undefined) {
        if (last[f.index] >= 0 && !this.kitex) throw this.duplicateError(plan, f);
        last[f.index] = s.pos;
      }
      s.skipValue();
    }
    s.pos = objStart + 1;
    const oneofSet = new Uint8Array(plan.oneofCount);
    let unknownAt = -1;
    for (let key = s.firstKey(); key !== undefined; key = s.nextKey()) {
      const f = plan.byKey.get(key) ?? (x !== undefined ? x.byKey.get(key) : undefined);
      if (f === undefined) {
        if (key === '$unknown' && this.keepsUnknown(plan)) {
          if (unknownAt >= 0 && !this.kitex) throw new CodecError('$unknown', '"$unknown" appears more than once', s.pos);
          unknownAt = s.pos;
          s.skipValue();
        } else this.unknownKey(plan, key, skipAtType, depth);
        continue;
      }
      if (last[f.index] !== s.pos) {
        s.skipValue();
        continue;
      }
      let set: boolean;
      try {
        set = this.field(f, depth);
      } catch (e) {
        throw prefixPath(e, f.name);
      }
      if (set && f.oneof >= 0) {
        if (oneofSet[f.oneof] === 1) throw this.oneofError(plan, f);
        oneofSet[f.oneof] = 1;
      }
    }
    if (unknownAt >= 0) {
      // The last `$unknown`, after the known fields.
      const endPos = s.pos;
      s.pos = unknownAt;
      this.unknownFields(depth);
      s.pos = endPos;
    }
  }

  /**
   * A key that names no field: `$unknown` when unknown fields pass through
   * (returns true when more members follow it, so the caller redoes the object
   * to write it last), skipped if unknown keys are ignored, else an error.
   */
  private unknownKey(plan: MessagePlan, key: string, skipAtType: boolean, depth: number): boolean {
    if (key === '$unknown' && this.keepsUnknown(plan)) {
      this.unknownFields(depth);
      return !this.s.atObjectEnd();
    }
    if (this.ignoreUnknown || (skipAtType && key === '@type')) {
      this.s.skipValue();
      return false;
    }
    throw new CodecError(key, `unknown field ${quoteJsonString(key)} in ${plan.desc.fullName}`, this.s.pos);
  }

  /** Whether `plan`'s JSON objects carry `$unknown` (not well-known types with a JSON form of their own). */
  private keepsUnknown(plan: MessagePlan): boolean {
    return this.keepUnknown && (plan.wkt === W.NONE || this.plainWkt);
  }

  /**
   * The value of `$unknown`: base64 (standard or URL-safe) of protobuf wire
   * data, checked to be well-formed and written as it is; null writes nothing.
   */
  private unknownFields(depth: number): void {
    const s = this.s;
    if (s.readNullIf()) return;
    const at = s.pos;
    try {
      if (s.peek() !== JsonKind.String) throw this.typeError('a base64 string');
      const str = s.readString();
      const n = base64DecodedLength(str);
      if (n < 0) throw this.base64Error(str, at);
      const w = this.w;
      w.ensure(n);
      if (decodeBase64Into(str, w.buf, w.pos) < 0) throw this.base64Error(str, at);
      this.checkWireData(w.buf, w.pos, w.pos + n, at, depth);
      w.pos += n;
    } catch (e) {
      throw prefixPath(e, '$unknown');
    }
  }

  /** Checks that `[start, end)` is a sequence of whole protobuf fields (groups closed). */
  private checkWireData(buf: Uint8Array, start: number, end: number, at: number, depth: number): void {
    const r = this.unknownReader.reset(buf, start, end);
    try {
      while (r.pos < end) {
        const t = r.tag();
        if ((t & 7) === 4) throw new CodecError('', `unexpected end-group tag for field ${t >>> 3}`, r.pos);
        r.skip(t, depth + 1);
      }
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      const byte = e.offset === undefined ? '' : ` at byte ${e.offset - start}`;
      throw new CodecError('', `invalid wire data${byte}: ${e.reason}`, at);
    } finally {
      r.reset(NO_BYTES);
    }
  }

  /** Encodes one field's value; returns false when it was `null` (left unset). */
  private field(f: FieldPlan, depth: number): boolean {
    const s = this.s;
    if (s.peek() === JsonKind.Null) {
      if (!f.repeated && !this.plainWkt) {
        if (f.kind === K.MESSAGE && subPlanOf(f).wkt === W.VALUE) {
          s.readNullIf();
          this.tag(f.lenTag);
          this.w.writeByte(2);
          this.w.writeByte(0x08);
          this.w.writeByte(0);
          return true;
        }
        if (f.kind === K.ENUM && f.enumPlan!.isNullValue) {
          s.readNullIf();
          this.tag(f.tag);
          this.w.writeByte(0);
          return true;
        }
      }
      s.readNullIf();
      return false;
    }
    if (f.isMap) this.map(f, depth);
    else if (f.repeated) this.repeated(f, depth);
    else if (f.kind === K.MESSAGE) {
      this.tag(f.lenTag);
      const at = this.beginLen();
      this.messageValue(subPlanOf(f), depth + 1);
      this.endLen(at);
    } else if (f.kind === K.GROUP) {
      this.group(f, depth);
    } else this.scalar(f, f.kind, f.tag, !f.presence);
    return true;
  }

  private group(f: FieldPlan, depth: number): void {
    this.tag(((f.number << 3) | 3) >>> 0);
    this.messageValue(subPlanOf(f), depth + 1);
    this.tag(((f.number << 3) | 4) >>> 0);
  }

  private tag(t: number): void {
    const w = this.w;
    if (t < 0x80) {
      if (w.pos >= w.buf.length) w.ensure(1);
      w.buf[w.pos++] = t;
    } else writeVarint32(w, t);
  }

  private beginLen(): number {
    return beginLen(this.w);
  }

  private endLen(at: number): void {
    endLen(this.w, at);
  }

  private repeated(f: FieldPlan, depth: number): void {
    const s = this.s;
    if (s.peek() !== JsonKind.Array) throw this.typeError('an array');
    s.pos++;
    if (!s.firstItem()) return;
    const kind = f.kind;
    if (PLAIN_INT_KINDS[kind] === 1) {
      if (!f.packed) this.intItems(f, kind, true);
      else {
        this.tag(f.lenTag);
        const at = this.beginLen();
        this.intItems(f, kind, false);
        this.endLen(at);
      }
      return;
    }
    let i = 0;
    if (f.packed) {
      this.tag(f.lenTag);
      const at = this.beginLen();
      do {
        try {
          this.packedValue(f, kind);
        } catch (e) {
          throw prefixPath(e, `[${i}]`);
        }
        i++;
      } while (s.nextItem());
      this.endLen(at);
      return;
    }
    do {
      try {
        if (kind === K.MESSAGE) {
          const plan = subPlanOf(f);
          if (s.peek() === JsonKind.Null && (plan.wkt !== W.VALUE || this.plainWkt)) throw s.error('null is not allowed in a repeated field');
          this.tag(f.lenTag);
          const at = this.beginLen();
          this.messageValue(plan, depth + 1);
          this.endLen(at);
        } else if (kind === K.GROUP) {
          this.group(f, depth);
        } else {
          if (s.peek() === JsonKind.Null) throw s.error('null is not allowed in a repeated field');
          this.scalar(f, kind, f.tag, false);
        }
      } catch (e) {
        throw prefixPath(e, `[${i}]`);
      }
      i++;
    } while (s.nextItem());
  }

  /**
   * The items of a repeated integer or bool field (after its first `[` item
   * was found), each with its tag when `tagged` (unpacked), else values only.
   * A JSON array of numbers is long and regular, so plain items (up to 15
   * digits, bare or quoted, or a bool literal, followed by `,` or `]`) are read
   * and written here with the text cursor in a local; any other item goes
   * through the general readers, which also report what is wrong with it.
   */
  private intItems(f: FieldPlan, kind: number, tagged: boolean): void {
    const s = this.s;
    const text = s.text;
    for (let i = 0; ; i++) {
      let p = s.pos;
      let c = text.charCodeAt(p);
      while (c === 32 || c === 10 || c === 13 || c === 9) c = text.charCodeAt(++p);
      // A plain item's value, or NaN.
      let v = NaN;
      let q = p;
      if (kind === K.BOOL) {
        if (c === 116 && text.startsWith('true', p)) {
          v = 1;
          q = p + 4;
        } else if (c === 102 && text.startsWith('false', p)) {
          v = 0;
          q = p + 5;
        }
      } else {
        const quoted = c === 34;
        if (quoted) c = text.charCodeAt(++q);
        const neg = c === 45;
        if (neg) c = text.charCodeAt(++q);
        const d0 = q;
        let m = 0; // exact while there are at most 15 digits
        while (c >= 48 && c <= 57) {
          m = m * 10 + (c - 48);
          c = text.charCodeAt(++q);
        }
        const digits = q - d0;
        // No leading zeros, no fraction or exponent, the closing quote: else the general path decides.
        if (digits > 0 && digits <= 15 && (digits === 1 || text.charCodeAt(d0) !== 48) && (quoted ? c === 34 : c !== 46 && c !== 101 && c !== 69)) {
          if (quoted) q++;
          v = neg ? -m : m;
          if (kind === K.UINT32 || kind === K.FIXED32 ? v < 0 || v > 0xffffffff : is64(kind) ? v < 0 && !INT64_SIGNED[kind] : v < -0x80000000 || v > 0x7fffffff) v = NaN;
        }
      }
      try {
        if (tagged) this.tag(f.tag);
        if (v !== v) {
          s.pos = p;
          this.packedValue(f, kind);
        } else {
          s.pos = q;
          if (is64(kind)) {
            this.setInt64(v);
            this.write64(kind);
          } else this.writeNum(kind, v);
        }
      } catch (e) {
        throw prefixPath(e, `[${i}]`);
      }
      c = text.charCodeAt(s.pos);
      if (c === 44) s.pos++; // ,
      else if (c === 93) {
        s.pos++; // ]
        return;
      } else if (!s.nextItem()) return;
    }
  }

  /** Puts a safe integer into `h` as its two's-complement halves. */
  private setInt64(v: number): void {
    this.h.lo = v >>> 0;
    this.h.hi = Math.floor(v / TWO32) >>> 0;
  }

  /** One element of a packed field: the value only. */
  private packedValue(f: FieldPlan, kind: number): void {
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
  private scalar(f: FieldPlan, kind: number, tag: number, implicit: boolean): void {
    switch (kind) {
      case K.STRING: {
        const s = this.s;
        if (s.peek() !== JsonKind.String) throw this.typeError('a string');
        if (s.readStringSpan()) {
          if (implicit && s.spanEnd === s.spanStart) return;
          this.tag(tag);
          this.writeSpan(s.text, s.spanStart, s.spanEnd);
          return;
        }
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

  /** Writes `text[start, end)` (a string's contents without escapes) as a length-delimited UTF-8 value, unsliced when short ASCII. */
  private writeSpan(text: string, start: number, end: number): void {
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

  private writeString(str: string): void {
    // Strings are UTF-8 on the wire: an unpaired UTF-16 surrogate (`"\\uD800"`) has no
    // encoding, so it is an error rather than a silent U+FFFD.
    if (!isWellFormed(str)) throw new CodecError('', `unpaired UTF-16 surrogate in string ${quoteJsonString(str.length > 40 ? str.slice(0, 40) + '…' : str)}`, this.s.pos);
    const w = this.w;
    const n = str.length;
    if (n < 43) {
      // At most 126 UTF-8 bytes: a one-byte length, filled in afterwards.
      if (w.pos + 1 + n * 3 > w.buf.length) w.ensure(1 + n * 3);
      const at = w.pos;
      const len = writeUtf8(str, w.buf, at + 1);
      w.buf[at] = len;
      w.pos = at + 1 + len;
      return;
    }
    const len = utf8Length(str);
    writeVarint32(w, len);
    w.ensure(len);
    writeUtf8(str, w.buf, w.pos);
    w.pos += len;
  }

  private writeNum(kind: number, v: number): void {
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

  private write64(kind: number): void {
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

  private readBool(): number {
    const k = this.s.peek();
    if (k === JsonKind.True || k === JsonKind.False) return this.s.readBoolean() ? 1 : 0;
    throw this.typeError('a boolean');
  }

  private base64Error(str: string, at: number): CodecError {
    return new CodecError('', `invalid base64 ${quoteJsonString(str.length > 40 ? str.slice(0, 40) + '…' : str)}`, at);
  }

  /** A number from JSON number or numeric string (int and float fields accept both). */
  private readNumeric(what: string): number {
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

  private readInt32(kind: number): number {
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

  private readEnum(e: EnumPlan, f?: FieldPlan): number | undefined {
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
  private enumNumber(e: EnumPlan, v: number, at: number): number | undefined {
    if (!e.desc.closed || this.kitex || enumDeclares(e, v)) return v;
    if (this.ignoreUnknown) return undefined;
    throw new CodecError('', `${v} is not a value of the closed enum ${e.desc.fullName}`, at);
  }

  private readDouble(kind: number): number {
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
  private readInt64(kind: number): void {
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

  private int64FromDouble(v: number, kind: number, signed: boolean, at: number, text: string): void {
    if (!Number.isInteger(v)) throw new CodecError('', `${KIND_NAMES[kind]} must be an integer, got ${text}`, at);
    const b = BigInt(v);
    if (signed ? b < -(1n << 63n) || b >= 1n << 63n : b < 0n || b >= 1n << 64n) {
      throw new CodecError('', `${text} is out of range for ${KIND_NAMES[kind]}`, at);
    }
    const u = BigInt.asUintN(64, b);
    this.h.lo = Number(u & 0xffffffffn);
    this.h.hi = Number(u >> 32n);
  }

  private map(f: FieldPlan, depth: number): void {
    const s = this.s;
    if (s.peek() !== JsonKind.Object) throw this.typeError('an object (map)');
    s.pos++;
    if (!s.objectFirst()) return;
    const kf = f.mapKey!;
    const vf = f.mapValue!;
    const text = s.text;
    const keys = this.kitex ? undefined : this.keySet(depth);
    do {
      // A key without escapes is a span of the text: string keys are copied from it, not sliced.
      let key: string | undefined;
      let keyStart = 0;
      let keyEnd = 0;
      if (s.keySpan()) {
        keyStart = s.spanStart;
        keyEnd = s.spanEnd;
        if (kf.kind !== K.STRING) key = text.slice(keyStart, keyEnd);
      } else key = s.key();
      try {
        this.tag(f.lenTag);
        const at = this.beginLen();
        if (keys !== undefined) {
          const k = canonicalMapKey(kf.kind, key ?? text.slice(keyStart, keyEnd));
          if (keys.has(k)) throw new CodecError('', 'map key appears more than once', s.pos);
          keys.add(k);
        }
        if (key !== undefined) this.mapKey(kf, key);
        else {
          this.tag(kf.tag);
          this.writeSpan(text, keyStart, keyEnd);
        }
        if (vf.kind === K.MESSAGE) {
          const plan = subPlanOf(vf);
          if (s.peek() === JsonKind.Null && (plan.wkt !== W.VALUE || this.plainWkt)) throw s.error('null is not allowed as a map value');
          this.tag(vf.lenTag);
          const at2 = this.beginLen();
          this.messageValue(plan, depth + 1);
          this.endLen(at2);
        } else {
          if (s.peek() === JsonKind.Null && !(vf.kind === K.ENUM && vf.enumPlan!.isNullValue && !this.plainWkt)) {
            throw s.error('null is not allowed as a map value');
          }
          if (s.readNullIf()) {
            this.tag(vf.tag);
            this.w.writeByte(0);
          } else this.scalar(vf, vf.kind, vf.tag, false);
        }
        this.endLen(at);
      } catch (e) {
        throw prefixPath(e, `[${quoteJsonString(key ?? text.slice(keyStart, keyEnd))}]`);
      }
    } while (s.objectNext());
  }

  private mapKey(kf: FieldPlan, key: string): void {
    const kind = kf.kind;
    if (kind === K.STRING) {
      this.tag(kf.tag);
      this.writeString(key);
      return;
    }
    if (kind === K.BOOL) {
      if (key !== 'true' && key !== 'false') throw new CodecError('', `invalid bool map key ${quoteJsonString(key)}`, this.s.pos);
      this.tag(kf.tag);
      this.w.writeByte(key === 'true' ? 1 : 0);
      return;
    }
    if (kind === K.INT64 || kind === K.UINT64 || kind === K.SINT64 || kind === K.FIXED64 || kind === K.SFIXED64) {
      const signed = kind === K.INT64 || kind === K.SINT64 || kind === K.SFIXED64;
      if (!parseInt64Decimal(key, 0, key.length, signed, this.h)) {
        throw new CodecError('', `invalid ${KIND_NAMES[kind]} map key ${quoteJsonString(key)}`, this.s.pos);
      }
      this.tag(kf.tag);
      this.write64(kind);
      return;
    }
    if (!/^-?\d{1,10}$/.test(key)) throw new CodecError('', `invalid ${KIND_NAMES[kind]} map key ${quoteJsonString(key)}`, this.s.pos);
    const v = +key;
    const unsigned = kind === K.UINT32 || kind === K.FIXED32;
    if (unsigned ? v < 0 || v > 0xffffffff : v < -0x80000000 || v > 0x7fffffff) {
      throw new CodecError('', `map key ${key} is out of range for ${KIND_NAMES[kind]}`, this.s.pos);
    }
    this.tag(kf.tag);
    this.writeNum(kind, unsigned ? v >>> 0 : v | 0);
  }

  // ---- well-known types: each writes the fields of its message ----

  private readStringFor(what: string): string {
    if (this.s.peek() !== JsonKind.String) throw this.typeError(`a string (${what})`);
    return this.s.readString();
  }

  private timestamp(): void {
    const at = this.s.pos;
    const str = this.readStringFor('RFC 3339 timestamp');
    const t = parseTimestamp(str);
    if (t === undefined) throw new CodecError('', `invalid Timestamp ${quoteJsonString(str)}`, at);
    this.secondsNanos(t[0], t[1]);
  }

  private duration(): void {
    const at = this.s.pos;
    const str = this.readStringFor('duration such as "1.5s"');
    const d = parseDuration(str);
    if (d === undefined) throw new CodecError('', `invalid Duration ${quoteJsonString(str)}`, at);
    this.secondsNanos(d[0], d[1]);
  }

  private secondsNanos(seconds: number, nanos: number): void {
    if (seconds !== 0) {
      this.tag(0x08);
      writeVarint64(this.w, seconds >>> 0, Math.floor(seconds / TWO32) >>> 0);
    }
    if (nanos !== 0) {
      this.tag(0x10);
      writeVarintInt32(this.w, nanos);
    }
  }

  private fieldMask(): void {
    const at = this.s.pos;
    const str = this.readStringFor('field mask');
    if (str === '') return;
    for (const p of str.split(',')) {
      const path = pathFromJson(p);
      if (path === undefined || path === '') throw new CodecError('', `invalid FieldMask path ${quoteJsonString(p)}`, at);
      this.tag(0x0a);
      this.writeString(path);
    }
  }

  /** google.protobuf.Value from any JSON value. */
  private value(depth: number): void {
    if (depth > MAX_DEPTH) throw this.s.error(`nesting deeper than ${MAX_DEPTH}`);
    const s = this.s;
    switch (s.peek()) {
      case JsonKind.Null:
        s.readNullIf();
        this.tag(0x08);
        this.w.writeByte(0);
        return;
      case JsonKind.Number:
        this.tag(0x11);
        this.writeNum(K.DOUBLE, this.readDouble(K.DOUBLE));
        return;
      case JsonKind.String:
        this.tag(0x1a);
        this.writeString(s.readString());
        return;
      case JsonKind.True:
      case JsonKind.False:
        this.tag(0x20);
        this.w.writeByte(s.readBoolean() ? 1 : 0);
        return;
      case JsonKind.Object: {
        this.tag(0x2a);
        const at = this.beginLen();
        this.struct(depth + 1);
        this.endLen(at);
        return;
      }
      case JsonKind.Array: {
        this.tag(0x32);
        const at = this.beginLen();
        this.list(depth + 1);
        this.endLen(at);
        return;
      }
      default:
        throw this.typeError('a JSON value');
    }
  }

  private struct(depth: number): void {
    const s = this.s;
    if (s.peek() !== JsonKind.Object) throw this.typeError('an object (Struct)');
    s.pos++;
    const keys = this.keySet(depth);
    for (let key = s.firstKey(); key !== undefined; key = s.nextKey()) {
      try {
        if (keys.has(key)) throw new CodecError('', 'key appears more than once', s.pos);
        keys.add(key);
        this.tag(0x0a);
        const at = this.beginLen();
        this.tag(0x0a);
        this.writeString(key);
        this.tag(0x12);
        const at2 = this.beginLen();
        this.value(depth + 1);
        this.endLen(at2);
        this.endLen(at);
      } catch (e) {
        throw prefixPath(e, `[${quoteJsonString(key)}]`);
      }
    }
  }

  private list(depth: number): void {
    const s = this.s;
    if (s.peek() !== JsonKind.Array) throw this.typeError('an array (ListValue)');
    s.pos++;
    if (!s.firstItem()) return;
    let i = 0;
    do {
      try {
        this.tag(0x0a);
        const at = this.beginLen();
        this.value(depth + 1);
        this.endLen(at);
      } catch (e) {
        throw prefixPath(e, `[${i}]`);
      }
      i++;
    } while (s.nextItem());
  }

  private any(depth: number): void {
    const s = this.s;
    if (s.peek() !== JsonKind.Object) throw this.typeError('an object (Any)');
    const objStart = s.pos;
    s.pos++;
    let typeUrl: string | undefined;
    let empty = true;
    for (let key = s.firstKey(); key !== undefined; key = s.nextKey()) {
      empty = false;
      if (key === '@type') {
        try {
          if (typeUrl !== undefined) throw new CodecError('', '"@type" appears more than once', s.pos);
          typeUrl = this.readStringFor('type URL');
        } catch (e) {
          throw prefixPath(e, '@type');
        }
      } else s.skipValue();
    }
    if (typeUrl === undefined) {
      if (empty) return;
      throw new CodecError('', 'Any is missing "@type"', objStart);
    }
    const typeName = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
    const inner = this.resolver?.findMessage(typeName);
    if (inner === undefined) throw new CodecError('@type', `cannot resolve type ${quoteJsonString(typeUrl)}`, objStart);
    this.tag(0x0a);
    this.writeString(typeUrl);
    this.tag(0x12);
    const at = this.beginLen();
    const plan = planOf(inner);
    s.pos = objStart;
    if (plan.wkt !== W.NONE && plan.wkt !== W.EMPTY) {
      s.pos++;
      for (let key = s.firstKey(); key !== undefined; key = s.nextKey()) {
        if (key === '@type') s.skipValue();
        else if (key === 'value') {
          try {
            this.messageValue(plan, depth + 1);
          } catch (e) {
            throw prefixPath(e, 'value');
          }
        } else throw new CodecError(key, `unknown field ${quoteJsonString(key)} in Any holding ${inner.fullName}`, s.pos);
      }
    } else this.object(plan, depth + 1, true);
    this.endLen(at);
  }
}
