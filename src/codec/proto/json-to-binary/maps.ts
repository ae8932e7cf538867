import { CodecError } from '../../../errors/codec-error.js';
import { parseInt64Decimal } from '../../bytes/varint.js';
import { JsonKind } from '../../json/scanner.js';
import { quoteJsonString } from '../../json/quote.js';
import { K, W, subPlanOf, type FieldPlan } from '../plan.js';
import { prefixPath } from '../path.js';
import { KIND_NAMES } from './scalars.js';
import { RepeatedFields } from './repeated.js';

/**
 * A map key as the repeated-key check compares it: integer keys by value
 * (`"01"` and `"1"` are one key), others as written.
 */
function canonicalMapKey(kind: number, key: string): string {
  if (kind === K.STRING || kind === K.BOOL) return key;
  // Keys as encoders write them (no leading zero, no "-0") are canonical already.
  const c = key.charCodeAt(key.charCodeAt(0) === 45 ? 1 : 0);
  if (c !== 48 || key === '0') return key;
  const m = /^(-?)0*(\d+)$/.exec(key);
  return m === null ? key : m[2] === '0' ? '0' : m[1]! + m[2]!;
}

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
          const fresh = key === undefined ? keys.addSpan(keyStart, keyEnd) : keys.add(canonicalMapKey(kf.kind, key));
          if (!fresh) throw new CodecError('', 'map key appears more than once', s.pos);
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

  protected mapKey(kf: FieldPlan, key: string): void {
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
}
