import type { ByteWriter } from '../bytes/byte-writer.js';
import { writeFloat64LE } from '../bytes/float64-bytes.js';
import { utf8Length, writeUtf8 } from '../bytes/utf8.js';
import { varint32Size, writeVarint32, writeVarint64, zigzagEncode32 } from '../bytes/varint.js';
import { TO_COMPACT } from './compact-types.js';
import type { ThriftWriter } from './protocol.js';

/**
 * TCompactProtocol writer: field ids as deltas, zigzag varints, bools folded
 * into field headers, little-endian doubles. Container headers hold the size
 * in front of the elements, so a streamed container reserves one byte and
 * shifts its elements when the final header turns out longer.
 */
export class CompactWriter implements ThriftWriter {
  w!: ByteWriter;
  private last = 0;
  private stack: number[] = [];
  private depth = 0;

  begin(w: ByteWriter): void {
    this.w = w;
    this.last = 0;
    this.depth = 0;
  }

  structBegin(): void {
    this.stack[this.depth++] = this.last;
    this.last = 0;
  }

  structEnd(): void {
    this.byte(0);
    this.last = this.stack[--this.depth]!;
  }

  private header(ct: number, id: number): void {
    const delta = id - this.last;
    if (delta > 0 && delta <= 15) this.byte((delta << 4) | ct);
    else {
      this.byte(ct);
      writeVarint32(this.w, zigzagEncode32(id));
    }
    this.last = id;
  }

  fieldBegin(ttype: number, id: number): void {
    this.header(TO_COMPACT[ttype]!, id);
  }

  fieldBool(id: number, v: boolean): void {
    this.header(v ? 1 : 2, id);
  }

  bool(v: boolean): void {
    this.byte(v ? 1 : 2);
  }

  byte(v: number): void {
    const w = this.w;
    if (w.pos >= w.buf.length) w.ensure(1);
    w.buf[w.pos++] = v;
  }

  i16(v: number): void {
    writeVarint32(this.w, zigzagEncode32(v));
  }

  i32(v: number): void {
    writeVarint32(this.w, zigzagEncode32(v));
  }

  i64(lo: number, hi: number): void {
    const sign = hi >> 31;
    writeVarint64(this.w, (lo << 1) ^ sign, ((hi << 1) | (lo >>> 31)) ^ sign);
  }

  double(v: number): void {
    const w = this.w;
    if (w.pos + 8 > w.buf.length) w.ensure(8);
    writeFloat64LE(w.buf, w.pos, v);
    w.pos += 8;
  }

  string(s: string): void {
    const n = utf8Length(s);
    writeVarint32(this.w, n);
    const w = this.w;
    w.ensure(s.length * 3);
    w.pos += writeUtf8(s, w.buf, w.pos);
  }

  stringSpan(text: string, start: number, end: number): void {
    this.string(text.slice(start, end));
  }

  binary(bytes: Uint8Array): void {
    writeVarint32(this.w, bytes.length);
    this.w.writeBytes(bytes);
  }

  uuid(bytes: Uint8Array): void {
    this.w.writeBytes(bytes);
  }

  raw(bytes: Uint8Array): void {
    this.w.writeBytes(bytes);
  }

  listBegin(): number {
    const w = this.w;
    const mark = w.pos;
    this.byte(0);
    return mark;
  }

  listEnd(mark: number, size: number, elemType: number): void {
    const ct = TO_COMPACT[elemType]!;
    if (size < 15) {
      this.w.buf[mark] = (size << 4) | ct;
      return;
    }
    const extra = varint32Size(size);
    this.shift(mark + 1, extra);
    const w = this.w;
    w.buf[mark] = 0xf0 | ct;
    const save = w.pos;
    w.pos = mark + 1;
    writeVarint32(w, size);
    w.pos = save;
  }

  mapBegin(): number {
    const w = this.w;
    const mark = w.pos;
    this.byte(0);
    return mark;
  }

  mapEnd(mark: number, size: number, keyType: number, valueType: number): void {
    if (size === 0) return; // the reserved 0 byte is the whole header
    const extra = varint32Size(size);
    this.shift(mark + 1, extra);
    const w = this.w;
    const save = w.pos;
    w.pos = mark;
    writeVarint32(w, size);
    w.buf[w.pos] = (TO_COMPACT[keyType]! << 4) | TO_COMPACT[valueType]!;
    w.pos = save;
  }

  /** Moves the bytes from `from` to the end right by `n`. */
  private shift(from: number, n: number): void {
    const w = this.w;
    w.ensure(n);
    w.buf.copyWithin(from + n, from, w.pos);
    w.pos += n;
  }

  listHeader(elemType: number, size: number): void {
    const ct = TO_COMPACT[elemType]!;
    if (size < 15) this.byte((size << 4) | ct);
    else {
      this.byte(0xf0 | ct);
      writeVarint32(this.w, size);
    }
  }

  mapHeader(keyType: number, valueType: number, size: number): void {
    if (size === 0) {
      this.byte(0);
      return;
    }
    writeVarint32(this.w, size);
    this.byte((TO_COMPACT[keyType]! << 4) | TO_COMPACT[valueType]!);
  }
}
