/**
 * Cuts a ttstream connection's bytes into frames. Frames that lie whole in a
 * socket chunk are read in place (their payloads are views into the chunk,
 * which node allocates afresh for every read); a frame split across chunks is
 * gathered from the chunks that arrived, so memory follows what the peer sent,
 * not what it declared. A frame whose declared length is over the limit is
 * reported with its stream id and skipped as its bytes arrive: only that
 * stream fails, the connection goes on.
 */
import { protocolError, readI32, readU16, readU32, TTHEADER_MAGIC } from '../frame/index.js';
import { FrameView, HEADER_FLAGS_STREAMING } from './frame.js';

/** Where frames go. Called synchronously, in order; a throw ends the connection. */
export interface FrameSink {
  onFrame(frame: FrameView): void;
  /** A frame for stream `sid` declared `bytes` bytes (length field included), over the limit: it is being skipped. */
  onOversized(sid: number, bytes: number): void;
}

/** Bytes of a frame needed to know its length, magic, flags and stream id. */
const FRAME_START = 12;

/** The frame reader of one connection. */
export class FrameReader {
  private readonly view = new FrameView();
  /** Chunks of an incomplete frame (the first one starts it). */
  private parts: Uint8Array[] = [];
  private partsLength = 0;
  /** Bytes still to drop of an oversized frame. */
  private skipping = 0;

  /**
   * @param maxFrameBytes the largest whole frame accepted (length field included)
   */
  constructor(
    private readonly sink: FrameSink,
    private readonly maxFrameBytes: number,
  ) {}

  /** Bytes held for a frame that has not arrived whole. */
  get buffered(): number {
    return this.partsLength;
  }

  /**
   * Feeds one chunk; frames go to the sink. With `reused`, the chunk's memory is
   * overwritten after this call (Node's `onread` buffer): payloads handed out and
   * bytes kept for later are copies. Throws a protocol error (the connection is
   * unusable after it).
   */
  push(chunk: Uint8Array, reused = false): void {
    let buf = chunk;
    let at = 0;
    let owned = !reused;
    if (this.skipping > 0) {
      const n = Math.min(this.skipping, buf.length);
      this.skipping -= n;
      at = n;
      if (at === buf.length) return;
    }
    if (this.partsLength > 0) {
      this.parts.push(at === 0 && owned ? buf : owned ? buf.subarray(at) : buf.slice(at));
      this.partsLength += buf.length - at;
      at = 0;
      if (this.partsLength < FRAME_START) return;
      // An oversized frame is gathered at once (what is held is at most one chunk more than its
      // first 12 bytes) for the loop below to report and skip; others once they are whole.
      const total = readU32(this.gatherStart(), 0) + 4;
      if (total <= this.maxFrameBytes && this.partsLength < total) return;
      buf = this.gather();
      owned = true;
    }
    this.view.owned = owned;
    const end = buf.length;
    for (;;) {
      const avail = end - at;
      if (avail < FRAME_START) break;
      const total = this.frameBytes(buf, at);
      if (total < 0) {
        // oversized: reported, then dropped as it arrives
        const n = Math.min(-total, avail);
        this.skipping = -total - n;
        at += n;
        continue;
      }
      if (avail < total) break;
      this.view.read(buf, at, at + total);
      at += total;
      this.sink.onFrame(this.view);
    }
    if (at < end) {
      this.parts = [owned ? (at === 0 ? buf : buf.subarray(at)) : buf.slice(at)];
      this.partsLength = end - at;
    }
  }

  /** Drops what is held (the connection closed). */
  clear(): void {
    this.parts = [];
    this.partsLength = 0;
    this.skipping = 0;
  }

  /**
   * Bytes of the whole frame starting at `at` (12 bytes available), or minus
   * that when it is over the limit (after telling the sink). Checks the magic
   * and the streaming flag first: a peer that speaks something else is cut off
   * before its length is believed.
   */
  private frameBytes(buf: Uint8Array, at: number): number {
    if (readU16(buf, at + 4) !== TTHEADER_MAGIC) throw protocolError('not a TTHeader frame (bad magic)');
    if ((readU16(buf, at + 6) & HEADER_FLAGS_STREAMING) === 0) throw protocolError('TTHeader frame without the streaming flag on a ttstream connection');
    const total = readU32(buf, at) + 4;
    if (total <= this.maxFrameBytes) return total;
    this.sink.onOversized(readI32(buf, at + 8), total);
    return -total;
  }

  /** The first 12 bytes of the held frame, joined if the first chunk is shorter. */
  private gatherStart(): Uint8Array {
    const first = this.parts[0]!;
    if (first.length >= FRAME_START) return first;
    const out = new Uint8Array(FRAME_START);
    let n = 0;
    for (const p of this.parts) {
      const take = Math.min(p.length, FRAME_START - n);
      out.set(p.subarray(0, take), n);
      n += take;
      if (n === FRAME_START) break;
    }
    return out;
  }

  /** Joins the held chunks into one buffer and forgets them. */
  private gather(): Uint8Array {
    const out = new Uint8Array(this.partsLength);
    let n = 0;
    for (const p of this.parts) {
      out.set(p, n);
      n += p.length;
    }
    this.parts = [];
    this.partsLength = 0;
    return out;
  }
}
