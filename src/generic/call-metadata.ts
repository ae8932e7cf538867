/**
 * How a call's metadata is put together from the client's and the call's own, and turned
 * into what TTHeader carries.
 */
import { UsageError } from '../errors/usage-error.js';
import type { RequestMetadata } from './options.js';

/** Metadata the middleware chain resolved from the client's and the call's: the transport sends it as it is. */
const resolvedMetadata = new WeakSet<RequestMetadata>();

/** Marks `md` as resolved (see {@link mergeMetadata}). */
export function sentAsIs(md: RequestMetadata): RequestMetadata {
  resolvedMetadata.add(md);
  return md;
}

/** The client's metadata `a` under the call's `b` (`b` alone when the chain already merged them). */
export function mergeMetadata(a: RequestMetadata | undefined, b: RequestMetadata | undefined): RequestMetadata {
  if (!a || (b && resolvedMetadata.has(b))) return b ?? {};
  if (!b) return a;
  return { ...a, ...b };
}

/** The client's persistent metainfo under the call's. */
export function mergePersistent(a: Record<string, string> | undefined, b: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!a) return b;
  if (!b) return a;
  return { ...a, ...b };
}

/** TTHeader metainfo carries strings only. */
export function stringMetadata(md: RequestMetadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(md)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.join(',');
    else throw new UsageError(`metadata "${k}": binary values need the grpc transport`);
  }
  return out;
}
