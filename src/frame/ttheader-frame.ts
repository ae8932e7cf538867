/**
 * Kitex TTHeader (cloudwego/gopkg protocol/ttheader): a length-prefixed frame
 * with magic 0x1000, fixed-width fields and key/value info blocks.
 *
 * ```
 * u32 LENGTH (bytes after this field) | u16 0x1000 | u16 FLAGS | u32 SEQID
 * u16 HEADER SIZE (4-byte words, counted from offset 14)
 * u8 PROTOCOL ID | u8 NUM TRANSFORMS | u8 TRANSFORM ID…
 * info blocks: 0x11 ACL token (u16 len str) | 0x01 n × (u16 str, u16 str) | 0x10 n × (u16 key, u16 str)
 * 0x00 padding to a 4-byte boundary | PAYLOAD
 * ```
 * Not to be confused with Apache THeader (`src/ttheader/theader-frame.ts`, magic 0x0FFF, varints).
 */
import { protocolError, limitError } from './errors.js';
import { decodeText, encodeText } from './text.js';
import { NO_INT_INFO, NO_STR_INFO, NO_TRANSFORMS } from './no-headers.js';
import { readI32, readU16, readU32 } from './big-endian.js';

/** TTHeader magic, the high 16 bits of the second word. */
export const TTHEADER_MAGIC = 0x1000;
/** Bytes before the variable header: length, magic, flags, seq id, header size. */
export const TTHEADER_META_SIZE = 14;
/** Largest header Kitex accepts: u16 words × 4. */
export const TTHEADER_MAX_HEADER_SIZE = 0xffff * 4;

/** Protocol ids of the payload (gopkg ProtocolID). Kitex sends 0 for Kitex protobuf over ping-pong, too. */
export const TTHeaderProtocolId = {
  ThriftBinary: 0x00,
  ThriftCompact: 0x02,
  ThriftCompactV2: 0x03,
  KitexProtobuf: 0x04,
  ThriftStruct: 0x10,
  ProtobufStruct: 0x11,
} as const;

/** Info block ids. */
export const InfoId = { Padding: 0x00, KeyValue: 0x01, IntKeyValue: 0x10, ACLToken: 0x11 } as const;

/** What goes into a TTHeader besides the payload. */
export interface TTHeaderFields {
  seqId: number;
  flags?: number;
  protocolId?: number;
  /** Int-keyed info, written in iteration order (Kitex's order is Go map order, i.e. free). */
  intInfo?: ReadonlyMap<number, string>;
  /** String-keyed info, written in iteration order. */
  strInfo?: ReadonlyMap<string, string>;
  /** ACL (GDPR) token, info block 0x11. */
  aclToken?: string;
}

/** A decoded TTHeader frame. `payload` is a view into the input, not a copy. */
export interface TTHeaderFrame {
  flags: number;
  seqId: number;
  protocolId: number;
  transforms: readonly number[];
  intInfo: ReadonlyMap<number, string>;
  strInfo: ReadonlyMap<string, string>;
  aclToken: string | undefined;
  /** Bytes from the start of the frame to the payload (14 + header size). */
  headerLength: number;
  payload: Uint8Array;
}


function str16(s: string, what: string): Uint8Array {
  const b = encodeText(s);
  if (b.length > 0xffff) throw limitError(`TTHeader ${what} is ${b.length} bytes; the limit is 65535`);
  return b;
}

/**
 * Encodes everything before the payload (length field included, computed from
 * `payloadLength`). The caller appends exactly `payloadLength` bytes.
 */
export function encodeTTHeaderPrefix(fields: TTHeaderFields, payloadLength: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let infoSize = 2; // protocol id + num transforms (we never apply transforms)
  let acl: Uint8Array | undefined;
  if (fields.aclToken !== undefined) {
    acl = str16(fields.aclToken, 'ACL token');
    infoSize += 3 + acl.length;
  }
  const strCount = fields.strInfo?.size ?? 0;
  if (strCount > 0xffff) throw limitError('too many TTHeader string infos');
  if (strCount > 0) {
    infoSize += 3;
    for (const [k, v] of fields.strInfo!) {
      const kb = str16(k, 'info key');
      const vb = str16(v, `info value of ${k}`);
      parts.push(kb, vb);
      infoSize += 4 + kb.length + vb.length;
    }
  }
  const intCount = fields.intInfo?.size ?? 0;
  const intParts: Uint8Array[] = [];
  if (intCount > 0) {
    infoSize += 3;
    for (const [, v] of fields.intInfo!) {
      const vb = str16(v, 'int info value');
      intParts.push(vb);
      infoSize += 4 + vb.length;
    }
  }
  const padding = (4 - (infoSize % 4)) % 4;
  const headerSize = infoSize + padding;
  if (headerSize > TTHEADER_MAX_HEADER_SIZE) throw limitError(`TTHeader header of ${headerSize} bytes exceeds ${TTHEADER_MAX_HEADER_SIZE}`);
  const total = TTHEADER_META_SIZE + headerSize;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, total - 4 + payloadLength);
  dv.setUint16(4, TTHEADER_MAGIC);
  dv.setUint16(6, fields.flags ?? 0);
  dv.setInt32(8, fields.seqId);
  dv.setUint16(12, headerSize / 4);
  out[14] = fields.protocolId ?? TTHeaderProtocolId.ThriftBinary;
  out[15] = 0;
  let p = 16;
  if (acl) {
    out[p++] = InfoId.ACLToken;
    dv.setUint16(p, acl.length);
    out.set(acl, p + 2);
    p += 2 + acl.length;
  }
  if (strCount > 0) {
    out[p++] = InfoId.KeyValue;
    dv.setUint16(p, strCount);
    p += 2;
    for (const b of parts) {
      dv.setUint16(p, b.length);
      out.set(b, p + 2);
      p += 2 + b.length;
    }
  }
  if (intCount > 0) {
    out[p++] = InfoId.IntKeyValue;
    dv.setUint16(p, intCount);
    p += 2;
    let i = 0;
    for (const [k] of fields.intInfo!) {
      const vb = intParts[i++]!;
      dv.setUint16(p, k);
      dv.setUint16(p + 2, vb.length);
      out.set(vb, p + 4);
      p += 4 + vb.length;
    }
  }
  // padding bytes are already zero
  return out;
}

/** True when the 8 bytes at `offset` start a TTHeader frame (magic in the second word). */
export function isTTHeader(bytes: Uint8Array, offset = 0): boolean {
  return bytes.length - offset >= 6 && bytes[offset + 4] === 0x10 && bytes[offset + 5] === 0x00;
}

/** Reads the info blocks of one header, bounds-checked against its end. */
class InfoReader {
  constructor(private readonly b: Uint8Array, public p: number, private readonly end: number) {}

  need(n: number): void {
    if (this.p + n > this.end) throw protocolError('TTHeader info block exceeds the header');
  }

  u16(): number {
    this.need(2);
    const v = readU16(this.b, this.p);
    this.p += 2;
    return v;
  }

  str(): string {
    const len = this.u16();
    this.need(len);
    const s = decodeText(this.b, this.p, this.p + len);
    this.p += len;
    return s;
  }
}

/**
 * Decodes one whole TTHeader frame (length field included). Validates every
 * length against the frame before reading, so hostile sizes cannot overrun.
 * Absent info blocks and transforms are shared read-only empties.
 */
export function decodeTTHeaderFrame(frame: Uint8Array): TTHeaderFrame {
  if (frame.length < TTHEADER_META_SIZE + 2) throw protocolError('TTHeader frame too short');
  const length = readU32(frame, 0);
  if (length !== frame.length - 4) throw protocolError(`TTHeader length ${length} does not match the frame (${frame.length - 4})`);
  if (readU16(frame, 4) !== TTHEADER_MAGIC) throw protocolError('not a TTHeader frame (bad magic)');
  const flags = readU16(frame, 6);
  const seqId = readI32(frame, 8);
  const headerSize = readU16(frame, 12) * 4;
  if (headerSize < 2) throw protocolError(`invalid TTHeader header size ${headerSize}`);
  const headerEnd = TTHEADER_META_SIZE + headerSize;
  if (headerEnd > frame.length) throw protocolError(`TTHeader header size ${headerSize} exceeds the frame`);
  const protocolId = frame[14]!;
  const nTransforms = frame[15]!;
  if (16 + nTransforms > headerEnd) throw protocolError('TTHeader transform ids exceed the header');
  const transforms = nTransforms === 0 ? NO_TRANSFORMS : Array.from(frame.subarray(16, 16 + nTransforms));
  let intInfo: Map<number, string> | undefined;
  let strInfo: Map<string, string> | undefined;
  let aclToken: string | undefined;
  const r = new InfoReader(frame, 16 + nTransforms, headerEnd);
  while (r.p < headerEnd) {
    const id = frame[r.p++]!;
    if (id === InfoId.Padding) continue;
    if (id === InfoId.KeyValue) {
      strInfo ??= new Map();
      for (let n = r.u16(); n > 0; n--) {
        const k = r.str();
        strInfo.set(k, r.str());
      }
    } else if (id === InfoId.IntKeyValue) {
      intInfo ??= new Map();
      for (let n = r.u16(); n > 0; n--) {
        const k = r.u16();
        intInfo.set(k, r.str());
      }
    } else if (id === InfoId.ACLToken) {
      aclToken = r.str();
    } else {
      throw protocolError(`invalid TTHeader info id 0x${id.toString(16)}`);
    }
  }
  return {
    flags, seqId, protocolId, transforms, intInfo: intInfo ?? NO_INT_INFO, strInfo: strInfo ?? NO_STR_INFO, aclToken,
    headerLength: headerEnd, payload: frame.subarray(headerEnd),
  };
}
