/**
 * Incremental framing: cuts a TCP byte stream into whole messages. Frames may
 * be split across chunks and several may share one chunk. A declared length
 * over the limit is refused at once, before any buffer is sized for it; we only
 * ever hold bytes that actually arrived.
 */
import { limitError } from '../frame/errors.js';
import { MessageSkipper, type ThriftEncoding } from '../frame/buffered-length.js';
import { readU32 } from '../frame/big-endian.js';
import { copyFrame } from '../frame/copy-frame.js';

/** How messages are delimited on the stream. */
export type Delimiting =
  /** u32 length + that many bytes (Framed, TTHeader, THeader). Frames include the length field. */
  | { kind: 'length-prefixed' }
  /** Bare Thrift messages (Buffered): the end is found by skipping the message. */
  | { kind: 'buffered'; encoding: ThriftEncoding };

/** Default cap on one frame: 64 MiB. */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** Growable byte queue: appended at the end, consumed from the front. */
export class ByteQueue {
  buf: Uint8Array = new Uint8Array(0);
  start = 0;
  end = 0;

  get length(): number {
    return this.end - this.start;
  }

  append(chunk: Uint8Array): void {
    const len = this.end - this.start;
    if (this.end + chunk.length > this.buf.length) {
      if (len + chunk.length <= this.buf.length && this.start > 0) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        const next = new Uint8Array(Math.max(len + chunk.length, this.buf.length * 2, 4096));
        next.set(this.buf.subarray(this.start, this.end));
        this.buf = next;
      }
      this.start = 0;
      this.end = len;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  /** Copies out and consumes `n` bytes. */
  take(n: number): Uint8Array {
    const out = copyFrame(this.buf, this.start, this.start + n);
    this.start += n;
    if (this.start === this.end) this.start = this.end = 0;
    return out;
  }

  clear(): void {
    this.buf = new Uint8Array(0);
    this.start = this.end = 0;
  }
}

/** Cuts a byte stream into frames of one {@link Delimiting}. */
export class FrameDecoder {
  private readonly q = new ByteQueue();
  private readonly skipper: MessageSkipper | undefined;

  constructor(delimiting: Delimiting, private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {
    this.skipper = delimiting.kind === 'buffered' ? new MessageSkipper(delimiting.encoding, { maxBytes: maxFrameBytes }) : undefined;
  }

  /** Bytes held that do not yet form a whole frame. */
  get pending(): number {
    return this.q.length;
  }

  /**
   * Feeds a chunk; returns the frames it completes (possibly none). Set
   * `chunkIsReused` when the caller will overwrite `chunk` (frames are then copied). Throws an
   * RpcError on an oversized or malformed frame; the stream is unusable after.
   */
  push(chunk: Uint8Array, chunkIsReused = false): Uint8Array[] {
    const out: Uint8Array[] = [];
    let buf: Uint8Array;
    let start: number;
    let end: number;
    const direct = this.q.length === 0;
    if (direct) {
      buf = chunk;
      start = 0;
      end = chunk.length;
    } else {
      this.q.append(chunk);
      buf = this.q.buf;
      start = this.q.start;
      end = this.q.end;
    }
    for (;;) {
      const n = this.frameLength(buf, start, end);
      if (n < 0) break;
      // frames cut from the caller's chunk are views unless the caller reuses it; from our queue they are copies
      if (!direct || chunkIsReused) out.push(copyFrame(buf, start, start + n));
      else out.push(n === end ? buf : buf.subarray(start, start + n)); // the usual case: the chunk is one frame
      start += n;
      this.skipper?.reset();
    }
    if (direct) {
      if (start < end) this.q.append(buf.subarray(start, end));
    } else {
      this.q.start = start;
      if (start === end) this.q.start = this.q.end = 0;
    }
    return out;
  }

  /** Length of the whole frame at `start`, or -1 if incomplete. */
  private frameLength(buf: Uint8Array, start: number, end: number): number {
    const avail = end - start;
    if (avail === 0) return -1;
    if (this.skipper) return this.skipper.scan(buf, start, end);
    if (avail < 4) return -1;
    const len = readU32(buf, start);
    if (len > this.maxFrameBytes) throw limitError(`frame of ${len} bytes exceeds the limit of ${this.maxFrameBytes}`);
    return avail >= 4 + len ? 4 + len : -1;
  }

  /** Drops buffered bytes (after an error or when the connection closes). */
  clear(): void {
    this.q.clear();
    this.skipper?.reset();
  }
}
