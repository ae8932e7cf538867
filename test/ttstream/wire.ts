/**
 * Test-side reading of TTHeader Streaming bytes, written apart from
 * src/ttstream so that the captures are not judged by the code under test:
 * cuts a byte stream into frames, decodes their header fields, and puts a
 * frame in a canonical byte form (int and string infos sorted) so that two
 * frames can be compared byte for byte apart from Go's map order.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const WIRE = fileURLToPath(new URL('../fixtures/wire', import.meta.url));

/** A capture's two directions. */
export function capture(name: string): { c2s: Buffer; s2c: Buffer } {
  return { c2s: readFileSync(`${WIRE}/${name}.c2s.bin`), s2c: readFileSync(`${WIRE}/${name}.s2c.bin`) };
}

export const FRAME = { Meta: 1, Header: 2, Data: 3, Trailer: 4, Rst: 5 } as const;
export const TYPE_NAME: Record<number, string> = { 1: 'META', 2: 'HEADER', 3: 'DATA', 4: 'TRAILER', 5: 'RST' };

/** One ttstream frame as it was on the wire. */
export interface WireFrame {
  bytes: Buffer;
  flags: number;
  sid: number;
  protocolId: number;
  type: number;
  method: string;
  intInfo: Map<number, string>;
  str: Record<string, string>;
  aclToken: string | undefined;
  payload: Buffer;
}

/** One frame from its bytes (length field included). */
export function parseFrame(bytes: Buffer): WireFrame {
  if (bytes.readUInt16BE(4) !== 0x1000) throw new Error('not TTHeader');
  const headerEnd = 14 + bytes.readUInt16BE(12) * 4;
  const intInfo = new Map<number, string>();
  const str: Record<string, string> = {};
  let aclToken: string | undefined;
  let p = 16 + bytes[15]!;
  while (p < headerEnd) {
    const id = bytes[p++]!;
    if (id === 0) continue;
    if (id === 0x11) {
      const n = bytes.readUInt16BE(p);
      aclToken = bytes.toString('utf8', p + 2, p + 2 + n);
      p += 2 + n;
      continue;
    }
    const count = bytes.readUInt16BE(p);
    p += 2;
    for (let i = 0; i < count; i++) {
      if (id === 0x10) {
        const key = bytes.readUInt16BE(p);
        const n = bytes.readUInt16BE(p + 2);
        intInfo.set(key, bytes.toString('utf8', p + 4, p + 4 + n));
        p += 4 + n;
      } else if (id === 0x01) {
        const kn = bytes.readUInt16BE(p);
        const k = bytes.toString('utf8', p + 2, p + 2 + kn);
        p += 2 + kn;
        const vn = bytes.readUInt16BE(p);
        str[k] = bytes.toString('utf8', p + 2, p + 2 + vn);
        p += 2 + vn;
      } else {
        throw new Error(`info id ${id}`);
      }
    }
  }
  return {
    bytes,
    flags: bytes.readUInt16BE(6),
    sid: bytes.readInt32BE(8),
    protocolId: bytes[14]!,
    type: Number(intInfo.get(27)),
    method: intInfo.get(9) ?? '',
    intInfo,
    str,
    aclToken,
    payload: bytes.subarray(headerEnd),
  };
}

/** Whether `b` starts a ttstream frame (TTHeader magic and the streaming flag). */
export function isTTStream(b: Buffer): boolean {
  return b.length >= 8 && b.readUInt16BE(4) === 0x1000 && (b.readUInt16BE(6) & 2) !== 0;
}

/** Cuts whole length-prefixed frames (TTHeader or Framed) off the front of `buf`; returns them and the rest. */
export function cutFrames(buf: Buffer): { frames: Buffer[]; rest: Buffer } {
  const frames: Buffer[] = [];
  let p = 0;
  while (buf.length - p >= 4) {
    const n = 4 + buf.readUInt32BE(p);
    if (buf.length - p < n) break;
    frames.push(buf.subarray(p, p + n));
    p += n;
  }
  return { frames, rest: buf.subarray(p) };
}

/** Every ttstream frame of a byte stream. */
export function framesOf(buf: Buffer): WireFrame[] {
  const { frames, rest } = cutFrames(buf);
  if (rest.length > 0) throw new Error(`${rest.length} trailing bytes`);
  return frames.map(parseFrame);
}

/**
 * The frame with its int infos and string infos in sorted order (everything
 * else, the padding included, as it was): equal canonical bytes mean equal
 * frames up to the order of Go's maps, which Kitex leaves to chance.
 */
export function canonical(f: WireFrame, withPayload = true): string {
  const headerEnd = 14 + f.bytes.readUInt16BE(12) * 4;
  const parts: Buffer[] = [f.bytes.subarray(0, 16 + f.bytes[15]!)];
  if (f.aclToken !== undefined) parts.push(Buffer.from([0x11]), u16(Buffer.byteLength(f.aclToken)), Buffer.from(f.aclToken));
  const keys = Object.keys(f.str).sort();
  if (keys.length > 0) {
    parts.push(Buffer.from([0x01]), u16(keys.length));
    for (const k of keys) parts.push(u16(Buffer.byteLength(k)), Buffer.from(k), u16(Buffer.byteLength(f.str[k]!)), Buffer.from(f.str[k]!));
  }
  const ints = [...f.intInfo.keys()].sort((a, b) => a - b);
  if (ints.length > 0) {
    parts.push(Buffer.from([0x10]), u16(ints.length));
    for (const k of ints) parts.push(u16(k), u16(Buffer.byteLength(f.intInfo.get(k)!)), Buffer.from(f.intInfo.get(k)!));
  }
  const head = Buffer.concat(parts);
  const pad = Buffer.alloc(headerEnd - head.length);
  return Buffer.concat([head, pad, withPayload ? f.payload : Buffer.alloc(0)]).toString('hex');
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

/** Frames grouped by stream id, in order. */
export function byStream(frames: WireFrame[]): Map<number, WireFrame[]> {
  const m = new Map<number, WireFrame[]>();
  for (const f of frames) {
    let l = m.get(f.sid);
    if (!l) m.set(f.sid, (l = []));
    l.push(f);
  }
  return m;
}

/** A readable one-line summary of a frame, for failure messages. */
export function summary(f: WireFrame): string {
  const str = Object.fromEntries(Object.entries(f.str).sort(([a], [b]) => (a < b ? -1 : 1)));
  return `sid=${f.sid} ${TYPE_NAME[f.type] ?? f.type} ${f.method} ${JSON.stringify(str)} ${f.payload.length}B`;
}

/** The same frame as stream `sid` (canonical form), for comparing streams whose ids differ. */
export function canonicalAs(f: WireFrame, sid: number): string {
  const b = Buffer.from(f.bytes);
  b.writeInt32BE(sid, 8);
  return canonical(parseFrame(b));
}

/** Parts of a Thrift EXCEPTION message (a Trailer's or Rst's payload). */
export function exceptionOf(payload: Buffer): { name: string; seqId: number; message: string; type: number } {
  if (payload.readUInt32BE(0) !== 0x80010003) throw new Error('not an EXCEPTION message');
  const nameLength = payload.readUInt32BE(4);
  const name = payload.toString('utf8', 8, 8 + nameLength);
  const seqId = payload.readInt32BE(8 + nameLength);
  let p = 12 + nameLength;
  let message = '';
  let type = 0;
  while (payload[p] !== 0) {
    const t = payload[p]!;
    const id = payload.readInt16BE(p + 1);
    p += 3;
    if (t === 11 && id === 1) {
      const n = payload.readUInt32BE(p);
      message = payload.toString('utf8', p + 4, p + 4 + n);
      p += 4 + n;
    } else if (t === 8 && id === 2) {
      type = payload.readInt32BE(p);
      p += 4;
    } else throw new Error(`field ${id} of type ${t}`);
  }
  return { name, seqId, message, type };
}

/** Options for {@link buildFrame}: what a hostile peer may get wrong. */
export interface BuildOptions {
  str?: Record<string, string>;
  payload?: Buffer;
  flags?: number;
  magic?: number;
  /** The FrameType digit as text (default the type's number). */
  typeText?: string;
  /** Overrides the length field. */
  length?: number;
}

/** A ttstream frame built by hand (int infos 27 then 9, string infos in the given order). */
export function buildFrame(type: number, sid: number, method: string, o: BuildOptions = {}): Buffer {
  const info: Buffer[] = [Buffer.from([0x10, 0x00])];
  const str = Object.entries(o.str ?? {});
  if (str.length > 0) {
    info.push(Buffer.from([0x01]), u16(str.length));
    for (const [k, v] of str) info.push(u16(Buffer.byteLength(k)), Buffer.from(k), u16(Buffer.byteLength(v)), Buffer.from(v));
  }
  const t = o.typeText ?? String(type);
  info.push(Buffer.from([0x10]), u16(2), u16(27), u16(Buffer.byteLength(t)), Buffer.from(t), u16(9), u16(Buffer.byteLength(method)), Buffer.from(method));
  let header = Buffer.concat(info);
  header = Buffer.concat([header, Buffer.alloc((4 - (header.length % 4)) % 4)]);
  const payload = o.payload ?? Buffer.alloc(0);
  const meta = Buffer.alloc(14);
  meta.writeUInt32BE(o.length ?? 10 + header.length + payload.length, 0);
  meta.writeUInt16BE(o.magic ?? 0x1000, 4);
  meta.writeUInt16BE(o.flags ?? 0x0002, 6);
  meta.writeInt32BE(sid, 8);
  meta.writeUInt16BE(header.length / 4, 12);
  return Buffer.concat([meta, header, payload]);
}

/** A bare Thrift struct `{1: string}` (the seed's Request and Response). */
export function messageStruct(text: string): Buffer {
  const b = Buffer.from(text);
  const head = Buffer.from([0x0b, 0x00, 0x01, 0, 0, 0, 0]);
  head.writeUInt32BE(b.length, 3);
  return Buffer.concat([head, b, Buffer.from([0])]);
}
