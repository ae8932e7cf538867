/**
 * What discovery is about: instances of a service (an address, a weight, tags) and the changes a
 * resolver reports as they come and go.
 */

/** One instance of a service, as a registry or a name lookup describes it. */
export interface Instance {
  /** Where it listens: `host:port`, or `[v6]:port`. */
  readonly address: string;
  /**
   * Its share of calls relative to the others (Kitex's weight; its default is 10). An instance
   * of weight 0 or less is known but never picked, as Kitex's balancers leave such instances out.
   */
  readonly weight: number;
  /** Free-form labels (Kitex's tags: cluster, idc, env…). */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * A change to a service's instances. Instances are known by address: an upsert of a known
 * address replaces its weight and tags.
 */
export interface InstanceChange {
  /** When true, `upsert` is the whole set now: every known instance not in it has left. */
  readonly full?: boolean;
  /** Instances that joined or changed. */
  readonly upsert?: readonly Instance[];
  /** Addresses of instances that left. */
  readonly remove?: readonly string[];
}

/** Kitex's default instance weight (`discovery.DefaultWeight`). */
export const DEFAULT_WEIGHT = 10;

const NO_TAGS: Readonly<Record<string, string>> = Object.freeze({});

/** An instance of the default weight and no tags. */
export function instanceAt(address: string, weight = DEFAULT_WEIGHT, tags: Readonly<Record<string, string>> = NO_TAGS): Instance {
  return { address, weight, tags };
}
