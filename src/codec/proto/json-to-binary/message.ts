import { CodecError } from '../../../errors/codec-error.js';
import { ByteWriter } from '../../bytes/byte-writer.js';
import { JsonKind } from '../../json/scanner.js';
import { quoteJsonString } from '../../json/quote.js';
import { K, W, subPlanOf, type FieldPlan, type KeyGuess, type MessagePlan } from '../plan.js';
import { prefixPath } from '../path.js';
import { MAX_DEPTH } from '../reader.js';
import { Maps } from './maps.js';

/**
 * JSON text → protobuf binary in one pass: the scanner is walked with the
 * message plan, values are written as they are read. Length-delimited values
 * get a one-byte length slot that is widened in place when the value turns
 * out longer than 127 bytes (a move of the tail, never a re-encode).
 */
export class JsonToBinary extends Maps {
  /** Encodes `json` as a `plan` message at `w.pos`. On error `w.pos` is restored. */
  encode(w: ByteWriter, plan: MessagePlan, json: string): void {
    this.w = w;
    const start = w.pos;
    const s = this.s.reset(json);
    try {
      try {
        // A top-level null is no message (only google.protobuf.Value reads null; dynamicgo
        // rejects it too: conv/j2p/decode.go `OnNull` at the root ends in "disMatched ValueEnd").
        this.messageValue(plan, 0);
        s.expectEnd();
      } catch (e) {
        throw prefixPath(e, plan.desc.name);
      }
    } catch (e) {
      w.pos = start;
      s.reset('');
      throw e;
    }
    s.reset('');
  }

  /** A message value: a JSON object, or a well-known type's special form. */
  protected override messageValue(plan: MessagePlan, depth: number): void {
    if (depth > MAX_DEPTH) throw this.s.error(`nesting deeper than ${MAX_DEPTH}`);
    switch (this.plainWkt ? W.NONE : plan.wkt) {
      case W.NONE:
      case W.EMPTY:
        this.object(plan, depth, false);
        return;
      case W.TIMESTAMP:
        this.timestamp();
        return;
      case W.DURATION:
        this.duration();
        return;
      case W.WRAPPER: {
        const f = plan.fields[0]!;
        this.scalar(f, f.kind, f.tag, true);
        return;
      }
      case W.VALUE:
        this.value(depth);
        return;
      case W.STRUCT:
        this.struct(depth);
        return;
      case W.LIST:
        this.list(depth);
        return;
      case W.FIELD_MASK:
        this.fieldMask();
        return;
      case W.ANY:
        this.any(depth);
        return;
    }
  }

  protected seenFor(depth: number, n: number): Uint32Array {
    let seen = this.seenStack[depth];
    if (seen === undefined || seen.length < n) seen = this.seenStack[depth] = new Uint32Array(Math.max(n, 32));
    return seen;
  }

  protected override object(plan: MessagePlan, depth: number, skipAtType: boolean): void {
    const s = this.s;
    if (s.peek() !== JsonKind.Object) throw this.typeError(`an object for ${plan.desc.fullName}`);
    const objStart = s.pos;
    const wStart = this.w.pos;
    s.pos++;
    if (!s.objectFirst()) return;
    const nf = plan.fields.length;
    // Slots: fields, then oneofs, then loaded extensions.
    const seen = this.seenFor(depth, nf + plan.oneofCount + (plan.extendable ? (this.ext?.of(plan)?.fields.length ?? 0) : 0));
    if (this.stamp >= 0xfffffffe) {
      for (const a of this.seenStack) a.fill(0);
      this.stamp = 0;
    }
    const stamp = ++this.stamp;
    const byKey = plan.byKey;
    const nextKey = plan.nextKey;
    const nextKey2 = plan.nextKey2;
    let prev = nf;
    do {
      let f: FieldPlan | undefined;
      const guess = nextKey[prev];
      let guess2: KeyGuess | undefined;
      if (guess !== undefined && s.keyIs(guess.quoted)) f = guess.field;
      else if ((guess2 = nextKey2[prev]) !== undefined && s.keyIs(guess2.quoted)) {
        f = guess2.field;
        nextKey2[prev] = guess;
        nextKey[prev] = guess2;
      } else {
        const key = s.key();
        f = byKey.get(key);
        if (f === undefined) {
          const x = plan.extendable ? this.extensionByKey(plan, key) : undefined;
          if (x !== undefined) {
            this.extensionMember(plan, x, seen, plan.oneofCount + x.index, stamp, depth);
            prev = nf; // extensions take no part in the key-order guesses
            continue;
          }
          if (this.unknownKey(plan, key, skipAtType, depth)) {
            // `$unknown` before other members: start over in the mode that writes it last.
            this.w.pos = wStart;
            s.pos = objStart;
            this.objectLastWins(plan, depth, skipAtType);
            return;
          }
          continue;
        }
        nextKey2[prev] = guess;
        nextKey[prev] = key === f.jsonName ? f.jsonGuess : key === f.name ? f.protoGuess : undefined;
      }
      prev = f.index;
      if (seen[f.index] === stamp) {
        if (!this.kitex) throw this.duplicateError(plan, f);
        // A duplicate key: start over in the two-pass mode that keeps the last one.
        this.w.pos = wStart;
        s.pos = objStart;
        this.objectLastWins(plan, depth, skipAtType);
        return;
      }
      seen[f.index] = stamp;
      let set: boolean;
      try {
        set = this.field(f, depth);
      } catch (e) {
        throw prefixPath(e, f.name);
      }
      if (set && f.oneof >= 0) {
        if (seen[nf + f.oneof] === stamp) throw this.oneofError(plan, f);
        seen[nf + f.oneof] = stamp;
      }
    } while (s.objectNext());
  }

  /** The loaded extension of (extendable) `plan` keyed `key` (`[pkg.ext]`), if any. */
  protected extensionByKey(plan: MessagePlan, key: string): FieldPlan | undefined {
    return key.charCodeAt(0) === 91 /* [ */ ? this.ext?.of(plan)?.byKey.get(key) : undefined;
  }

  /** An extension's member in the fast object loop: its value, once (`slot` in `seen`). */
  protected extensionMember(plan: MessagePlan, x: FieldPlan, seen: Uint32Array, slot: number, stamp: number, depth: number): void {
    if (seen[slot] === stamp && !this.kitex) throw this.duplicateError(plan, x);
    seen[slot] = stamp;
    try {
      this.field(x, depth);
    } catch (e) {
      throw prefixPath(e, x.name);
    }
  }

  /** A field's key seen twice in one object (under either of its names). */
  protected duplicateError(plan: MessagePlan, f: FieldPlan): CodecError {
    const names = f.jsonName === f.name ? quoteJsonString(f.name) : `${quoteJsonString(f.jsonName)} or ${quoteJsonString(f.name)}`;
    return new CodecError(f.name, `field ${names} of ${plan.desc.fullName} appears more than once`, this.s.pos);
  }

  protected oneofError(plan: MessagePlan, f: FieldPlan): CodecError {
    return new CodecError(f.name, `more than one field of oneof ${plan.desc.oneofs[f.oneof]!.name} is set`, this.s.pos);
  }

  /** Slow path for objects with duplicate keys: find each field's last value, then encode only those. */
  protected objectLastWins(plan: MessagePlan, depth: number, skipAtType: boolean): void {
    const s = this.s;
    const objStart = s.pos;
    const x = plan.extendable ? this.ext?.of(plan) : undefined;
    const last = new Int32Array(x !== undefined ? x.all.length : plan.fields.length).fill(-1);
    s.pos++;
    for (let key = s.firstKey(); key !== undefined; key = s.nextKey()) {
      const f = plan.byKey.get(key) ?? (x !== undefined ? x.byKey.get(key) : undefined);
      if (f !== undefined) {
        if (last[f.index] >= 0 && !this.kitex) throw this.duplicateError(plan, f);
        last[f.index] = s.pos;
      }
      s.skipValue();
    }
    s.pos = objStart + 1;
    const oneofSet = new Uint8Array(plan.oneofCount);
    let unknownAt = -1;
    for (let key = s.firstKey(); key !== undefined; key = s.nextKey()) {
      const f = plan.byKey.get(key) ?? (x !== undefined ? x.byKey.get(key) : undefined);
      if (f === undefined) {
        if (key === '$unknown' && this.keepsUnknown(plan)) {
          if (unknownAt >= 0 && !this.kitex) throw new CodecError('$unknown', '"$unknown" appears more than once', s.pos);
          unknownAt = s.pos;
          s.skipValue();
        } else this.unknownKey(plan, key, skipAtType, depth);
        continue;
      }
      if (last[f.index] !== s.pos) {
        s.skipValue();
        continue;
      }
      let set: boolean;
      try {
        set = this.field(f, depth);
      } catch (e) {
        throw prefixPath(e, f.name);
      }
      if (set && f.oneof >= 0) {
        if (oneofSet[f.oneof] === 1) throw this.oneofError(plan, f);
        oneofSet[f.oneof] = 1;
      }
    }
    if (unknownAt >= 0) {
      // The last `$unknown`, after the known fields.
      const endPos = s.pos;
      s.pos = unknownAt;
      this.unknownFields(depth);
      s.pos = endPos;
    }
  }

  /** Encodes one field's value; returns false when it was `null` (left unset). */
  protected field(f: FieldPlan, depth: number): boolean {
    const s = this.s;
    if (s.peek() === JsonKind.Null) {
      if (!f.repeated && !this.plainWkt) {
        if (f.kind === K.MESSAGE && subPlanOf(f).wkt === W.VALUE) {
          s.readNullIf();
          this.tag(f.lenTag);
          this.w.writeByte(2);
          this.w.writeByte(0x08);
          this.w.writeByte(0);
          return true;
        }
        if (f.kind === K.ENUM && f.enumPlan!.isNullValue) {
          s.readNullIf();
          this.tag(f.tag);
          this.w.writeByte(0);
          return true;
        }
      }
      s.readNullIf();
      return false;
    }
    if (f.isMap) this.map(f, depth);
    else if (f.repeated) this.repeated(f, depth);
    else if (f.kind === K.MESSAGE) {
      this.tag(f.lenTag);
      const at = this.beginLen();
      this.messageValue(subPlanOf(f), depth + 1);
      this.endLen(at);
    } else if (f.kind === K.GROUP) {
      this.group(f, depth);
    } else this.scalar(f, f.kind, f.tag, !f.presence);
    return true;
  }

  protected override group(f: FieldPlan, depth: number): void {
    this.tag(((f.number << 3) | 3) >>> 0);
    this.messageValue(subPlanOf(f), depth + 1);
    this.tag(((f.number << 3) | 4) >>> 0);
  }
}
