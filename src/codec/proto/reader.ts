import { CodecError } from '../../errors/codec-error.js';
import { VarintReader } from '../bytes/varint.js';

const NO_DATA = new Uint8Array(0);
const NO_VIEW = new DataView(new ArrayBuffer(0));
/** Release() keeps the float view only over memory up to this size. */
const KEEP_VIEW_BYTES = 64 * 1024;

/** Deepest nesting of messages (and groups) the codec accepts, as protobuf runtimes do. */
export const MAX_DEPTH = 100;

/**
 * Reads protobuf wire data: tags, length-delimited ranges, fixed-width values
 * and unknown fields (groups included). Errors carry the byte offset; callers
 * add the field path.
 */
export class ProtoReader extends VarintReader {
  private viewOf: Uint8Array | undefined;
  private dataView: DataView<ArrayBufferLike> = NO_VIEW;
  /** The byte length of the memory under `dataView` (kept: reading `.buffer` is a call into the engine). */
  private viewMemoryBytes = 0;

  /**
   * Points the reader at nothing between calls. The float view of the last
   * buffer is kept for the next call when its memory is small (a pooled Buffer
   * slab, say), so a stream of small messages does not make one per call.
   */
  release(): void {
    this.reset(NO_DATA);
    if (this.viewMemoryBytes > KEEP_VIEW_BYTES) {
      this.viewOf = undefined;
      this.dataView = NO_VIEW;
      this.viewMemoryBytes = 0;
    }
  }

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

  /**
   * A varint of at most 7 bytes (below 2^49: most 64-bit values) as a number,
   * read past; -1, with nothing read, for a longer or truncated one.
   */
  shortVarint(): number {
    const b = this.buf;
    const end = this.end;
    const start = this.pos;
    let p = start;
    let v = 0;
    let scale = 1;
    while (p < end && p - start < 7) {
      const c = b[p++]!;
      v += (c & 0x7f) * scale;
      if (c < 0x80) {
        this.pos = p;
        return v;
      }
      scale *= 128;
    }
    return -1;
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
    return this.view().getFloat32(p, true);
  }

  /** Little-endian double. */
  double(): number {
    const p = this.pos;
    if (p + 8 > this.end) throw this.truncated();
    this.pos = p + 8;
    return this.view().getFloat64(p, true);
  }

  /** A DataView over `buf` (made when first needed for a buffer: most messages have no floats). */
  view(): DataView<ArrayBufferLike> {
    const b = this.buf;
    if (this.viewOf !== b) {
      this.viewOf = b;
      const memory = b.buffer;
      this.dataView = new DataView(memory, b.byteOffset, b.byteLength);
      this.viewMemoryBytes = memory.byteLength;
    }
    return this.dataView;
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
