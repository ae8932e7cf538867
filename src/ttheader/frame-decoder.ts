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
import { DEFAULT_MAX_RECEIVE_MESSAGE_BYTES } from '../connection-policy/limits.js';

/** How messages are delimited on the stream. */
export type Delimiting =
  /** u32 length + that many bytes (Framed, TTHeader, THeader). Frames include the length field. */
  | { kind: 'length-prefixed' }
  /** Bare Thrift messages (Buffered): the end is found by skipping the message. */
  | { kind: 'buffered'; encoding: ThriftEncoding };

/** Default cap on one frame, and on a THeader payload once inflated: 4 MiB, the one receive limit. */
export const DEFAULT_MAX_FRAME_BYTES = DEFAULT_MAX_RECEIVE_MESSAGE_BYTES;

/**
 * A queue's buffer larger than this is let go once it has been emptied: after a
 * large message a connection goes back to holding (almost) nothing.
 */
const KEEP_BYTES = 16 * 1024;
const EMPTY = new Uint8Array(0);

/**
 * Growable byte queue: appended at the end, consumed from the front. It grows
 * with the bytes that arrive and shrinks back when emptied.
 */
export class ByteQueue {
  buf: Uint8Array = EMPTY;
  start = 0;
  end = 0;

  get length(): number {
    return this.end - this.start;
  }

  /** Bytes of memory held (the buffer's size, not what it holds). */
  get capacity(): number {
    return this.buf.length;
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
    this.consumed(this.start + n);
    return out;
  }

  /** Consumes the bytes before `start`; an emptied large buffer is released. */
  consumed(start: number): void {
    this.start = start;
    if (start !== this.end) return;
    this.start = this.end = 0;
    if (this.buf.length > KEEP_BYTES) this.buf = EMPTY;
  }

  clear(): void {
    this.buf = EMPTY;
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
      this.q.consumed(start);
    }
    return out;
  }

  /** Bytes of memory the decoder holds for partial frames. */
  get capacity(): number {
    return this.q.capacity;
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
