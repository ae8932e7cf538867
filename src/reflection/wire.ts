/**
 * The few protobuf wire operations descriptors, reflection and health messages need, written
 * directly: their messages have fixed shapes, so a reader and a writer over tags beat going
 * through JSON (and keep `file_descriptor_proto` bytes as views, never copied).
 */
import { ByteWriter } from '../codec/bytes/byte-writer.js';
import { readUtf8, utf8Length, writeUtf8 } from '../codec/bytes/utf8.js';
import { writeVarint32, writeVarintInt32 } from '../codec/bytes/varint.js';
import { MAX_DEPTH, ProtoReader } from '../codec/proto/reader.js';
import { CodecError } from '../errors/codec-error.js';

/** Wire types. */
export const VARINT = 0;
export const FIXED64 = 1;
export const LEN = 2;
export const START_GROUP = 3;
export const END_GROUP = 4;
export const FIXED32 = 5;

/**
 * Reads protobuf wire data: the codec's reader (tags, lengths, fixed widths, skipping) plus
 * strings, byte views and group bounds. Errors are `CodecError`s carrying the byte offset.
 */
export class WireReader extends ProtoReader {
  constructor(buf?: Uint8Array, start = 0, end = buf?.length ?? 0) {
    super();
    if (buf) this.reset(buf, start, end);
  }

  /** A varint as a signed 32-bit integer (int32, enum). */
  int32(): number {
    return this.varint32() | 0;
  }

  /** A varint as a boolean. */
  bool(): boolean {
    const lo = this.varint64();
    return lo !== 0 || this.hi !== 0;
  }

  /** A length-delimited value as a view of the input (not a copy). */
  bytes(): Uint8Array {
    const end = this.lengthEnd();
    const out = this.buf.subarray(this.pos, end);
    this.pos = end;
    return out;
  }

  /** A length-delimited UTF-8 string. */
  string(): string {
    const at = this.pos;
    const end = this.lengthEnd();
    const s = readUtf8(this.buf, this.pos, end);
    if (s === undefined) throw new CodecError('', 'string is not valid UTF-8', at);
    this.pos = end;
    return s;
  }

  /** Little-endian fixed 64 bits: returns the low half and sets `hi`. */
  fixed64(): number {
    const lo = this.fixed32();
    this.hi = this.fixed32();
    return lo;
  }

  /** Reads past a group's fields and its end tag; returns where the fields ended. */
  groupEnd(field: number, depth: number): number {
    if (depth > MAX_DEPTH) throw new CodecError('', `nesting deeper than ${MAX_DEPTH}`, this.pos);
    for (;;) {
      if (this.pos >= this.end) throw new CodecError('', `group ${field} is not closed`, this.pos);
      const at = this.pos;
      const t = this.tag();
      if ((t & 7) === END_GROUP) {
        if (t >>> 3 !== field) throw new CodecError('', `end-group tag ${t >>> 3} does not match group ${field}`, at);
        return at;
      }
      this.skip(t, depth + 1);
    }
  }
}

/** Writes protobuf wire data; nested messages are length-prefixed by `begin`/`end`. */
export class WireWriter extends ByteWriter {
  /** A tag. */
  tag(field: number, wireType: number): void {
    writeVarint32(this, ((field << 3) | wireType) >>> 0);
  }

  /** An unsigned varint field (uint32, or a non-negative number below 2^32). */
  uint32(field: number, v: number): void {
    this.tag(field, VARINT);
    writeVarint32(this, v);
  }

  /** An int32 or enum field: negative values take 10 bytes, as protobuf requires. */
  int32(field: number, v: number): void {
    this.tag(field, VARINT);
    writeVarintInt32(this, v);
  }

  /** A bare varint (an item of a packed run): negative values sign-extended, as for int32. */
  varintValue(v: number): void {
    writeVarintInt32(this, v);
  }

  /** A bool field. */
  bool(field: number, v: boolean): void {
    this.tag(field, VARINT);
    this.writeByte(v ? 1 : 0);
  }

  /** A string field (UTF-8). */
  string(field: number, s: string): void {
    this.tag(field, LEN);
    const n = s.length;
    if (n < 43) {
      // At most 126 UTF-8 bytes: a one-byte length, written after the string (no second scan).
      this.ensure(1 + n * 3);
      const at = this.pos;
      const len = writeUtf8(s, this.buf, at + 1);
      this.buf[at] = len;
      this.pos = at + 1 + len;
      return;
    }
    writeVarint32(this, utf8Length(s));
    this.writeString(s);
  }

  /** A bytes field (or an already-encoded message). */
  bytes(field: number, b: Uint8Array): void {
    this.tag(field, LEN);
    writeVarint32(this, b.length);
    this.writeBytes(b);
  }

  /** Opens a length-delimited field; pass the result to `end`. One length byte is reserved. */
  begin(field: number): number {
    this.tag(field, LEN);
    this.writeByte(0);
    return this.pos;
  }

  /** Closes a field opened by `begin`, moving its body when the length needs more than one byte. */
  end(start: number): void {
    const len = this.pos - start;
    if (len < 0x80) {
      this.buf[start - 1] = len;
      return;
    }
    const extra = (len < 0x4000 ? 2 : len < 0x200000 ? 3 : len < 0x10000000 ? 4 : 5) - 1;
    this.ensure(extra);
    this.buf.copyWithin(start + extra, start, this.pos);
    const body = this.pos;
    this.pos = start - 1;
    writeVarint32(this, len);
    this.pos = body + extra;
  }
}
