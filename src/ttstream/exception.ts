/**
 * How a ttstream ends in error. A handler error is a Trailer frame whose
 * payload is a whole strict-binary Thrift message of type EXCEPTION (name =
 * method, seq id = stream id) carrying a TApplicationException (kitex v0.14.1
 * frame.go EncodeException, server_provider.go OnStreamFinish); a Kitex
 * business status error is a Trailer with an empty payload and the string
 * infos `biz-status`, `biz-message` (and `biz-extra`) (transmeta/ttheader.go
 * ParseBizStatusErr). An Rst frame (Kitex ≥ 0.15, stream.go sendRst) carries
 * the same EXCEPTION message.
 */
import { RpcError, type Metadata } from '../errors/index.js';
import {
  MessageType,
  StrInfoKey,
  ThriftApplicationError,
  decodeApplicationException,
  decodeBinaryMessageHeader,
  encodeApplicationException,
  encodeBinaryMessageHeader,
  protocolError,
} from '../frame/index.js';

/**
 * Kitex's ttstream exception type ids (kitex v0.16 ttstream/exception.go) that
 * travel in Rst frames: a client cancel and a stream deadline.
 */
export const StreamExceptionType = {
  /** errBizCancel: the caller cancelled the stream. */
  Cancel: 12007,
  /** newStreamTimeoutException: the stream's deadline passed. */
  Timeout: 12015,
} as const;

/** The payload of an error Trailer or an Rst: EXCEPTION message + TApplicationException. */
export function encodeStreamException(method: string, sid: number, message: string, type: number): Uint8Array {
  const head = encodeBinaryMessageHeader(method, MessageType.EXCEPTION, sid);
  const body = encodeApplicationException(message, type);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

/** Message and type of an error Trailer's or Rst's payload; a protocol error when it is not an EXCEPTION message. */
export function decodeStreamException(payload: Uint8Array): { message: string; type: number } {
  const h = decodeBinaryMessageHeader(payload);
  if (h.type !== MessageType.EXCEPTION) throw protocolError(`ttstream trailer carries a message of type ${h.type}, not an exception`);
  return decodeApplicationException(payload, 'binary', h.bodyOffset);
}

/**
 * The error a client reports for the server's Trailer: the TApplicationException
 * of a non-empty payload, a Kitex business status (any code but 0, as Kitex's
 * client reads it), or undefined for a clean end. `metadata` (headers and
 * trailers) is attached to the error.
 */
export function trailerError(payload: Uint8Array, trailer: ReadonlyMap<string, string> | undefined, metadata: Metadata): RpcError | undefined {
  if (payload.length > 0) {
    const { message, type } = decodeStreamException(payload);
    return new ThriftApplicationError(type, message, metadata);
  }
  const biz = trailer?.get(StrInfoKey.BizStatus);
  if (biz === undefined) return undefined;
  const code = Number.parseInt(biz, 10);
  if (!Number.isFinite(code) || code === 0) return undefined;
  return new RpcError(code, trailer!.get(StrInfoKey.BizMessage) ?? '', { metadata });
}
