/**
 * Copies of small byte ranges carved from a shared slab, like Node's Buffer
 * pool: for frames and payloads cut out of a read buffer that is reused.
 */

// Sized like Node's Buffer pool: a kept reply holds at most 8 KiB of slab alive.
const SLAB_BYTES = 8 * 1024;
/** Frames up to this size are copied into the shared slab; larger ones get their own buffer. */
const MAX_SLAB_FRAME = 4 * 1024;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

/**
 * A copy of `src[start, end)` that the caller owns. Small copies are carved
 * from a shared slab, like Node's Buffer pool: a fresh ArrayBuffer per frame
 * costs more than the rest of a small reply's handling. The slab is never
 * written twice, so a copy stays valid however long it is kept (and keeps the
 * slab alive that long).
 */
export function copyFrame(src: Uint8Array, start: number, end: number): Uint8Array {
  const n = end - start;
  if (n > MAX_SLAB_FRAME) return src.slice(start, end);
  if (slabUsed + n > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const out = new Uint8Array(slab, slabUsed, n);
  slabUsed += n;
  if (n <= 64) for (let i = 0; i < n; i++) out[i] = src[start + i]!;
  else out.set(src.subarray(start, end));
  return out;
}
