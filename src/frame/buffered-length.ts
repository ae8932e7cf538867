/**
 * Finds where a Buffered (unframed) Thrift message ends without a schema: a
 * resumable skipper over strict binary or compact encoding. It keeps its place
 * between calls, so a large message arriving in many TCP chunks is scanned once
 * (linear, not quadratic). It never allocates from a length it reads: lengths
 * and counts are only compared against the bytes available and the limit.
 */
import { protocolError, limitError } from './errors.js';
import { BINARY_VERSION_1, COMPACT_PROTOCOL_ID, COMPACT_VERSION } from './tmessage.js';
import { readU32 } from './big-endian.js';
import { DEFAULT_MAX_RECEIVE_MESSAGE_BYTES } from '../connection-policy/limits.js';

/** Which Thrift encoding a skipper reads. */
export type ThriftEncoding = 'binary' | 'compact';

const enum K { Struct, List, Map }
interface Frame { k: K; t: number; vt: number; n: number }

/** Binary protocol type ids. */
const B = { STOP: 0, BOOL: 2, BYTE: 3, DOUBLE: 4, I16: 6, I32: 8, I64: 10, STRING: 11, STRUCT: 12, MAP: 13, SET: 14, LIST: 15, UUID: 16 } as const;
/** Compact protocol type ids. */
const C = { STOP: 0, TRUE: 1, FALSE: 2, BYTE: 3, I16: 4, I32: 5, I64: 6, DOUBLE: 7, BINARY: 8, LIST: 9, SET: 10, MAP: 11, STRUCT: 12, UUID: 13 } as const;

const NEED_MORE = -1;
/** Longest method name accepted: names are identifiers, so a huge one means garbage. */
const MAX_NAME = 0xffff;

/** Options for {@link MessageSkipper}. */
export interface SkipperOptions {
  /** A message that would be longer than this is refused. */
  maxBytes: number;
  /** Deepest nesting of structs and containers accepted. */
  maxDepth?: number;
}

/**
 * Resumable scanner for one Thrift message (header + body struct). Call
 * {@link scan} with the same message start each time more bytes arrive; it
 * returns the message length once complete, else -1. {@link reset} before the
 * next message.
 */
export class MessageSkipper {
  private pos = 0;
  private headerDone = false;
  private readonly stack: Frame[] = [];
  private readonly maxBytes: number;
  private readonly maxDepth: number;
  private buf: Uint8Array = new Uint8Array(0);
  private base = 0;
  private avail = 0;

  constructor(readonly encoding: ThriftEncoding, opts: SkipperOptions) {
    this.maxBytes = opts.maxBytes;
    this.maxDepth = opts.maxDepth ?? 64;
  }

  /** Forget the current message. */
  reset(): void {
    this.pos = 0;
    this.headerDone = false;
    this.stack.length = 0;
  }

  /** Starts in the middle of a body: skip exactly one value of `type` (used for unknown fields). */
  startValue(type: number): void {
    this.reset();
    this.headerDone = true;
    this.stack.push({ k: K.List, t: type, vt: 0, n: 1 });
  }

  /**
   * Scans `buf[start, end)` (the message from its first byte). Returns the
   * message's total length when it is complete, or -1 when more bytes are
   * needed. Throws an RpcError for malformed input or a message over the limit.
   */
  scan(buf: Uint8Array, start: number, end: number): number {
    this.buf = buf;
    this.base = start;
    this.avail = end - start;
    if (!this.headerDone) {
      const r = this.encoding === 'binary' ? this.binaryHeader() : this.compactHeader();
      if (r === NEED_MORE) return this.checkAvail();
      this.pos = r;
      this.headerDone = true;
      this.push({ k: K.Struct, t: 0, vt: 0, n: 0 });
    }
    const r = this.encoding === 'binary' ? this.binaryBody() : this.compactBody();
    return r === NEED_MORE ? this.checkAvail() : r;
  }

  private checkAvail(): number {
    if (this.avail > this.maxBytes) throw limitError(`message exceeds ${this.maxBytes} bytes`);
    return NEED_MORE;
  }

  private byte(p: number): number {
    return this.buf[this.base + p]!;
  }

  private u32(p: number): number {
    return readU32(this.buf, this.base + p);
  }

  /** Refuses a declared size that cannot fit in the limit, before waiting for it. */
  private bound(end: number, what: string): void {
    if (end > this.maxBytes) throw limitError(`${what} would make the message exceed ${this.maxBytes} bytes`);
  }

  private push(f: Frame): void {
    if (this.stack.length >= this.maxDepth) throw protocolError(`nesting deeper than ${this.maxDepth}`);
    this.stack.push(f);
  }

  // ---- binary -------------------------------------------------------------

  private binaryHeader(): number {
    if (this.avail < 4) return NEED_MORE;
    const first = this.u32(0);
    if (first & 0x80000000) {
      if ((first & 0xffff0000) >>> 0 !== BINARY_VERSION_1) throw protocolError(`bad binary version 0x${first.toString(16)}`);
      if (this.avail < 8) return NEED_MORE;
      const len = this.u32(4);
      if (len > MAX_NAME) throw protocolError(`method name of ${len} bytes`);
      this.bound(12 + len, 'method name');
      return this.avail < 12 + len ? NEED_MORE : 12 + len;
    }
    // non-strict: the first word is the name length; anything long is not a Thrift message
    if (first > MAX_NAME) throw protocolError(`not a Thrift message (first word 0x${first.toString(16)})`);
    this.bound(9 + first, 'method name');
    return this.avail < 9 + first ? NEED_MORE : 9 + first;
  }

  /** Begins one binary value at `p`: returns the offset after it (or after a container's header, having pushed it). */
  private binaryValue(t: number, p: number): number {
    const a = this.avail;
    switch (t) {
      case B.BOOL: case B.BYTE: return a < p + 1 ? NEED_MORE : p + 1;
      case B.I16: return a < p + 2 ? NEED_MORE : p + 2;
      case B.I32: return a < p + 4 ? NEED_MORE : p + 4;
      case B.DOUBLE: case B.I64: return a < p + 8 ? NEED_MORE : p + 8;
      case B.UUID: return a < p + 16 ? NEED_MORE : p + 16;
      case B.STRING: {
        if (a < p + 4) return NEED_MORE;
        const e = p + 4 + this.u32(p);
        this.bound(e, 'string');
        return a < e ? NEED_MORE : e;
      }
      case B.STRUCT:
        this.push({ k: K.Struct, t: 0, vt: 0, n: 0 });
        return p;
      case B.LIST: case B.SET: {
        if (a < p + 5) return NEED_MORE;
        const n = this.u32(p + 1);
        if (n > 0x7fffffff) throw protocolError('negative container size');
        this.bound(p + 5 + n, 'list');
        this.push({ k: K.List, t: this.byte(p), vt: 0, n });
        return p + 5;
      }
      case B.MAP: {
        if (a < p + 6) return NEED_MORE;
        const n = this.u32(p + 2);
        if (n > 0x7fffffff) throw protocolError('negative container size');
        this.bound(p + 6 + 2 * n, 'map');
        this.push({ k: K.Map, t: this.byte(p), vt: this.byte(p + 1), n: 2 * n });
        return p + 6;
      }
      default:
        throw protocolError(`unknown binary type id ${t}`);
    }
  }

  private binaryBody(): number {
    const st = this.stack;
    for (;;) {
      const top = st[st.length - 1];
      if (!top) return this.pos;
      let r: number;
      if (top.k === K.Struct) {
        if (this.avail < this.pos + 1) return NEED_MORE;
        const ft = this.byte(this.pos);
        if (ft === B.STOP) { this.pos += 1; st.pop(); continue; }
        if (this.avail < this.pos + 3) return NEED_MORE;
        r = this.binaryValue(ft, this.pos + 3);
      } else {
        if (top.n === 0) { st.pop(); continue; }
        const t = top.k === K.Map && top.n % 2 === 1 ? top.vt : top.t;
        r = this.binaryValue(t, this.pos);
        if (r !== NEED_MORE) top.n--;
      }
      if (r === NEED_MORE) return NEED_MORE;
      this.pos = r;
    }
  }

  // ---- compact ------------------------------------------------------------

  /** Skips a varint at `p`; returns the offset after it, or -1. */
  private varintEnd(p: number, maxLen: number): number {
    for (let i = 0; i < maxLen; i++) {
      if (this.avail < p + i + 1) return NEED_MORE;
      if ((this.byte(p + i) & 0x80) === 0) return p + i + 1;
    }
    throw protocolError('varint too long');
  }

  /** Reads an unsigned 32-bit varint at `p`: [value, end] or undefined when incomplete. */
  private varint32(p: number): [number, number] | undefined {
    let v = 0;
    for (let i = 0; i < 5; i++) {
      if (this.avail < p + i + 1) return undefined;
      const b = this.byte(p + i);
      v += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) return [v, p + i + 1];
    }
    throw protocolError('varint too long');
  }

  private compactHeader(): number {
    if (this.avail < 2) return NEED_MORE;
    if (this.byte(0) !== COMPACT_PROTOCOL_ID || (this.byte(1) & 0x1f) !== COMPACT_VERSION) throw protocolError('bad compact message header');
    const p = this.varintEnd(2, 5);
    if (p === NEED_MORE) return NEED_MORE;
    const v = this.varint32(p);
    if (!v) return NEED_MORE;
    if (v[0] > MAX_NAME) throw protocolError(`method name of ${v[0]} bytes`);
    const e = v[1] + v[0];
    this.bound(e, 'method name');
    return this.avail < e ? NEED_MORE : e;
  }

  private compactValue(t: number, p: number): number {
    const a = this.avail;
    switch (t) {
      case C.TRUE: case C.FALSE: case C.BYTE: return a < p + 1 ? NEED_MORE : p + 1;
      case C.I16: return this.varintEnd(p, 3);
      case C.I32: return this.varintEnd(p, 5);
      case C.I64: return this.varintEnd(p, 10);
      case C.DOUBLE: return a < p + 8 ? NEED_MORE : p + 8;
      case C.UUID: return a < p + 16 ? NEED_MORE : p + 16;
      case C.BINARY: {
        const v = this.varint32(p);
        if (!v) return NEED_MORE;
        const e = v[1] + v[0];
        this.bound(e, 'string');
        return a < e ? NEED_MORE : e;
      }
      case C.STRUCT:
        this.push({ k: K.Struct, t: 0, vt: 0, n: 0 });
        return p;
      case C.LIST: case C.SET: {
        if (a < p + 1) return NEED_MORE;
        const h = this.byte(p);
        let n = h >> 4;
        let e = p + 1;
        if (n === 15) {
          const v = this.varint32(p + 1);
          if (!v) return NEED_MORE;
          [n, e] = v;
        }
        this.bound(e + n, 'list');
        this.push({ k: K.List, t: h & 0x0f, vt: 0, n });
        return e;
      }
      case C.MAP: {
        const v = this.varint32(p);
        if (!v) return NEED_MORE;
        const [n, e] = v;
        if (n === 0) return e;
        if (a < e + 1) return NEED_MORE;
        this.bound(e + 1 + 2 * n, 'map');
        const kv = this.byte(e);
        this.push({ k: K.Map, t: kv >> 4, vt: kv & 0x0f, n: 2 * n });
        return e + 1;
      }
      default:
        throw protocolError(`unknown compact type id ${t}`);
    }
  }

  private compactBody(): number {
    const st = this.stack;
    for (;;) {
      const top = st[st.length - 1];
      if (!top) return this.pos;
      let r: number;
      if (top.k === K.Struct) {
        if (this.avail < this.pos + 1) return NEED_MORE;
        const h = this.byte(this.pos);
        if (h === C.STOP) { this.pos += 1; st.pop(); continue; }
        const t = h & 0x0f;
        let p = this.pos + 1;
        if ((h >> 4) === 0) {
          p = this.varintEnd(p, 3); // explicit zigzag i16 field id
          if (p === NEED_MORE) return NEED_MORE;
        }
        // a bool field carries its value in the type nibble: no value bytes
        r = t === C.TRUE || t === C.FALSE ? p : this.compactValue(t, p);
      } else {
        if (top.n === 0) { st.pop(); continue; }
        const t = top.k === K.Map && top.n % 2 === 1 ? top.vt : top.t;
        r = this.compactValue(t, this.pos);
        if (r !== NEED_MORE) top.n--;
      }
      if (r === NEED_MORE) return NEED_MORE;
      this.pos = r;
    }
  }
}

/**
 * Length of the complete Thrift message at `buf[start, end)`, or -1 if it is
 * incomplete (one-shot helper; use {@link MessageSkipper} to resume).
 */
export function messageLength(encoding: ThriftEncoding, buf: Uint8Array, start = 0, end = buf.length, maxBytes = DEFAULT_MAX_RECEIVE_MESSAGE_BYTES): number {
  return new MessageSkipper(encoding, { maxBytes }).scan(buf, start, end);
}

/** Offset after one value of `type` at `offset` (throws if it runs past `end`). */
export function skipValue(encoding: ThriftEncoding, type: number, buf: Uint8Array, offset: number, end: number): number {
  const s = new MessageSkipper(encoding, { maxBytes: end - offset });
  s.startValue(type);
  const n = s.scan(buf, offset, end);
  if (n < 0) throw protocolError('truncated value');
  return offset + n;
}
