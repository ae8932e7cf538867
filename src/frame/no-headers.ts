/**
 * Read-only empties for decoded frames without info blocks, headers or
 * transforms: one shared instance each instead of a new one per frame.
 */

/** An empty map that refuses entries, so that one instance can be shared. */
class NoHeaders<K> extends Map<K, string> {
  override set(): this {
    throw new TypeError('decoded frame headers are read-only');
  }
}

/** No TTHeader int info. */
export const NO_INT_INFO: ReadonlyMap<number, string> = new NoHeaders<number>();
/** No TTHeader string info or THeader headers. */
export const NO_STR_INFO: ReadonlyMap<string, string> = new NoHeaders<string>();
/** No transforms. */
export const NO_TRANSFORMS: readonly number[] = Object.freeze([]);
