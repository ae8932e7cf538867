import { CodecError } from '../../../errors/codec-error.js';
import { base64DecodedLength, decodeBase64Into } from '../../bytes/base64.js';
import { JsonKind } from '../../json/scanner.js';
import { quoteJsonString } from '../../json/quote.js';
import { W, type MessagePlan } from '../plan.js';
import { prefixPath } from '../path.js';
import { ScalarEncoder, NO_BYTES } from './scalars.js';

/** `$unknown` members (base64 wire data, checked, written after the known fields) and unknown keys. */
export abstract class UnknownFields extends ScalarEncoder {
  /**
   * A key that names no field: `$unknown` when unknown fields pass through
   * (returns true when more members follow it, so the caller redoes the object
   * to write it last), skipped if unknown keys are ignored, else an error.
   */
  protected unknownKey(plan: MessagePlan, key: string, skipAtType: boolean, depth: number): boolean {
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
  protected keepsUnknown(plan: MessagePlan): boolean {
    return this.keepUnknown && (plan.wkt === W.NONE || this.plainWkt);
  }

  /**
   * The value of `$unknown`: base64 (standard or URL-safe) of protobuf wire
   * data, checked to be well-formed and written as it is; null writes nothing.
   */
  protected unknownFields(depth: number): void {
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
  protected checkWireData(buf: Uint8Array, start: number, end: number, at: number, depth: number): void {
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
}
