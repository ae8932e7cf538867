import type { ByteWriter } from '../bytes/byte-writer.js';

/**
 * What the transcoders need from a protocol writer. Wire types are always the
 * binary protocol's `TType` ids; the compact writer translates. Containers
 * whose size is not known up front (JSON arrays and objects are streamed) are
 * opened with `listBegin`/`mapBegin` and closed with the final count.
 */
export interface ThriftWriter {
  /** Starts writing into `w` at its current position. */
  begin(w: ByteWriter): void;
  structBegin(): void;
  /** Writes STOP and closes the struct. */
  structEnd(): void;
  fieldBegin(ttype: number, id: number): void;
  /** A whole bool field (compact folds the value into the header). */
  fieldBool(id: number, v: boolean): void;
  bool(v: boolean): void;
  byte(v: number): void;
  i16(v: number): void;
  i32(v: number): void;
  /** An i64 from its halves (int32 bit patterns). */
  i64(lo: number, hi: number): void;
  double(v: number): void;
  string(s: string): void;
  /** The string `text.slice(start, end)`, written straight from `text` (a JSON string's span, no escapes). */
  stringSpan(text: string, start: number, end: number): void;
  binary(b: Uint8Array): void;
  /** 16 raw bytes. */
  uuid(b: Uint8Array): void;
  /** Bytes already in wire form (precomputed defaults). */
  raw(b: Uint8Array): void;
  /** Opens a list/set of unknown size; returns a mark for `listEnd`. */
  listBegin(elemType: number): number;
  listEnd(mark: number, size: number, elemType: number): void;
  /** Opens a map of unknown size; returns a mark for `mapEnd`. */
  mapBegin(keyType: number, valueType: number): number;
  mapEnd(mark: number, size: number, keyType: number, valueType: number): void;
  /** Headers when the size is known. */
  listHeader(elemType: number, size: number): void;
  mapHeader(keyType: number, valueType: number, size: number): void;
}

/**
 * What the transcoders need from a protocol reader. Errors are `CodecError`s
 * with an empty path and the byte offset.
 */
export interface ThriftReader {
  buf: Uint8Array;
  pos: number;
  end: number;
  /** Points the reader at `buf[start, end)`. */
  reset(buf: Uint8Array, start: number, end: number): void;
  structBegin(): void;
  structEnd(): void;
  /** Reads a field header: returns the wire type (STOP = 0) and sets `fieldId`. */
  fieldBegin(): number;
  fieldId: number;
  bool(): boolean;
  byte(): number;
  i16(): number;
  i32(): number;
  /** Reads an i64: returns the low half, sets `hi`. */
  i64(): number;
  hi: number;
  double(): number;
  /** Reads a string/binary length prefix and checks the bytes are there; returns the start (length in `len`). */
  bytesBegin(): number;
  len: number;
  /** Reads 16 uuid bytes; returns their start. */
  uuidBegin(): number;
  /** Reads a list/set header: returns the element type, size in `size`. */
  listBegin(): number;
  /** Reads a map header: returns the key type; value type in `valueType`, size in `size`. */
  mapBegin(): number;
  size: number;
  valueType: number;
  /** Skips one value of a wire type. */
  skip(ttype: number, depth: number): void;
}
