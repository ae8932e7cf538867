import type { StatusDetail } from '../errors/index.js';
import { decodeBinaryValue, encodeBinaryValue } from './metadata.js';

/** A status as read from trailers (or the headers of a trailers-only response). */
export interface TrailerStatus {
  code: number;
  message: string;
  details: StatusDetail[];
}

/**
 * Percent-encodes a status message for `grpc-message`: UTF-8 bytes outside printable
 * ASCII, and `%` itself, become `%XX`.
 */
export function encodeGrpcMessage(message: string): string {
  let plain = true;
  for (let i = 0; i < message.length; i++) {
    const c = message.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x25) {
      plain = false;
      break;
    }
  }
  if (plain) return message;
  const bytes = Buffer.from(message, 'utf8');
  let out = '';
  for (const b of bytes) {
    out += b < 0x20 || b > 0x7e || b === 0x25 ? '%' + (b < 16 ? '0' : '') + b.toString(16).toUpperCase() : String.fromCharCode(b);
  }
  return out;
}

/**
 * Decodes a `grpc-message` value. Malformed `%` sequences are kept as they are and
 * invalid UTF-8 becomes U+FFFD: a status message is never a reason to fail.
 */
export function decodeGrpcMessage(value: string): string {
  if (value.indexOf('%') < 0) return value;
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25 && i + 2 < value.length && /^[0-9a-fA-F]{2}$/.test(value.slice(i + 1, i + 3))) {
      bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      // node hands header values over as latin1, so each char is one raw byte.
      bytes.push(c & 0xff);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

// --- google.rpc.Status, hand-coded: { 1: int32 code, 2: string message, 3: repeated Any details }
// --- google.protobuf.Any: { 1: string type_url, 2: bytes value }

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new Error('truncated varint');
      const b = this.buf[this.pos++]!;
      // Only the low 32 bits matter for the fields we read; higher bytes are skipped.
      if (i < 5) result += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) return result;
    }
    throw new Error('varint too long');
  }
  bytes(): Uint8Array {
    const n = this.varint();
    if (this.pos + n > this.buf.length) throw new Error('truncated field');
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
    if (this.pos > this.buf.length) throw new Error('truncated field');
  }
}

/** Decodes `google.rpc.Status` bytes; throws on malformed input. */
export function decodeRpcStatus(buf: Uint8Array): TrailerStatus {
  const r = new Reader(buf);
  const out: TrailerStatus = { code: 0, message: '', details: [] };
  while (r.pos < buf.length) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 1 && wire === 0) out.code = r.varint() | 0;
    else if (field === 2 && wire === 2) out.message = Buffer.from(r.bytes()).toString('utf8');
    else if (field === 3 && wire === 2) out.details.push(decodeAny(r.bytes()));
    else r.skip(wire);
  }
  return out;
}

function decodeAny(buf: Uint8Array): StatusDetail {
  const r = new Reader(buf);
  let typeUrl = '';
  let value: Uint8Array = new Uint8Array(0);
  while (r.pos < buf.length) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 1 && wire === 2) typeUrl = Buffer.from(r.bytes()).toString('utf8');
    else if (field === 2 && wire === 2) value = r.bytes();
    else r.skip(wire);
  }
  return { typeUrl, value };
}

function pushVarint(out: number[], v: number): void {
  // Negative int32 codes are written as 10-byte two's complement, as protobuf requires.
  if (v < 0) {
    let lo = v >>> 0;
    for (let i = 0; i < 4; i++) {
      out.push((lo & 0x7f) | 0x80);
      lo >>>= 7;
    }
    out.push((lo & 0x0f) | 0x70 | 0x80, 0xff, 0xff, 0xff, 0xff, 0x01);
    return;
  }
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

function pushBytes(out: number[], field: number, b: Uint8Array): void {
  pushVarint(out, (field << 3) | 2);
  pushVarint(out, b.length);
  for (const x of b) out.push(x);
}

/** Encodes `google.rpc.Status` bytes (for `grpc-status-details-bin`). */
export function encodeRpcStatus(s: { code: number; message?: string; details?: readonly StatusDetail[] }): Uint8Array {
  const out: number[] = [];
  if (s.code !== 0) {
    out.push(0x08);
    pushVarint(out, s.code);
  }
  if (s.message) pushBytes(out, 2, Buffer.from(s.message, 'utf8'));
  for (const d of s.details ?? []) {
    const any: number[] = [];
    if (d.typeUrl) pushBytes(any, 1, Buffer.from(d.typeUrl, 'utf8'));
    if (d.value.length) pushBytes(any, 2, d.value);
    pushBytes(out, 3, Uint8Array.from(any));
  }
  return Uint8Array.from(out);
}

function first(v: string | string[] | number | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v[0];
  return String(v);
}

/**
 * Reads the status from trailers (or trailers-only headers). Undefined when there is no
 * `grpc-status`; a non-numeric status is UNKNOWN. When `grpc-status-details-bin` is
 * present and decodes, its details are used; `grpc-status`/`grpc-message` still win for
 * code and message, as the spec makes them authoritative.
 */
export function parseTrailerStatus(
  headers: Record<string, string | string[] | number | undefined>,
): TrailerStatus | undefined {
  const rawCode = first(headers['grpc-status']);
  if (rawCode === undefined) return undefined;
  const code = /^\d+$/.test(rawCode.trim()) ? Number(rawCode.trim()) : 2; /* UNKNOWN */
  const rawMsg = first(headers['grpc-message']);
  const message = rawMsg === undefined ? '' : decodeGrpcMessage(rawMsg);
  let details: TrailerStatus['details'] = [];
  const bin = first(headers['grpc-status-details-bin']);
  if (bin !== undefined) {
    try {
      details = decodeRpcStatus(decodeBinaryValue(bin)).details;
    } catch {
      // Undecodable details are dropped; the status itself is still valid.
    }
  }
  return { code, message, details };
}

/** Builds the status trailers a server sends (`grpc-status`, `grpc-message`, details). */
export function statusTrailers(
  code: number,
  message: string,
  details: readonly StatusDetail[] | undefined,
  out: Record<string, string | string[]>,
): Record<string, string | string[]> {
  out['grpc-status'] = String(code);
  out['grpc-message'] = encodeGrpcMessage(message);
  if (details && details.length > 0) {
    out['grpc-status-details-bin'] = encodeBinaryValue(encodeRpcStatus({ code, message, details }));
  }
  return out;
}
