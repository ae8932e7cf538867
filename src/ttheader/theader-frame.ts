/**
 * Apache / fbthrift THeader (apache/thrift doc/specs/HeaderFormat.md): magic
 * 0x0FFF, then *varint* header fields — a different format from Kitex's
 * TTHeader (`ttheader-frame.ts`, magic 0x1000, fixed-width fields).
 *
 * ```
 * u32 LENGTH | u16 0x0FFF | u16 FLAGS | u32 SEQID | u16 HEADER SIZE (words, from offset 14)
 * varint PROTOCOL ID (0 binary, 2 compact) | varint NUM TRANSFORMS | varint TRANSFORM ID…
 * info headers: varint TYPE (1 KEYVALUE, 2 PKEYVALUE), varint COUNT, (varint-len key, varint-len value)…
 * 0x00 padding | PAYLOAD (after transforms)
 * ```
 */
import type zlib from 'node:zlib';
import { protocolError, limitError } from '../frame/errors.js';
import { readVarint32 } from '../frame/tmessage.js';
import { decodeText, encodeText } from '../frame/text.js';
import { DEFAULT_MAX_FRAME_BYTES } from './frame-decoder.js';

/** node:zlib, loaded on the first zlib transform: few THeader peers compress, and most processes never load it. */
function zlibModule(): typeof zlib {
  return process.getBuiltinModule('node:zlib');
}

/** THeader magic, the high 16 bits of the second word. */
export const THEADER_MAGIC = 0x0fff;

/** THeader sub-protocol ids. */
export const THeaderProtocolId = { Binary: 0x00, Compact: 0x02 } as const;

/** THeader transform ids. Only zlib is implemented (it is all Apache's Python supports). */
export const THeaderTransform = { Zlib: 0x01, Hmac: 0x02, Snappy: 0x03, Qlz: 0x04, Zstd: 0x05 } as const;

/** Info header types: KEYVALUE (Apache, fbthrift) and PKEYVALUE (fbthrift persistent headers). */
export const THeaderInfoType = { KeyValue: 0x01, PersistentKeyValue: 0x02 } as const;

/** What goes into a THeader besides the payload. */
export interface THeaderFields {
  seqId: number;
  flags?: number;
  protocolId?: number;
  /** Transforms applied to the payload, in order (zlib only). */
  transforms?: readonly number[];
  headers?: ReadonlyMap<string, string>;
}

/** A decoded THeader frame; `payload` has transforms already undone. */
export interface THeaderFrame {
  flags: number;
  seqId: number;
  protocolId: number;
  transforms: number[];
  headers: Map<string, string>;
  payload: Uint8Array;
}

function varintLen(v: number): number {
  let n = 1;
  while (v >= 0x80) { v >>>= 7; n++; }
  return n;
}

function pushVarint(out: number[], v: number): void {
  while (v >= 0x80) { out.push((v & 0x7f) | 0x80); v >>>= 7; }
  out.push(v);
}

/** True when the bytes at `offset` start a THeader frame (magic in the second word). */
export function isTHeader(bytes: Uint8Array, offset = 0): boolean {
  return bytes.length - offset >= 6 && bytes[offset + 4] === 0x0f && bytes[offset + 5] === 0xff;
}

/** Applies the write transforms to a payload. */
export function applyTHeaderTransforms(payload: Uint8Array, transforms: readonly number[]): Uint8Array {
  let out = payload;
  for (const t of transforms) {
    if (t !== THeaderTransform.Zlib) throw protocolError(`unsupported THeader transform ${t}`);
    out = zlibModule().deflateSync(out);
  }
  return out;
}

/**
 * Encodes everything before the (already transformed) payload, length field
 * included. The caller appends exactly `payloadLength` bytes.
 */
export function encodeTHeaderPrefix(fields: THeaderFields, payloadLength: number): Uint8Array {
  const h: number[] = [];
  pushVarint(h, fields.protocolId ?? THeaderProtocolId.Binary);
  const transforms = fields.transforms ?? [];
  pushVarint(h, transforms.length);
  for (const t of transforms) pushVarint(h, t);
  const kvs: Uint8Array[] = [];
  if (fields.headers && fields.headers.size > 0) {
    pushVarint(h, THeaderInfoType.KeyValue);
    pushVarint(h, fields.headers.size);
    for (const [k, v] of fields.headers) kvs.push(encodeText(k), encodeText(v));
  }
  let infoSize = h.length;
  for (const b of kvs) infoSize += varintLen(b.length) + b.length;
  const padding = (4 - (infoSize % 4)) % 4;
  const headerSize = infoSize + padding;
  if (headerSize / 4 > 0xffff) throw limitError(`THeader header of ${headerSize} bytes is too large`);
  const out = new Uint8Array(14 + headerSize);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 10 + headerSize + payloadLength);
  dv.setUint16(4, THEADER_MAGIC);
  dv.setUint16(6, fields.flags ?? 0);
  dv.setInt32(8, fields.seqId);
  dv.setUint16(12, headerSize / 4);
  out.set(h, 14);
  let p = 14 + h.length;
  for (const b of kvs) {
    const lenBytes: number[] = [];
    pushVarint(lenBytes, b.length);
    out.set(lenBytes, p);
    p += lenBytes.length;
    out.set(b, p);
    p += b.length;
  }
  return out;
}

/**
 * Decodes one whole THeader frame (length field included) and undoes its
 * transforms. `maxPayloadBytes` bounds the inflated size: inflation stops as
 * soon as it would pass it (RESOURCE_EXHAUSTED), so a small zlib bomb never
 * costs more than the limit.
 */
export function decodeTHeaderFrame(frame: Uint8Array, maxPayloadBytes = DEFAULT_MAX_FRAME_BYTES): THeaderFrame {
  if (frame.length < 16) throw protocolError('THeader frame too short');
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (dv.getUint32(0) !== frame.length - 4) throw protocolError('THeader length does not match the frame');
  if (dv.getUint16(4) !== THEADER_MAGIC) throw protocolError('not a THeader frame (bad magic)');
  const flags = dv.getUint16(6);
  const seqId = dv.getInt32(8);
  const headerEnd = 14 + dv.getUint16(12) * 4;
  if (headerEnd > frame.length) throw protocolError('THeader header size exceeds the frame');
  let p = 14;
  let v: number;
  [v, p] = readVarint32(frame, p, headerEnd);
  const protocolId = v;
  [v, p] = readVarint32(frame, p, headerEnd);
  const nTransforms = v;
  if (nTransforms > headerEnd - p) throw protocolError('THeader transform count exceeds the header');
  const transforms: number[] = [];
  for (let i = 0; i < nTransforms; i++) {
    [v, p] = readVarint32(frame, p, headerEnd);
    transforms.push(v);
  }
  const headers = new Map<string, string>();
  const readStr = (): string => {
    const [len, q] = readVarint32(frame, p, headerEnd);
    if (len > headerEnd - q) throw protocolError('THeader info string exceeds the header');
    p = q + len;
    return decodeText(frame, q, p);
  };
  while (p < headerEnd) {
    const type = frame[p]!;
    if (type === 0) break; // padding
    [v, p] = readVarint32(frame, p, headerEnd);
    if (v !== THeaderInfoType.KeyValue && v !== THeaderInfoType.PersistentKeyValue) break; // unknown: skip the rest, as Apache does
    const [count, q] = readVarint32(frame, p, headerEnd);
    p = q;
    if (count > headerEnd - p) throw protocolError('THeader info count exceeds the header');
    for (let i = 0; i < count; i++) {
      const k = readStr();
      headers.set(k, readStr());
    }
  }
  let payload: Uint8Array = frame.subarray(headerEnd);
  for (let i = transforms.length - 1; i >= 0; i--) {
    const t = transforms[i]!;
    if (t !== THeaderTransform.Zlib) throw protocolError(`unsupported THeader transform ${t}`);
    try {
      payload = zlibModule().inflateSync(payload, { maxOutputLength: maxPayloadBytes });
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw limitError(`THeader zlib payload inflates to more than the limit of ${maxPayloadBytes} bytes`);
      }
      throw protocolError('THeader zlib payload could not be inflated', e);
    }
  }
  return { flags, seqId, protocolId, transforms, headers, payload };
}
