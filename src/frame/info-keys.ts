/**
 * Kitex's well-known TTHeader info keys (cloudwego/gopkg protocol/ttheader
 * metakey.go) and the metainfo conventions Kitex uses to carry per-call
 * metadata in the string key/value block.
 */

/** Int-keyed info (INFO_INTKEYVALUE, 0x10): the u16 key numbers Kitex uses. */
export const IntInfoKey = {
  MeshVersion: 0,
  TransportType: 1,
  LogID: 2,
  FromService: 3,
  FromCluster: 4,
  FromIDC: 5,
  ToService: 6,
  ToCluster: 7,
  ToIDC: 8,
  ToMethod: 9,
  Env: 10,
  DestAddress: 11,
  /** Call timeout in milliseconds, decimal text. */
  RPCTimeout: 12,
  ReadTimeout: 13,
  RingHashKey: 14,
  DDPTag: 15,
  WithMeshHeader: 16,
  ConnectTimeout: 17,
  SpanContext: 18,
  ShortConnection: 19,
  FromMethod: 20,
  StressTag: 21,
  /** Thrift message type as decimal text: "1" call … "4" oneway. */
  MsgType: 22,
  HTTPContentType: 23,
  RawRingHashKey: 24,
  LBType: 25,
  ClusterShardID: 26,
  FrameType: 27,
} as const;

/** String-keyed info (INFO_KEYVALUE, 0x01) that Kitex itself reads or writes. */
export const StrInfoKey = {
  /** IDL service name; Kitex servers with several services route on it. */
  IDLServiceName: 'isn',
  /** Server asks the client to drop the connection after this reply. */
  ConnectionReadyToReset: 'crrst',
  /** Kitex business status error (non-zero code), its message and JSON extra. */
  BizStatus: 'biz-status',
  BizMessage: 'biz-message',
  BizExtra: 'biz-extra',
  /** TTHeader Streaming Rst frames (Kitex ≥ 0.15): the services a cancel passed through, comma-separated. */
  TTStreamCancelPath: 'ttscp',
} as const;

/** Value of int key 1 (TransportType) for TTHeader carrying a Framed payload. */
export const TRANSPORT_TYPE_FRAMED = 'framed';
/** Value of int key 1 (TransportType) for TTHeader carrying a bare payload. */
export const TRANSPORT_TYPE_UNFRAMED = 'unframed';

/**
 * bytedance/gopkg `metainfo` prefixes. Kitex's MetainfoClientHandler writes
 * `SaveMetaInfoToMap` into the TTHeader string block, i.e. transient values as
 * `RPC_TRANSIT_<key>` and persistent ones as `RPC_PERSIST_<key>`. (The
 * lower-case `rpc-transit-`/`rpc-persist-` forms are the HTTP/gRPC header
 * spelling, not what goes into TTHeader.)
 */
export const METAINFO_PREFIX_TRANSIENT = 'RPC_TRANSIT_';
export const METAINFO_PREFIX_PERSISTENT = 'RPC_PERSIST_';
/** The same metainfo as HTTP/gRPC headers (bytedance/gopkg metainfo/http.go), matched case-insensitively. */
export const METAINFO_HTTP_PREFIX_TRANSIENT = 'rpc-transit-';
export const METAINFO_HTTP_PREFIX_PERSISTENT = 'rpc-persist-';
export const METAINFO_HTTP_PREFIX_BACKWARD = 'rpc-backward-';
/** Upstream-transient values (received, not forwarded further). */
export const METAINFO_PREFIX_TRANSIENT_UPSTREAM = 'RPC_TRANSIT_UPSTREAM_';
/** The ACL (GDPR) token travels in info block 0x11 under this metainfo key. */
export const GDPR_TOKEN_KEY = 'RPC_TRANSIT_gdpr-token';

/**
 * Adds metainfo to a TTHeader string block the way Kitex does. Empty keys or
 * values are skipped: metainfo refuses them, so a Kitex server would drop them.
 */
export function putMetainfo(
  into: Map<string, string>,
  transient: Record<string, string> | undefined,
  persistent: Record<string, string> | undefined,
): void {
  if (transient) {
    for (const k of Object.keys(transient)) {
      const v = transient[k];
      if (k && v) into.set(METAINFO_PREFIX_TRANSIENT + k, v);
    }
  }
  if (persistent) {
    for (const k of Object.keys(persistent)) {
      const v = persistent[k];
      if (k && v) into.set(METAINFO_PREFIX_PERSISTENT + k, v);
    }
  }
}

/**
 * Takes the GDPR token out of a string block built by {@link putMetainfo}:
 * gopkg's encoder writes it in its own info block (0x11), not among the pairs.
 */
export function takeAclToken(strInfo: Map<string, string>): string | undefined {
  const token = strInfo.get(GDPR_TOKEN_KEY);
  if (token !== undefined) strInfo.delete(GDPR_TOKEN_KEY);
  return token;
}
