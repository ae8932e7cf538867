/**
 * Kitex's etcd registry layout (kitex-contrib/registry-etcd, cloudwego-contrib/cwgo-pkg
 * registry/etcd): one key per instance, `<prefix>/<service>/<host:port>`, default prefix
 * `kitex/registry-etcd`, whose value is the JSON `{"network","address","weight","tags"}`,
 * attached to a lease the server keeps alive (60 s by default). Kitex's resolver gives instances
 * of weight 0 or less the default weight 10.
 */
import { DEFAULT_WEIGHT, type Instance } from '../instance.js';

/** Kitex's default key prefix. */
export const KITEX_ETCD_PREFIX = 'kitex/registry-etcd';
/** Kitex's default lease TTL, seconds (`KITEX_ETCD_REGISTRY_LEASE_TTL` overrides it there). */
export const KITEX_LEASE_TTL_SECONDS = 60;

/** The key prefix under which a service's instances live (with the trailing slash). */
export function serviceKeyPrefix(prefix: string, service: string): string {
  return `${prefix}/${service}/`;
}

/** The key of one instance. */
export function serviceKey(prefix: string, service: string, address: string): string {
  return serviceKeyPrefix(prefix, service) + address;
}

/**
 * The value Kitex writes for an instance, byte for byte as Go's encoding/json writes it: struct
 * field order, tag keys sorted, no tags as null, `<`, `>`, `&`, U+2028 and U+2029 escaped.
 */
export function encodeInstanceValue(i: Instance, network = 'tcp'): string {
  const keys = Object.keys(i.tags).sort();
  const tags = keys.length ? Object.fromEntries(keys.map((k) => [k, i.tags[k]])) : null;
  return JSON.stringify({ network, address: i.address, weight: i.weight, tags }).replace(/[<>&\u2028\u2029]/g, goEscape);
}

function goEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * An instance from a value Kitex wrote, or undefined for a value that is not one (Kitex's
 * resolver skips those too).
 */
export function decodeInstanceValue(value: string, defaultWeight = DEFAULT_WEIGHT): Instance | undefined {
  let v: unknown;
  try {
    v = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as { address?: unknown; weight?: unknown; tags?: unknown };
  if (typeof o.address !== 'string' || !o.address) return undefined;
  const weight = typeof o.weight === 'number' && o.weight > 0 ? o.weight : defaultWeight;
  const tags: Record<string, string> = {};
  if (typeof o.tags === 'object' && o.tags !== null) {
    for (const [k, t] of Object.entries(o.tags as Record<string, unknown>)) if (typeof t === 'string') tags[k] = t;
  }
  return { address: o.address, weight, tags };
}
