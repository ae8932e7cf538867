import { CodecError } from '../../errors/codec-error.js';
import { readFloat64BE } from '../bytes/float64-bytes.js';
import type { ThriftReader } from './protocol.js';
import { skipValue } from './skip.js';

/**
 * TBinaryProtocol reader over a byte range. Every length and count is checked
 * against the bytes that remain before anything is allocated or looped over,
 * so a hostile 2 GB length fails fast.
 */
export class BinaryReader implements ThriftReader {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  end = 0;
  fieldId = 0;
  hi = 0;
  len = 0;
  size = 0;
  valueType = 0;

  reset(buf: Uint8Array, start: number, end: number): void {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  structBegin(): void {}
  structEnd(): void {}

  fieldBegin(): number {
    const p = this.pos;
    if (p >= this.end) throw truncated(p);
    const t = this.buf[p]!;
    if (t === 0) {
      this.pos = p + 1;
      return 0;
    }
    if (p + 3 > this.end) throw truncated(p);
    this.fieldId = ((this.buf[p + 1]! << 24) | (this.buf[p + 2]! << 16)) >> 16;
    this.pos = p + 3;
    return t;
  }

  bool(): boolean {
    const p = this.pos;
    if (p >= this.end) throw truncated(p);
    this.pos = p + 1;
    return this.buf[p] !== 0;
  }

  byte(): number {
    const p = this.pos;
    if (p >= this.end) throw truncated(p);
    this.pos = p + 1;
    return (this.buf[p]! << 24) >> 24;
  }

  i16(): number {
    const p = this.pos;
    if (p + 2 > this.end) throw truncated(p);
    this.pos = p + 2;
    return ((this.buf[p]! << 24) | (this.buf[p + 1]! << 16)) >> 16;
  }

  i32(): number {
    const p = this.pos;
    if (p + 4 > this.end) throw truncated(p);
    const b = this.buf;
    this.pos = p + 4;
    return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }

  i64(): number {
    const p = this.pos;
    if (p + 8 > this.end) throw truncated(p);
    const b = this.buf;
    this.pos = p + 8;
    this.hi = (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
    return (b[p + 4]! << 24) | (b[p + 5]! << 16) | (b[p + 6]! << 8) | b[p + 7]!;
  }

  double(): number {
    const p = this.pos;
    if (p + 8 > this.end) throw truncated(p);
    this.pos = p + 8;
    return readFloat64BE(this.buf, p);
  }

  bytesBegin(): number {
    const at = this.pos;
    const n = this.i32();
    if (n < 0) throw new CodecError('', `negative length ${n}`, at);
    const start = this.pos;
    if (n > this.end - start) throw new CodecError('', `length ${n} exceeds the ${this.end - start} bytes left`, at);
    this.len = n;
    this.pos = start + n;
    return start;
  }

  uuidBegin(): number {
    const p = this.pos;
    if (p + 16 > this.end) throw truncated(p);
    this.pos = p + 16;
    return p;
  }

  listBegin(): number {
    const at = this.pos;
    if (at + 5 > this.end) throw truncated(at);
    const t = this.buf[at]!;
    this.pos = at + 1;
    const n = this.i32();
    // Every element takes at least one byte: a larger count cannot be genuine.
    if (n < 0) throw new CodecError('', `negative size ${n}`, at);
    if (n > this.end - this.pos) throw new CodecError('', `size ${n} exceeds the ${this.end - this.pos} bytes left`, at);
    this.size = n;
    return t;
  }

  mapBegin(): number {
    const at = this.pos;
    if (at + 6 > this.end) throw truncated(at);
    const kt = this.buf[at]!;
    this.valueType = this.buf[at + 1]!;
    this.pos = at + 2;
    const n = this.i32();
    if (n < 0) throw new CodecError('', `negative size ${n}`, at);
    if (n > this.end - this.pos) throw new CodecError('', `size ${n} exceeds the ${this.end - this.pos} bytes left`, at);
    this.size = n;
    return kt;
  }

  skip(ttype: number, depth: number): void {
    skipValue(this, ttype, depth);
  }
}

/** The error for data that ends inside a value. */
export function truncated(at: number): CodecError {
  return new CodecError('', 'truncated data', at);
}
