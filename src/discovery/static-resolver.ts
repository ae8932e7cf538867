import { instanceAt, type Instance } from './instance.js';
import type { Resolver } from './resolver.js';

/**
 * A fixed list of instances for every service: what a client's `hostPorts` become. Entries are
 * `host:port` strings (weight 10, no tags) or whole instances.
 */
export function staticResolver(instances: readonly (string | Instance)[]): Resolver {
  const list: readonly Instance[] = instances.map((i) => (typeof i === 'string' ? instanceAt(i) : i));
  return {
    resolve: () => Promise.resolve(list),
    watch(_service, onChange) {
      onChange({ full: true, upsert: list });
      return () => undefined;
    },
  };
}
