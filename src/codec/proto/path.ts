import { CodecError } from '../../errors/codec-error.js';

/**
 * Prepends a path segment to a `CodecError` while it unwinds (a field name,
 * `[3]` or `["key"]`). Errors are rare, so the happy path keeps no path
 * stack at all; other errors pass through untouched.
 */
export function prefixPath(e: unknown, segment: string): unknown {
  if (!(e instanceof CodecError)) return e;
  const p = e.path;
  const path = p === '' ? segment : p.charCodeAt(0) === 91 /* [ */ ? segment + p : segment + '.' + p;
  return new CodecError(path, e.reason, e.offset, e.stage);
}
