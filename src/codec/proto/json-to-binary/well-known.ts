import { CodecError } from '../../../errors/codec-error.js';
import { writeVarint64, writeVarintInt32 } from '../../bytes/varint.js';
import { JsonKind } from '../../json/scanner.js';
import { quoteJsonString } from '../../json/quote.js';
import { K, W, planOf, type MessagePlan } from '../plan.js';
import { prefixPath } from '../path.js';
import { MAX_DEPTH } from '../reader.js';
import { parseTimestamp, type SecondsNanos } from '../well-known/timestamp.js';
import { parseDuration } from '../well-known/duration.js';
import { pathFromJson } from '../well-known/field-mask.js';
import { TWO32 } from './scalars.js';
import { UnknownFields } from './unknown-fields.js';
import { RepeatedKeys } from './repeated-keys.js';

/** Well-known types read from their own JSON forms: Timestamp, Duration, FieldMask, Struct/Value/ListValue, Any. */
export abstract class WellKnownTypes extends UnknownFields {
  /** The last Timestamp or Duration read. */
  private readonly sn: SecondsNanos = { seconds: 0, nanos: 0 };
  /** The last Timestamp or Duration string that had escapes, decoded. */
  private escaped: string | undefined = undefined;
  // Defined by the layers above.
  protected abstract messageValue(plan: MessagePlan, depth: number): void;
  protected abstract object(plan: MessagePlan, depth: number, skipAtType: boolean): void;

  protected readStringFor(what: string): string {
    if (this.s.peek() !== JsonKind.String) throw this.typeError(`a string (${what})`);
    return this.s.readString();
  }

  protected timestamp(): void {
    const at = this.s.pos;
    const ok = this.stringSpanFor('RFC 3339 timestamp', parseTimestamp);
    if (!ok) throw new CodecError('', `invalid Timestamp ${quoteJsonString(this.spanString())}`, at);
    this.secondsNanos(this.sn.seconds, this.sn.nanos);
  }

  protected duration(): void {
    const at = this.s.pos;
    const ok = this.stringSpanFor('duration such as "1.5s"', parseDuration);
    if (!ok) throw new CodecError('', `invalid Duration ${quoteJsonString(this.spanString())}`, at);
    this.secondsNanos(this.sn.seconds, this.sn.nanos);
  }

  /**
   * Reads a string value and parses it in place with `parse` into `sn`. A string with
   * escapes (rare here) is decoded first; `spanString()` then gives it for a message.
   */
  private stringSpanFor(what: string, parse: (text: string, start: number, end: number, out: SecondsNanos) => boolean): boolean {
    const s = this.s;
    if (s.peek() !== JsonKind.String) throw this.typeError(`a string (${what})`);
    if (s.readStringSpan()) {
      this.escaped = undefined;
      return parse(s.text, s.spanStart, s.spanEnd, this.sn);
    }
    const str = (this.escaped = s.readString());
    return parse(str, 0, str.length, this.sn);
  }

  /** The string `stringSpanFor` read last. */
  private spanString(): string {
    return this.escaped ?? this.s.text.slice(this.s.spanStart, this.s.spanEnd);
  }

  protected secondsNanos(seconds: number, nanos: number): void {
    if (seconds !== 0) {
      this.tag(0x08);
      writeVarint64(this.w, seconds >>> 0, Math.floor(seconds / TWO32) >>> 0);
    }
    if (nanos !== 0) {
      this.tag(0x10);
      writeVarintInt32(this.w, nanos);
    }
  }

  protected fieldMask(): void {
    const at = this.s.pos;
    const str = this.readStringFor('field mask');
    if (str === '') return;
    for (const p of str.split(',')) {
      const path = pathFromJson(p);
      if (path === undefined || path === '') throw new CodecError('', `invalid FieldMask path ${quoteJsonString(p)}`, at);
      this.tag(0x0a);
      this.writeString(path);
    }
  }

  /** google.protobuf.Value from any JSON value. */
  protected value(depth: number): void {
    if (depth > MAX_DEPTH) throw this.s.error(`nesting deeper than ${MAX_DEPTH}`);
    const s = this.s;
    switch (s.peek()) {
      case JsonKind.Null:
        s.readNullIf();
        this.tag(0x08);
        this.w.writeByte(0);
        return;
      case JsonKind.Number:
        this.tag(0x11);
        this.writeNum(K.DOUBLE, this.readDouble(K.DOUBLE));
        return;
      case JsonKind.String:
        this.tag(0x1a);
        if (!this.plainString()) this.writeString(s.readString());
        return;
      case JsonKind.True:
      case JsonKind.False:
        this.tag(0x20);
        this.w.writeByte(s.readBoolean() ? 1 : 0);
        return;
      case JsonKind.Object: {
        this.tag(0x2a);
        const at = this.beginLen();
        this.struct(depth + 1);
        this.endLen(at);
        return;
      }
      case JsonKind.Array: {
        this.tag(0x32);
        const at = this.beginLen();
        this.list(depth + 1);
        this.endLen(at);
        return;
      }
      default:
        throw this.typeError('a JSON value');
    }
  }

  protected struct(depth: number): void {
    const s = this.s;
    if (s.peek() !== JsonKind.Object) throw this.typeError('an object (Struct)');
    s.pos++;
    if (!s.objectFirst()) return;
    const keys = this.keySet(depth);
    const text = s.text;
    do {
      // A key without escapes is a span of the text, checked and written in place.
      let key: string | undefined;
      let keyStart = 0;
      let keyEnd = 0;
      if (s.keySpan()) {
        keyStart = s.spanStart;
        keyEnd = s.spanEnd;
      } else key = s.key();
      try {
        if (!(key === undefined ? keys.addSpan(keyStart, keyEnd) : keys.add(key))) throw new CodecError('', 'key appears more than once', s.pos);
        this.tag(0x0a);
        const at = this.beginLen();
        this.tag(0x0a);
        if (key === undefined) this.writeSpan(text, keyStart, keyEnd);
        else this.writeString(key);
        this.tag(0x12);
        const at2 = this.beginLen();
        this.value(depth + 1);
        this.endLen(at2);
        this.endLen(at);
      } catch (e) {
        throw prefixPath(e, `[${quoteJsonString(key ?? text.slice(keyStart, keyEnd))}]`);
      }
    } while (s.objectNext());
  }

  protected list(depth: number): void {
    const s = this.s;
    if (s.peek() !== JsonKind.Array) throw this.typeError('an array (ListValue)');
    s.pos++;
    if (!s.firstItem()) return;
    let i = 0;
    do {
      try {
        this.tag(0x0a);
        const at = this.beginLen();
        this.value(depth + 1);
        this.endLen(at);
      } catch (e) {
        throw prefixPath(e, `[${i}]`);
      }
      i++;
    } while (s.nextItem());
  }

  protected any(depth: number): void {
    const s = this.s;
    if (s.peek() !== JsonKind.Object) throw this.typeError('an object (Any)');
    const objStart = s.pos;
    s.pos++;
    let typeUrl: string | undefined;
    let empty = true;
    for (let key = s.firstKey(); key !== undefined; key = s.nextKey()) {
      empty = false;
      if (key === '@type') {
        try {
          if (typeUrl !== undefined) throw new CodecError('', '"@type" appears more than once', s.pos);
          typeUrl = this.readStringFor('type URL');
        } catch (e) {
          throw prefixPath(e, '@type');
        }
      } else s.skipValue();
    }
    if (typeUrl === undefined) {
      if (empty) return;
      throw new CodecError('', 'Any is missing "@type"', objStart);
    }
    const typeName = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
    const inner = this.resolver?.findMessage(typeName);
    if (inner === undefined) throw new CodecError('@type', `cannot resolve type ${quoteJsonString(typeUrl)}`, objStart);
    this.tag(0x0a);
    this.writeString(typeUrl);
    this.tag(0x12);
    const at = this.beginLen();
    const plan = planOf(inner);
    s.pos = objStart;
    if (plan.wkt !== W.NONE && plan.wkt !== W.EMPTY) {
      s.pos++;
      for (let key = s.firstKey(); key !== undefined; key = s.nextKey()) {
        if (key === '@type') s.skipValue();
        else if (key === 'value') {
          try {
            this.messageValue(plan, depth + 1);
          } catch (e) {
            throw prefixPath(e, 'value');
          }
        } else throw new CodecError(key, `unknown field ${quoteJsonString(key)} in Any holding ${inner.fullName}`, s.pos);
      }
    } else this.object(plan, depth + 1, true);
    this.endLen(at);
  }

  /** The reused, emptied record of the keys of a map or Struct object at `depth`. */
  protected keySet(depth: number): RepeatedKeys {
    return (this.keySets[depth] ??= new RepeatedKeys()).reset(this.s.text);
  }
}
