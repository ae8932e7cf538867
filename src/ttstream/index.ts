/**
 * Kitex TTHeader Streaming ("ttstream", Kitex streamx) over node:net: a
 * multiplexed client and the server side of a connection. Bytes only: the
 * caller encodes the bare request and response structs.
 */
export { TTStreamClient, type TTStreamClientOptions, type TTStreamCallOptions } from './client.js';
export type { ClientStream } from './client-stream.js';
export { ServerConnection, serveTTStreamConnection, type TTStreamServerOptions } from './server.js';
export type { ServerStream } from './server-stream.js';
export { FrameType, FrameView, HEADER_FLAGS_STREAMING, isTTStreamStart, encodeHead, framePrefix, writeFrameHead } from './frame.js';
export { FrameReader, type FrameSink } from './frame-reader.js';
export { StreamExceptionType, encodeStreamException, decodeStreamException, trailerError } from './exception.js';
