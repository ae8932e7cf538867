import { CodecError } from '../../../errors/codec-error.js';
import { varint32Size } from '../../bytes/varint.js';
import { writeChars } from '../../json/json-chars.js';
import { K, subPlanOf, type FieldPlan, type MessagePlan } from '../plan.js';
import { prefixPath } from '../path.js';
import { Maps } from './maps.js';
import type { MapSlot, SlotFrame } from './frame.js';
import { objectJson } from './json-text.js';

function clearSiblings(f: FieldPlan, slots: Array<string | MapSlot | undefined>): void {
  const sib = f.siblings;
  for (let k = 0; k < sib.length; k++) slots[sib[k]!] = undefined;
}

/**
 * The slot mode, for messages the fast path cannot write as it reads them: fields
 * collected per message in declaration-indexed slots (last one wins, messages
 * merge, repeated occurrences join), then written in declaration order.
 */
export abstract class SlotMode extends Maps {
  // Defined by the layers above.
  protected abstract extensionAt(plan: MessagePlan, num: number): FieldPlan | undefined;

  /** Drops what the fast path wrote for this message and decodes it again in the slot mode. */
  protected restartInSlots(plan: MessagePlan, start: number, outStart: number, end: number, depth: number, groupNo: number, ubase: number): void {
    if (ubase >= 0) this.unkTop = ubase;
    this.r.pos = start;
    this.w.pos = outStart;
    writeChars(this.w, this.messageSlots(plan, end, depth, groupNo));
  }

  /** writeMessage's text as a string (for the slot mode, which keeps values per field). */
  protected message(plan: MessagePlan, end: number, depth: number, groupNo: number): string {
    const w = this.w;
    const at = w.pos;
    this.writeMessage(plan, end, depth, groupNo);
    const s = w.text(at);
    w.pos = at;
    return s;
  }

  /** The general path: fields collected in declaration-indexed slots, then written out. */
  protected messageSlots(plan: MessagePlan, end: number, depth: number, groupNo: number): string {
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

  protected frameFor(depth: number, n: number): SlotFrame {
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

  protected resetFrames(): void {
    for (const f of this.frames) if (f !== undefined) f.mark.fill(0);
    this.slotStamp = 0;
  }

  protected rangesFor(depth: number, n: number): Int32Array {
    let a = this.rangeStack[depth];
    if (a === undefined || a.length < 2 * n) a = this.rangeStack[depth] = new Int32Array(Math.max(2 * n, 32));
    return a;
  }

  protected field(f: FieldPlan, wt: number, slots: Array<string | MapSlot | undefined>, depth: number): void {
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

  /** The message's JSON from its slots: `fields` are the plan's, then its extensions' (only set ones are written). */
  protected emit(plan: MessagePlan, fields: readonly FieldPlan[], frame: SlotFrame, stamp: number): string {
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
        const j = typeof v === 'string' ? (f.repeated ? '[' + v + ']' : v) : objectJson(v);
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
      } else j = objectJson(v);
      out += (sep ? ',' : '') + (protoNames ? f.protoKeyOut : f.jsonKeyOut) + j;
      sep = true;
    }
    return out + '}';
  }
}
