import type { Writable } from 'node:stream';
import { COPY_THRESHOLD, PREFIX_SIZE, encodeEnvelope, encodePrefix } from './envelope.js';

/**
 * Size of a batch while frames come one or two per tick (a unary reply, a bidi ping-pong):
 * small enough for node's buffer pool, which every stream shares, so such a batch costs no
 * allocation of its own and its slab is garbage within a scavenge or two. A stream that
 * batches a burst in one tick gets batches of one HTTP/2 DATA frame's worth instead. (A
 * 16 KB batch per stream, filled a message per tick, lives long enough to be promoted, and
 * its memory then waits for a mark-compact: with many ping-pong streams, tens of MB.)
 */
const SMALL_CHUNK = 512;
const BATCH_CHUNK = 16384;
/** Bytes batched in one tick from which a writer counts as bursting. */
const BURST = SMALL_CHUNK / 2;

/**
 * Writes gRPC messages to one HTTP/2 stream. Small messages are copied behind their prefix
 * into a batch that is written on the next tick, together with whatever else was sent
 * meanwhile: a loop of awaited sends runs entirely in microtasks, so a burst becomes one
 * write instead of one per message. Large messages go out at once as prefix + payload in
 * one writev, uncopied. `needDrain` mirrors the stream's back-pressure.
 *
 * With `loneAtOnce`, a small message sent while nothing is batched and the stream has no
 * write in flight leaves at once (a ping-pong reply, which has nothing to wait for): the
 * messages sent after it in the same tick find that write in flight and are batched.
 */
export class FrameWriter {
  /** The last write returned false: the caller should wait for 'drain'. */
  needDrain = false;
  private readonly stream: Writable;
  /** Frames not yet written: batch[start, end). The written part is a view node keeps. */
  private batch: Buffer | undefined;
  private start = 0;
  private end = 0;
  private scheduled = false;
  private readonly loneAtOnce: boolean;

  constructor(stream: Writable, loneAtOnce = false) {
    this.stream = stream;
    this.loneAtOnce = loneAtOnce;
  }

  /** Queues or writes one message; returns false when the caller should wait for 'drain'. */
  write(flags: number, payload: Uint8Array): boolean {
    const n = payload.length;
    if (n > COPY_THRESHOLD) {
      this.flush();
      const stream = this.stream;
      stream.cork();
      stream.write(encodePrefix(flags, n));
      if (!stream.write(payload)) this.needDrain = true;
      stream.uncork();
      return !this.needDrain;
    }
    if (this.loneAtOnce && this.end === this.start && this.stream.writableLength === 0) {
      if (!this.stream.write(encodeEnvelope(flags, payload))) this.needDrain = true;
      return !this.needDrain;
    }
    const size = PREFIX_SIZE + n;
    let b = this.batch;
    if (b === undefined || this.end + size > b.length) {
      const bursting = this.end - this.start >= BURST;
      this.flush();
      b = this.batch = Buffer.allocUnsafe(Math.max(size, bursting ? BATCH_CHUNK : SMALL_CHUNK));
      this.start = this.end = 0;
    }
    let o = this.end;
    b[o] = flags;
    b[o + 1] = n >>> 24;
    b[o + 2] = (n >>> 16) & 0xff;
    b[o + 3] = (n >>> 8) & 0xff;
    b[o + 4] = n & 0xff;
    o += PREFIX_SIZE;
    if (n > 0) b.set(payload, o);
    this.end = o + n;
    if (!this.scheduled) {
      this.scheduled = true;
      if (due.push(this) === 1) process.nextTick(flushDue);
    }
    return !this.needDrain;
  }

  /** Writes the batched frames now (before ending the stream, or before a large message). */
  flush(): void {
    if (this.end === this.start) return;
    const s = this.stream;
    const chunk = this.batch!.subarray(this.start, this.end);
    this.start = this.end;
    if (s.writableEnded || s.destroyed) return;
    if (!s.write(chunk)) this.needDrain = true;
  }

  /** The stream drained. */
  drained(): void {
    this.needDrain = false;
  }

  /** Drops whatever is batched (the call ended). */
  discard(): void {
    this.batch = undefined;
    this.start = this.end = 0;
  }

  /** @internal next-tick flush. */
  tick(): void {
    this.scheduled = false;
    this.flush();
  }
}

/**
 * Writers with frames batched this tick: one next-tick flush serves them all (many
 * streams answering in the same tick cost one scheduled callback, not one each).
 */
const due: FrameWriter[] = [];

function flushDue(): void {
  let i = 0;
  try {
    // A flush may batch more (from a write's callback, say): the loop takes those too.
    while (i < due.length) due[i++]!.tick();
  } finally {
    if (i === due.length) {
      due.length = 0;
    } else {
      // A write threw: the others still flush, on the next tick.
      due.splice(0, i);
      process.nextTick(flushDue);
    }
  }
}
