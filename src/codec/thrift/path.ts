import { CodecError } from '../../errors/codec-error.js';
import { asStringLimitError } from '../json/json-chars.js';

/**
 * Prepends a path segment to an error unwinding out of a field, element or
 * struct. Errors are raised with an empty path where they happen; each level
 * adds its own segment as it rethrows, so the happy path pays nothing for
 * path tracking. Non-codec errors (a RangeError from deep recursion, a string
 * past the engine's limit) become CodecErrors here.
 */
export function withSegment(e: unknown, segment: string): CodecError {
  e = asStringLimitError(e);
  if (e instanceof CodecError) {
    const path = e.path === '' ? segment : e.path.charCodeAt(0) === 91 /* [ */ || e.path.charCodeAt(0) === 46 /* . */ ? segment + e.path : segment + '.' + e.path;
    return new CodecError(path, e.reason, e.offset, e.stage);
  }
  if (e instanceof RangeError && /call stack/i.test(e.message)) return new CodecError(segment, 'nesting too deep');
  const msg = e instanceof Error ? e.message : String(e);
  return new CodecError(segment, msg);
}

/** The path segment for a map entry: `[3]` for numeric keys, `["k"]` otherwise. */
export function mapSegment(key: string): string {
  return /^-?[0-9]+$/.test(key) ? `[${key}]` : `[${JSON.stringify(key)}]`;
}
