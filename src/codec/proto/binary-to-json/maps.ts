import { writeChars } from '../../json/json-chars.js';
import { K, is64, subPlanOf, type FieldPlan } from '../plan.js';
import { prefixPath } from '../path.js';
import { RepeatedRuns } from './repeated-runs.js';
import { EMPTY, putUnit } from './json-text.js';
import type { SlotFrame } from './frame.js';

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

/** Map fields: entries written in place, repeated keys found (small maps by comparison, large ones by hash). */
export abstract class Maps extends RepeatedRuns {
  /**
   * {@link writeListRun} for a map field: entries inside `{`…`}`. False when a key
   * repeats, which only the slot mode (last entry wins) can write.
   */
  protected writeMapRun(f: FieldPlan, wt: number, end: number, depth: number, frame: SlotFrame): boolean {
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

  /**
   * Writes one map entry as `key:value`; the key's JSON text is left at
   * `keyStart`..`keyEnd` of the output (for the duplicate check). Entries laid
   * out as protobuf runtimes write them (key, then value, nothing else) are
   * written in place; others go through `mapEntry()`, which handles any order,
   * missing parts and unknown fields.
   */
  protected writeMapEntry(f: FieldPlan, end: number, depth: number): void {
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
  protected writeKey(kf: FieldPlan): void {
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
  protected seenKey(frame: SlotFrame, n: number): boolean {
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

  /** Reads one map entry into `entryKey` (a JSON string literal) and `entryValue`. */
  protected mapEntry(f: FieldPlan, end: number, depth: number): void {
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
}
