import { zigzagDecode32 } from '../../bytes/varint.js';
import { putIntUnits, writeChars, writeDoubleChars, writeJsonBase64Chars, writeJsonStringUtf8Chars } from '../../json/json-chars.js';
import { K, enumDeclares, enumUnits, subPlanOf, type FieldPlan, type MessagePlan } from '../plan.js';
import { prefixPath } from '../path.js';
import { WellKnownTypes } from './well-known.js';
import { ITEM_ROOM, unzigzag, tagLength, sameTag, putBool, putUnit, formatFloat } from './json-text.js';

/** Repeated fields: runs of occurrences and packed values written in one go, with tight loops per kind. */
export abstract class RepeatedRuns extends WellKnownTypes {
  // Defined by the layers above.
  protected abstract writeMessage(plan: MessagePlan, end: number, depth: number, groupNo: number): void;
  protected abstract writeSub(plan: MessagePlan, end: number, depth: number): void;

  /**
   * After the tag of a repeated field's occurrence: writes its elements and those of every
   * occurrence that directly follows (packed and unpacked alike), comma-separated, inside
   * `[`…`]`. Stops before the next other field's tag. Returns 0 when it wrote no element
   * (only empty packed occurrences).
   */
  protected writeListRun(f: FieldPlan, wt: number, end: number, depth: number): number {
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

  /** When the next field before `end` is another occurrence of `f`: reads its tag and returns its wire type; else -1, nothing read. */
  protected nextOccurrence(f: FieldPlan, end: number): number {
    const r = this.r;
    if (r.pos >= end) return -1;
    const at = r.pos;
    const tag = r.tag();
    if (tag >>> 3 === f.number && (tag & 7) !== 4) return tag & 7;
    r.pos = at;
    return -1;
  }

  /**
   * The items of a packed run `[r.pos, pend)` joined by commas. Common kinds
   * get their own loops (no per-item dispatch); the rest go through `scalar()`.
   */
  protected packed(f: FieldPlan, kind: number, pend: number): string {
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
  protected writePacked(f: FieldPlan, kind: number, pend: number): void {
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
  protected writeItems(f: FieldPlan, kind: number, end: number, unpacked: boolean): void {
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
  protected writeItems32(f: FieldPlan, kind: number, pend: number, unpacked: boolean): void {
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
  protected writeItemsLen(f: FieldPlan, kind: number, end: number): void {
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
      const mark = w.pos;
      if (kind === K.BYTES) writeJsonBase64Chars(w, b, at, vend);
      else if (writeJsonStringUtf8Chars(w, b, at, vend) >= 0) this.rewriteInvalidUtf8(f, mark, at, vend);
      r.pos = vend;
    }
  }

  /** writeItems for floats and doubles. */
  protected writeItemsFloat(f: FieldPlan, kind: number, pend: number, unpacked: boolean): void {
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
  protected writeItems64(f: FieldPlan, kind: number, pend: number, unpacked: boolean): void {
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

  /**
   * A packed run `[r.pos, pend)` of a closed enum: the declared values as JSON items
   * (comma-separated, '' if none); each other one becomes an unknown varint field of
   * the same number, as protobuf runtimes keep them.
   */
  /**
   * Whether the run of occurrences of repeated closed-enum field `f` that starts here
   * (its first tag read, wire type `wt`) holds a number the enum does not declare, or
   * is not plain enum data: then the slot mode sorts it out. Reads nothing.
   */
  protected undeclaredInRun(f: FieldPlan, wt: number, end: number): boolean {
    const r = this.r;
    const e = f.enumPlan!;
    const at = r.pos;
    try {
      for (;;) {
        if (wt === 0) {
          if (!enumDeclares(e, r.varint32() | 0)) return true;
        } else if (wt === 2) {
          const pend = r.lengthEnd();
          while (r.pos < pend) if (!enumDeclares(e, r.varint32() | 0)) return true;
          if (r.pos !== pend) return true;
        } else return true;
        if (r.pos >= end) return false;
        const tag = r.tag();
        if (tag >>> 3 !== f.number || (tag & 7) === 4) return false;
        wt = tag & 7;
      }
    } catch {
      return true; // malformed: the slot mode reports it where it is
    } finally {
      r.pos = at;
    }
  }

  protected packedClosedEnum(f: FieldPlan, pend: number, depth: number): string {
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
}
