/**
 * The `.proto` front end: `.proto` text → resolved descriptors, on par with
 * protoc (scoping, json names, map entries, synthetic oneofs, imports and the
 * built-in well-known types).
 */
export { loadProtoFile, parseProtoContent, type LoadProtoOptions, type ParseProtoContentOptions } from './load.js';
export { ProtoRegistry } from './registry.js';
export { WELL_KNOWN_SOURCES } from './well-known.js';
export type * from './descriptor.js';
