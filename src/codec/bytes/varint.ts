import { CodecError } from '../../errors/codec-error.js';
import type { ByteWriter } from './byte-writer.js';

/*
 * Base-128 varints and zigzag, shared by the protobuf codec and the Thrift
 * compact protocol. 64-bit values travel as two 32-bit halves (`lo`, `hi`,
 * both as unsigned-or-signed int32 bit patterns) so the hot path never touches
 * BigInt or Long: decimal text ⇄ 64-bit is done with exact double arithmetic.
 */

/** Writes an unsigned 32-bit varint (`v` is taken modulo 2^32). */
export function writeVarint32(w: ByteWriter, v: number): void {
  v >>>= 0;
  if (w.pos + 5 > w.buf.length) w.ensure(5);
  const buf = w.buf;
  let p = w.pos;
  while (v > 0x7f) {
    buf[p++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[p++] = v;
  w.pos = p;
}

/**
 * Writes a signed int32 as protobuf requires: negative values sign-extended to
 * 64 bits (10 bytes).
 */
export function writeVarintInt32(w: ByteWriter, v: number): void {
  if (v >= 0) writeVarint32(w, v);
  else writeVarint64(w, v | 0, -1);
}

/** Writes a 64-bit varint from its low and high 32-bit halves. */
export function writeVarint64(w: ByteWriter, lo: number, hi: number): void {
  lo >>>= 0;
  hi >>>= 0;
  if (hi === 0) {
    writeVarint32(w, lo);
    return;
  }
  if (w.pos + 10 > w.buf.length) w.ensure(10);
  const buf = w.buf;
  let p = w.pos;
  // First 28 bits of lo.
  for (let i = 0; i < 4; i++) {
    buf[p++] = (lo & 0x7f) | 0x80;
    lo >>>= 7;
  }
  // 4 remaining bits of lo and 3 of hi.
  let b = lo | ((hi & 7) << 4);
  hi >>>= 3;
  if (hi === 0) {
    buf[p++] = b;
    w.pos = p;
    return;
  }
  buf[p++] = b | 0x80;
  while (hi > 0x7f) {
    buf[p++] = (hi & 0x7f) | 0x80;
    hi >>>= 7;
  }
  buf[p++] = hi;
  w.pos = p;
}

/** Bytes an unsigned 32-bit varint takes. */
export function varint32Size(v: number): number {
  v >>>= 0;
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** Zigzag-encodes an int32 (result as an unsigned 32-bit number). */
export function zigzagEncode32(v: number): number {
  return ((v << 1) ^ (v >> 31)) >>> 0;
}

/** Zigzag-decodes to an int32. */
export function zigzagDecode32(v: number): number {
  return (v >>> 1) ^ -(v & 1);
}

/** Holds the halves of a 64-bit value produced by the 64-bit helpers. */
export interface Int64Halves {
  lo: number;
  hi: number;
}

/** Zigzag-encodes a 64-bit value in place (halves as int32 bit patterns). */
export function zigzagEncode64(v: Int64Halves): void {
  const sign = v.hi >> 31;
  const hi = ((v.hi << 1) | (v.lo >>> 31)) ^ sign;
  const lo = (v.lo << 1) ^ sign;
  v.lo = lo >>> 0;
  v.hi = hi >>> 0;
}

/** Zigzag-decodes a 64-bit value in place. */
export function zigzagDecode64(v: Int64Halves): void {
  const mask = -(v.lo & 1);
  const lo = ((v.lo >>> 1) | (v.hi << 31)) ^ mask;
  const hi = (v.hi >>> 1) ^ mask;
  v.lo = lo >>> 0;
  v.hi = hi >>> 0;
}

const TWO32 = 4294967296;

/** Decimal text of a 64-bit value given as halves. */
export function int64ToString(lo: number, hi: number, signed: boolean): string {
  lo >>>= 0;
  hi >>>= 0;
  if (signed && hi >= 0x80000000) {
    // Negative: print the magnitude (two's complement) with a sign.
    let nlo = (~lo + 1) >>> 0;
    let nhi = ~hi >>> 0;
    if (nlo === 0) nhi = (nhi + 1) >>> 0;
    return '-' + uint64ToString(nlo, nhi);
  }
  return uint64ToString(lo, hi);
}

/**
 * Unsigned 64-bit decimal text without BigInt or Long: below 2^53 a double is
 * exact; above, the value is split into 24-bit limbs and recombined in base
 * 10^7 (2^24 = 1·10^7 + 6777216; 2^48 = 2·10^14 + 8147497·10^7 + 6710656).
 */
function uint64ToString(lo: number, hi: number): string {
  if (hi === 0 && lo < 0x40000000) return String(lo); // a small integer: the engine's fast path
  if (hi < 0x200000) {
    // Below 2^53: two small-integer conversions beat one double-to-string by 3-4×.
    const v = hi * TWO32 + lo;
    const q = Math.floor(v / 1e9);
    return q === 0 ? String(v) : String(q) + pad9(v - q * 1e9);
  }
  const low = lo & 0xffffff;
  const mid = ((lo >>> 24) | (hi << 8)) & 0xffffff;
  const high = (hi >>> 16) & 0xffff;
  let a = low + mid * 6777216 + high * 6710656;
  let b = mid + high * 8147497;
  let c = high * 2;
  const E7 = 10000000;
  if (a >= E7) {
    b += Math.floor(a / E7);
    a %= E7;
  }
  if (b >= E7) {
    c += Math.floor(b / E7);
    b %= E7;
  }
  // hi >= 2^21 means the value is at least 2^53, so c or b is non-zero.
  if (c > 0) return String(c) + pad7(b) + pad7(a);
  return String(b) + pad7(a);
}

function pad9(n: number): string {
  const s = String(n);
  return s.length >= 9 ? s : '000000000'.slice(s.length) + s;
}

function pad7(n: number): string {
  const s = String(n);
  return s.length >= 7 ? s : '0000000'.slice(s.length) + s;
}

/** A 64-bit value as a double (exact only within ±2^53). */
export function int64ToNumber(lo: number, hi: number, signed: boolean): number {
  return signed ? (hi | 0) * TWO32 + (lo >>> 0) : (hi >>> 0) * TWO32 + (lo >>> 0);
}

/** A 64-bit value as a bigint. */
export function int64ToBigInt(lo: number, hi: number, signed: boolean): bigint {
  const u = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  return signed ? BigInt.asIntN(64, u) : u;
}

/**
 * Parses decimal integer text `[start, end)` of `text` (optional `-`, digits
 * only) into `out` exactly. Returns false when it is not such text or is out
 * of range for the signed or unsigned 64-bit type.
 */
export function parseInt64Decimal(text: string, start: number, end: number, signed: boolean, out: Int64Halves): boolean {
  let p = start;
  let neg = false;
  if (p < end && text.charCodeAt(p) === 45) {
    neg = true;
    p++;
  }
  const digits = end - p;
  if (digits <= 0) return false;
  if (digits <= 15) {
    let v = 0;
    for (; p < end; p++) {
      const c = text.charCodeAt(p) - 48;
      if (c < 0 || c > 9) return false;
      v = v * 10 + c;
    }
    if (neg) {
      if (!signed && v !== 0) return false;
      v = -v;
    }
    out.lo = v >>> 0; // ToUint32 is exact modulo 2^32 for |v| < 2^53
    out.hi = Math.floor(v / TWO32) >>> 0;
    return true;
  }
  // Long text: multiply-add in two 32-bit halves held in doubles (each step stays below 2^36).
  let lo = 0;
  let hi = 0;
  for (; p < end; p++) {
    const c = text.charCodeAt(p) - 48;
    if (c < 0 || c > 9) return false;
    lo = lo * 10 + c;
    const carry = Math.floor(lo / TWO32);
    lo -= carry * TWO32;
    hi = hi * 10 + carry;
    if (hi >= TWO32) return false;
  }
  if (signed) {
    // Magnitude up to 2^63 - 1, or exactly 2^63 when negative.
    if (hi >= 0x80000000 && !(neg && hi === 0x80000000 && lo === 0)) return false;
  } else if (neg && (lo !== 0 || hi !== 0)) return false;
  if (neg) {
    lo = (~lo + 1) >>> 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  }
  out.lo = lo >>> 0;
  out.hi = hi >>> 0;
  return true;
}

/**
 * Reads varints from a byte range. Extended by the protobuf reader and usable
 * by the Thrift compact protocol. Errors are `CodecError`s with an empty path.
 */
export class VarintReader {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  end = 0;
  /** High half of the last `varint64()`. */
  hi = 0;

  /** Points the reader at `buf[start, end)`. */
  reset(buf: Uint8Array, start = 0, end = buf.length): this {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    return this;
  }

  /** Reads a varint of up to 10 bytes, returning its low 32 bits (as uint32). */
  varint32(): number {
    const buf = this.buf;
    let p = this.pos;
    if (p < this.end) {
      const b = buf[p]!;
      if (b < 0x80) {
        this.pos = p + 1;
        return b;
      }
    }
    const lo = this.varint64();
    return lo;
  }

  /** Reads a varint of up to 10 bytes; returns the low half and sets `hi`. */
  varint64(): number {
    const buf = this.buf;
    const end = this.end;
    let p = this.pos;
    let lo = 0;
    let hi = 0;
    let b = 0;
    // One exit for every length, so its stores have type feedback from the first short varint
    // on: with a store per length, the first long varint deoptimized the compiled code.
    read: {
      for (let shift = 0; shift < 28; shift += 7) {
        if (p >= end) throw this.truncated();
        b = buf[p++]!;
        lo |= (b & 0x7f) << shift;
        if (b < 0x80) break read;
      }
      if (p >= end) throw this.truncated();
      b = buf[p++]!;
      lo |= (b & 0x0f) << 28;
      hi = (b & 0x7f) >> 4;
      if (b < 0x80) break read;
      for (let shift = 3; shift < 32; shift += 7) {
        if (p >= end) throw this.truncated();
        b = buf[p++]!;
        hi |= (b & 0x7f) << shift;
        if (b < 0x80) {
          // The 10th byte may only carry the single top bit.
          if (shift === 31 && b > 1) throw new CodecError('', 'varint overflows 64 bits', p - 1);
          break read;
        }
      }
      throw new CodecError('', 'varint longer than 10 bytes', this.pos);
    }
    this.pos = p;
    this.hi = hi >>> 0;
    return lo >>> 0;
  }

  /** Skips a varint without decoding it. */
  skipVarint(): void {
    const buf = this.buf;
    const end = this.end;
    const start = this.pos;
    let p = start;
    while (p < end) {
      if (buf[p++]! < 0x80) {
        if (p - start > 10) throw new CodecError('', 'varint longer than 10 bytes', start);
        this.pos = p;
        return;
      }
    }
    if (p - start >= 10) throw new CodecError('', 'varint longer than 10 bytes', start);
    throw this.truncated();
  }

  /** The error for data that ends in the middle of a value. */
  truncated(): CodecError {
    return new CodecError('', 'truncated data', this.pos);
  }
}
