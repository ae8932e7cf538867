import { CodecError } from '../../errors/codec-error.js';
import { ByteWriter } from '../bytes/byte-writer.js';
import { isValidUtf8 } from '../bytes/utf8.js';
import { writeVarint32, writeVarint64, writeVarintInt32 } from '../bytes/varint.js';
import type { Extensions } from './extensions.js';
import { beginLen, endLen } from './length-slot.js';
import { prefixPath } from './path.js';
import { K, enumDeclares, subPlanOf, type FieldPlan, type MessagePlan } from './plan.js';
import { MAX_DEPTH, ProtoReader } from './reader.js';

const WIRE_NAMES = ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32'];

/**
 * Where each field occurrence of one message lies, found by a first walk over it:
 * four numbers per occurrence (slot or -1 for unknown, wire type, value start,
 * value end; unknown ones: tag start instead of value start). Reused per depth: a
 * message is walked before any of its children is transcoded.
 */
interface Occurrences {
  at: number[];
  /** Per slot: index (in occurrences) of the last occurrence, -1 if none. */
  last: Int32Array;
}

/**
 * Protobuf binary → canonical protobuf binary, as a protobuf runtime would write the
 * message after parsing it: fields in number order (extensions among them), each
 * singular field once (last one wins, repeated occurrences of a message merged), the
 * last member of a oneof, repeated scalars packed or not as the descriptor says,
 * varints in their shortest form (negative int32 and enums as 10 bytes), defaults of
 * fields without presence left out, map keys once (last entry wins), strings checked
 * to be UTF-8. Fields the descriptor does not know (and closed-enum numbers the enum
 * does not declare) are kept after the known ones with `keepUnknown`, else dropped.
 * No JSON, no objects: each message is walked once to find its fields, then written.
 */
export class BinaryToBinary {
  private readonly r = new ProtoReader();
  private w = new ByteWriter();
  ext: Extensions | undefined;
  keepUnknown = false;
  /** Closed-enum values the enum does not declare, as unknown varint fields, per depth. */
  private readonly extra: ByteWriter[] = [];
  private readonly occ: Occurrences[] = [];
  private readonly ordered = new Map<MessagePlan, readonly FieldPlan[]>();
  /** A scratch writer for map keys (their canonical bytes identify them). */
  private readonly keyBytes = new ByteWriter(64);

  /** Writes the canonical form of `bytes` (a `plan` message) to `w` at `w.pos`; restores `w.pos` on error. */
  transcode(w: ByteWriter, plan: MessagePlan, bytes: Uint8Array): void {
    this.w = w;
    const start = w.pos;
    const r = this.r.reset(bytes);
    try {
      this.message(plan, bytes.length, 0, 0);
    } catch (e) {
      w.pos = start;
      throw prefixPath(e, plan.desc.name);
    } finally {
      r.release();
    }
  }

  /** The fields (and loaded extensions) of `plan` in number order. */
  private fieldsInOrder(plan: MessagePlan): readonly FieldPlan[] {
    let list = this.ordered.get(plan);
    if (list === undefined) {
      const all = plan.extendable ? (this.ext?.of(plan)?.all ?? plan.fields) : plan.fields;
      list = [...all].sort((a, b) => a.number - b.number);
      this.ordered.set(plan, list);
    }
    return list;
  }

  private occurrencesFor(depth: number, slots: number): Occurrences {
    let o = this.occ[depth];
    if (o === undefined) o = this.occ[depth] = { at: [], last: new Int32Array(Math.max(slots, 32)) };
    else if (o.last.length < slots) o.last = new Int32Array(slots);
    o.at.length = 0;
    o.last.fill(-1, 0, slots);
    return o;
  }

  private extraFor(depth: number): ByteWriter {
    let x = this.extra[depth];
    if (x === undefined) x = this.extra[depth] = new ByteWriter(64);
    return x;
  }

  /** The message in `[r.pos, end)`, or (for a group, `groupNo > 0`) up to its end-group tag. */
  private message(plan: MessagePlan, end: number, depth: number, groupNo: number): void {
    const r = this.r;
    if (depth > MAX_DEPTH) throw new CodecError('', `nesting deeper than ${MAX_DEPTH}`, r.pos);
    const fields = this.fieldsInOrder(plan);
    const slots = plan.extendable ? fields.length : plan.fields.length;
    const o = this.occurrencesFor(depth, slots);
    const at = o.at;
    let closed = groupNo === 0;
    // 1. Where every occurrence is.
    while (r.pos < end) {
      const tagAt = r.pos;
      const tag = r.tag();
      const num = tag >>> 3;
      const wt = tag & 7;
      if (wt === 4) {
        if (num === groupNo) {
          closed = true;
          break;
        }
        throw new CodecError('', `unexpected end-group tag for field ${num}`, r.pos);
      }
      let f = plan.byNumberMap === undefined ? plan.byNumber[num] : plan.byNumberMap.get(num);
      if (f === undefined && plan.extendable) f = this.ext?.of(plan)?.byNumber.get(num);
      const valueAt = r.pos;
      r.skip(tag, depth);
      if (f === undefined) {
        at.push(-1, wt, tagAt, r.pos);
        continue;
      }
      o.last[f.index] = at.length;
      at.push(f.index, wt, valueAt, r.pos);
    }
    if (!closed) throw new CodecError('', `group ${groupNo} is not closed`, r.pos);
    const after = r.pos;
    const saveEnd = r.end;
    // 2. The fields in number order; the winning member of each oneof only.
    const extra = this.extraFor(depth);
    extra.pos = 0;
    const last = o.last;
    for (let k = 0; k < fields.length; k++) {
      const f = fields[k]!;
      const lastAt = last[f.index]!;
      if (lastAt < 0) continue;
      if (f.oneof >= 0 && this.oneofLoses(f, last)) continue;
      try {
        if (f.isMap) this.map(f, at, depth, extra);
        else if (f.repeated) this.repeated(f, at, depth, extra);
        else if (f.kind === K.MESSAGE || f.kind === K.GROUP) this.singularMessage(f, at, depth);
        else this.singularScalar(f, at, lastAt, extra);
      } catch (e) {
        throw prefixPath(e, f.name);
      } finally {
        r.end = saveEnd;
      }
    }
    // 3. Unknown fields, in wire order, then closed-enum values the enum does not declare.
    if (this.keepUnknown) {
      const buf = r.buf;
      for (let i = 0; i < at.length; i += 4) {
        if (at[i] === -1) this.w.writeBytes(buf.subarray(at[i + 2]!, at[i + 3]!));
      }
      if (extra.pos > 0) this.w.writeBytes(extra.buf.subarray(0, extra.pos));
    }
    r.pos = after;
  }

  /** Whether another member of `f`'s oneof occurs later (the last member set wins). */
  private oneofLoses(f: FieldPlan, last: Int32Array): boolean {
    const mine = last[f.index]!;
    for (const s of f.siblings) if (last[s]! > mine) return true;
    return false;
  }

  private wireTypeError(f: FieldPlan, wt: number, at: number): CodecError {
    return new CodecError('', `wrong wire type ${WIRE_NAMES[wt]} for ${f.desc.type} field ${f.number}`, at);
  }

  /** Each occurrence of `f` in `at`, in wire order: calls `each(index)`. */
  private forEach(f: FieldPlan, at: number[], each: (i: number) => void): void {
    const slot = f.index;
    for (let i = 0; i < at.length; i += 4) if (at[i] === slot) each(i);
  }

  private singularScalar(f: FieldPlan, at: number[], lastAt: number, extra: ByteWriter): void {
    const r = this.r;
    // Every occurrence must be a valid value; the last one is written.
    this.forEach(f, at, (i) => {
      const wt = at[i + 1]!;
      if (wt !== f.wireType) throw this.wireTypeError(f, wt, at[i + 2]!);
      r.pos = at[i + 2]!;
      r.end = at[i + 3]!;
      if (f.kind === K.STRING && f.desc.utf8Validation && !isValidUtf8(r.buf, this.contentStart(), r.end)) throw new CodecError('', 'invalid UTF-8 in string', at[i + 2]);
      if (i !== lastAt) return;
      r.pos = at[i + 2]!;
      if (f.closedEnum && !this.declared(f)) {
        this.undeclaredEnum(f, extra);
        return;
      }
      const mark = this.w.pos;
      this.tag(f.tag);
      if (this.value(f.kind) && !f.presence) this.w.pos = mark; // a default without presence is left out
    });
  }

  /** After a length prefix at `r.pos`: where the content starts (reads the prefix). */
  private contentStart(): number {
    const r = this.r;
    const save = r.pos;
    r.lengthEnd();
    const start = r.pos;
    r.pos = save;
    return start;
  }

  /** Whether the varint at `r.pos` is a number `f`'s closed enum declares (reads nothing). */
  private declared(f: FieldPlan): boolean {
    const r = this.r;
    const p = r.pos;
    const v = r.varint32() | 0;
    r.pos = p;
    return enumDeclares(f.enumPlan!, v);
  }

  /** Moves the varint at `r.pos` (read past) into `extra` as an unknown field of `f`'s number. */
  private undeclaredEnum(f: FieldPlan, extra: ByteWriter): void {
    const r = this.r;
    const p = r.pos;
    r.varint64();
    writeVarint32(extra, (f.number << 3) >>> 0);
    extra.writeBytes(r.buf.subarray(p, r.pos));
  }

  private singularMessage(f: FieldPlan, at: number[], depth: number): void {
    const r = this.r;
    const plan = subPlanOf(f);
    const group = f.kind === K.GROUP;
    const want = group ? 3 : 2;
    // The contents of every occurrence, in wire order: several are merged by transcoding them as one.
    const spans: number[] = [];
    this.forEach(f, at, (i) => {
      const wt = at[i + 1]!;
      if (wt !== want) throw this.wireTypeError(f, wt, at[i + 2]!);
      r.pos = at[i + 2]!;
      r.end = at[i + 3]!;
      const start = group ? r.pos : this.contentStart();
      const end = group ? r.end - tagSize(((f.number << 3) | 4) >>> 0) : r.end;
      spans.push(start, end);
    });
    const w = this.w;
    if (group) this.tag(((f.number << 3) | 3) >>> 0);
    else this.tag(f.lenTag);
    const slot = group ? -1 : beginLen(w);
    if (spans.length === 2) this.content(plan, spans[0]!, spans[1]!, depth + 1);
    else {
      let n = 0;
      for (let s = 0; s < spans.length; s += 2) n += spans[s + 1]! - spans[s]!;
      const all = new Uint8Array(n);
      let o = 0;
      for (let s = 0; s < spans.length; s += 2) {
        all.set(r.buf.subarray(spans[s]!, spans[s + 1]!), o);
        o += spans[s + 1]! - spans[s]!;
      }
      this.detached(plan, all, depth + 1);
    }
    if (group) this.tag(((f.number << 3) | 4) >>> 0);
    else endLen(w, slot);
  }

  /** Transcodes the message content `[start, end)` of the input. */
  private content(plan: MessagePlan, start: number, end: number, depth: number): void {
    const r = this.r;
    r.pos = start;
    r.end = end;
    this.message(plan, end, depth, 0);
  }

  /** Transcodes a message from a separate buffer (merged occurrences), then resumes. */
  private detached(plan: MessagePlan, bytes: Uint8Array, depth: number): void {
    const r = this.r;
    const buf = r.buf;
    const pos = r.pos;
    const end = r.end;
    r.reset(bytes);
    this.message(plan, bytes.length, depth, 0);
    r.reset(buf, pos, end);
  }

  private repeated(f: FieldPlan, at: number[], depth: number, extra: ByteWriter): void {
    const r = this.r;
    const w = this.w;
    const kind = f.kind;
    if (kind === K.MESSAGE || kind === K.GROUP) {
      const plan = subPlanOf(f);
      const want = kind === K.MESSAGE ? 2 : 3;
      let n = 0;
      this.forEach(f, at, (i) => {
        const wt = at[i + 1]!;
        try {
          if (wt !== want) throw this.wireTypeError(f, wt, at[i + 2]!);
          r.pos = at[i + 2]!;
          r.end = at[i + 3]!;
          if (kind === K.MESSAGE) {
            const start = this.contentStart();
            this.tag(f.lenTag);
            const slot = beginLen(w);
            this.content(plan, start, at[i + 3]!, depth + 1);
            endLen(w, slot);
          } else {
            this.tag(((f.number << 3) | 3) >>> 0);
            this.content(plan, r.pos, at[i + 3]! - tagSize(((f.number << 3) | 4) >>> 0), depth + 1);
            this.tag(((f.number << 3) | 4) >>> 0);
          }
        } catch (e) {
          throw prefixPath(e, `[${n}]`);
        }
        n++;
      });
      return;
    }
    // Scalars: every value of every occurrence (packed or not), written packed or not as declared.
    const packed = f.packed;
    let slot = -1;
    const one = (): void => {
      if (f.closedEnum && !this.declared(f)) {
        this.undeclaredEnum(f, extra);
        return;
      }
      if (packed) {
        if (slot < 0) {
          this.tag(f.lenTag);
          slot = beginLen(w);
        }
      } else this.tag(f.tag);
      this.value(kind);
    };
    this.forEach(f, at, (i) => {
      const wt = at[i + 1]!;
      r.pos = at[i + 2]!;
      r.end = at[i + 3]!;
      if (wt === f.wireType) one();
      else if (wt === 2 && f.packable) {
        const end = r.lengthEnd();
        while (r.pos < end) one();
      } else throw this.wireTypeError(f, wt, at[i + 2]!);
    });
    if (slot >= 0) endLen(w, slot);
  }

  private map(f: FieldPlan, at: number[], depth: number, extra: ByteWriter): void {
    const r = this.r;
    const w = this.w;
    const kf = f.mapKey!;
    const vf = f.mapValue!;
    // Key (canonical bytes) → the entry's [key start, key end, value start, value end] (last entry wins).
    const entries = new Map<string, number[]>();
    this.forEach(f, at, (i) => {
      const wt = at[i + 1]!;
      if (wt !== 2) throw this.wireTypeError(f, wt, at[i + 2]!);
      r.pos = at[i + 2]!;
      r.end = at[i + 3]!;
      const end = r.lengthEnd();
      let ks = -1;
      let ke = -1;
      let vs = -1;
      let ve = -1;
      while (r.pos < end) {
        const tag = r.tag();
        const num = tag >>> 3;
        const wt2 = tag & 7;
        const p = r.pos;
        if (num === 1 && wt2 !== kf.wireType) throw this.wireTypeError(kf, wt2, p);
        if (num === 2 && wt2 !== vf.wireType) throw this.wireTypeError(vf, wt2, p);
        r.skip(tag, depth);
        if (num === 1) [ks, ke] = [p, r.pos];
        else if (num === 2) [vs, ve] = [p, r.pos];
      }
      // The key's canonical bytes identify it ("01" and "1" on the wire are one key).
      const kb = this.keyBytes;
      kb.pos = 0;
      const saveW = this.w;
      this.w = kb;
      if (ks >= 0) {
        r.pos = ks;
        r.end = ke;
        if (kf.kind === K.STRING && kf.desc.utf8Validation && !isValidUtf8(r.buf, this.contentStart(), ke)) throw new CodecError('', 'invalid UTF-8 in map key', ks);
        this.value(kf.kind);
      } else this.defaultValue(kf);
      this.w = saveW;
      let id = '';
      for (let b = 0; b < kb.pos; b++) id += String.fromCharCode(kb.buf[b]!);
      if (vs >= 0 && vf.closedEnum) {
        r.pos = vs;
        r.end = ve;
        if (!this.declared(vf)) {
          // The whole entry becomes an unknown field.
          writeVarint32(extra, f.lenTag);
          extra.writeBytes(r.buf.subarray(at[i + 2]!, at[i + 3]!));
          return;
        }
      }
      entries.set(id, [ks, ke, vs, ve]); // a repeated key keeps its first place, as a Map does
    });
    for (const [, [ks, ke, vs, ve]] of entries) {
      this.tag(f.lenTag);
      const slot = beginLen(w);
      this.tag(kf.tag);
      if (ks >= 0) {
        r.pos = ks;
        r.end = ke;
        this.value(kf.kind);
      } else this.defaultValue(kf);
      if (vf.kind === K.MESSAGE) {
        this.tag(vf.lenTag);
        const s2 = beginLen(w);
        if (vs >= 0) {
          r.pos = vs;
          r.end = ve;
          this.content(subPlanOf(vf), this.contentStart(), ve, depth + 1);
        }
        endLen(w, s2);
      } else {
        this.tag(vf.tag);
        if (vs >= 0) {
          r.pos = vs;
          r.end = ve;
          if (vf.kind === K.STRING && vf.desc.utf8Validation && !isValidUtf8(r.buf, this.contentStart(), ve)) throw new CodecError('', 'invalid UTF-8 in string', vs);
          this.value(vf.kind);
        } else this.defaultValue(vf);
      }
      endLen(w, slot);
    }
  }

  private tag(t: number): void {
    writeVarint32(this.w, t);
  }

  /** The default value of a scalar kind, written (map entries write both parts). */
  private defaultValue(f: FieldPlan): void {
    const w = this.w;
    switch (f.wireType) {
      case 0:
        w.writeByte(0);
        return;
      case 1:
        w.writeUint32LE(0);
        w.writeUint32LE(0);
        return;
      case 5:
        w.writeUint32LE(0);
        return;
      default:
        w.writeByte(0); // empty string or bytes
    }
  }

  /** Reads one value of `kind` at `r.pos` and writes its canonical form; returns whether it is the default. */
  private value(kind: number): boolean {
    const r = this.r;
    const w = this.w;
    switch (kind) {
      case K.INT32:
      case K.ENUM: {
        const v = r.varint64() | 0;
        writeVarintInt32(w, v);
        return v === 0;
      }
      case K.UINT32:
      case K.SINT32: {
        const v = r.varint64() >>> 0;
        writeVarint32(w, v);
        return v === 0;
      }
      case K.BOOL: {
        const v = r.varint64() !== 0 || r.hi !== 0;
        w.writeByte(v ? 1 : 0);
        return !v;
      }
      case K.INT64:
      case K.UINT64:
      case K.SINT64: {
        const lo = r.varint64();
        const hi = r.hi;
        writeVarint64(w, lo >>> 0, hi >>> 0);
        return lo === 0 && hi === 0;
      }
      case K.FIXED32:
      case K.SFIXED32:
      case K.FLOAT: {
        const v = r.fixed32();
        w.writeUint32LE(v);
        return v === 0;
      }
      case K.FIXED64:
      case K.SFIXED64:
      case K.DOUBLE: {
        const lo = r.fixed32();
        const hi = r.fixed32();
        w.writeUint32LE(lo);
        w.writeUint32LE(hi);
        return lo === 0 && hi === 0;
      }
      default: {
        // Strings (checked by the caller) and bytes.
        const end = r.lengthEnd();
        const n = end - r.pos;
        writeVarint32(w, n);
        w.ensure(n);
        w.buf.set(r.buf.subarray(r.pos, end), w.pos);
        w.pos += n;
        r.pos = end;
        return n === 0;
      }
    }
  }
}

/** Bytes of a tag's varint. */
function tagSize(t: number): number {
  return t < 0x80 ? 1 : t < 0x4000 ? 2 : t < 0x200000 ? 3 : t < 0x10000000 ? 4 : 5;
}
