/**
 * UTF-8 for the short strings in message and frame headers (method names,
 * service names, info values). They are nearly always ASCII and a few bytes
 * long, where TextEncoder/TextDecoder cost more than the work itself.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();
// Node's native slicer; reads any Uint8Array.
const latin1Slice = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string;

/**
 * Recently decoded short strings, by a hash of their bytes: headers repeat the
 * same method names and info keys call after call, and comparing a few bytes
 * costs less than building the string again. Fixed size, so it cannot grow.
 */
const RECENT_SLOTS = 64;
const recentBytes: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(RECENT_SLOTS).fill(undefined);
const recentText: string[] = new Array<string>(RECENT_SLOTS).fill('');
const RECENT_MAX_BYTES = 24;

/** Decodes `[start, end)` as UTF-8 (invalid sequences become U+FFFD, as TextDecoder does). */
export function decodeText(bytes: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n === 0) return '';
  if (n > RECENT_MAX_BYTES) return decodeUncached(bytes, start, end);
  const slot = (n * 7 + bytes[start]! * 3 + bytes[end - 1]! + bytes[start + (n >> 1)]!) & (RECENT_SLOTS - 1);
  const seen = recentBytes[slot];
  if (seen !== undefined && seen.length === n) {
    let i = 0;
    while (i < n && seen[i] === bytes[start + i]) i++;
    if (i === n) return recentText[slot]!;
  }
  const s = decodeUncached(bytes, start, end);
  recentBytes[slot] = bytes.slice(start, end);
  recentText[slot] = s;
  return s;
}

function decodeUncached(bytes: Uint8Array, start: number, end: number): string {
  for (let p = start; p < end; p++) {
    if (bytes[p]! >= 0x80) return decoder.decode(bytes.subarray(start, end));
  }
  return latin1Slice.call(bytes, start, end);
}

/** True when every UTF-16 unit of `s` is ASCII (its UTF-8 is one byte per unit). */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** UTF-8 bytes of `s`. */
export function encodeText(s: string): Uint8Array {
  if (s.length <= 32 && isAscii(s)) {
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  return encoder.encode(s);
}

/** Writes ASCII `s` at `offset` (the caller checked {@link isAscii}); returns the end offset. */
export function writeAscii(out: Uint8Array, offset: number, s: string): number {
  for (let i = 0; i < s.length; i++) out[offset + i] = s.charCodeAt(i);
  return offset + s.length;
}
