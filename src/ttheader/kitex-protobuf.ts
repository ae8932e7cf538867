/**
 * Kitex protobuf ping-pong envelope (cloudwego/kitex pkg/remote/codec/protobuf),
 * always Framed (alone or inside TTHeader):
 * ```
 * u32 0x9001_00_<msgtype> | u32 name length | name | u32 seq id | bare protobuf message
 * ```
 * An EXCEPTION carries Kitex's `ErrorProto { int32 TypeID = 1; string Message = 2; }`.
 */
import { protocolError } from '../frame/errors.js';
import { readVarint32, type MessageHeader } from '../frame/tmessage.js';
import { decodeText, encodeText } from '../frame/text.js';

/** High 16 bits of the first word of a Kitex protobuf message. */
export const KITEX_PROTOBUF_MAGIC = 0x9001;
const MAGIC_WORD = 0x90010000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Bytes of the envelope header for this (UTF-8) method name. */
export function kitexProtobufHeaderSize(nameBytes: Uint8Array): number {
  return 12 + nameBytes.length;
}

/** Writes the envelope header at `offset`; returns the offset after it. */
export function writeKitexProtobufHeader(out: Uint8Array, offset: number, nameBytes: Uint8Array, type: number, seqId: number): number {
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  dv.setUint32(offset, (MAGIC_WORD | type) >>> 0);
  dv.setUint32(offset + 4, nameBytes.length);
  out.set(nameBytes, offset + 8);
  dv.setInt32(offset + 8 + nameBytes.length, seqId);
  return offset + 12 + nameBytes.length;
}

/** The envelope header as its own byte array. */
export function encodeKitexProtobufHeader(name: string, type: number, seqId: number): Uint8Array {
  const nb = encodeText(name);
  const out = new Uint8Array(kitexProtobufHeaderSize(nb));
  writeKitexProtobufHeader(out, 0, nb, type, seqId);
  return out;
}

/** True when the 4 bytes at `offset` start a Kitex protobuf envelope. */
export function isKitexProtobuf(bytes: Uint8Array, offset = 0): boolean {
  return bytes.length - offset >= 2 && bytes[offset] === 0x90 && bytes[offset + 1] === 0x01;
}

/** Reads the envelope header; the bare message starts at `bodyOffset`. */
export function decodeKitexProtobufHeader(bytes: Uint8Array, offset = 0, end = bytes.length): MessageHeader {
  if (end - offset < 12) throw protocolError('truncated Kitex protobuf header');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const word = dv.getUint32(offset);
  if ((word & 0xffff0000) >>> 0 !== MAGIC_WORD) throw protocolError(`bad Kitex protobuf magic 0x${word.toString(16)}`);
  const nameLen = dv.getUint32(offset + 4);
  if (nameLen > end - offset - 12) throw protocolError('Kitex protobuf method name longer than the message');
  const name = decodeText(bytes, offset + 8, offset + 8 + nameLen);
  const seqId = dv.getInt32(offset + 8 + nameLen);
  return { name, type: word & 0xff, seqId, bodyOffset: offset + 12 + nameLen };
}

/** Decodes Kitex's ErrorProto (TypeID, Message), skipping unknown fields. */
export function decodeKitexProtobufError(bytes: Uint8Array): { type: number; message: string } {
  let type = 0;
  let message = '';
  let p = 0;
  const end = bytes.length;
  while (p < end) {
    const [tag, q] = readVarint32(bytes, p, end);
    p = q;
    const field = tag >>> 3;
    const wt = tag & 7;
    if (wt === 0) {
      // TypeID is int32: may be a 10-byte (or Kitex's 5-byte) negative varint; keep the low 32 bits
      let v = 0;
      let i = 0;
      for (;; i++) {
        if (p >= end || i >= 10) throw protocolError('bad varint in Kitex protobuf error');
        const b = bytes[p++]!;
        if (i < 5) v += (b & 0x7f) * 2 ** (7 * i);
        if ((b & 0x80) === 0) break;
      }
      if (field === 1) type = v | 0;
    } else if (wt === 2) {
      const [len, r] = readVarint32(bytes, p, end);
      if (len > end - r) throw protocolError('truncated Kitex protobuf error');
      if (field === 2) message = decoder.decode(bytes.subarray(r, r + len));
      p = r + len;
    } else if (wt === 1) {
      p += 8;
    } else if (wt === 5) {
      p += 4;
    } else {
      throw protocolError(`unsupported wire type ${wt} in Kitex protobuf error`);
    }
  }
  if (p > end) throw protocolError('truncated Kitex protobuf error');
  return { type, message };
}

/** Encodes Kitex's ErrorProto (for the server side). */
export function encodeKitexProtobufError(type: number, message: string): Uint8Array {
  const out: number[] = [];
  if (type !== 0) {
    out.push(0x08);
    let v = type >>> 0; // negative int32 as Kitex writes it: 5-byte varint of the bit pattern
    while (v >= 0x80) { out.push((v & 0x7f) | 0x80); v >>>= 7; }
    out.push(v);
  }
  const mb = encoder.encode(message);
  if (mb.length > 0) {
    out.push(0x12);
    let l = mb.length;
    while (l >= 0x80) { out.push((l & 0x7f) | 0x80); l >>>= 7; }
    out.push(l);
  }
  const res = new Uint8Array(out.length + (mb.length > 0 ? mb.length : 0));
  res.set(out, 0);
  if (mb.length > 0) res.set(mb, out.length);
  return res;
}
