import { CodecError } from '../../errors/codec-error.js';
import { VarintReader } from '../bytes/varint.js';

// Scratch for floats: the platform is little-endian like the wire (checked below).
const f32 = new Float32Array(1);
const f32b = new Uint8Array(f32.buffer);
const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);
if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) throw new Error('idlcall: big-endian platforms are not supported');

/** Deepest nesting of messages (and groups) the codec accepts, as protobuf runtimes do. */
export const MAX_DEPTH = 100;

/**
 * Reads protobuf wire data: tags, length-delimited ranges, fixed-width values
 * and unknown fields (groups included). Errors carry the byte offset; callers
 * add the field path.
 */
export class ProtoReader extends VarintReader {

  /** Reads a tag; checks the field number and wire type are possible. */
  tag(): number {
    const at = this.pos;
    const t = this.varint32();
    if (this.hi !== 0 && t >= 0x80) throw new CodecError('', 'tag does not fit in 32 bits', at);
    if (t >>> 3 === 0) throw new CodecError('', 'invalid field number 0', at);
    const wt = t & 7;
    if (wt > 5) throw new CodecError('', `invalid wire type ${wt}`, at);
    return t;
  }

  /** Reads a length prefix and returns where the value ends (checked against the data). */
  lengthEnd(): number {
    const at = this.pos;
    const len = this.varint64();
    if (this.hi !== 0 || len > this.end - this.pos) {
      throw new CodecError('', `length ${this.hi !== 0 ? 'over 2^32' : len} runs past the end of the data`, at);
    }
    return this.pos + len;
  }

  /** Little-endian fixed 32-bit, unsigned. */
  fixed32(): number {
    const p = this.pos;
    if (p + 4 > this.end) throw this.truncated();
    this.pos = p + 4;
    const b = this.buf;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }

  /** Little-endian float. */
  float(): number {
    const p = this.pos;
    if (p + 4 > this.end) throw this.truncated();
    this.pos = p + 4;
    const b = this.buf;
    f32b[0] = b[p]!;
    f32b[1] = b[p + 1]!;
    f32b[2] = b[p + 2]!;
    f32b[3] = b[p + 3]!;
    return f32[0]!;
  }

  /** Little-endian double. */
  double(): number {
    const p = this.pos;
    if (p + 8 > this.end) throw this.truncated();
    this.pos = p + 8;
    const b = this.buf;
    for (let i = 0; i < 8; i++) f64b[i] = b[p + i]!;
    return f64[0]!;
  }

  /** Skips the value of a field with the given tag (an unknown field); groups are skipped whole. */
  skip(tag: number, depth: number): void {
    switch (tag & 7) {
      case 0:
        this.skipVarint();
        return;
      case 1:
        if (this.pos + 8 > this.end) throw this.truncated();
        this.pos += 8;
        return;
      case 2:
        this.pos = this.lengthEnd();
        return;
      case 5:
        if (this.pos + 4 > this.end) throw this.truncated();
        this.pos += 4;
        return;
      case 3: {
        if (depth > MAX_DEPTH) throw new CodecError('', `nesting deeper than ${MAX_DEPTH}`, this.pos);
        const field = tag >>> 3;
        for (;;) {
          if (this.pos >= this.end) throw new CodecError('', `group ${field} is not closed`, this.pos);
          const t = this.tag();
          if ((t & 7) === 4) {
            if (t >>> 3 !== field) throw new CodecError('', `end-group tag ${t >>> 3} does not match group ${field}`, this.pos);
            return;
          }
          this.skip(t, depth + 1);
        }
      }
      default:
        throw new CodecError('', `unexpected end-group tag for field ${tag >>> 3}`, this.pos);
    }
  }
}
