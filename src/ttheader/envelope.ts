/**
 * One message on the wire in each transport × payload combination, both
 * directions: the TMessage (or Kitex protobuf) header around a body, an
 * optional inner Framed length, and an optional TTHeader/THeader around that.
 * Used by the client for requests/replies and by the server for the reverse.
 */
import { protocolError } from '../frame/errors.js';
import {
  binaryMessageHeaderSize, writeBinaryMessageHeader, decodeBinaryMessageHeader,
  compactMessageHeaderSize, writeCompactMessageHeader, decodeCompactMessageHeader,
  COMPACT_PROTOCOL_ID, type MessageHeader,
} from '../frame/tmessage.js';
import { kitexProtobufHeaderSize, writeKitexProtobufHeader, decodeKitexProtobufHeader } from './kitex-protobuf.js';
import { encodeTTHeaderPrefix, decodeTTHeaderFrame, isTTHeader, TTHeaderProtocolId } from '../frame/ttheader-frame.js';
import { encodeTHeaderPrefix, decodeTHeaderFrame, isTHeader, THeaderProtocolId, applyTHeaderTransforms } from './theader-frame.js';
import { encodeText } from '../frame/text.js';
import { NO_INT_INFO, NO_STR_INFO, NO_TRANSFORMS } from '../frame/no-headers.js';
import { readU32, writeU32 } from '../frame/big-endian.js';
import { DEFAULT_MAX_FRAME_BYTES } from './frame-decoder.js';

/**
 * Ping-pong transports. `ttheader` is Kitex's default: TTHeader with a Framed
 * payload inside (TransportType "framed"); `ttheader-unframed` puts the bare
 * message in TTHeader; `theader` is Apache/fbthrift THeader (a different format).
 */
export type PingPongTransport = 'ttheader' | 'ttheader-unframed' | 'framed' | 'buffered' | 'theader';

/** Whether a transport carries Kitex's TTHeader (framed or not). */
export function carriesTTHeader(t: PingPongTransport): boolean {
  return t === 'ttheader' || t === 'ttheader-unframed';
}

/** What the message carries. Kitex protobuf is only defined Framed (alone or in TTHeader). */
export type PayloadProtocol = 'thrift-binary' | 'thrift-compact' | 'kitex-protobuf';

/** Everything needed to put one message on the wire. */
export interface EnvelopeFields {
  transport: PingPongTransport;
  payloadProtocol: PayloadProtocol;
  name: string;
  /** Message type (1 call, 2 reply, 3 exception, 4 oneway). */
  type: number;
  seqId: number;
  /** Args/result struct (Thrift) or bare message (Kitex protobuf). */
  body: Uint8Array;
  /** TTHeader int info (transport 'ttheader*'). */
  intInfo?: ReadonlyMap<number, string>;
  /** TTHeader string info, or THeader key/value headers. */
  strInfo?: ReadonlyMap<string, string>;
  /** TTHeader ACL token. */
  aclToken?: string;
  /** THeader transforms to apply (zlib only). */
  theaderTransforms?: readonly number[];
  /** TTHeader protocol id; Kitex sends 0 even for Kitex protobuf, so that is the default. */
  ttheaderProtocolId?: number;
}

/** One message read off the wire. `body` is a view into the frame. */
export interface DecodedEnvelope {
  transport: PingPongTransport;
  payloadProtocol: PayloadProtocol;
  /** TTHeader/THeader sequence id, when there is such a header. */
  frameSeqId: number | undefined;
  name: string;
  type: number;
  seqId: number;
  body: Uint8Array;
  intInfo: ReadonlyMap<number, string>;
  strInfo: ReadonlyMap<string, string>;
  aclToken: string | undefined;
  /** THeader protocol id / transforms as received, to answer in kind. */
  theaderTransforms: readonly number[];
}

/** UTF-8 of recent method names: a client calls few methods many times. */
const nameCache = new Map<string, Uint8Array>();
function nameBytesOf(name: string): Uint8Array {
  let b = nameCache.get(name);
  if (b === undefined) {
    b = encodeText(name);
    if (nameCache.size >= 512) nameCache.clear(); // bounded: hostile or generated names cannot grow it
    nameCache.set(name, b);
  }
  return b;
}

/** Which Thrift encoding a payload protocol uses for its TMessage. */
function headerSize(p: PayloadProtocol, nameBytes: Uint8Array, seqId: number): number {
  if (p === 'thrift-compact') return compactMessageHeaderSize(nameBytes, seqId);
  if (p === 'kitex-protobuf') return kitexProtobufHeaderSize(nameBytes);
  return binaryMessageHeaderSize(nameBytes);
}

function writeHeader(p: PayloadProtocol, out: Uint8Array, off: number, nameBytes: Uint8Array, type: number, seqId: number): number {
  if (p === 'thrift-compact') return writeCompactMessageHeader(out, off, nameBytes, type, seqId);
  if (p === 'kitex-protobuf') return writeKitexProtobufHeader(out, off, nameBytes, type, seqId);
  return writeBinaryMessageHeader(out, off, nameBytes, type, seqId);
}

/** Throws if this transport cannot carry this payload protocol. */
export function checkCombination(transport: PingPongTransport, payload: PayloadProtocol): void {
  if (payload === 'kitex-protobuf' && transport !== 'ttheader' && transport !== 'framed') {
    throw new TypeError(`kitex-protobuf is only defined over 'ttheader' (TTHeader+Framed) or 'framed', not '${transport}'`);
  }
  if (payload === 'thrift-compact' && carriesTTHeader(transport)) {
    throw new TypeError('Kitex TTHeader carries thrift-binary or kitex-protobuf only; use framed, buffered or theader for compact');
  }
}

/** Encodes one whole message for the wire. */
export function encodeEnvelope(f: EnvelopeFields): Uint8Array {
  const nameBytes = nameBytesOf(f.name);
  const hs = headerSize(f.payloadProtocol, nameBytes, f.seqId);
  const innerFramed = f.transport === 'framed' || f.transport === 'ttheader';
  const inner = (innerFramed ? 4 : 0) + hs + f.body.length;
  let prefix: Uint8Array | undefined;
  if (carriesTTHeader(f.transport)) {
    prefix = encodeTTHeaderPrefix({
      seqId: f.seqId,
      protocolId: f.ttheaderProtocolId ?? TTHeaderProtocolId.ThriftBinary,
      ...(f.intInfo ? { intInfo: f.intInfo } : {}),
      ...(f.strInfo ? { strInfo: f.strInfo } : {}),
      ...(f.aclToken !== undefined ? { aclToken: f.aclToken } : {}),
    }, inner);
  } else if (f.transport === 'theader') {
    const payload = new Uint8Array(hs + f.body.length);
    writeHeader(f.payloadProtocol, payload, 0, nameBytes, f.type, f.seqId);
    payload.set(f.body, hs);
    const transforms = f.theaderTransforms ?? [];
    const wire = transforms.length > 0 ? applyTHeaderTransforms(payload, transforms) : payload;
    const pre = encodeTHeaderPrefix({
      seqId: f.seqId,
      protocolId: f.payloadProtocol === 'thrift-compact' ? THeaderProtocolId.Compact : THeaderProtocolId.Binary,
      transforms,
      ...(f.strInfo ? { headers: f.strInfo } : {}),
    }, wire.length);
    const out = new Uint8Array(pre.length + wire.length);
    out.set(pre, 0);
    out.set(wire, pre.length);
    return out;
  }
  const pl = prefix ? prefix.length : 0;
  const out = new Uint8Array(pl + inner);
  if (prefix) out.set(prefix, 0);
  let p = pl;
  if (innerFramed) {
    writeU32(out, p, hs + f.body.length);
    p += 4;
  }
  p = writeHeader(f.payloadProtocol, out, p, nameBytes, f.type, f.seqId);
  out.set(f.body, p);
  return out;
}

/** Payload protocol of a bare message, from its first bytes. */
function sniffMessage(b: Uint8Array, o: number): PayloadProtocol | undefined {
  if (b.length - o < 2) return undefined;
  if (b[o] === 0x80 && b[o + 1] === 0x01) return 'thrift-binary';
  if (b[o] === 0x90 && b[o + 1] === 0x01) return 'kitex-protobuf';
  if (b[o] === COMPACT_PROTOCOL_ID && (b[o + 1]! & 0x1f) === 1) return 'thrift-compact';
  return undefined;
}

function readHeader(p: PayloadProtocol, b: Uint8Array, o: number): MessageHeader {
  if (p === 'thrift-compact') return decodeCompactMessageHeader(b, o);
  if (p === 'kitex-protobuf') return decodeKitexProtobufHeader(b, o);
  return decodeBinaryMessageHeader(b, o);
}

/**
 * Decodes one whole frame as cut by the frame decoder (length field included
 * for length-prefixed transports; the bare message for Buffered). The
 * transport and payload protocol are recognised from the bytes, so the same
 * function serves a client (which then checks them) and a sniffing server.
 * `maxPayloadBytes` bounds a THeader payload once inflated.
 */
export function decodeEnvelope(frame: Uint8Array, buffered = false, maxPayloadBytes = DEFAULT_MAX_FRAME_BYTES): DecodedEnvelope {
  let transport: PingPongTransport;
  let frameSeqId: number | undefined;
  let intInfo = NO_INT_INFO;
  let strInfo = NO_STR_INFO;
  let aclToken: string | undefined;
  let theaderTransforms = NO_TRANSFORMS;
  let payload: Uint8Array;
  let payloadProtocol: PayloadProtocol | undefined;
  if (buffered) {
    transport = 'buffered';
    payload = frame;
    payloadProtocol = sniffMessage(frame, 0);
  } else if (isTTHeader(frame)) {
    const h = decodeTTHeaderFrame(frame);
    if (h.transforms.length > 0) throw protocolError('TTHeader transforms are not supported');
    frameSeqId = h.seqId;
    intInfo = h.intInfo;
    strInfo = h.strInfo;
    aclToken = h.aclToken;
    const inner = h.payload;
    payloadProtocol = sniffMessage(inner, 0);
    if (payloadProtocol) {
      transport = 'ttheader-unframed';
      payload = inner;
    } else {
      transport = 'ttheader';
      if (inner.length < 8) throw protocolError('TTHeader payload too short');
      if (readU32(inner, 0) !== inner.length - 4) throw protocolError('Framed length inside TTHeader does not match the payload');
      payload = inner.subarray(4);
      payloadProtocol = sniffMessage(payload, 0);
    }
  } else if (isTHeader(frame)) {
    const h = decodeTHeaderFrame(frame, maxPayloadBytes);
    transport = 'theader';
    frameSeqId = h.seqId;
    strInfo = h.headers;
    theaderTransforms = h.transforms;
    payload = h.payload;
    if (h.protocolId === THeaderProtocolId.Binary) payloadProtocol = 'thrift-binary';
    else if (h.protocolId === THeaderProtocolId.Compact) payloadProtocol = 'thrift-compact';
    else throw protocolError(`unsupported THeader protocol id ${h.protocolId}`);
  } else {
    transport = 'framed';
    if (frame.length < 6) throw protocolError('Framed message too short');
    if (readU32(frame, 0) !== frame.length - 4) throw protocolError('Framed length does not match the frame');
    payload = frame.subarray(4);
    payloadProtocol = sniffMessage(payload, 0);
  }
  if (!payloadProtocol) {
    const first = Array.from(payload.subarray(0, 4), (x) => x.toString(16).padStart(2, '0')).join('');
    throw protocolError(`unrecognised ${transport} payload (first bytes 0x${first})`);
  }
  const m = readHeader(payloadProtocol, payload, 0);
  return {
    transport, payloadProtocol, frameSeqId, name: m.name, type: m.type, seqId: m.seqId,
    body: payload.subarray(m.bodyOffset), intInfo, strInfo, aclToken, theaderTransforms,
  };
}

const NO_BODY = new Uint8Array(0);

/**
 * A message minus its body, for calls that repeat the same header: from one
 * call to the next only the lengths and the sequence ids change, so they are
 * patched into a copy instead of encoding the header again. Only for layouts
 * with fixed-width fields (not compact TMessages or THeader, whose varints
 * change size).
 */
export class EnvelopeTemplate {
  private constructor(
    private readonly head: Uint8Array,
    /** Offsets of u32 lengths, each counting the bytes after itself. */
    private readonly lengthsAt: readonly number[],
    private readonly seqIdsAt: readonly number[],
  ) {}

  /** The template for these fields, or undefined when the layout has varints. */
  static of(f: Omit<EnvelopeFields, 'body' | 'seqId'>): EnvelopeTemplate | undefined {
    if (f.payloadProtocol === 'thrift-compact' || f.transport === 'theader') return undefined;
    const head = encodeEnvelope({ ...f, seqId: 0, body: NO_BODY });
    const lengthsAt: number[] = [];
    const seqIdsAt = [head.length - 4]; // binary and Kitex protobuf headers end with the seq id
    if (carriesTTHeader(f.transport)) {
      lengthsAt.push(0);
      seqIdsAt.push(8);
      if (f.transport === 'ttheader') lengthsAt.push(14 + ((head[12]! << 8) | head[13]!) * 4);
    } else if (f.transport === 'framed') {
      lengthsAt.push(0);
    }
    return new EnvelopeTemplate(head, lengthsAt, seqIdsAt);
  }

  /** The whole message for this call. */
  fill(seqId: number, body: Uint8Array): Uint8Array {
    const head = this.head;
    // A Buffer (from Node's pool when small): sockets take it as is, no zero-filling.
    const out = Buffer.allocUnsafe(head.length + body.length);
    out.set(head);
    out.set(body, head.length);
    for (const at of this.lengthsAt) writeU32(out, at, head.length - at - 4 + body.length);
    for (const at of this.seqIdsAt) writeU32(out, at, seqId);
    return out;
  }
}
