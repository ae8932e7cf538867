/**
 * Server side of the ping-pong transports: recognise a request in any of
 * TTHeader (+Framed or bare), Framed, Buffered or THeader, with a Thrift
 * binary, Thrift compact or Kitex protobuf payload, from its first bytes; cut
 * requests out of the stream; answer each in kind. Like a Kitex server, every
 * message is recognised on its own, so one port serves all of them.
 */
import { ByteQueue, DEFAULT_MAX_FRAME_BYTES } from './frame-decoder.js';
import { MessageSkipper } from '../frame/buffered-length.js';
import { limitError, protocolError } from '../frame/errors.js';
import { carriesTTHeader, decodeEnvelope, encodeEnvelope, EnvelopeTemplate, type DecodedEnvelope, type PingPongTransport, type PayloadProtocol } from './envelope.js';
import { MessageType, COMPACT_PROTOCOL_ID } from '../frame/tmessage.js';
import { IntInfoKey } from '../frame/info-keys.js';
import { encodeApplicationException } from '../frame/application-exception.js';
import { encodeKitexProtobufError } from './kitex-protobuf.js';
import { readU32 } from '../frame/big-endian.js';

const NO_BYTES = new Uint8Array(0);

/** What a request's first bytes say about it. */
export interface DetectedProtocol {
  transport: PingPongTransport;
  payloadProtocol: PayloadProtocol;
}

function sniffMessage(b: Uint8Array, o: number): PayloadProtocol | undefined {
  if (b[o] === 0x80 && b[o + 1] === 0x01) return 'thrift-binary';
  if (b[o] === 0x90 && b[o + 1] === 0x01) return 'kitex-protobuf';
  if (b[o] === COMPACT_PROTOCOL_ID && (b[o + 1]! & 0x1f) === 1) return 'thrift-compact';
  return undefined;
}

/**
 * Recognises a ping-pong request from the first bytes of a connection (or of
 * any later message). Returns `undefined` while more bytes are needed (at most
 * 8, or for TTHeader the header plus 8), `null` when the bytes are not a
 * ping-pong message we speak (e.g. the HTTP/2 preface `PRI * HTTP/2.0`).
 */
export function detectProtocol(firstBytes: Uint8Array): DetectedProtocol | null | undefined {
  const b = firstBytes;
  if (b.length < 2) return undefined;
  // Buffered: the message itself comes first (a frame length can never start 0x80 or 0x82: lengths are < 2^31)
  const bare = sniffMessage(b, 0);
  if (bare === 'thrift-binary' || bare === 'thrift-compact') return { transport: 'buffered', payloadProtocol: bare };
  if (b.length < 8) return b[0]! >= 0x80 ? null : undefined;
  if (b[0]! >= 0x80) return null;
  if (b[4] === 0x10 && b[5] === 0x00) {
    const payloadAt = 14 + ((b[12]! << 8) | b[13]!) * 4;
    if (b.length < payloadAt + 8) return undefined;
    const inner = sniffMessage(b, payloadAt);
    if (inner) return { transport: 'ttheader-unframed', payloadProtocol: inner };
    const framed = sniffMessage(b, payloadAt + 4);
    return framed ? { transport: 'ttheader', payloadProtocol: framed } : null;
  }
  if (b[4] === 0x0f && b[5] === 0xff) {
    // THeader: the protocol id is the first varint of the header (0 binary, 2 compact)
    const pid = b.length > 14 ? b[14] : undefined;
    if (pid === undefined) return undefined;
    if (pid === 0) return { transport: 'theader', payloadProtocol: 'thrift-binary' };
    if (pid === 2) return { transport: 'theader', payloadProtocol: 'thrift-compact' };
    return null;
  }
  const framed = sniffMessage(b, 4);
  return framed ? { transport: 'framed', payloadProtocol: framed } : null;
}

/** A request read by the server, with what is needed to answer in kind. */
export type ServerRequest = DecodedEnvelope;

/**
 * Cuts requests of any supported kind out of one connection's byte stream.
 * {@link append} only finds where whole frames end; {@link next} decodes one
 * (THeader payloads are inflated then), so a server that takes requests one at
 * a time holds the rest as the bytes that arrived, never as inflated copies.
 * Whole frames in a chunk are kept as views of it (a socket never reuses a
 * chunk it handed out); only a frame split across chunks is copied.
 */
export class ServerRequestReader {
  /** The start of a frame that has not arrived whole yet. */
  private readonly partial = new ByteQueue();
  private skipper: MessageSkipper | undefined;
  /** Whole frames not decoded yet. */
  private readonly ready: Uint8Array[] = [];
  private readyHead = 0;
  private readyBytes = 0;

  constructor(private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** Whole requests buffered and not yet taken by {@link next}. */
  get pending(): number {
    return this.ready.length - this.readyHead;
  }

  /** Bytes of the whole requests buffered. */
  get pendingBytes(): number {
    return this.readyBytes;
  }

  /** Bytes of memory the reader holds: the whole requests waiting and the buffer of a partial one. */
  get heldBytes(): number {
    return this.readyBytes + this.partial.capacity;
  }

  /**
   * Feeds a chunk; returns how many whole requests are now buffered. Throws an
   * RpcError on bad framing or a frame over the limit (the connection is then
   * unusable).
   */
  append(chunk: Uint8Array): number {
    const q = this.partial;
    const direct = q.length === 0;
    let buf = chunk;
    let start = 0;
    let end = chunk.length;
    if (!direct) {
      q.append(chunk);
      ({ buf, start, end } = q);
    }
    for (;;) {
      const n = this.frameLength(buf, start, end);
      if (n < 0) break;
      this.readyBytes += n;
      if (direct) {
        this.ready.push(n === end && start === 0 ? buf : buf.subarray(start, start + n));
        start += n;
      } else {
        this.ready.push(q.take(n)); // a copy: the queue's buffer is reused
        ({ buf, start, end } = q);
      }
    }
    if (direct && start < end) q.append(buf.subarray(start, end));
    return this.pending;
  }

  /** Decodes and removes the first whole request, or returns undefined when there is none. Throws an RpcError on a bad frame. */
  next(): ServerRequest | undefined {
    if (this.readyHead === this.ready.length) return undefined;
    const frame = this.ready[this.readyHead]!;
    this.ready[this.readyHead++] = NO_BYTES; // let the chunk go once its last frame is taken
    if (this.readyHead === this.ready.length) this.ready.length = this.readyHead = 0;
    this.readyBytes -= frame.length;
    const bare = sniffMessage(frame, 0); // as frameLength decided: a bare message is Buffered
    return decodeEnvelope(frame, bare === 'thrift-binary' || bare === 'thrift-compact', this.maxFrameBytes);
  }

  /** Feeds a chunk and decodes every whole request it completes. */
  push(chunk: Uint8Array): ServerRequest[] {
    this.append(chunk);
    const out: ServerRequest[] = [];
    for (let r = this.next(); r !== undefined; r = this.next()) out.push(r);
    return out;
  }

  /** Length of the whole frame at `start`, or -1 when more bytes are needed. */
  private frameLength(buf: Uint8Array, start: number, end: number): number {
    const avail = end - start;
    if (avail < 2) return -1;
    if (!this.skipper) {
      const bare = sniffMessage(buf, start);
      if (bare === 'thrift-binary' || bare === 'thrift-compact') {
        this.skipper = new MessageSkipper(bare === 'thrift-binary' ? 'binary' : 'compact', { maxBytes: this.maxFrameBytes });
      }
    }
    if (this.skipper) {
      const n = this.skipper.scan(buf, start, end);
      if (n >= 0) this.skipper = undefined;
      return n;
    }
    if (avail < 4) return -1;
    const len = readU32(buf, start);
    if (len > this.maxFrameBytes) {
      if (buf[start]! >= 0x80) throw protocolError('unrecognised request');
      throw limitError(`frame of ${len} bytes exceeds the limit of ${this.maxFrameBytes}`);
    }
    return avail < 4 + len ? -1 : 4 + len;
  }
}

/** What the server answers. */
export interface ServerReply {
  /** Default 'reply'. */
  messageType?: 'reply' | 'exception';
  /** Result struct (Thrift), bare message (Kitex protobuf), or the exception struct. */
  body: Uint8Array;
  /** Extra TTHeader int info (MsgType is always set) / string info or THeader headers. */
  intInfo?: ReadonlyMap<number, string>;
  strInfo?: ReadonlyMap<string, string>;
}

/** Encodes a reply to `req` in the same transport and payload protocol, with its sequence id. */
export function encodeServerReply(req: ServerRequest, reply: ServerReply): Uint8Array {
  const type = reply.messageType === 'exception' ? MessageType.EXCEPTION : MessageType.REPLY;
  if (reply.intInfo === undefined && reply.strInfo === undefined && type === MessageType.REPLY) {
    const template = replyTemplate(req);
    if (template) return template.fill(req.seqId, reply.body);
  }
  const isTT = carriesTTHeader(req.transport);
  let intInfo: Map<number, string> | undefined;
  if (isTT) {
    intInfo = new Map(reply.intInfo ?? []);
    intInfo.set(IntInfoKey.MsgType, String(type));
  }
  return encodeEnvelope({
    transport: req.transport,
    payloadProtocol: req.payloadProtocol,
    name: req.name,
    type,
    seqId: req.seqId,
    body: reply.body,
    ...(intInfo ? { intInfo } : {}),
    ...(reply.strInfo && (isTT || req.transport === 'theader') ? { strInfo: reply.strInfo } : {}),
    ...(req.transport === 'theader' ? { theaderTransforms: req.theaderTransforms } : {}),
  });
}

/** Plain REPLY headers per transport, payload protocol and method: the same for every call. */
const replyTemplates = new Map<string, EnvelopeTemplate | undefined>();

/** The template used last: a connection mostly calls one method, in one transport, many times over. */
let lastTemplate: { transport: PingPongTransport; payloadProtocol: PayloadProtocol; name: string; template: EnvelopeTemplate | undefined } | undefined;

function replyTemplate(req: ServerRequest): EnvelopeTemplate | undefined {
  const last = lastTemplate;
  if (last !== undefined && last.name === req.name && last.transport === req.transport && last.payloadProtocol === req.payloadProtocol) return last.template;
  const template = replyTemplateByKey(req);
  lastTemplate = { transport: req.transport, payloadProtocol: req.payloadProtocol, name: req.name, template };
  return template;
}

function replyTemplateByKey(req: ServerRequest): EnvelopeTemplate | undefined {
  const key = `${req.transport} ${req.payloadProtocol} ${req.name}`;
  let t = replyTemplates.get(key);
  if (t === undefined && !replyTemplates.has(key)) {
    const isTT = carriesTTHeader(req.transport);
    t = EnvelopeTemplate.of({
      transport: req.transport,
      payloadProtocol: req.payloadProtocol,
      name: req.name,
      type: MessageType.REPLY,
      ...(isTT ? { intInfo: new Map([[IntInfoKey.MsgType, String(MessageType.REPLY)]]) } : {}),
    });
    if (replyTemplates.size >= 512) replyTemplates.clear(); // bounded: method names come from peers
    replyTemplates.set(key, t);
  }
  return t;
}

/**
 * Encodes an EXCEPTION reply: a TApplicationException (Thrift) or Kitex's
 * ErrorProto (Kitex protobuf). `strInfo` may carry e.g. `crrst`.
 */
export function encodeServerException(req: ServerRequest, message: string, type: number, strInfo?: ReadonlyMap<string, string>): Uint8Array {
  const body = req.payloadProtocol === 'kitex-protobuf'
    ? encodeKitexProtobufError(type, message)
    : encodeApplicationException(message, type, req.payloadProtocol === 'thrift-compact' ? 'compact' : 'binary');
  return encodeServerReply(req, { messageType: 'exception', body, ...(strInfo ? { strInfo } : {}) });
}
