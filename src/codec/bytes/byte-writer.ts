import { writeUtf8 } from './utf8.js';

/**
 * A growable output buffer, reused across encodes: `reset()` keeps the
 * allocation, `finish()` copies out exactly the bytes written. Codecs write
 * through its public `buf`/`pos` directly in hot loops.
 */
export class ByteWriter {
  buf: Uint8Array;
  pos = 0;
  private view: DataView;

  constructor(initialSize = 1024) {
    this.buf = new Uint8Array(initialSize);
    this.view = new DataView(this.buf.buffer);
  }

  /** Forgets what was written, keeping the buffer. Shrinks a buffer that grew past `keepBytes`. */
  reset(keepBytes = 1 << 20): this {
    if (this.buf.length > keepBytes) {
      this.buf = new Uint8Array(keepBytes >>> 2);
      this.view = new DataView(this.buf.buffer);
    }
    this.pos = 0;
    return this;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** A copy of the bytes written so far. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** A view of the bytes written so far (valid until the next write or reset). */
  written(): Uint8Array {
    // the constructor, not subarray(): subarray looks up the species constructor on every call
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.pos);
  }

  writeByte(b: number): void {
    if (this.pos >= this.buf.length) this.ensure(1);
    this.buf[this.pos++] = b;
  }

  writeBytes(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Writes the UTF-8 form of `s`; returns the number of bytes written. */
  writeString(s: string): number {
    this.ensure(s.length * 3);
    const n = writeUtf8(s, this.buf, this.pos);
    this.pos += n;
    return n;
  }

  writeInt16BE(v: number): void {
    this.ensure(2);
    this.view.setInt16(this.pos, v);
    this.pos += 2;
  }

  writeInt32BE(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.pos, v);
    this.pos += 4;
  }

  writeUint32LE(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  writeFloat32LE(v: number): void {
    this.ensure(4);
    this.view.setFloat32(this.pos, v, true);
    this.pos += 4;
  }

  writeFloat64LE(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  writeFloat64BE(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v);
    this.pos += 8;
  }

  /** Overwrites 4 bytes at `at` (for back-patched lengths). */
  patchInt32BE(at: number, v: number): void {
    this.view.setInt32(at, v);
  }
}
