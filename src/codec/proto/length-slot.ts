import type { ByteWriter } from '../bytes/byte-writer.js';
import { varint32Size } from '../bytes/varint.js';

/*
 * Length prefixes written before their value is: a one-byte slot is reserved,
 * and widened in place (the value moved up, never re-encoded) when the value
 * turns out longer than 127 bytes.
 */

/** Reserves a one-byte length slot at `w.pos`; returns where it is. */
export function beginLen(w: ByteWriter): number {
  if (w.pos >= w.buf.length) w.ensure(1);
  return w.pos++;
}

/** Fills the slot at `at` with the length of what was written after it. */
export function endLen(w: ByteWriter, at: number): void {
  const len = w.pos - at - 1;
  if (len < 0x80) {
    w.buf[at] = len;
    return;
  }
  const n = varint32Size(len);
  w.ensure(n - 1);
  const buf = w.buf;
  buf.copyWithin(at + n, at + 1, w.pos);
  w.pos += n - 1;
  let v = len;
  let p = at;
  while (v > 0x7f) {
    buf[p++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[p] = v;
}
