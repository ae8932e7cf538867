/**
 * Target strings: `dns:///host:port` and `etcd://host:port[,host:port][/Service]` to resolvers,
 * `etcd://host:port` to a registry.
 */
import { UsageError } from '../errors/usage-error.js';
import { dnsResolver } from './dns-resolver.js';
import { parseEtcdTarget } from './etcd/client.js';
import { etcdRegistry } from './etcd/registry.js';
import { etcdResolver } from './etcd/resolver.js';
import type { Registry } from './registry.js';
import type { Resolver } from './resolver.js';

/** A resolver made from a target, and the service it names (etcd targets may end in `/Service`). */
export interface TargetResolver {
  readonly resolver: Resolver;
  readonly service: string | undefined;
}

/** Whether `text` is a discovery target rather than a plain `host:port`. */
export function isDiscoveryTarget(text: string): boolean {
  return text.startsWith('dns:') || text.startsWith('etcd://');
}

/** The resolver for a `dns:` or `etcd://` target. Throws UsageError for anything else. */
export function resolverForTarget(target: string): TargetResolver {
  if (target.startsWith('dns:')) return { resolver: dnsResolver(target), service: undefined };
  if (target.startsWith('etcd://')) {
    const { endpoints, path } = parseTarget(target);
    return { resolver: etcdResolver(endpoints), service: path || undefined };
  }
  throw new UsageError(`resolver "${target}": expected dns:///host:port or etcd://host:port[,host:port][/Service]`);
}

/** The registry for an `etcd://host:port[,host:port]` target. */
export function registryForTarget(target: string): Registry {
  if (!target.startsWith('etcd://')) throw new UsageError(`registry "${target}": expected etcd://host:port[,host:port]`);
  const { endpoints, path } = parseTarget(target);
  if (path) throw new UsageError(`registry "${target}": name the service in registryInfo.serviceName, not in the target`);
  return etcdRegistry(endpoints);
}

function parseTarget(target: string): { endpoints: string[]; path: string } {
  try {
    return parseEtcdTarget(target);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
