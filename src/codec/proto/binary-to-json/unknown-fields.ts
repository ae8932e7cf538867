import { encodeBase64 } from '../../bytes/base64.js';
import { writeChars, writeJsonBase64Chars } from '../../json/json-chars.js';
import { W, type MessagePlan } from '../plan.js';
import { ScalarWriter } from './scalars.js';

/** Unknown fields kept for pass-through (`$unknown`), and closed-enum values that join them. */
export abstract class UnknownFields extends ScalarWriter {
  /** Whether `plan`'s JSON objects carry `$unknown` (not well-known types with a JSON form of their own). */
  protected keepsUnknown(plan: MessagePlan): boolean {
    return this.keepUnknown && (plan.wkt === W.NONE || this.kitex);
  }

  /** Skips an unknown field, pushing its tag (in shortest form) and value bytes onto the `unk` stack. */
  protected keepField(tag: number, depth: number): void {
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
  protected writeUnknown(base: number, sep: boolean): void {
    writeChars(this.w, sep ? ',"$unknown":' : '"$unknown":');
    writeJsonBase64Chars(this.w, this.unk, base, this.unkTop);
    this.unkTop = base;
  }

  /** Slot mode: `json` (an object) with the `$unknown` member from `base` up added last. */
  protected withUnknown(json: string, base: number): string {
    const b64 = encodeBase64(this.unk.subarray(base, this.unkTop));
    this.unkTop = base;
    return json.slice(0, -1) + (json.length > 2 ? ',"$unknown":"' : '"$unknown":"') + b64 + '"}';
  }

  /** An occurrence of a known field that goes to the unknown fields (kept, or skipped): `r.pos` after its tag. */
  protected unknownOccurrence(tag: number, depth: number): void {
    if (this.keepUnknown) this.keepField(tag, depth);
    else this.r.skip(tag, depth);
  }
}
