/**
 * JSON text (and plain objects) ⇄ Thrift binary/compact from run-time
 * descriptors, with Kitex's JSONThriftGeneric mapping. Knows descriptors, no
 * transport: TMessage envelopes are the transports' business.
 */
export { ThriftCodec } from './codec.js';
export type { ThriftJsonOptions } from './options.js';
export { BinaryWriter } from './binary-writer.js';
export { BinaryReader } from './binary-reader.js';
export { CompactWriter } from './compact-writer.js';
export { CompactReader } from './compact-reader.js';
export type { ThriftReader, ThriftWriter } from './protocol.js';
export { skipValue } from './skip.js';
export { TType } from './types.js';
