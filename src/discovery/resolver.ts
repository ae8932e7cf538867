import type { Instance, InstanceChange } from './instance.js';

/** Stops a watch. */
export type Unwatch = () => void;

/**
 * Finds the instances of a service. The built-ins are {@link staticResolver} (fixed addresses),
 * {@link dnsResolver} (`dns:///host:port`) and {@link etcdResolver} (Kitex's etcd registry
 * layout); any object of this shape plugs into a client's `resolver` option.
 */
export interface Resolver {
  /** The instances of `service` now. Rejects when they cannot be found. */
  resolve(service: string): Promise<readonly Instance[]>;
  /**
   * Follows `service`: the first change is the whole set (`full: true`), later ones add, change
   * or remove instances (a full set again after a resync). Failures to resolve go to `onError`;
   * the last known set stays in use meanwhile. Without `watch`, a client resolves once.
   */
  watch?(service: string, onChange: (change: InstanceChange) => void, onError?: (err: Error) => void): Unwatch;
  /** A hint that an address could not be reached: resolvers that poll (DNS) look again soon. */
  refresh?(service: string): void;
  /** Releases what the resolver holds (connections, timers). Called by the client that made it from a target string. */
  close?(): Promise<void> | void;
}
