import { CodecError } from '../../../errors/codec-error.js';
import { parseInt64Decimal } from '../../bytes/varint.js';
import { JsonKind } from '../../json/scanner.js';
import { quoteJsonString } from '../../json/quote.js';
import { K, W, is64, subPlanOf, type FieldPlan } from '../plan.js';
import { prefixPath } from '../path.js';
import { INT64_SIGNED, KIND_NAMES } from './scalars.js';
import type { RepeatedKeys } from './repeated-keys.js';
import { RepeatedFields } from './repeated.js';

/** Map fields: JSON objects to entries, keys checked (and once only in the canonical mapping). */
export abstract class Maps extends RepeatedFields {
  protected map(f: FieldPlan, depth: number): void {
    const s = this.s;
    if (s.peek() !== JsonKind.Object) throw this.typeError('an object (map)');
    s.pos++;
    if (!s.objectFirst()) return;
    const kf = f.mapKey!;
    const vf = f.mapValue!;
    const text = s.text;
    const keys = this.kitex ? undefined : this.keySet(depth);
    do {
      // A key without escapes is a span of the text, read in place (no string made).
      let key: string | undefined;
      let keyStart = 0;
      let keyEnd = 0;
      if (s.keySpan()) {
        keyStart = s.spanStart;
        keyEnd = s.spanEnd;
      } else {
        key = s.key();
        keyEnd = key.length;
      }
      try {
        this.tag(f.lenTag);
        const at = this.beginLen();
        if (kf.kind === K.STRING) {
          if (keys !== undefined && !(key === undefined ? keys.addSpan(keyStart, keyEnd) : keys.add(key))) throw repeatedKey(s.pos);
          this.tag(kf.tag);
          if (key === undefined) this.writeSpan(text, keyStart, keyEnd);
          else this.writeString(key);
        } else this.mapKey(kf, key ?? text, keyStart, keyEnd, keys);
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

  /**
   * Writes a bool or integer map key, `str[start, end)`, read in place; with `keys`, checks
   * it was not given before (by value: `"01"` and `"1"` are one key).
   */
  protected mapKey(kf: FieldPlan, str: string, start: number, end: number, keys: RepeatedKeys | undefined): void {
    const kind = kf.kind;
    if (kind === K.BOOL) {
      const v = end - start === 4 && str.startsWith('true', start) ? 1 : end - start === 5 && str.startsWith('false', start) ? 0 : -1;
      if (v < 0) throw this.mapKeyError(`invalid bool map key`, str, start, end);
      if (keys !== undefined && !keys.addNumber(v, 0)) throw repeatedKey(this.s.pos);
      this.tag(kf.tag);
      this.w.writeByte(v);
      return;
    }
    if (is64(kind)) {
      if (!parseInt64Decimal(str, start, end, INT64_SIGNED[kind] === 1, this.h)) throw this.mapKeyError(`invalid ${KIND_NAMES[kind]} map key`, str, start, end);
      if (keys !== undefined && !keys.addNumber(this.h.lo, this.h.hi)) throw repeatedKey(this.s.pos);
      this.tag(kf.tag);
      this.write64(kind);
      return;
    }
    // 32-bit: an optional '-' and 1 to 10 digits.
    let p = start;
    const neg = p < end && str.charCodeAt(p) === 45;
    if (neg) p++;
    let v = 0;
    if (p === end || end - p > 10) v = NaN;
    for (; p < end; p++) {
      const c = str.charCodeAt(p) - 48;
      if (c < 0 || c > 9) v = NaN;
      v = v * 10 + c;
    }
    if (v !== v) throw this.mapKeyError(`invalid ${KIND_NAMES[kind]} map key`, str, start, end);
    if (neg) v = -v;
    const unsigned = kind === K.UINT32 || kind === K.FIXED32;
    if (unsigned ? v < 0 || v > 0xffffffff : v < -0x80000000 || v > 0x7fffffff) {
      throw new CodecError('', `map key ${str.slice(start, end)} is out of range for ${KIND_NAMES[kind]}`, this.s.pos);
    }
    if (keys !== undefined && !keys.addNumber(v | 0, 0)) throw repeatedKey(this.s.pos);
    this.tag(kf.tag);
    this.writeNum(kind, unsigned ? v >>> 0 : v | 0);
  }

  /** The error for map key `str[start, end)` that is no value of its type. */
  protected mapKeyError(what: string, str: string, start: number, end: number): CodecError {
    return new CodecError('', `${what} ${quoteJsonString(str.slice(start, end))}`, this.s.pos);
  }
}

function repeatedKey(at: number): CodecError {
  return new CodecError('', 'map key appears more than once', at);
}
