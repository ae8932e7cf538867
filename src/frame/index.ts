/**
 * The wire pieces every Thrift transport over TCP shares, below the transports
 * themselves: Kitex TTHeader frames and their info keys (metainfo included),
 * strict-binary and compact TMessage headers, TApplicationException, Thrift
 * value skipping, and the big-endian, text and error helpers they use.
 * `src/ttheader` (ping-pong) and `src/ttstream` (TTHeader Streaming) both
 * build on it; it knows no IDL and opens no sockets.
 */
export { encodeTTHeaderPrefix, decodeTTHeaderFrame, isTTHeader, TTHeaderProtocolId, InfoId, TTHEADER_MAGIC, TTHEADER_META_SIZE, TTHEADER_MAX_HEADER_SIZE, type TTHeaderFields, type TTHeaderFrame } from './ttheader-frame.js';
export { IntInfoKey, StrInfoKey, METAINFO_PREFIX_TRANSIENT, METAINFO_PREFIX_PERSISTENT, METAINFO_HTTP_PREFIX_TRANSIENT, METAINFO_HTTP_PREFIX_PERSISTENT, GDPR_TOKEN_KEY, putMetainfo, takeAclToken } from './info-keys.js';
export { MessageType, encodeBinaryMessageHeader, decodeBinaryMessageHeader, encodeCompactMessageHeader, decodeCompactMessageHeader, type MessageHeader } from './tmessage.js';
export { TApplicationExceptionType, ThriftApplicationError, decodeApplicationException, encodeApplicationException, applicationExceptionToError, codeForApplicationExceptionType } from './application-exception.js';
export { MessageSkipper, messageLength, skipValue, type ThriftEncoding } from './buffered-length.js';
export { readU16, readI32, readU32, writeU32 } from './big-endian.js';
export { decodeText, encodeText, isAscii, writeAscii } from './text.js';
export { protocolError, limitError, unavailable } from './errors.js';
