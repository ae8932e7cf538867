import type { RequestMetadata } from '../../generic/options.js';

/**
 * Prefixes under which a trace context key may arrive besides its own name: Kitex transient
 * metainfo as TTHeader / ttstream string info (`RPC_TRANSIT_traceparent`, what a Kitex
 * client with kitex-contrib/obs-opentelemetry sends), and gopkg metainfo's HTTP spelling
 * (`rpc-transit-traceparent`).
 */
const TRANSIT_PREFIXES: readonly string[] = ['RPC_TRANSIT_', 'rpc-transit-'];

/**
 * Writes trace context entries into a call's metadata under their own names (`traceparent`,
 * `tracestate`, `baggage`): gRPC sends them as headers, as W3C's gRPC binding and
 * obs-opentelemetry with gRPC metadata do; TTHeader and ttstream send them as transient
 * metainfo, `RPC_TRANSIT_traceparent`, as obs-opentelemetry's metainfo propagation does.
 */
export const metadataSetter = {
  set(carrier: RequestMetadata, key: string, value: string): void {
    carrier[key] = value;
  },
};

/** Reads trace context entries from received metadata, under their own names or as transient metainfo. */
export const metadataGetter = {
  get(carrier: RequestMetadata, key: string): string | string[] | undefined {
    let v = carrier[key];
    for (let i = 0; v === undefined && i < TRANSIT_PREFIXES.length; i++) v = carrier[TRANSIT_PREFIXES[i] + key];
    return typeof v === 'string' || Array.isArray(v) ? v : undefined;
  },
  keys(carrier: RequestMetadata): string[] {
    return Object.keys(carrier).map((k) => {
      for (const p of TRANSIT_PREFIXES) if (k.startsWith(p)) return k.slice(p.length);
      return k;
    });
  },
};
