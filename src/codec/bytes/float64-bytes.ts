/*
 * Doubles ⇄ wire bytes through one shared 8-byte scratch (no DataView per
 * buffer). Byte access to the scratch is in the host's order; idlcall supports
 * little-endian hosts only (every Node platform but s390x), checked here once.
 */
const f64 = new Float64Array(1);
const bytes = new Uint8Array(f64.buffer);
if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) throw new Error('idlcall: big-endian platforms are not supported');

/** The big-endian double at `b[p]` (bounds checked by the caller). */
export function readFloat64BE(b: Uint8Array, p: number): number {
  for (let i = 0; i < 8; i++) bytes[7 - i] = b[p + i]!;
  return f64[0]!;
}

/** The little-endian double at `b[p]` (bounds checked by the caller). */
export function readFloat64LE(b: Uint8Array, p: number): number {
  for (let i = 0; i < 8; i++) bytes[i] = b[p + i]!;
  return f64[0]!;
}

/** Writes `v` big-endian at `b[p]` (room made by the caller). */
export function writeFloat64BE(b: Uint8Array, p: number, v: number): void {
  f64[0] = v;
  for (let i = 0; i < 8; i++) b[p + i] = bytes[7 - i]!;
}

/** Writes `v` little-endian at `b[p]` (room made by the caller). */
export function writeFloat64LE(b: Uint8Array, p: number, v: number): void {
  f64[0] = v;
  for (let i = 0; i < 8; i++) b[p + i] = bytes[i]!;
}
