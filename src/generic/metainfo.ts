/**
 * Kitex metainfo over gRPC, spelt as bytedance/gopkg `cloud/metainfo`
 * (http.go) spells it in HTTP headers: `rpc-transit-<key>` (transient),
 * `rpc-persist-<key>` (persistent) and `rpc-backward-<key>` (backward), the
 * key written in lower case with `_` as `-` (`CGIVariableToHTTPHeader`), read
 * back in upper case with `-` as `_` (`HTTPHeaderToCGIVariable`). Over
 * TTHeader the same values travel as string info (`RPC_TRANSIT_<key>`…),
 * which the ping-pong transport writes itself.
 */
import type { Metadata } from '../errors/rpc-error.js';
import {
  METAINFO_HTTP_PREFIX_BACKWARD,
  METAINFO_HTTP_PREFIX_PERSISTENT,
  METAINFO_HTTP_PREFIX_TRANSIENT,
} from '../frame/info-keys.js';

/** A metainfo key as gopkg writes it into an HTTP header name: `X_TENANT` → `x-tenant`. */
function headerKey(key: string): string {
  return key.replaceAll('_', '-').toLowerCase();
}

/** The gRPC header that carries transient metainfo `key` (what a Kitex gRPC client sends for `metainfo.WithValue`). */
export function transientMetainfoHeader(key: string): string {
  return METAINFO_HTTP_PREFIX_TRANSIENT + headerKey(key);
}

/** Persistent metainfo as gRPC headers; empty keys and values are skipped, as metainfo refuses them. */
export function persistentMetainfoHeaders(values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(values)) {
    const v = values[k];
    if (k && v) out[METAINFO_HTTP_PREFIX_PERSISTENT + headerKey(k)] = v;
  }
  return out;
}

/** Backward metainfo found in gRPC response headers and trailers (trailers win a clash). */
export function backwardMetainfoOf(headers: Metadata, trailers: Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const md of [headers, trailers]) {
    for (const name of Object.keys(md)) {
      if (name.length <= METAINFO_HTTP_PREFIX_BACKWARD.length || name.slice(0, METAINFO_HTTP_PREFIX_BACKWARD.length).toLowerCase() !== METAINFO_HTTP_PREFIX_BACKWARD) continue;
      const v = md[name]!;
      const value = Array.isArray(v) ? v[0] : v;
      if (value) out[name.slice(METAINFO_HTTP_PREFIX_BACKWARD.length).replaceAll('-', '_').toUpperCase()] = value;
    }
  }
  return out;
}
