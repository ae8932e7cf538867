import type { ByteWriter } from '../bytes/byte-writer.js';
import { writeFloat64BE } from '../bytes/float64-bytes.js';
import { writeUtf8 } from '../bytes/utf8.js';
import type { ThriftWriter } from './protocol.js';

/**
 * TBinaryProtocol (strict) writer. Struct lengths are not part of the wire
 * format, so everything is written straight through; list and map sizes are
 * back-patched when the streamed JSON container ends.
 */
export class BinaryWriter implements ThriftWriter {
  w!: ByteWriter;

  begin(w: ByteWriter): void {
    this.w = w;
  }

  structBegin(): void {}

  structEnd(): void {
    const w = this.w;
    if (w.pos >= w.buf.length) w.ensure(1);
    w.buf[w.pos++] = 0;
  }

  fieldBegin(ttype: number, id: number): void {
    const w = this.w;
    if (w.pos + 3 > w.buf.length) w.ensure(3);
    const b = w.buf;
    const p = w.pos;
    b[p] = ttype;
    b[p + 1] = id >> 8;
    b[p + 2] = id;
    w.pos = p + 3;
  }

  fieldBool(id: number, v: boolean): void {
    const w = this.w;
    if (w.pos + 4 > w.buf.length) w.ensure(4);
    const b = w.buf;
    const p = w.pos;
    b[p] = 2;
    b[p + 1] = id >> 8;
    b[p + 2] = id;
    b[p + 3] = v ? 1 : 0;
    w.pos = p + 4;
  }

  bool(v: boolean): void {
    const w = this.w;
    if (w.pos >= w.buf.length) w.ensure(1);
    w.buf[w.pos++] = v ? 1 : 0;
  }

  byte(v: number): void {
    const w = this.w;
    if (w.pos >= w.buf.length) w.ensure(1);
    w.buf[w.pos++] = v;
  }

  i16(v: number): void {
    const w = this.w;
    if (w.pos + 2 > w.buf.length) w.ensure(2);
    const b = w.buf;
    const p = w.pos;
    b[p] = v >> 8;
    b[p + 1] = v;
    w.pos = p + 2;
  }

  i32(v: number): void {
    const w = this.w;
    if (w.pos + 4 > w.buf.length) w.ensure(4);
    const b = w.buf;
    const p = w.pos;
    b[p] = v >>> 24;
    b[p + 1] = v >> 16;
    b[p + 2] = v >> 8;
    b[p + 3] = v;
    w.pos = p + 4;
  }

  i64(lo: number, hi: number): void {
    const w = this.w;
    if (w.pos + 8 > w.buf.length) w.ensure(8);
    const b = w.buf;
    const p = w.pos;
    b[p] = hi >>> 24;
    b[p + 1] = hi >> 16;
    b[p + 2] = hi >> 8;
    b[p + 3] = hi;
    b[p + 4] = lo >>> 24;
    b[p + 5] = lo >> 16;
    b[p + 6] = lo >> 8;
    b[p + 7] = lo;
    w.pos = p + 8;
  }

  double(v: number): void {
    const w = this.w;
    if (w.pos + 8 > w.buf.length) w.ensure(8);
    writeFloat64BE(w.buf, w.pos, v);
    w.pos += 8;
  }

  string(s: string): void {
    const w = this.w;
    const len = s.length;
    w.ensure(4 + len * 3);
    const b = w.buf;
    const start = w.pos + 4;
    let n: number;
    if (len < 16) {
      // Short ASCII strings: a plain loop beats the encoder call.
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[start + i] = c;
      }
      n = i === len ? len : writeUtf8(s, b, start);
    } else {
      n = writeUtf8(s, b, start);
    }
    endString(w, n);
  }

  stringSpan(text: string, start: number, end: number): void {
    const w = this.w;
    const len = end - start;
    w.ensure(4 + len * 3);
    const b = w.buf;
    const at = w.pos + 4;
    // ASCII (the common case) is copied from the source text itself: no slice, one loop
    let i = 0;
    for (; i < len; i++) {
      const c = text.charCodeAt(start + i);
      if (c >= 0x80) break;
      b[at + i] = c;
    }
    endString(w, i === len ? len : writeUtf8(text.slice(start, end), b, at));
  }

  binary(bytes: Uint8Array): void {
    this.i32(bytes.length);
    this.w.writeBytes(bytes);
  }

  uuid(bytes: Uint8Array): void {
    this.w.writeBytes(bytes);
  }

  raw(bytes: Uint8Array): void {
    this.w.writeBytes(bytes);
  }

  listBegin(elemType: number): number {
    const w = this.w;
    if (w.pos + 5 > w.buf.length) w.ensure(5);
    w.buf[w.pos] = elemType;
    const mark = w.pos + 1;
    w.pos += 5;
    return mark;
  }

  listEnd(mark: number, size: number): void {
    const b = this.w.buf;
    b[mark] = size >>> 24;
    b[mark + 1] = size >> 16;
    b[mark + 2] = size >> 8;
    b[mark + 3] = size;
  }

  mapBegin(keyType: number, valueType: number): number {
    const w = this.w;
    if (w.pos + 6 > w.buf.length) w.ensure(6);
    w.buf[w.pos] = keyType;
    w.buf[w.pos + 1] = valueType;
    const mark = w.pos + 2;
    w.pos += 6;
    return mark;
  }

  mapEnd(mark: number, size: number): void {
    const b = this.w.buf;
    b[mark] = size >>> 24;
    b[mark + 1] = size >> 16;
    b[mark + 2] = size >> 8;
    b[mark + 3] = size;
  }

  listHeader(elemType: number, size: number): void {
    this.byte(elemType);
    this.i32(size);
  }

  mapHeader(keyType: number, valueType: number, size: number): void {
    this.byte(keyType);
    this.byte(valueType);
    this.i32(size);
  }
}

/** Writes the length prefix of the `n` string bytes already written after it, and moves past them. */
function endString(w: ByteWriter, n: number): void {
  const b = w.buf;
  const p = w.pos;
  b[p] = n >>> 24;
  b[p + 1] = n >> 16;
  b[p + 2] = n >> 8;
  b[p + 3] = n;
  w.pos = p + 4 + n;
}
