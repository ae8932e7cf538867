/**
 * TTHeader Streaming frames (Kitex streamx, "ttstream"). Every frame is one
 * TTHeader frame with the streaming flag set, the stream id as its sequence
 * id, protocol id 0x10 (a bare Thrift struct follows, no TMessage), and on
 * every frame exactly two int infos: FrameType (27, an ASCII digit) and
 * ToMethod (9). String info rides on Header, Trailer and Rst frames only.
 * Facts from kitex v0.14.1 pkg/remote/trans/ttstream/frame.go (EncodeFrame,
 * DecodeFrame) and gopkg protocol/ttheader (encode.go, decode.go); the Rst
 * frame from kitex v0.15 frame.go (rstFrameType = 5).
 */
import { copyFrame } from '../frame/copy-frame.js';
import {
  encodeTTHeaderPrefix,
  decodeText,
  protocolError,
  readI32,
  readU16,
  GDPR_TOKEN_KEY,
  InfoId,
  IntInfoKey,
  TTHeaderProtocolId,
  TTHEADER_MAGIC,
  TTHEADER_META_SIZE,
} from '../frame/index.js';

/** Frame types, as the digit Kitex writes under int info key 27. */
export const FrameType = { Meta: 1, Header: 2, Data: 3, Trailer: 4, Rst: 5 } as const;
/** One of {@link FrameType}'s values. */
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** gopkg encode.go HeaderFlagsStreaming: the flag that tells ttstream frames from ping-pong TTHeader. */
export const HEADER_FLAGS_STREAMING = 0x0002;

/** ASCII '0': frame types travel as one decimal digit. */
const DIGIT_0 = 0x30;

/**
 * Whether a connection that starts with `head` speaks ttstream, the way a
 * Kitex server tells (gopkg utils.go IsStreaming): TTHeader magic in bytes
 * 4–5 and the streaming flag in bytes 6–7. Undefined while fewer than 8
 * bytes are there.
 */
export function isTTStreamStart(head: Uint8Array): boolean | undefined {
  if (head.length < 8) return undefined;
  return readU16(head, 4) === TTHEADER_MAGIC && (readU16(head, 6) & HEADER_FLAGS_STREAMING) !== 0;
}

/**
 * Offset of the FrameType digit in a frame made from a {@link framePrefix}:
 * meta (14) + protocol id and transform count (2) + int block id and count
 * (3) + key 27 and its length (4).
 */
const TYPE_DIGIT_AT = TTHEADER_META_SIZE + 2 + 3 + 4;

/** Encoded frame heads without string info, by method: the same bytes for every frame but four fields. */
const prefixes = new Map<string, Uint8Array>();
/** Method names come from peers on the server side: the cache must not grow without bound. */
const MAX_PREFIXES = 1024;

/**
 * Everything of a frame without string info before its payload, for one
 * method: {@link writeFrameHead} patches in the length, stream id and type.
 * Int infos in the order 27, 9 (Kitex writes Go map order; both occur).
 */
export function framePrefix(method: string): Uint8Array {
  let p = prefixes.get(method);
  if (p === undefined) {
    p = encodeHead(FrameType.Data, 0, method, undefined, 0);
    if (prefixes.size >= MAX_PREFIXES) prefixes.clear();
    prefixes.set(method, p);
  }
  return p;
}

/** Copies `prefix` to `out[at]` as the head of a frame; returns where the payload goes. */
export function writeFrameHead(out: Uint8Array, at: number, prefix: Uint8Array, type: FrameType, sid: number, payloadLength: number): number {
  const n = prefix.length;
  out.set(prefix, at);
  const len = n - 4 + payloadLength;
  out[at] = len >>> 24;
  out[at + 1] = (len >>> 16) & 0xff;
  out[at + 2] = (len >>> 8) & 0xff;
  out[at + 3] = len & 0xff;
  out[at + 8] = sid >>> 24;
  out[at + 9] = (sid >>> 16) & 0xff;
  out[at + 10] = (sid >>> 8) & 0xff;
  out[at + 11] = sid & 0xff;
  out[at + TYPE_DIGIT_AT] = DIGIT_0 + type;
  return at + n;
}

/**
 * The head of a frame with string info (Header, Trailer and Rst frames that
 * carry metadata). Kitex's metainfo key `RPC_TRANSIT_gdpr-token` goes into the
 * ACL token block, as gopkg's encoder puts it (encode.go).
 */
export function encodeHead(type: FrameType, sid: number, method: string, strInfo: ReadonlyMap<string, string> | undefined, payloadLength: number): Uint8Array {
  let aclToken: string | undefined;
  let str = strInfo;
  if (str !== undefined && str.has(GDPR_TOKEN_KEY)) {
    aclToken = str.get(GDPR_TOKEN_KEY);
    const rest = new Map(str);
    rest.delete(GDPR_TOKEN_KEY);
    str = rest;
  }
  return encodeTTHeaderPrefix(
    {
      seqId: sid,
      flags: HEADER_FLAGS_STREAMING,
      protocolId: TTHeaderProtocolId.ThriftStruct,
      intInfo: new Map([
        [IntInfoKey.FrameType, String(type)],
        [IntInfoKey.ToMethod, method],
      ]),
      ...(str !== undefined && str.size > 0 ? { strInfo: str } : {}),
      ...(aclToken !== undefined ? { aclToken } : {}),
    },
    payloadLength,
  );
}

/**
 * One decoded frame, as offsets into the bytes it was read from: a reader
 * reuses one instance for every frame, so reading a Data frame allocates
 * nothing but the payload view. The method name is decoded only when asked.
 */
export class FrameView {
  type: FrameType = FrameType.Data;
  sid = 0;
  buf: Uint8Array = new Uint8Array(0);
  payloadStart = 0;
  end = 0;
  /** The bytes are the reader's to hand out (false: a read buffer that is reused, so payloads are copied). */
  owned = true;
  private methodStart = -1;
  private methodEnd = -1;
  /** String info (with the ACL token under `RPC_TRANSIT_gdpr-token`), when the frame has any. */
  strInfo: Map<string, string> | undefined;

  /** The ToMethod int info ('' when absent). */
  get method(): string {
    return this.methodStart < 0 ? '' : decodeText(this.buf, this.methodStart, this.methodEnd);
  }

  get payloadLength(): number {
    return this.end - this.payloadStart;
  }

  /** The payload: a view into the frame's bytes, or a copy when those are about to be reused. */
  payload(): Uint8Array {
    return this.owned ? this.buf.subarray(this.payloadStart, this.end) : copyFrame(this.buf, this.payloadStart, this.end);
  }

  /**
   * Reads the frame `buf[start, end)` (length field included; the caller cut it
   * at the length the field declares). Throws a protocol error (an RpcError) on
   * anything Kitex would call an illegal frame: bad magic, no streaming flag, a
   * header that overruns, an unknown info block or frame type, or transforms
   * (Kitex never applies any to ttstream; we cannot undo them).
   */
  read(buf: Uint8Array, start: number, end: number): void {
    if (end - start < TTHEADER_META_SIZE + 2) throw protocolError('ttstream frame too short');
    if (readU16(buf, start + 4) !== TTHEADER_MAGIC) throw protocolError('not a TTHeader frame (bad magic)');
    if ((readU16(buf, start + 6) & HEADER_FLAGS_STREAMING) === 0) throw protocolError('TTHeader frame without the streaming flag on a ttstream connection');
    const headerEnd = start + TTHEADER_META_SIZE + readU16(buf, start + 12) * 4;
    if (headerEnd > end || headerEnd < start + TTHEADER_META_SIZE + 2) throw protocolError('ttstream frame header size does not fit the frame');
    if (buf[start + 15] !== 0) throw protocolError('ttstream frames with TTHeader transforms are not supported');
    this.buf = buf;
    this.sid = readI32(buf, start + 8);
    this.payloadStart = headerEnd;
    this.end = end;
    this.methodStart = this.methodEnd = -1;
    this.strInfo = undefined;
    let type = 0;
    let p = start + 16;
    while (p < headerEnd) {
      const id = buf[p++]!;
      if (id === InfoId.Padding) continue;
      if (p + 2 > headerEnd) throw protocolError('ttstream info block exceeds the header');
      const count = readU16(buf, p);
      p += 2;
      if (id === InfoId.IntKeyValue) {
        for (let i = 0; i < count; i++) {
          if (p + 4 > headerEnd) throw protocolError('ttstream info block exceeds the header');
          const key = readU16(buf, p);
          const len = readU16(buf, p + 2);
          p += 4;
          if (p + len > headerEnd) throw protocolError('ttstream info block exceeds the header');
          if (key === IntInfoKey.FrameType) type = len === 1 ? buf[p]! - DIGIT_0 : -1;
          else if (key === IntInfoKey.ToMethod) {
            this.methodStart = p;
            this.methodEnd = p + len;
          }
          p += len;
        }
      } else if (id === InfoId.KeyValue) {
        const map = (this.strInfo ??= new Map());
        for (let i = 0; i < count; i++) {
          const k = readString(buf, p, headerEnd);
          p += 2 + readU16(buf, p);
          const v = readString(buf, p, headerEnd);
          p += 2 + readU16(buf, p);
          map.set(k, v);
        }
      } else if (id === InfoId.ACLToken) {
        // no count here: the u16 just read is the token's own length
        p -= 2;
        (this.strInfo ??= new Map()).set(GDPR_TOKEN_KEY, readString(buf, p, headerEnd));
        p += 2 + count;
      } else {
        throw protocolError(`invalid TTHeader info id 0x${id.toString(16)}`);
      }
    }
    if (type < FrameType.Meta || type > FrameType.Rst) throw protocolError('ttstream frame of unknown type');
    this.type = type as FrameType;
  }
}

function readString(buf: Uint8Array, p: number, end: number): string {
  if (p + 2 > end) throw protocolError('ttstream info block exceeds the header');
  const len = readU16(buf, p);
  if (p + 2 + len > end) throw protocolError('ttstream info block exceeds the header');
  return decodeText(buf, p + 2, p + 2 + len);
}
