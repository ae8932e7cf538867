/**
 * Big-endian integers at an offset, the byte order of every ping-pong header.
 * Callers check the bounds; these only read or write.
 */

/** Unsigned 16-bit. */
export function readU16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

/** Signed 32-bit. */
export function readI32(b: Uint8Array, o: number): number {
  return (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
}

/** Unsigned 32-bit. */
export function readU32(b: Uint8Array, o: number): number {
  return readI32(b, o) >>> 0;
}

/** Writes `v` as unsigned 32-bit. */
export function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}
