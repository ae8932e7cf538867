/**
 * idlcall: call gRPC and Thrift services from their IDL at run time, JSON in
 * and JSON out. This module is the public API.
 */
export * from './errors/index.js';
export type * from './idl-parser/proto/descriptor.js';
export type * from './idl-parser/thrift/descriptor.js';
