/**
 * idlcall: call gRPC and Thrift services from their IDL at run time, JSON in
 * and JSON out. This module is the public API.
 */
export * from './errors/index.js';
export * from './generic/index.js';
export * from './governance/index.js';
export type * from './idl-parser/proto/descriptor.js';
export type * from './idl-parser/thrift/descriptor.js';
export type { ProtoJsonOptions } from './codec/proto/index.js';
export type { ThriftJsonOptions } from './codec/thrift/index.js';
export type { PingPongTransport } from './ttheader/index.js';
export {
  staticResolver,
  dnsResolver,
  etcdResolver,
  etcdRegistry,
  instanceAt,
  DEFAULT_WEIGHT,
  KITEX_ETCD_PREFIX,
  BALANCER_NAMES,
  type Instance,
  type InstanceChange,
  type Resolver,
  type Unwatch,
  type Registry,
  type RegistryInfo,
  type BalancerName,
  type ConsistentHashOptions,
  type OutlierEjectionOptions,
  type InstanceStatus,
  type DnsResolverOptions,
  type EtcdResolverOptions,
  type EtcdRegistryOptions,
} from './discovery/index.js';
