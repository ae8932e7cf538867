import { JsonKind } from '../../json/scanner.js';
import { K, W, is64, subPlanOf, type FieldPlan } from '../plan.js';
import { prefixPath } from '../path.js';
import { PLAIN_INT_KINDS, INT64_SIGNED } from './scalars.js';
import { WellKnownTypes } from './well-known.js';

/** Repeated fields: JSON arrays to packed or unpacked values, plain integer runs read in place. */
export abstract class RepeatedFields extends WellKnownTypes {
  // Defined by the layers above.
  protected abstract group(f: FieldPlan, depth: number): void;

  protected repeated(f: FieldPlan, depth: number): void {
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
  protected intItems(f: FieldPlan, kind: number, tagged: boolean): void {
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
}
