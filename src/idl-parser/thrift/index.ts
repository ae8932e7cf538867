/**
 * The `.thrift` front end: IDL text → resolved descriptors, as Apache
 * Thrift's compiler reads it (plus Kitex's annotations).
 */
export { loadThriftFile, parseThriftContent } from './loader.js';
export type { LoadThriftOptions, ThriftContentOptions } from './loader.js';
export { ThriftRegistry } from './registry.js';
export type * from './descriptor.js';
