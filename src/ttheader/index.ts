/**
 * Thrift ping-pong transports over node:net: Kitex TTHeader (+Framed),
 * Framed, Buffered and Apache THeader; Kitex protobuf envelopes. Bytes only:
 * the codec encodes the args struct, this module frames and delivers it.
 */
export { PingPongClient, parseHostPort, type PingPongClientOptions, type PingPongRequest, type PingPongReply, type PingPongHeaders } from './client.js';
export { type PingPongTransport, type PayloadProtocol, encodeEnvelope, decodeEnvelope, checkCombination, EnvelopeTemplate, type EnvelopeFields, type DecodedEnvelope } from './envelope.js';
export { MessageType, encodeBinaryMessageHeader, decodeBinaryMessageHeader, encodeCompactMessageHeader, decodeCompactMessageHeader, type MessageHeader } from '../frame/tmessage.js';
export { encodeTTHeaderPrefix, decodeTTHeaderFrame, isTTHeader, TTHeaderProtocolId, InfoId, TTHEADER_MAGIC, type TTHeaderFields, type TTHeaderFrame } from '../frame/ttheader-frame.js';
export { encodeTHeaderPrefix, decodeTHeaderFrame, isTHeader, THeaderProtocolId, THeaderTransform, THEADER_MAGIC, type THeaderFields, type THeaderFrame } from './theader-frame.js';
export { IntInfoKey, StrInfoKey, METAINFO_PREFIX_TRANSIENT, METAINFO_PREFIX_PERSISTENT, METAINFO_HTTP_PREFIX_TRANSIENT, METAINFO_HTTP_PREFIX_PERSISTENT, METAINFO_HTTP_PREFIX_BACKWARD, putMetainfo } from '../frame/info-keys.js';
export { TApplicationExceptionType, ThriftApplicationError, decodeApplicationException, encodeApplicationException, codeForApplicationExceptionType } from '../frame/application-exception.js';
export { KITEX_PROTOBUF_MAGIC, encodeKitexProtobufHeader, decodeKitexProtobufHeader, decodeKitexProtobufError, encodeKitexProtobufError } from './kitex-protobuf.js';
export { MessageSkipper, messageLength, type ThriftEncoding } from '../frame/buffered-length.js';
export { FrameDecoder, DEFAULT_MAX_FRAME_BYTES, type Delimiting } from './frame-decoder.js';
export { detectProtocol, ServerRequestReader, encodeServerReply, encodeServerException, type DetectedProtocol, type ServerRequest, type ServerReply } from './server-framing.js';
