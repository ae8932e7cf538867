import { CodecError } from '../../errors/codec-error.js';
import { readFloat64LE } from '../bytes/float64-bytes.js';
import { VarintReader } from '../bytes/varint.js';
import { FROM_COMPACT } from './compact-types.js';
import type { ThriftReader } from './protocol.js';
import { skipValue } from './skip.js';
import { TType } from './types.js';

/**
 * TCompactProtocol reader. Translates compact type ids to binary `TType`s so
 * the transcoders are protocol-agnostic; a bool field's value travels in its
 * header and is handed out by the next `bool()`.
 */
export class CompactReader extends VarintReader implements ThriftReader {
  fieldId = 0;
  len = 0;
  size = 0;
  valueType = 0;
  private last = 0;
  private stack: number[] = [];
  private depth = 0;
  /** -1: none; 0/1: the value of the bool field just read. */
  private pendingBool = -1;

  override reset(buf: Uint8Array, start = 0, end = buf.length): this {
    super.reset(buf, start, end);
    this.last = 0;
    this.depth = 0;
    this.pendingBool = -1;
    return this;
  }

  structBegin(): void {
    this.stack[this.depth++] = this.last;
    this.last = 0;
  }

  structEnd(): void {
    this.last = this.stack[--this.depth]!;
  }

  fieldBegin(): number {
    const at = this.pos;
    if (at >= this.end) throw this.truncated();
    const b = this.buf[at]!;
    this.pos = at + 1;
    if (b === 0) return TType.STOP;
    const ct = b & 0x0f;
    const delta = b >> 4;
    let id: number;
    if (delta !== 0) id = this.last + delta;
    else {
      const z = this.varint32();
      id = (z >>> 1) ^ -(z & 1);
      if (id < -32768 || id > 32767) throw new CodecError('', `field id ${id} out of range`, at);
    }
    this.last = id;
    this.fieldId = id;
    const t = FROM_COMPACT[ct]!;
    if (t === 255) throw new CodecError('', `invalid compact type ${ct}`, at);
    if (t === TType.BOOL) this.pendingBool = ct === 1 ? 1 : 0;
    return t;
  }

  bool(): boolean {
    const pb = this.pendingBool;
    if (pb >= 0) {
      this.pendingBool = -1;
      return pb === 1;
    }
    const p = this.pos;
    if (p >= this.end) throw this.truncated();
    this.pos = p + 1;
    return this.buf[p] === 1;
  }

  byte(): number {
    this.pendingBool = -1;
    const p = this.pos;
    if (p >= this.end) throw this.truncated();
    this.pos = p + 1;
    return (this.buf[p]! << 24) >> 24;
  }

  i16(): number {
    const at = this.pos;
    const z = this.varint32();
    const v = (z >>> 1) ^ -(z & 1);
    if (v < -32768 || v > 32767) throw new CodecError('', `i16 value ${v} out of range`, at);
    return v;
  }

  i32(): number {
    const z = this.varint32();
    return (z >>> 1) ^ -(z & 1);
  }

  i64(): number {
    const lo = this.varint64();
    const hi = this.hi;
    const mask = -(lo & 1);
    this.hi = ((hi >>> 1) ^ mask) | 0;
    return ((lo >>> 1) | (hi << 31)) ^ mask;
  }

  double(): number {
    const p = this.pos;
    if (p + 8 > this.end) throw this.truncated();
    this.pos = p + 8;
    return readFloat64LE(this.buf, p);
  }

  bytesBegin(): number {
    const at = this.pos;
    const n = this.size32(at);
    const start = this.pos;
    if (n > this.end - start) throw new CodecError('', `length ${n} exceeds the ${this.end - start} bytes left`, at);
    this.len = n;
    this.pos = start + n;
    return start;
  }

  uuidBegin(): number {
    const p = this.pos;
    if (p + 16 > this.end) throw this.truncated();
    this.pos = p + 16;
    return p;
  }

  listBegin(): number {
    const at = this.pos;
    if (at >= this.end) throw this.truncated();
    const b = this.buf[at]!;
    this.pos = at + 1;
    let n = b >> 4;
    if (n === 15) {
      n = this.size32(at);
    }
    if (n > this.end - this.pos) throw new CodecError('', `size ${n} exceeds the ${this.end - this.pos} bytes left`, at);
    const t = FROM_COMPACT[b & 0x0f]!;
    if (t === 255 && n > 0) throw new CodecError('', `invalid compact type ${b & 0x0f}`, at);
    this.size = n;
    return t;
  }

  mapBegin(): number {
    const at = this.pos;
    const n = this.size32(at);
    if (n === 0) {
      this.size = 0;
      this.valueType = 0;
      return 0;
    }
    if (this.pos >= this.end) throw this.truncated();
    const b = this.buf[this.pos++]!;
    if (n > this.end - this.pos) throw new CodecError('', `size ${n} exceeds the ${this.end - this.pos} bytes left`, at);
    const kt = FROM_COMPACT[b >> 4]!;
    const vt = FROM_COMPACT[b & 0x0f]!;
    if (kt === 255 || vt === 255) throw new CodecError('', `invalid compact map types ${b >> 4}/${b & 0x0f}`, at);
    this.size = n;
    this.valueType = vt;
    return kt;
  }

  /** A length or count: a varint of at most 5 bytes, below 2^31. */
  private size32(at: number): number {
    const buf = this.buf;
    let p = this.pos;
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (p >= this.end) throw this.truncated();
      const b = buf[p++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) {
        if (v > 0x7fffffff) throw new CodecError('', `size ${v} is too large`, at);
        this.pos = p;
        return v;
      }
    }
    throw new CodecError('', 'size varint longer than 5 bytes', at);
  }

  skip(ttype: number, depth: number): void {
    skipValue(this, ttype, depth);
  }
}
