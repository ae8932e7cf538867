import { Code, RpcError } from '../errors/index.js';
import { PREFIX_SIZE } from './envelope.js';

/**
 * Smallest first allocation for a message split across chunks; past it the
 * buffer starts at the size of what arrived and doubles as more does.
 */
const MIN_BODY = 256;

/** Receives whole messages from an {@link EnvelopeDecoder}. */
export interface EnvelopeSink {
  /** One complete message; `data` may be a view into the chunk it arrived in. */
  onEnvelope(flags: number, data: Uint8Array): void;
}

/**
 * Streaming decoder for gRPC length-prefixed messages. Chunks may split messages (and
 * even the 5-byte prefix) anywhere, or carry many messages; a message that lies inside
 * one chunk is handed over as a view with no copy, a split one is assembled into a buffer
 * that grows as its bytes arrive (after the announced size was checked against the
 * limit), so a hostile length costs no memory beyond the bytes really sent.
 */
export class EnvelopeDecoder {
  private readonly sink: EnvelopeSink;
  private readonly maxMessageBytes: number;
  /** Prefix bytes gathered so far when a prefix is split across chunks. */
  private head: Buffer | undefined;
  private headLen = 0;
  /** Body being assembled across chunks (undefined when none). */
  private body: Buffer | undefined;
  private bodyLen = 0;
  /** Announced length of the body being assembled. */
  private want = 0;
  private flags = 0;

  constructor(sink: EnvelopeSink, maxMessageBytes: number) {
    this.sink = sink;
    this.maxMessageBytes = maxMessageBytes;
  }

  /** Bytes of memory held for a message split across chunks (its buffer's size). */
  get heldBytes(): number {
    return this.body === undefined ? 0 : this.body.length;
  }

  /** True when a message (or prefix) has started but not completed: at end of stream this is a truncated message. */
  get partial(): boolean {
    return this.headLen > 0 || this.body !== undefined;
  }

  /**
   * Feeds one chunk; calls the sink for each completed message. Throws RpcError
   * RESOURCE_EXHAUSTED when a message announces more than the limit.
   */
  push(chunk: Uint8Array): void {
    let pos = 0;
    const end = chunk.length;
    while (pos < end) {
      let body = this.body;
      if (body !== undefined) {
        // Continue a message that started in an earlier chunk.
        const take = Math.min(this.want - this.bodyLen, end - pos);
        if (this.bodyLen + take > body.length) {
          // Grow geometrically: memory follows the bytes that really arrived, not the
          // length a peer announced.
          const grown = Buffer.allocUnsafe(Math.min(this.want, Math.max(this.bodyLen + take, body.length * 2)));
          grown.set(body.subarray(0, this.bodyLen));
          this.body = body = grown;
        }
        body.set(chunk.subarray(pos, pos + take), this.bodyLen);
        this.bodyLen += take;
        pos += take;
        if (this.bodyLen === this.want) {
          this.body = undefined;
          this.bodyLen = 0;
          this.sink.onEnvelope(this.flags, body.length === this.want ? body : body.subarray(0, this.want));
        }
        continue;
      }
      let flags: number;
      let len: number;
      if (this.headLen === 0 && end - pos >= PREFIX_SIZE) {
        // Fast path: the whole prefix is here.
        flags = chunk[pos]!;
        len = ((chunk[pos + 1]! << 24) | (chunk[pos + 2]! << 16) | (chunk[pos + 3]! << 8) | chunk[pos + 4]!) >>> 0;
        pos += PREFIX_SIZE;
      } else {
        // A prefix split across chunks (rare): gather it in a small scratch buffer.
        const head = (this.head ??= Buffer.alloc(PREFIX_SIZE));
        const take = Math.min(PREFIX_SIZE - this.headLen, end - pos);
        head.set(chunk.subarray(pos, pos + take), this.headLen);
        this.headLen += take;
        pos += take;
        if (this.headLen < PREFIX_SIZE) return;
        this.headLen = 0;
        flags = head[0]!;
        len = head.readUInt32BE(1);
      }
      if (len > this.maxMessageBytes) {
        throw new RpcError(
          Code.RESOURCE_EXHAUSTED,
          `received message larger than max (${len} vs. ${this.maxMessageBytes})`,
        );
      }
      if (end - pos >= len) {
        // Whole message inside this chunk: hand out a view.
        const view = chunk.subarray(pos, pos + len);
        pos += len;
        this.sink.onEnvelope(flags, view);
      } else {
        // Sized by what arrived, not by the announced length: a peer that announces
        // 4 MiB and sends 15 bytes (on each of many streams) reserves next to nothing.
        this.flags = flags;
        this.want = len;
        this.body = Buffer.allocUnsafe(Math.min(len, Math.max(end - pos, MIN_BODY)));
        this.bodyLen = 0;
      }
    }
  }
}
