/**
 * TApplicationException: the struct a Thrift server sends in an EXCEPTION
 * message (field 1 string message, field 2 i32 type). Decoded into an RpcError
 * whose gRPC code approximates the Thrift type; the Thrift type itself is kept
 * as `thriftExceptionType` and in `metadata['thrift-exception-type']`.
 */
import { RpcError, Code, type Metadata } from '../errors/index.js';
import { protocolError } from './errors.js';
import { skipValue, type ThriftEncoding } from './buffered-length.js';
import { readVarint32 } from './tmessage.js';

/** TApplicationException types (Apache Thrift) plus Kitex's own from 20 up. */
export const TApplicationExceptionType = {
  UNKNOWN: 0,
  UNKNOWN_METHOD: 1,
  INVALID_MESSAGE_TYPE: 2,
  WRONG_METHOD_NAME: 3,
  BAD_SEQUENCE_ID: 4,
  MISSING_RESULT: 5,
  INTERNAL_ERROR: 6,
  PROTOCOL_ERROR: 7,
  INVALID_TRANSFORM: 8,
  INVALID_PROTOCOL: 9,
  UNSUPPORTED_CLIENT_TYPE: 10,
  /** Kitex: no such service on this server. */
  UNKNOWN_SERVICE: 20,
  /** Kitex: the request named no service. */
  NO_SERVICE_NAME: 21,
} as const;

/** The gRPC code we report for a Thrift application exception type. */
export function codeForApplicationExceptionType(type: number): number {
  switch (type) {
    case TApplicationExceptionType.UNKNOWN_METHOD:
    case TApplicationExceptionType.UNKNOWN_SERVICE:
    case TApplicationExceptionType.INVALID_TRANSFORM:
    case TApplicationExceptionType.INVALID_PROTOCOL:
    case TApplicationExceptionType.UNSUPPORTED_CLIENT_TYPE:
      return Code.UNIMPLEMENTED;
    case TApplicationExceptionType.NO_SERVICE_NAME:
      return Code.INVALID_ARGUMENT;
    case TApplicationExceptionType.UNKNOWN:
      return Code.UNKNOWN;
    default:
      return Code.INTERNAL; // 2–7: the peer failed or could not read us
  }
}

/**
 * A TApplicationException (or Kitex protobuf error reply) from the peer. An
 * RpcError with the Thrift type kept as {@link thriftExceptionType}.
 */
export class ThriftApplicationError extends RpcError {
  /** The TApplicationException type as sent (see {@link TApplicationExceptionType}). */
  readonly thriftExceptionType: number;

  constructor(type: number, message: string, metadata: Metadata = {}) {
    super(codeForApplicationExceptionType(type), message, { metadata: { ...metadata, 'thrift-exception-type': String(type) } });
    this.thriftExceptionType = type;
  }
}

/** Message and type read from a TApplicationException struct. */
export interface ApplicationException {
  message: string;
  type: number;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Decodes a TApplicationException struct (binary or compact), skipping unknown fields. */
export function decodeApplicationException(bytes: Uint8Array, encoding: ThriftEncoding = 'binary', offset = 0, end = bytes.length): ApplicationException {
  return encoding === 'binary' ? decodeBinary(bytes, offset, end) : decodeCompact(bytes, offset, end);
}

function decodeBinary(b: Uint8Array, p: number, end: number): ApplicationException {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let message = '';
  let type = TApplicationExceptionType.UNKNOWN as number;
  for (;;) {
    if (p >= end) throw protocolError('truncated TApplicationException');
    const ft = b[p]!;
    if (ft === 0) return { message, type };
    if (p + 3 > end) throw protocolError('truncated TApplicationException');
    const id = dv.getInt16(p + 1);
    p += 3;
    if (id === 1 && ft === 11) {
      if (p + 4 > end) throw protocolError('truncated TApplicationException');
      const len = dv.getUint32(p);
      if (len > end - p - 4) throw protocolError('truncated TApplicationException');
      message = decoder.decode(b.subarray(p + 4, p + 4 + len));
      p += 4 + len;
    } else if (id === 2 && ft === 8) {
      if (p + 4 > end) throw protocolError('truncated TApplicationException');
      type = dv.getInt32(p);
      p += 4;
    } else {
      p = skipValue('binary', ft, b, p, end);
    }
  }
}

function decodeCompact(b: Uint8Array, p: number, end: number): ApplicationException {
  let message = '';
  let type = TApplicationExceptionType.UNKNOWN as number;
  let lastId = 0;
  for (;;) {
    if (p >= end) throw protocolError('truncated TApplicationException');
    const h = b[p++]!;
    if (h === 0) return { message, type };
    const t = h & 0x0f;
    let id: number;
    if (h >> 4 === 0) {
      const [z, q] = readVarint32(b, p, end);
      p = q;
      id = (z >>> 1) ^ -(z & 1);
    } else {
      id = lastId + (h >> 4);
    }
    lastId = id;
    if (id === 1 && t === 8) {
      const [len, q] = readVarint32(b, p, end);
      if (len > end - q) throw protocolError('truncated TApplicationException');
      message = decoder.decode(b.subarray(q, q + len));
      p = q + len;
    } else if (id === 2 && t === 5) {
      const [z, q] = readVarint32(b, p, end);
      type = (z >>> 1) ^ -(z & 1);
      p = q;
    } else if (t === 1 || t === 2) {
      // bool field: the value is in the type nibble
    } else {
      p = skipValue('compact', t, b, p, end);
    }
  }
}

/** Encodes a TApplicationException struct (for the server side). */
export function encodeApplicationException(message: string, type: number, encoding: ThriftEncoding = 'binary'): Uint8Array {
  const mb = encoder.encode(message);
  if (encoding === 'binary') {
    const out = new Uint8Array(3 + 4 + mb.length + 3 + 4 + 1);
    const dv = new DataView(out.buffer);
    out[0] = 11;
    dv.setInt16(1, 1);
    dv.setUint32(3, mb.length);
    out.set(mb, 7);
    let p = 7 + mb.length;
    out[p] = 8;
    dv.setInt16(p + 1, 2);
    dv.setInt32(p + 3, type);
    out[p + 7] = 0;
    return out;
  }
  const bytes: number[] = [0x18]; // delta 1, type BINARY
  pushVarint(bytes, mb.length);
  const head = bytes.length;
  const tail: number[] = [0x15]; // delta 1, type I32
  pushVarint(tail, ((type << 1) ^ (type >> 31)) >>> 0);
  tail.push(0);
  const out = new Uint8Array(head + mb.length + tail.length);
  out.set(bytes, 0);
  out.set(mb, head);
  out.set(tail, head + mb.length);
  return out;
}

function pushVarint(out: number[], v: number): void {
  while (v >= 0x80) { out.push((v & 0x7f) | 0x80); v >>>= 7; }
  out.push(v);
}

/** Decodes a TApplicationException struct straight into a {@link ThriftApplicationError}. */
export function applicationExceptionToError(bytes: Uint8Array, encoding: ThriftEncoding = 'binary', metadata: Metadata = {}): ThriftApplicationError {
  const { message, type } = decodeApplicationException(bytes, encoding);
  return new ThriftApplicationError(type, message, metadata);
}
