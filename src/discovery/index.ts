/**
 * Discovery and balancing: resolvers (static, DNS, etcd in Kitex's registry layout), the etcd
 * registry for servers, balancers, and the instance picker a client follows a service with.
 * Hands the transports addresses; knows no IDL and no transport internals.
 */
export { DEFAULT_WEIGHT, instanceAt, type Instance, type InstanceChange } from './instance.js';
export type { Resolver, Unwatch } from './resolver.js';
export type { Registry, RegistryInfo } from './registry.js';
export { staticResolver } from './static-resolver.js';
export { dnsResolver, parseDnsTarget, joinHostPort, type DnsResolverOptions, type DnsTarget } from './dns-resolver.js';
export { etcdResolver, type EtcdResolverOptions } from './etcd/resolver.js';
export { etcdRegistry, type EtcdRegistryOptions } from './etcd/registry.js';
export { EtcdClient, parseEtcdTarget, type EtcdClientOptions } from './etcd/client.js';
export { KITEX_ETCD_PREFIX, KITEX_LEASE_TTL_SECONDS, serviceKey, serviceKeyPrefix, encodeInstanceValue, decodeInstanceValue } from './etcd/kitex-layout.js';
export { isDiscoveryTarget, resolverForTarget, registryForTarget, type TargetResolver } from './targets.js';
export { BALANCER_NAMES, type Balancer, type BalancerName, type Random } from './balancer/balancer.js';
export { createBalancer, type BalancerOptions } from './balancer/create.js';
export type { ConsistentHashOptions } from './balancer/consistent-hash.js';
export { Endpoint, type ConnectionState, type PickContext } from './balancer/endpoint.js';
export { InstancePicker, type InstancePickerOptions, type InstanceStatus, type OutlierEjectionOptions } from './instance-picker.js';
