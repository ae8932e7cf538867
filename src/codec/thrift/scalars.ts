import { CodecError } from '../../errors/codec-error.js';

const HEX = '0123456789abcdef';

/** Parses a canonical UUID string (`8-4-4-4-12` hex digits) into 16 bytes; undefined if malformed. */
export function parseUuid(s: string): Uint8Array | undefined {
  if (s.length !== 36) return undefined;
  const out = new Uint8Array(16);
  let j = 0;
  for (let i = 0; i < 36; ) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (s.charCodeAt(i) !== 45) return undefined;
      i++;
      continue;
    }
    const h = hexVal(s.charCodeAt(i));
    const l = hexVal(s.charCodeAt(i + 1));
    if (h < 0 || l < 0) return undefined;
    out[j++] = (h << 4) | l;
    i += 2;
  }
  return out;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Formats 16 bytes at `start` as a canonical lower-case UUID string. */
export function formatUuid(b: Uint8Array, start: number): string {
  let s = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += '-';
    const v = b[start + i]!;
    s += HEX[v >> 4]! + HEX[v & 15]!;
  }
  return s;
}

const INT_TEXT = /^-?(0|[1-9][0-9]*)$/;
const NUM_TEXT = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

/** True if `s` is plain decimal integer text. */
export function isIntegerText(s: string): boolean {
  return INT_TEXT.test(s);
}

/** Parses JSON-number text (as found inside a JSON string); NaN if it is not one. */
export function parseNumberText(s: string): number {
  return NUM_TEXT.test(s) ? +s : NaN;
}

/** The range error for an integer kind. */
export function rangeError(v: number | string, desc: string): CodecError {
  return new CodecError('', `${v} is out of range for ${desc}`);
}
