/**
 * Thrift message headers (the `TMessage` that precedes the args/result struct):
 * strict binary (`0x8001 | type`, name, seq id) and compact (`0x82`, version|type,
 * varint seq id, varint-length name). Bytes only: the struct after it belongs to
 * the codec.
 */
import { RpcError, Code } from '../errors/index.js';
import { decodeText, encodeText } from './text.js';
import { readI32, readU32 } from './big-endian.js';

/** Thrift message types as they appear on the wire. */
export const MessageType = { CALL: 1, REPLY: 2, EXCEPTION: 3, ONEWAY: 4 } as const;
/** One of {@link MessageType}'s values. */
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** A decoded message header and where the body starts. */
export interface MessageHeader {
  readonly name: string;
  readonly type: number;
  readonly seqId: number;
  /** Offset of the first body byte in the input. */
  readonly bodyOffset: number;
}


/** Strict binary version word: the high bits of the first i32. */
export const BINARY_VERSION_1 = 0x80010000;
/** Compact protocol id (first byte) and version (low 5 bits of the second). */
export const COMPACT_PROTOCOL_ID = 0x82;
export const COMPACT_VERSION = 1;

/** Bytes needed for a strict binary header with this (UTF-8) method name. */
export function binaryMessageHeaderSize(nameBytes: Uint8Array): number {
  return 12 + nameBytes.length;
}

/** Writes a strict binary message header at `offset`; returns the offset after it. */
export function writeBinaryMessageHeader(out: Uint8Array, offset: number, nameBytes: Uint8Array, type: number, seqId: number): number {
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  dv.setUint32(offset, (BINARY_VERSION_1 | type) >>> 0);
  dv.setUint32(offset + 4, nameBytes.length);
  out.set(nameBytes, offset + 8);
  dv.setInt32(offset + 8 + nameBytes.length, seqId);
  return offset + 12 + nameBytes.length;
}

/** A strict binary message header as its own byte array. */
export function encodeBinaryMessageHeader(name: string, type: number, seqId: number): Uint8Array {
  const nb = encodeText(name);
  const out = new Uint8Array(binaryMessageHeaderSize(nb));
  writeBinaryMessageHeader(out, 0, nb, type, seqId);
  return out;
}

function protocolError(msg: string): RpcError {
  return new RpcError(Code.INTERNAL, `thrift message: ${msg}`);
}

/**
 * Reads a binary message header. Strict headers are the norm; the old
 * non-strict form (name length first, then a type byte) is accepted too
 * because some Buffered peers still send it.
 */
export function decodeBinaryMessageHeader(bytes: Uint8Array, offset = 0, end = bytes.length): MessageHeader {
  if (end - offset < 4) throw protocolError('truncated header');
  const first = readI32(bytes, offset);
  if (first < 0) {
    if ((first & 0xffff0000) >>> 0 !== BINARY_VERSION_1) throw protocolError(`bad version 0x${(first >>> 0).toString(16)}`);
    const type = first & 0xff;
    if (end - offset < 12) throw protocolError('truncated header');
    const nameLen = readU32(bytes, offset + 4);
    if (nameLen > end - offset - 12) throw protocolError('method name longer than the message');
    const name = decodeText(bytes, offset + 8, offset + 8 + nameLen);
    const seqId = readI32(bytes, offset + 8 + nameLen);
    return { name, type, seqId, bodyOffset: offset + 12 + nameLen };
  }
  const nameLen = first;
  if (nameLen > end - offset - 9) throw protocolError('method name longer than the message');
  const name = decodeText(bytes, offset + 4, offset + 4 + nameLen);
  const type = bytes[offset + 4 + nameLen]!;
  const seqId = readI32(bytes, offset + 5 + nameLen);
  return { name, type, seqId, bodyOffset: offset + 9 + nameLen };
}

function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) { v = Math.floor(v / 128); n++; }
  return n;
}

function writeVarint(out: Uint8Array, offset: number, v: number): number {
  while (v >= 0x80) { out[offset++] = (v & 0x7f) | 0x80; v = Math.floor(v / 128); }
  out[offset++] = v;
  return offset;
}

/** Bytes needed for a compact message header. */
export function compactMessageHeaderSize(nameBytes: Uint8Array, seqId: number): number {
  return 2 + varintSize(seqId >>> 0) + varintSize(nameBytes.length) + nameBytes.length;
}

/** Writes a compact message header at `offset`; returns the offset after it. */
export function writeCompactMessageHeader(out: Uint8Array, offset: number, nameBytes: Uint8Array, type: number, seqId: number): number {
  out[offset++] = COMPACT_PROTOCOL_ID;
  out[offset++] = (COMPACT_VERSION | (type << 5)) & 0xff;
  // The compact seq id is a plain (not zigzag) varint of the i32 bit pattern.
  offset = writeVarint(out, offset, seqId >>> 0);
  offset = writeVarint(out, offset, nameBytes.length);
  out.set(nameBytes, offset);
  return offset + nameBytes.length;
}

/** A compact message header as its own byte array. */
export function encodeCompactMessageHeader(name: string, type: number, seqId: number): Uint8Array {
  const nb = encodeText(name);
  const out = new Uint8Array(compactMessageHeaderSize(nb, seqId));
  writeCompactMessageHeader(out, 0, nb, type, seqId);
  return out;
}

/** Reads an unsigned varint of at most 5 bytes (32 bits); returns [value, next offset]. */
export function readVarint32(bytes: Uint8Array, offset: number, end: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (let i = 0; i < 5; i++) {
    if (offset >= end) throw protocolError('truncated varint');
    const b = bytes[offset++]!;
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [result >>> 0, offset];
    shift += 7;
  }
  throw protocolError('varint longer than 5 bytes');
}

/** Reads a compact message header. */
export function decodeCompactMessageHeader(bytes: Uint8Array, offset = 0, end = bytes.length): MessageHeader {
  if (end - offset < 4) throw protocolError('truncated compact header');
  if (bytes[offset] !== COMPACT_PROTOCOL_ID) throw protocolError(`bad compact protocol id 0x${bytes[offset]!.toString(16)}`);
  const vt = bytes[offset + 1]!;
  if ((vt & 0x1f) !== COMPACT_VERSION) throw protocolError(`bad compact version ${vt & 0x1f}`);
  const type = vt >> 5;
  let [seq, p] = readVarint32(bytes, offset + 2, end);
  const [nameLen, p2] = readVarint32(bytes, p, end);
  p = p2;
  if (nameLen > end - p) throw protocolError('method name longer than the message');
  const name = decodeText(bytes, p, p + nameLen);
  return { name, type, seqId: seq | 0, bodyOffset: p + nameLen };
}
