import { CodecError } from '../../errors/codec-error.js';
import { encodeBase64 } from '../bytes/base64.js';
import { asciiString, readUtf8 } from '../bytes/utf8.js';
import { int64ToNumber, int64ToString, varint32Size, zigzagDecode32, zigzagDecode64, type Int64Halves } from '../bytes/varint.js';
import { asStringLimitError, CharWriter, putIntUnits, writeChars, writeDoubleChars, writeIntChars, writeJsonBase64Chars, writeJsonStringUtf8Chars, writeUnits } from '../json/json-chars.js';
import { formatJsonDouble, quoteJsonString } from '../json/quote.js';
import type { TypeResolver } from './json-to-binary.js';
import { K, W, enumDeclares, enumUnits, is64, planOf, subPlanOf, type FieldPlan, type MessagePlan } from './plan.js';
import type { Extensions } from './extensions.js';
import { prefixPath } from './path.js';
import { MAX_DEPTH, ProtoReader } from './reader.js';
import { formatTimestamp } from './well-known/timestamp.js';
import { formatDuration } from './well-known/duration.js';
import { pathToJson } from './well-known/field-mask.js';

const WIRE_NAMES = ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32'];
const h64: Int64Halves = { lo: 0, hi: 0 };

/** A map field's entries while a message is decoded: key JSON → value JSON (last one wins). */
type MapSlot = Map<string, string>;

/** Reusable per-depth state of the slot mode. */
interface SlotFrame {
  slots: Array<string | MapSlot | undefined>;
  mark: Uint32Array;
  touched: number[];
  /**
   * Keys of the open map field (fast path), as the place of their JSON text in
   * the output per entry: the first 16 are compared directly; from then on
   * they are hashed and an open-addressing table of entry numbers finds them.
   */
  keyHash: Int32Array;
  keyAt: Int32Array;
  keyLen: Int32Array;
  keyTable: Int32Array;
}

/**
 * Protobuf binary → JSON text, written directly (no object model). The usual
 * case (each field once, in order) is written as UTF-16 units into a reused
 * char buffer (json-chars: wire strings decoded while copied, one string made
 * at the end; 1.15-1.3x over building string pieces on 2 KB-200 KB messages).
 * Anything else falls back to the slot mode, which works on strings: fields
 * are collected per message in declaration-indexed slots so the output
 * follows declaration order, repeated occurrences join up, scalars are
 * last-one-wins and repeated occurrences of a message field merge.
 */
export class BinaryToJson {
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
  private unk = EMPTY;
  private unkTop = 0;
  /** Set by `writeMapEntry()`: where the entry's key text lies in the output. */
  private keyStart = 0;
  private keyEnd = 0;
  /** Set by `scalar()`: whether the value read was the type's default. */
  private zero = false;
  /** Set by `mapEntry()`; `entryUndeclared`: its value is a closed-enum number the enum does not declare. */
  private entryKey = '';
  private entryValue = '';
  private entryUndeclared = false;
  private readonly rangeStack: Int32Array[] = [];
  private readonly frames: Array<SlotFrame | undefined> = [];
  private slotStamp = 0;

  /** Decodes `bytes` as a `plan` message. */
  decode(plan: MessagePlan, bytes: Uint8Array): string {
    const r = this.r.reset(bytes);
    const w = this.w.reset();
    this.unkTop = 0;
    try {
      if (plan.wkt === W.NONE || this.kitex) this.writeMessage(plan, bytes.length, 0, 0);
      else writeChars(w, this.messageValue(plan, bytes.length, 0));
      return w.text();
    } catch (e) {
      throw prefixPath(asStringLimitError(e), plan.desc.name);
    } finally {
      r.release();
    }
  }

  /** Decodes the message in `[r.pos, end)`, restricting reads to it. */
  private sub(plan: MessagePlan, end: number, depth: number): string {
    const r = this.r;
    const saveEnd = r.end;
    r.end = end;
    const json = plan.wkt === W.NONE || this.kitex ? this.message(plan, end, depth, 0) : this.messageValue(plan, end, depth);
    r.end = saveEnd;
    r.pos = end;
    return json;
  }

  /** Decodes a message from a separate buffer (merged occurrences), then resumes. */
  private detached(plan: MessagePlan, bytes: Uint8Array, depth: number): string {
    const r = this.r;
    const buf = r.buf;
    const pos = r.pos;
    const end = r.end;
    r.reset(bytes);
    const json = this.messageValue(plan, bytes.length, depth);
    r.reset(buf, pos, end);
    return json;
  }

  private messageValue(plan: MessagePlan, end: number, depth: number): string {
    if (depth > MAX_DEPTH) throw new CodecError('', `nesting deeper than ${MAX_DEPTH}`, this.r.pos);
    switch (this.kitex ? W.NONE : plan.wkt) {
      case W.NONE:
      case W.EMPTY:
        return this.message(plan, end, depth, 0);
      case W.TIMESTAMP:
      case W.DURATION:
        return this.secondsNanos(plan.wkt, end);
      case W.WRAPPER:
        return this.wrapper(plan, end);
      case W.VALUE:
        return this.value(end, depth);
      case W.STRUCT:
        return this.struct(end, depth);
      case W.LIST:
        return this.list(end, depth);
      case W.FIELD_MASK:
        return this.fieldMask(end);
      default:
        return this.any(end, depth);
    }
  }

  private wireTypeError(f: FieldPlan, wt: number): CodecError {
    return new CodecError('', `wrong wire type ${WIRE_NAMES[wt]} for ${f.desc.type} field ${f.number}`, this.r.pos);
  }

  /**
   * A message's fields up to `end`, or (for a group, `groupNo > 0`) up to its
   * end-group tag. Fast path: each field is written as it is read, in wire
   * order (declaration order for data from protobuf runtimes, which write in
   * field order), while every field occurs once (repeated ones contiguously)
   * and map keys do not repeat. Anything else (a singular field seen twice,
   * a repeated field split up, a second oneof member, a repeated map key)
   * restarts the message in the slot mode, which applies protobuf's
   * last-one-wins and merge rules and writes declaration order.
   */
  private writeMessage(plan: MessagePlan, end: number, depth: number, groupNo: number): void {
    const r = this.r;
    if (depth > MAX_DEPTH) throw new CodecError('', `nesting deeper than ${MAX_DEPTH}`, r.pos);
    const w = this.w;
    const start = r.pos;
    const outStart = w.pos;
    const fields = plan.fields;
    const byNumber = plan.byNumber;
    const byNumberMap = plan.byNumberMap;
    const protoNames = this.protoNames;
    const emitDefaults = this.emitDefaults;
    const dropZero = !emitDefaults && !this.kitex;
    const frame = this.frameFor(depth, fields.length);
    const mark = frame.mark;
    if (this.slotStamp >= 0xfffffffe) this.resetFrames();
    const stamp = ++this.slotStamp;
    putUnit(w, 123); // {
    let sep = false;
    let oneofs = 0;
    let closed = groupNo === 0;
    /** Where this message's unknown fields start on the `unk` stack (-1: none kept). */
    let ubase = -1;
    while (r.pos < end) {
      const tag = r.tag();
      const num = tag >>> 3;
      const wt = tag & 7;
      // Before the field lookup: a group's end tag may share its number with a field inside it.
      if (wt === 4) {
        if (num === groupNo) {
          closed = true;
          break;
        }
        throw new CodecError('', `unexpected end-group tag for field ${num}`, r.pos);
      }
      const f = byNumberMap === undefined ? byNumber[num] : byNumberMap.get(num);
      if (f === undefined || (f.closedEnum && !this.kitex && (f.repeated || this.undeclaredEnum(f, wt)))) {
        // Extensions, and closed-enum values the enum may not declare: the slot mode sorts them out.
        if (f !== undefined || (plan.extendable && this.extensionAt(plan, num) !== undefined)) {
          return this.restartInSlots(plan, start, outStart, end, depth, groupNo, ubase);
        }
        if (this.keepsUnknown(plan)) {
          if (ubase < 0) ubase = this.unkTop;
          this.keepField(tag, depth);
        } else r.skip(tag, depth);
        continue;
      }
      // A field seen before (a singular one twice, a repeated one split up) needs the slot mode.
      const i = f.index;
      if (mark[i] === stamp) return this.restartInSlots(plan, start, outStart, end, depth, groupNo, ubase);
      mark[i] = stamp;
      if (f.oneof >= 0) {
        const bit = f.oneof < 31 ? 1 << f.oneof : 0;
        if (bit === 0 || (oneofs & bit) !== 0) return this.restartInSlots(plan, start, outStart, end, depth, groupNo, ubase);
        oneofs |= bit;
      }
      const keyAt = w.pos;
      const hadSep: boolean = sep;
      writeUnits(w, protoNames ? (sep ? f.protoKeyComma : f.protoKey) : sep ? f.jsonKeyComma : f.jsonKey);
      sep = true;
      if (f.repeated) {
        // The occurrences that follow one another are written in one go, so that this loop
        // turns once per field, not once per element.
        if (!f.isMap) {
          // only empty packed occurrences: no elements, left out as in the slot mode
          if (this.writeListRun(f, wt, end, depth) === 0 && !emitDefaults) {
            w.pos = keyAt;
            sep = hadSep;
          }
        } else if (!this.writeMapRun(f, wt, end, depth, frame)) return this.restartInSlots(plan, start, outStart, end, depth, groupNo, ubase);
        continue;
      }
      try {
        const kind = f.kind;
        if (kind === K.MESSAGE) {
          if (wt !== 2) throw this.wireTypeError(f, wt);
          const subEnd = r.lengthEnd();
          this.writeSub(subPlanOf(f), subEnd, depth + 1);
        } else if (kind === K.GROUP) {
          if (wt !== 3) throw this.wireTypeError(f, wt);
          this.writeMessage(subPlanOf(f), r.end, depth + 1, f.number);
        } else {
          if (wt !== f.wireType) throw this.wireTypeError(f, wt);
          this.writeScalar(f, kind);
          if (this.zero && !f.presence && dropZero) {
            w.pos = keyAt; // a default value is left out, key and all
            sep = hadSep;
          }
        }
      } catch (e) {
        throw prefixPath(e, f.name);
      }
    }
    if (!closed) throw new CodecError('', `group ${groupNo} is not closed`, r.pos);
    if (emitDefaults) {
      for (let k = 0; k < fields.length; k++) {
        const d = fields[k]!;
        if (d.presence || mark[k] === stamp) continue;
        writeUnits(w, protoNames ? (sep ? d.protoKeyComma : d.protoKey) : sep ? d.jsonKeyComma : d.jsonKey);
        writeChars(w, this.defaultJson(d));
        sep = true;
      }
    }
    if (ubase >= 0) this.writeUnknown(ubase, sep);
    putUnit(w, 125);
  }

  /**
   * After the tag of a repeated field's occurrence: writes its elements and those of every
   * occurrence that directly follows (packed and unpacked alike), comma-separated, inside
   * `[`…`]`. Stops before the next other field's tag. Returns 0 when it wrote no element
   * (only empty packed occurrences).
   */
  private writeListRun(f: FieldPlan, wt: number, end: number, depth: number): number {
    const r = this.r;
    const w = this.w;
    const kind = f.kind;
    putUnit(w, 91); // [
    /** Elements (packed runs count once) written; message elements are numbered by it in error paths. */
    let items = 0;
    for (;;) {
      try {
        if (kind === K.MESSAGE || kind === K.GROUP) {
          if (wt !== (kind === K.MESSAGE ? 2 : 3)) throw this.wireTypeError(f, wt);
          if (items > 0) putUnit(w, 44); // ,
          const subEnd = kind === K.MESSAGE ? r.lengthEnd() : -1;
          try {
            if (kind === K.MESSAGE) this.writeSub(subPlanOf(f), subEnd, depth + 1);
            else this.writeMessage(subPlanOf(f), r.end, depth + 1, f.number);
          } catch (e) {
            throw prefixPath(e, `[${items}]`);
          }
          items++;
        } else if (wt === f.wireType) {
          if (items > 0) putUnit(w, 44);
          this.writeItems(f, kind, end, true);
          items++;
        } else if (wt === 2 && f.packable) {
          const pend = r.lengthEnd();
          if (pend > r.pos) {
            if (items > 0) putUnit(w, 44);
            this.writePacked(f, kind, pend);
            items++;
          }
        } else throw this.wireTypeError(f, wt);
      } catch (e) {
        throw prefixPath(e, f.name);
      }
      // the next tag belongs to the message: a bad one is not this field's error
      const next = this.nextOccurrence(f, end);
      if (next < 0) break;
      wt = next;
    }
    putUnit(w, 93); // ]
    return items;
  }

  /**
   * {@link writeListRun} for a map field: entries inside `{`…`}`. False when a key
   * repeats, which only the slot mode (last entry wins) can write.
   */
  private writeMapRun(f: FieldPlan, wt: number, end: number, depth: number, frame: SlotFrame): boolean {
    const r = this.r;
    const w = this.w;
    putUnit(w, 123); // {
    let items = 0;
    for (;;) {
      try {
        if (wt !== 2) throw this.wireTypeError(f, wt);
        if (items > 0) putUnit(w, 44);
        this.writeMapEntry(f, r.lengthEnd(), depth);
      } catch (e) {
        throw prefixPath(e, f.name);
      }
      if (this.seenKey(frame, items)) return false;
      items++;
      const next = this.nextOccurrence(f, end);
      if (next < 0) break;
      wt = next;
    }
    putUnit(w, 125); // }
    return true;
  }

  /** When the next field before `end` is another occurrence of `f`: reads its tag and returns its wire type; else -1, nothing read. */
  private nextOccurrence(f: FieldPlan, end: number): number {
    const r = this.r;
    if (r.pos >= end) return -1;
    const at = r.pos;
    const tag = r.tag();
    if (tag >>> 3 === f.number && (tag & 7) !== 4) return tag & 7;
    r.pos = at;
    return -1;
  }

  /** Whether `plan`'s JSON objects carry `$unknown` (not well-known types with a JSON form of their own). */
  private keepsUnknown(plan: MessagePlan): boolean {
    return this.keepUnknown && (plan.wkt === W.NONE || this.kitex);
  }

  /** The loaded extension of (extendable) `plan` numbered `num`, if any. */
  private extensionAt(plan: MessagePlan, num: number): FieldPlan | undefined {
    return this.ext?.of(plan)?.byNumber.get(num);
  }

  /** Skips an unknown field, pushing its tag (in shortest form) and value bytes onto the `unk` stack. */
  private keepField(tag: number, depth: number): void {
    const r = this.r;
    const at = r.pos;
    r.skip(tag, depth);
    const n = r.pos - at;
    let top = this.unkTop;
    let u = this.unk;
    if (top + n + 5 > u.length) {
      const bigger = new Uint8Array(Math.max(2 * u.length, top + n + 5, 256));
      bigger.set(u.subarray(0, top));
      this.unk = u = bigger;
    }
    let t = tag >>> 0;
    while (t > 0x7f) {
      u[top++] = (t & 0x7f) | 0x80;
      t >>>= 7;
    }
    u[top++] = t;
    u.set(r.buf.subarray(at, r.pos), top);
    this.unkTop = top + n;
  }

  /** Writes the member `"$unknown":"<base64>"` of the bytes from `base` up, and pops them. */
  private writeUnknown(base: number, sep: boolean): void {
    writeChars(this.w, sep ? ',"$unknown":' : '"$unknown":');
    writeJsonBase64Chars(this.w, this.unk, base, this.unkTop);
    this.unkTop = base;
  }

  /** Slot mode: `json` (an object) with the `$unknown` member from `base` up added last. */
  private withUnknown(json: string, base: number): string {
    const b64 = encodeBase64(this.unk.subarray(base, this.unkTop));
    this.unkTop = base;
    return json.slice(0, -1) + (json.length > 2 ? ',"$unknown":"' : '"$unknown":"') + b64 + '"}';
  }

  /** Drops what the fast path wrote for this message and decodes it again in the slot mode. */
  private restartInSlots(plan: MessagePlan, start: number, outStart: number, end: number, depth: number, groupNo: number, ubase: number): void {
    if (ubase >= 0) this.unkTop = ubase;
    this.r.pos = start;
    this.w.pos = outStart;
    writeChars(this.w, this.messageSlots(plan, end, depth, groupNo));
  }

  /** writeMessage's text as a string (for the slot mode, which keeps values per field). */
  private message(plan: MessagePlan, end: number, depth: number, groupNo: number): string {
    const w = this.w;
    const at = w.pos;
    this.writeMessage(plan, end, depth, groupNo);
    const s = w.text(at);
    w.pos = at;
    return s;
  }

  /** Writes the message in `[r.pos, end)` (a field's value), restricting reads to it. */
  private writeSub(plan: MessagePlan, end: number, depth: number): void {
    const r = this.r;
    const saveEnd = r.end;
    r.end = end;
    if (plan.wkt === W.NONE || this.kitex) this.writeMessage(plan, end, depth, 0);
    else writeChars(this.w, this.messageValue(plan, end, depth));
    r.end = saveEnd;
    r.pos = end;
  }

  /**
   * Writes one map entry as `key:value`; the key's JSON text is left at
   * `keyStart`..`keyEnd` of the output (for the duplicate check). Entries laid
   * out as protobuf runtimes write them (key, then value, nothing else) are
   * written in place; others go through `mapEntry()`, which handles any order,
   * missing parts and unknown fields.
   */
  private writeMapEntry(f: FieldPlan, end: number, depth: number): void {
    const r = this.r;
    const w = this.w;
    const kf = f.mapKey!;
    const vf = f.mapValue!;
    const saveEnd = r.end;
    const p0 = r.pos;
    const o0 = w.pos;
    const b = r.buf;
    r.end = end;
    // Tags of fields 1 and 2 are one byte each.
    if (p0 < end && b[p0] === kf.tag) {
      r.pos = p0 + 1;
      this.writeKey(kf);
      const ke = w.pos;
      if (r.pos < end && b[r.pos] === (vf.kind === K.MESSAGE ? vf.lenTag : vf.tag)) {
        r.pos++;
        putUnit(w, 58); // :
        if (vf.kind === K.MESSAGE) this.writeSub(subPlanOf(vf), r.lengthEnd(), depth + 1);
        else this.writeScalar(vf, vf.kind);
        if (r.pos === end) {
          r.end = saveEnd;
          this.keyStart = o0;
          this.keyEnd = ke;
          return;
        }
      }
    }
    r.pos = p0;
    r.end = saveEnd;
    w.pos = o0;
    this.mapEntry(f, end, depth);
    writeChars(w, this.entryKey);
    this.keyStart = o0;
    this.keyEnd = w.pos;
    putUnit(w, 58);
    writeChars(w, this.entryValue);
  }

  /** A map key as JSON text: always a string (numbers and bools quoted). */
  private writeKey(kf: FieldPlan): void {
    const kind = kf.kind;
    if (kind === K.STRING) this.writeScalar(kf, kind);
    else if (is64(kind)) this.write64(kind, true);
    else {
      putUnit(this.w, 34);
      this.writeScalar(kf, kind);
      putUnit(this.w, 34);
    }
  }

  /**
   * Whether the key just written (`keyStart`..`keyEnd`) was already among
   * the `n` earlier entries of the open map; records it if not.
   */
  private seenKey(frame: SlotFrame, n: number): boolean {
    const buf = this.w.buf;
    const ks = this.keyStart;
    const kl = this.keyEnd - ks;
    if (n === frame.keyAt.length) growKeys(frame);
    const at = frame.keyAt;
    const len = frame.keyLen;
    if (n < 16) {
      // Few keys: compared directly (lengths first); hashes only from the 16th on.
      for (let q = 0; q < n; q++) if (sameUnits(buf, at[q]!, len[q]!, ks, kl)) return true;
    } else {
      const hashes = frame.keyHash;
      if (n === 16) for (let q = 0; q < 16; q++) hashes[q] = hashUnits(buf, at[q]!, len[q]!);
      const h = hashUnits(buf, ks, kl);
      let table = frame.keyTable;
      if (n === 16 || 2 * n > table.length) table = rebuildKeyTable(frame, n);
      const mask = table.length - 1;
      let i = h & mask;
      for (let e = table[i]!; e !== 0; e = table[i]!) {
        const q = e - 1;
        if (hashes[q] === h && sameUnits(buf, at[q]!, len[q]!, ks, kl)) return true;
        i = (i + 1) & mask;
      }
      table[i] = n + 1;
      hashes[n] = h;
    }
    at[n] = ks;
    len[n] = kl;
    return false;
  }

  /** The general path: fields collected in declaration-indexed slots, then written out. */
  private messageSlots(plan: MessagePlan, end: number, depth: number, groupNo: number): string {
    const r = this.r;
    // The message's fields, then its extensions (if any are loaded).
    const fields = plan.extendable ? (this.ext?.of(plan)?.all ?? plan.fields) : plan.fields;
    const n = fields.length;
    // Slots are reused per depth; a stamp says which ones this message has touched.
    const frame = this.frameFor(depth, n);
    const slots = frame.slots;
    const mark = frame.mark;
    const touched = frame.touched;
    touched.length = 0;
    if (this.slotStamp >= 0xfffffffe) this.resetFrames();
    const stamp = ++this.slotStamp;
    const byNumber = plan.byNumber;
    const byNumberMap = plan.byNumberMap;
    let rng: Int32Array | undefined;
    let merged: Array<Uint8Array | undefined> | undefined;
    let counts: Int32Array | undefined;
    let ubase = -1;
    while (r.pos < end) {
      const tag = r.tag();
      const num = tag >>> 3;
      const wt = tag & 7;
      if (wt === 4) {
        if (num === groupNo) {
          const j = this.emit(plan, fields, frame, stamp);
          return ubase < 0 ? j : this.withUnknown(j, ubase);
        }
        throw new CodecError('', `unexpected end-group tag for field ${num}`, r.pos);
      }
      let f = byNumberMap === undefined ? byNumber[num] : byNumberMap.get(num);
      if (f === undefined && plan.extendable) f = this.extensionAt(plan, num);
      if (f === undefined || (f.closedEnum && !this.kitex && wt === 0 && this.undeclaredEnum(f, wt))) {
        if (this.keepsUnknown(plan)) {
          if (ubase < 0) ubase = this.unkTop;
          this.keepField(tag, depth);
        } else r.skip(tag, depth);
        continue;
      }
      const top = this.unkTop;
      if (mark[f.index] !== stamp) {
        mark[f.index] = stamp;
        slots[f.index] = undefined;
        touched.push(f.index);
      }
      try {
        const group = f.kind === K.GROUP;
        if ((f.kind === K.MESSAGE || (group && !f.repeated)) && !f.isMap) {
          if (wt !== (group ? 3 : 2)) throw this.wireTypeError(f, wt);
          // The content: a length-delimited body, or a group's fields before its end tag.
          let start = r.pos;
          let subEnd: number;
          let after: number;
          if (group) {
            r.skip(((f.number << 3) | 3) >>> 0, depth + 1);
            after = r.pos;
            subEnd = after - varint32Size(((f.number << 3) | 4) >>> 0);
            r.pos = start;
          } else {
            subEnd = after = r.lengthEnd();
            start = r.pos;
          }
          const mp = subPlanOf(f);
          const i = f.index;
          const prev = slots[i];
          if (f.repeated) {
            counts ??= new Int32Array(n);
            let j: string;
            try {
              j = this.sub(mp, subEnd, depth + 1);
            } catch (e) {
              throw prefixPath(e, `[${counts[i]}]`);
            }
            counts[i]++;
            slots[i] = prev === undefined ? j : prev + ',' + j;
          } else {
            if (rng === undefined) rng = this.rangesFor(depth, n);
            if (prev !== undefined) {
              // A second occurrence merges into the first: decode the concatenation.
              merged ??= [];
              const before = merged[i] ?? r.buf.subarray(rng[2 * i]!, rng[2 * i + 1]!);
              const all = new Uint8Array(before.length + subEnd - start);
              all.set(before);
              all.set(r.buf.subarray(start, subEnd), before.length);
              merged[i] = all;
              r.pos = after;
              slots[i] = this.detached(mp, all, depth + 1);
            } else {
              rng[2 * i] = start;
              rng[2 * i + 1] = subEnd;
              if (merged !== undefined) merged[i] = undefined;
              slots[i] = group ? this.message(mp, r.end, depth + 1, f.number) : this.sub(mp, subEnd, depth + 1);
            }
            if (f.oneof >= 0) clearSiblings(f, slots);
          }
        } else this.field(f, wt, slots, depth);
      } catch (e) {
        throw prefixPath(e, f.name);
      }
      // Closed-enum values the enum does not declare went to the unknown fields.
      if (ubase < 0 && this.unkTop !== top) ubase = top;
    }
    if (groupNo > 0) throw new CodecError('', `group ${groupNo} is not closed`, r.pos);
    const j = this.emit(plan, fields, frame, stamp);
    return ubase < 0 ? j : this.withUnknown(j, ubase);
  }

  private frameFor(depth: number, n: number): SlotFrame {
    let f = this.frames[depth];
    if (f === undefined) {
      f = this.frames[depth] = {
        slots: [], mark: new Uint32Array(Math.max(n, 64)), touched: [],
        keyHash: new Int32Array(16), keyAt: new Int32Array(16), keyLen: new Int32Array(16), keyTable: new Int32Array(64),
      };
    } else if (f.mark.length < n) {
      f.mark = new Uint32Array(n);
    }
    return f;
  }

  private resetFrames(): void {
    for (const f of this.frames) if (f !== undefined) f.mark.fill(0);
    this.slotStamp = 0;
  }

  private rangesFor(depth: number, n: number): Int32Array {
    let a = this.rangeStack[depth];
    if (a === undefined || a.length < 2 * n) a = this.rangeStack[depth] = new Int32Array(Math.max(2 * n, 32));
    return a;
  }

  private field(f: FieldPlan, wt: number, slots: Array<string | MapSlot | undefined>, depth: number): void {
    const r = this.r;
    const kind = f.kind;
    const i = f.index;
    if (f.isMap) {
      if (wt !== 2) throw this.wireTypeError(f, wt);
      const entryAt = r.pos;
      const entryEnd = r.lengthEnd();
      this.mapEntry(f, entryEnd, depth);
      if (this.entryUndeclared) {
        // A closed-enum value the enum does not declare: the whole entry is an unknown field.
        r.pos = entryAt;
        this.unknownOccurrence(f.lenTag, depth);
        return;
      }
      let m = slots[i] as MapSlot | undefined;
      if (m === undefined) slots[i] = m = new Map();
      m.set(this.entryKey, this.entryValue);
      return;
    }
    if (kind === K.GROUP) {
      if (wt !== 3) throw this.wireTypeError(f, wt);
      const j = this.message(subPlanOf(f), r.end, depth + 1, f.number);
      if (f.repeated) {
        const prev = slots[i];
        slots[i] = prev === undefined ? j : prev + ',' + j;
      } else {
        slots[i] = j;
        if (f.oneof >= 0) clearSiblings(f, slots);
      }
      return;
    }
    if (wt === f.wireType) {
      const j = this.scalar(f, kind);
      if (f.repeated) {
        const prev = slots[i];
        slots[i] = prev === undefined ? j : prev + ',' + j;
      } else if (f.presence) {
        slots[i] = j;
        if (f.oneof >= 0) clearSiblings(f, slots);
      } else slots[i] = this.zero && !this.kitex ? undefined : j;
      return;
    }
    if (wt === 2 && f.repeated && f.packable) {
      const end = r.lengthEnd();
      if (end > r.pos) {
        const acc = slots[i] as string | undefined;
        const j = f.closedEnum && !this.kitex ? this.packedClosedEnum(f, end, depth) : this.packed(f, kind, end);
        if (j !== '') slots[i] = acc === undefined ? j : acc + ',' + j;
      }
      return;
    }
    throw this.wireTypeError(f, wt);
  }

  /**
   * The items of a packed run `[r.pos, pend)` joined by commas. Common kinds
   * get their own loops (no per-item dispatch); the rest go through `scalar()`.
   */
  private packed(f: FieldPlan, kind: number, pend: number): string {
    const r = this.r;
    const saveEnd = r.end;
    r.end = pend;
    let out = '';
    switch (kind) {
      case K.INT32:
      case K.UINT32:
      case K.SINT32: {
        const b = r.buf;
        let first = true;
        while (r.pos < pend) {
          const c = b[r.pos]!;
          let v: number;
          if (c < 0x80) {
            r.pos++;
            v = c;
          } else v = r.varint32();
          if (kind === K.INT32) v |= 0;
          else if (kind === K.SINT32) v = zigzagDecode32(v);
          out += first ? String(v) : ',' + v;
          first = false;
        }
        break;
      }
      case K.DOUBLE:
        out = formatFloat(r.double());
        while (r.pos < pend) out += ',' + formatFloat(r.double());
        break;
      case K.FLOAT:
        out = formatFloat(r.float());
        while (r.pos < pend) out += ',' + formatFloat(r.float());
        break;
      case K.FIXED32:
        out = String(r.fixed32());
        while (r.pos < pend) out += ',' + r.fixed32();
        break;
      case K.SFIXED32:
        out = String(r.fixed32() | 0);
        while (r.pos < pend) out += ',' + (r.fixed32() | 0);
        break;
      default:
        out = this.scalar(f, kind);
        while (r.pos < pend) out += ',' + this.scalar(f, kind);
    }
    r.end = saveEnd;
    return out;
  }

  /** The items of a packed run `[r.pos, pend)`, comma-separated. */
  private writePacked(f: FieldPlan, kind: number, pend: number): void {
    const r = this.r;
    const saveEnd = r.end;
    r.end = pend;
    this.writeItems(f, kind, pend, false);
    r.end = saveEnd;
  }

  /**
   * Comma-separated items of a repeated scalar field: a packed run up to `end`,
   * or (`unpacked`, after an occurrence's tag) that occurrence and every one
   * that directly follows it with the same tag. Runs are thousands of small
   * items, so integer, bool and enum kinds get loops that keep the read and
   * write cursors in locals and value varints in place; anything rare (values
   * past 2^53, truncation) goes through the reader and the per-item writers.
   */
  private writeItems(f: FieldPlan, kind: number, end: number, unpacked: boolean): void {
    switch (kind) {
      case K.INT32:
      case K.UINT32:
      case K.SINT32:
      case K.FIXED32:
      case K.SFIXED32:
      case K.BOOL:
        this.writeItems32(f, kind, end, unpacked);
        return;
      case K.ENUM:
        // NullValue lists (written as nulls) take the per-item writer.
        if (f.enumPlan!.isNullValue && !this.kitex) break;
        this.writeItems32(f, kind, end, unpacked);
        return;
      case K.INT64:
      case K.UINT64:
      case K.SINT64:
      case K.FIXED64:
      case K.SFIXED64:
        this.writeItems64(f, kind, end, unpacked);
        return;
      case K.DOUBLE:
      case K.FLOAT:
        this.writeItemsFloat(f, kind, end, unpacked);
        return;
      case K.STRING:
      case K.BYTES:
        this.writeItemsLen(f, kind, end);
        return;
    }
    const r = this.r;
    if (unpacked) {
      this.writeScalar(f, kind);
      return;
    }
    let first = true;
    while (r.pos < end) {
      if (!first) putUnit(this.w, 44);
      this.writeScalar(f, kind);
      first = false;
    }
  }

  /** writeItems for 32-bit integer kinds, bools and enums: values stay int32. */
  private writeItems32(f: FieldPlan, kind: number, pend: number, unpacked: boolean): void {
    const r = this.r;
    const w = this.w;
    const b = r.buf;
    const names = kind === K.ENUM && this.enumNames ? f.enumPlan! : undefined;
    const tagLen = unpacked ? tagLength(f.tag) : 0;
    let out = w.buf;
    let o = w.pos;
    let p = r.pos;
    for (let first = true; ; first = false) {
      if (!first) {
        if (!unpacked ? p >= pend : tagLen === 0 || !sameTag(b, p, pend, f.tag, tagLen)) break;
        p += tagLen;
      }
      if (o + ITEM_ROOM > out.length) {
        w.pos = o;
        w.ensure(ITEM_ROOM);
        out = w.buf;
      }
      if (!first) out[o++] = 44; // ,
      const at = p;
      let v = 0;
      let general = false;
      if (kind === K.FIXED32 || kind === K.SFIXED32) {
        if (p + 4 <= pend) {
          v = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
          p += 4;
          if (kind === K.FIXED32 && v < 0) general = true; // above 2^31: not an int32
        } else general = true;
      } else if (p >= pend) {
        general = true; // an unpacked item's tag with nothing after it
      } else {
        // The low 32 bits of a varint of up to 5 bytes, or of 10 where the last 5
        // only extend a negative int32's sign (as every encoder writes them).
        let c = b[p++]!;
        v = c & 0x7f;
        for (let shift = 7; c >= 0x80; shift += 7) {
          if (p >= pend) {
            general = true;
            break;
          }
          c = b[p++]!;
          if (shift < 28) v |= (c & 0x7f) << shift;
          else {
            v |= c << 28;
            if (kind === K.BOOL) general = c > 0x0f; // bits past 32 make a bool true too
            else if (c >= 0x80) {
              if (p + 5 > pend || b[p] !== 0xff || b[p + 1] !== 0xff || b[p + 2] !== 0xff || b[p + 3] !== 0xff || b[p + 4] !== 1) general = true;
              else p += 5;
            }
            break;
          }
        }
        if (kind === K.SINT32) v = zigzagDecode32(v);
        else if (kind === K.UINT32 && v < 0) general = true; // above 2^31: not an int32
      }
      if (general) {
        r.pos = at;
        w.pos = o;
        this.writeScalar(f, kind);
        p = r.pos;
        o = w.pos;
        out = w.buf;
      } else if (kind === K.BOOL) o = putBool(out, o, v !== 0);
      else if (names !== undefined) {
        const u = enumUnits(names, v);
        if (u === undefined) {
          o = putIntUnits(out, o, v); // a number without a name stays a number
          continue;
        }
        if (o + u.length > out.length) {
          w.pos = o;
          w.ensure(u.length);
          out = w.buf;
        }
        for (let i = 0; i < u.length; i++) out[o++] = u[i]!;
      } else o = putIntUnits(out, o, v);
    }
    r.pos = p;
    w.pos = o;
  }

  /** writeItems for strings and bytes (never packed). */
  private writeItemsLen(f: FieldPlan, kind: number, end: number): void {
    const r = this.r;
    const w = this.w;
    const b = r.buf;
    const tagLen = tagLength(f.tag);
    for (let first = true; ; first = false) {
      if (!first) {
        if (tagLen === 0 || !sameTag(b, r.pos, end, f.tag, tagLen)) break;
        r.pos += tagLen;
        putUnit(w, 44);
      }
      const vend = r.lengthEnd();
      const at = r.pos;
      if (kind === K.BYTES) writeJsonBase64Chars(w, b, at, vend);
      else if (writeJsonStringUtf8Chars(w, b, at, vend) >= 0) throw new CodecError('', 'invalid UTF-8 in string', at);
      r.pos = vend;
    }
  }

  /** writeItems for floats and doubles. */
  private writeItemsFloat(f: FieldPlan, kind: number, pend: number, unpacked: boolean): void {
    const r = this.r;
    const w = this.w;
    const b = r.buf;
    const size = kind === K.DOUBLE ? 8 : 4;
    const dv = r.view();
    const tagLen = unpacked ? tagLength(f.tag) : 0;
    let p = r.pos;
    for (let first = true; ; first = false) {
      if (!first) {
        if (!unpacked ? p >= pend : tagLen === 0 || !sameTag(b, p, pend, f.tag, tagLen)) break;
        p += tagLen;
        putUnit(w, 44);
      }
      if (p + size > pend) {
        r.pos = p;
        throw r.truncated();
      }
      const v = kind === K.DOUBLE ? dv.getFloat64(p, true) : dv.getFloat32(p, true);
      p += size;
      if (v - v === 0) writeDoubleChars(w, v);
      else writeChars(w, formatFloat(v));
    }
    r.pos = p;
  }

  /** writeItems for 64-bit kinds: values below 2^53 are written from a double. */
  private writeItems64(f: FieldPlan, kind: number, pend: number, unpacked: boolean): void {
    const r = this.r;
    const w = this.w;
    const b = r.buf;
    const quoted = this.int64AsString;
    const tagLen = unpacked ? tagLength(f.tag) : 0;
    let out = w.buf;
    let o = w.pos;
    let p = r.pos;
    for (let first = true; ; first = false) {
      if (!first) {
        if (!unpacked ? p >= pend : tagLen === 0 || !sameTag(b, p, pend, f.tag, tagLen)) break;
        p += tagLen;
      }
      if (o + ITEM_ROOM > out.length) {
        w.pos = o;
        w.ensure(ITEM_ROOM);
        out = w.buf;
      }
      if (!first) out[o++] = 44; // ,
      const at = p;
      let v = 0;
      let general = false;
      if (kind === K.FIXED64 || kind === K.SFIXED64) {
        const hi = p + 8 <= pend ? b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24) : 0x7fffffff;
        if (kind === K.FIXED64 ? hi >= 0 && hi < 0x200000 : hi >= -0x200000 && hi < 0x200000) {
          v = hi * 4294967296 + ((b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0);
          p += 8;
        } else general = true;
      } else {
        r.pos = p;
        v = r.shortVarint();
        if (v < 0) general = true;
        else {
          p = r.pos;
          if (kind === K.SINT64) v = unzigzag(v, b[at]!);
        }
      }
      if (general) {
        r.pos = at;
        w.pos = o;
        this.write64(kind, quoted);
        p = r.pos;
        o = w.pos;
        out = w.buf;
      } else if (quoted) {
        out[o++] = 34;
        o = putIntUnits(out, o, v);
        out[o++] = 34;
      } else o = putIntUnits(out, o, v);
    }
    r.pos = p;
    w.pos = o;
  }

  /** Reads one scalar value (wire type already checked) and writes its JSON; sets `zero`. */
  private writeScalar(f: FieldPlan, kind: number): void {
    const r = this.r;
    const w = this.w;
    switch (kind) {
      case K.STRING: {
        const end = r.lengthEnd();
        const at = r.pos;
        this.zero = end === at;
        if (writeJsonStringUtf8Chars(w, r.buf, at, end) >= 0) throw new CodecError('', 'invalid UTF-8 in string', at);
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
  private read64(kind: number): number {
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
  private write64(kind: number, quoted: boolean): void {
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
  private scalar(f: FieldPlan, kind: number): string {
    const r = this.r;
    switch (kind) {
      case K.STRING: {
        const end = r.lengthEnd();
        const at = r.pos;
        this.zero = end === at;
        const j = jsonStringFromUtf8(r.buf, at, end);
        if (j === undefined) throw new CodecError('', 'invalid UTF-8 in string', at);
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

  /** Reads one map entry into `entryKey` (a JSON string literal) and `entryValue`. */
  private mapEntry(f: FieldPlan, end: number, depth: number): void {
    const r = this.r;
    const kf = f.mapKey!;
    const vf = f.mapValue!;
    const saveEnd = r.end;
    r.end = end;
    let key: string | undefined;
    let value: string | undefined;
    let undeclared = false;
    while (r.pos < end) {
      const tag = r.tag();
      const num = tag >>> 3;
      const wt = tag & 7;
      if (num === 1 && wt === kf.wireType) {
        key = this.scalar(kf, kf.kind);
      } else if (num === 2 && wt === vf.wireType) {
        if (vf.kind === K.MESSAGE) {
          const subEnd = r.lengthEnd();
          value = this.sub(subPlanOf(vf), subEnd, depth + 1);
        } else {
          undeclared = vf.closedEnum && !this.kitex && this.undeclaredEnum(vf, wt);
          value = this.scalar(vf, vf.kind);
        }
      } else if (num === 1 || num === 2) {
        throw this.wireTypeError(num === 1 ? kf : vf, wt);
      } else r.skip(tag, depth);
    }
    r.end = saveEnd;
    if (key === undefined) key = kf.kind === K.STRING ? '""' : kf.kind === K.BOOL ? '"false"' : '"0"';
    else if (key.charCodeAt(0) !== 34) key = '"' + key + '"';
    if (value === undefined) {
      value = vf.kind === K.MESSAGE ? this.detached(subPlanOf(vf), EMPTY, depth + 1) : this.defaultJson(vf);
    }
    this.entryKey = key;
    this.entryValue = value;
    this.entryUndeclared = undeclared;
  }

  /**
   * Whether the value at `r.pos` (a varint, `wt` 0) of closed-enum field `f` is a
   * number its enum does not declare; reads nothing.
   */
  private undeclaredEnum(f: FieldPlan, wt: number): boolean {
    if (wt !== 0) return false;
    const r = this.r;
    const at = r.pos;
    const v = r.varint32() | 0;
    r.pos = at;
    return !enumDeclares(f.enumPlan!, v);
  }

  /** An occurrence of a known field that goes to the unknown fields (kept, or skipped): `r.pos` after its tag. */
  private unknownOccurrence(tag: number, depth: number): void {
    if (this.keepUnknown) this.keepField(tag, depth);
    else this.r.skip(tag, depth);
  }

  /**
   * A packed run `[r.pos, pend)` of a closed enum: the declared values as JSON items
   * (comma-separated, '' if none); each other one becomes an unknown varint field of
   * the same number, as protobuf runtimes keep them.
   */
  private packedClosedEnum(f: FieldPlan, pend: number, depth: number): string {
    const r = this.r;
    const saveEnd = r.end;
    r.end = pend;
    let out = '';
    const tag = (f.number << 3) >>> 0;
    while (r.pos < pend) {
      if (this.undeclaredEnum(f, 0)) {
        this.unknownOccurrence(tag, depth);
        continue;
      }
      const j = this.scalar(f, K.ENUM);
      out = out === '' ? j : out + ',' + j;
    }
    r.end = saveEnd;
    return out;
  }

  /** The JSON of a field's default (for emitDefaults and missing map values). */
  private defaultJson(f: FieldPlan): string {
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

  /** The message's JSON from its slots: `fields` are the plan's, then its extensions' (only set ones are written). */
  private emit(plan: MessagePlan, fields: readonly FieldPlan[], frame: SlotFrame, stamp: number): string {
    const declared = plan.fields.length;
    const slots = frame.slots;
    const protoNames = this.protoNames;
    let out = '{';
    let sep = false;
    if (!this.emitDefaults) {
      // Only the touched slots, in declaration order (insertion sort: the list is short and mostly sorted).
      const t = frame.touched;
      const m = t.length;
      for (let a = 1; a < m; a++) {
        const x = t[a]!;
        let b = a - 1;
        while (b >= 0 && t[b]! > x) {
          t[b + 1] = t[b]!;
          b--;
        }
        t[b + 1] = x;
      }
      for (let k = 0; k < m; k++) {
        const i = t[k]!;
        const v = slots[i];
        slots[i] = undefined;
        if (v === undefined) continue;
        const f = fields[i]!;
        const j = typeof v === 'string' ? (f.repeated ? '[' + v + ']' : v) : mapJson(v);
        out += (sep ? ',' : '') + (protoNames ? f.protoKeyOut : f.jsonKeyOut) + j;
        sep = true;
      }
      return out + '}';
    }
    const n = fields.length;
    const mark = frame.mark;
    for (let i = 0; i < n; i++) {
      const v = mark[i] === stamp ? slots[i] : undefined;
      slots[i] = undefined;
      const f = fields[i]!;
      let j: string;
      if (v === undefined) {
        if (!this.emitDefaults || f.presence || i >= declared) continue;
        j = this.defaultJson(f);
      } else if (typeof v === 'string') {
        j = f.repeated ? '[' + v + ']' : v;
      } else j = mapJson(v);
      out += (sep ? ',' : '') + (protoNames ? f.protoKeyOut : f.jsonKeyOut) + j;
      sep = true;
    }
    return out + '}';
  }

  // ---- well-known types ----

  private secondsNanos(wkt: number, end: number): string {
    const r = this.r;
    let seconds = 0;
    let nanos = 0;
    while (r.pos < end) {
      const tag = r.tag();
      if (tag === 0x08) {
        const lo = r.varint64();
        seconds = int64ToNumber(lo, r.hi, true);
      } else if (tag === 0x10) nanos = r.varint32() | 0;
      else r.skip(tag, 0);
    }
    const s = wkt === W.TIMESTAMP ? formatTimestamp(seconds, nanos) : formatDuration(seconds, nanos);
    if (s === undefined) {
      throw new CodecError('', `${wkt === W.TIMESTAMP ? 'Timestamp' : 'Duration'} out of range (seconds ${seconds}, nanos ${nanos})`, r.pos, 'serialize');
    }
    return '"' + s + '"';
  }

  private wrapper(plan: MessagePlan, end: number): string {
    const r = this.r;
    const f = plan.fields[0]!;
    let j: string | undefined;
    while (r.pos < end) {
      const tag = r.tag();
      if (tag === f.tag) {
        try {
          j = this.scalar(f, f.kind);
        } catch (e) {
          throw prefixPath(e, 'value');
        }
      } else r.skip(tag, 0);
    }
    return j ?? this.defaultJson(f);
  }

  private value(end: number, depth: number): string {
    if (depth > MAX_DEPTH) throw new CodecError('', `nesting deeper than ${MAX_DEPTH}`, this.r.pos);
    const r = this.r;
    let j = 'null';
    /** The struct_value or list_value occurrences since the kind last changed (they merge), as start/end pairs. */
    let spans: number[] | undefined;
    let spanTag = 0;
    while (r.pos < end) {
      const tag = r.tag();
      if (tag !== spanTag) spanTag = 0;
      switch (tag) {
        case 0x08:
          r.varint32();
          j = 'null';
          break;
        case 0x11: {
          const v = r.double();
          if (!Number.isFinite(v)) throw new CodecError('number_value', `${v} cannot be written in a google.protobuf.Value`, r.pos, 'serialize');
          j = formatJsonDouble(v);
          break;
        }
        case 0x1a: {
          const e = r.lengthEnd();
          const s = jsonStringFromUtf8(r.buf, r.pos, e);
          if (s === undefined) throw new CodecError('string_value', 'invalid UTF-8 in string', r.pos);
          r.pos = e;
          j = s;
          break;
        }
        case 0x20: {
          const lo = r.varint64();
          j = lo !== 0 || r.hi !== 0 ? 'true' : 'false';
          break;
        }
        case 0x2a:
        case 0x32: {
          const at = r.pos;
          const wkt = tag === 0x2a ? W.STRUCT : W.LIST;
          const e = r.lengthEnd();
          const start = r.pos;
          if (spanTag === 0) {
            r.pos = at;
            j = this.subWkt(wkt, depth, tag === 0x2a ? 'struct_value' : 'list_value');
            spans = [start, e];
          } else {
            // A second occurrence of the same kind merges with the ones before it.
            spans!.push(start, e);
            r.pos = e;
            j = this.mergedWkt(wkt, spans!, depth, at);
          }
          spanTag = tag;
          break;
        }
        default:
          r.skip(tag, depth);
      }
    }
    return j;
  }

  /** A Struct or ListValue from several occurrences (content spans of the input), merged as one message. */
  private mergedWkt(wkt: number, spans: number[], depth: number, at: number): string {
    const r = this.r;
    let n = 0;
    for (let s = 0; s < spans.length; s += 2) n += spans[s + 1]! - spans[s]!;
    const all = new Uint8Array(n);
    for (let s = 0, o = 0; s < spans.length; s += 2) {
      all.set(r.buf.subarray(spans[s]!, spans[s + 1]!), o);
      o += spans[s + 1]! - spans[s]!;
    }
    const buf = r.buf;
    const pos = r.pos;
    const end = r.end;
    r.reset(all);
    try {
      return wkt === W.STRUCT ? this.struct(n, depth + 1) : this.list(n, depth + 1);
    } catch (e) {
      throw prefixPath(e instanceof CodecError && e.offset !== undefined ? new CodecError(e.path, e.reason, at, e.stage) : e, wkt === W.STRUCT ? 'struct_value' : 'list_value');
    } finally {
      r.reset(buf, pos, end);
    }
  }

  private subWkt(wkt: number, depth: number, name: string): string {
    const r = this.r;
    try {
      const e = r.lengthEnd();
      const saveEnd = r.end;
      r.end = e;
      const j = wkt === W.STRUCT ? this.struct(e, depth + 1) : this.list(e, depth + 1);
      r.end = saveEnd;
      r.pos = e;
      return j;
    } catch (err) {
      throw prefixPath(err, name);
    }
  }

  private struct(end: number, depth: number): string {
    if (depth > MAX_DEPTH) throw new CodecError('', `nesting deeper than ${MAX_DEPTH}`, this.r.pos);
    const r = this.r;
    const m = new Map<string, string>();
    while (r.pos < end) {
      const tag = r.tag();
      if (tag !== 0x0a) {
        r.skip(tag, depth);
        continue;
      }
      const entryEnd = r.lengthEnd();
      const saveEnd = r.end;
      r.end = entryEnd;
      let key = '""';
      let value = 'null';
      while (r.pos < entryEnd) {
        const t = r.tag();
        if (t === 0x0a) {
          const e = r.lengthEnd();
          const s = jsonStringFromUtf8(r.buf, r.pos, e);
          if (s === undefined) throw new CodecError('fields', 'invalid UTF-8 in map key', r.pos);
          r.pos = e;
          key = s;
        } else if (t === 0x12) {
          const e = r.lengthEnd();
          const save = r.end;
          r.end = e;
          try {
            value = this.value(e, depth + 1);
          } catch (err) {
            throw prefixPath(err, `fields[${key}]`);
          }
          r.end = save;
          r.pos = e;
        } else r.skip(t, depth);
      }
      r.end = saveEnd;
      m.set(key, value);
    }
    let out = '{';
    let first = true;
    for (const [k, v] of m) {
      out += (first ? '' : ',') + k + ':' + v;
      first = false;
    }
    return out + '}';
  }

  private list(end: number, depth: number): string {
    if (depth > MAX_DEPTH) throw new CodecError('', `nesting deeper than ${MAX_DEPTH}`, this.r.pos);
    const r = this.r;
    let out = '[';
    let i = 0;
    while (r.pos < end) {
      const tag = r.tag();
      if (tag !== 0x0a) {
        r.skip(tag, depth);
        continue;
      }
      const e = r.lengthEnd();
      const saveEnd = r.end;
      r.end = e;
      let j: string;
      try {
        j = this.value(e, depth + 1);
      } catch (err) {
        throw prefixPath(err, `values[${i}]`);
      }
      r.end = saveEnd;
      r.pos = e;
      out += (i === 0 ? '' : ',') + j;
      i++;
    }
    return out + ']';
  }

  private fieldMask(end: number): string {
    const r = this.r;
    let out = '';
    let first = true;
    while (r.pos < end) {
      const tag = r.tag();
      if (tag !== 0x0a) {
        r.skip(tag, 0);
        continue;
      }
      const e = r.lengthEnd();
      const p = readUtf8(r.buf, r.pos, e);
      if (p === undefined) throw new CodecError('paths', 'invalid UTF-8 in string', r.pos);
      const json = pathToJson(p);
      if (json === undefined) throw new CodecError('paths', `FieldMask path ${quoteJsonString(p)} has no JSON form`, r.pos, 'serialize');
      r.pos = e;
      out += (first ? '' : ',') + json;
      first = false;
    }
    return quoteJsonString(out);
  }

  private any(end: number, depth: number): string {
    const r = this.r;
    let typeUrl: string | undefined;
    let vStart = -1;
    let vEnd = -1;
    while (r.pos < end) {
      const tag = r.tag();
      if (tag === 0x0a) {
        const e = r.lengthEnd();
        typeUrl = readUtf8(r.buf, r.pos, e);
        if (typeUrl === undefined) throw new CodecError('type_url', 'invalid UTF-8 in string', r.pos);
        r.pos = e;
      } else if (tag === 0x12) {
        vEnd = r.lengthEnd();
        vStart = r.pos;
        r.pos = vEnd;
      } else r.skip(tag, depth);
    }
    if (typeUrl === undefined) {
      if (vStart < 0 || vStart === vEnd) return '{}';
      throw new CodecError('type_url', 'Any has a value but no type URL', r.pos, 'serialize');
    }
    const typeName = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
    const inner = this.resolver?.findMessage(typeName);
    if (inner === undefined) throw new CodecError('type_url', `cannot resolve type ${quoteJsonString(typeUrl)}`, r.pos, 'serialize');
    const plan = planOf(inner);
    let j: string;
    try {
      if (vStart < 0) j = this.detached(plan, EMPTY, depth + 1);
      else {
        const saveEnd = r.end;
        r.pos = vStart;
        j = this.sub(plan, vEnd, depth + 1);
        r.end = saveEnd;
        r.pos = end;
      }
    } catch (e) {
      throw prefixPath(e, 'value');
    }
    const head = '{"@type":' + quoteJsonString(typeUrl);
    if (plan.wkt !== W.NONE && plan.wkt !== W.EMPTY) return head + ',"value":' + j + '}';
    return j.length === 2 ? head + '}' : head + ',' + j.slice(1);
  }
}

const EMPTY = new Uint8Array(0);

/** Units a packed item may take: a comma, quotes and 20 digits with a sign, or an enum name (longer ones grow the buffer first). */
const ITEM_ROOM = 64;

/** Zigzag-decodes a value below 2^53 whose varint started with byte `first` (its low bit: the sign). */
function unzigzag(v: number, first: number): number {
  return (first & 1) === 0 ? v / 2 : -(v + 1) / 2;
}

/** Bytes of a tag's shortest varint form, or 0 past two bytes (runs then go one occurrence at a time). */
function tagLength(tag: number): number {
  return tag < 0x80 ? 1 : tag < 0x4000 ? 2 : 0;
}

/** Whether `b[p…]` (before `end`) holds `tag` in its `len`-byte form. */
function sameTag(b: Uint8Array, p: number, end: number, tag: number, len: number): boolean {
  if (p + len > end) return false;
  return len === 1 ? b[p] === tag : b[p] === ((tag & 0x7f) | 0x80) && b[p + 1] === tag >>> 7;
}

/** Writes `true` or `false` at `b[o]`; returns the end. */
function putBool(b: Uint16Array, o: number, v: boolean): number {
  if (v) {
    b[o] = 116;
    b[o + 1] = 114;
    b[o + 2] = 117;
    b[o + 3] = 101;
    return o + 4;
  }
  b[o] = 102;
  b[o + 1] = 97;
  b[o + 2] = 108;
  b[o + 3] = 115;
  b[o + 4] = 101;
  return o + 5;
}

/** Appends one UTF-16 unit. */
function putUnit(w: CharWriter, u: number): void {
  if (w.pos >= w.buf.length) w.ensure(1);
  w.buf[w.pos++] = u;
}

function mapJson(m: MapSlot): string {
  let out = '{';
  let first = true;
  for (const [k, v] of m) {
    out += (first ? '' : ',') + k + ':' + v;
    first = false;
  }
  return out + '}';
}

function clearSiblings(f: FieldPlan, slots: Array<string | MapSlot | undefined>): void {
  const sib = f.siblings;
  for (let k = 0; k < sib.length; k++) slots[sib[k]!] = undefined;
}

/** Float and double JSON: the special values as strings, -0 kept. */
export function formatFloat(v: number): string {
  if (v !== v) return '"NaN"';
  if (v === Infinity) return '"Infinity"';
  if (v === -Infinity) return '"-Infinity"';
  return formatJsonDouble(v);
}

/**
 * UTF-8 bytes → a quoted JSON string in one step. Printable ASCII without
 * quotes or backslashes (the common case) is sliced directly; other text is
 * validated, decoded natively, then escaped only if it needs to be.
 * Undefined for invalid UTF-8.
 */
export function jsonStringFromUtf8(buf: Uint8Array, start: number, end: number): string | undefined {
  let p = start;
  let b = 0;
  while (p < end) {
    b = buf[p]!;
    if (b < 0x20 || b >= 0x7f || b === 34 || b === 92) break;
    p++;
  }
  if (p === end) {
    // Short ASCII: the quoted string in one allocation.
    const b = buf;
    const q = start;
    switch (end - start) {
      case 0:
        return '""';
      case 1:
        return String.fromCharCode(34, b[q]!, 34);
      case 2:
        return String.fromCharCode(34, b[q]!, b[q + 1]!, 34);
      case 3:
        return String.fromCharCode(34, b[q]!, b[q + 1]!, b[q + 2]!, 34);
      case 4:
        return String.fromCharCode(34, b[q]!, b[q + 1]!, b[q + 2]!, b[q + 3]!, 34);
      case 5:
        return String.fromCharCode(34, b[q]!, b[q + 1]!, b[q + 2]!, b[q + 3]!, b[q + 4]!, 34);
      case 6:
        return String.fromCharCode(34, b[q]!, b[q + 1]!, b[q + 2]!, b[q + 3]!, b[q + 4]!, b[q + 5]!, 34);
      case 7:
        return String.fromCharCode(34, b[q]!, b[q + 1]!, b[q + 2]!, b[q + 3]!, b[q + 4]!, b[q + 5]!, b[q + 6]!, 34);
      case 8:
        return String.fromCharCode(34, b[q]!, b[q + 1]!, b[q + 2]!, b[q + 3]!, b[q + 4]!, b[q + 5]!, b[q + 6]!, b[q + 7]!, 34);
      case 9:
        return String.fromCharCode(34, b[q]!, b[q + 1]!, b[q + 2]!, b[q + 3]!, b[q + 4]!, b[q + 5]!, b[q + 6]!, b[q + 7]!, b[q + 8]!, 34);
      case 10:
        return String.fromCharCode(34, b[q]!, b[q + 1]!, b[q + 2]!, b[q + 3]!, b[q + 4]!, b[q + 5]!, b[q + 6]!, b[q + 7]!, b[q + 8]!, b[q + 9]!, 34);
      default:
        return '"' + asciiString(buf, start, end) + '"';
    }
  }
  const s = readUtf8(buf, start, end);
  return s === undefined ? undefined : quoteJsonString(s);
}

function growKeys(frame: SlotFrame): void {
  const n = frame.keyHash.length * 2;
  const grow = (a: Int32Array): Int32Array => {
    const b = new Int32Array(n);
    b.set(a);
    return b;
  };
  frame.keyHash = grow(frame.keyHash);
  frame.keyAt = grow(frame.keyAt);
  frame.keyLen = grow(frame.keyLen);
}

/** A table (at most half full) holding the first `n` keys of the open map. */
function rebuildKeyTable(frame: SlotFrame, n: number): Int32Array {
  let size = frame.keyTable.length;
  while (size < 4 * n) size *= 2;
  const table = size === frame.keyTable.length ? frame.keyTable.fill(0) : (frame.keyTable = new Int32Array(size));
  const mask = size - 1;
  const hashes = frame.keyHash;
  for (let q = 0; q < n; q++) {
    let i = hashes[q]! & mask;
    while (table[i] !== 0) i = (i + 1) & mask;
    table[i] = q + 1;
  }
  return table;
}

/** FNV-1a over `buf[start, start + n)`. */
function hashUnits(buf: Uint16Array, start: number, n: number): number {
  let h = 0x811c9dc5;
  for (let p = start; p < start + n; p++) h = Math.imul(h ^ buf[p]!, 0x01000193);
  return h;
}

function sameUnits(buf: Uint16Array, a: number, alen: number, b: number, blen: number): boolean {
  if (alen !== blen) return false;
  for (let i = 0; i < alen; i++) if (buf[a + i] !== buf[b + i]) return false;
  return true;
}
