/**
 * A ping-pong reply's headers as response metadata: TTHeader string info (or
 * THeader headers) under their own keys, TTHeader int info under Kitex's key
 * names (`MsgType`, `TransportType`, …; the key number in decimal for keys
 * Kitex does not name).
 */
import type { Metadata } from '../errors/rpc-error.js';
import { IntInfoKey } from '../frame/info-keys.js';
import type { PingPongHeaders } from '../ttheader/client.js';

const INT_KEY_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(IntInfoKey).map(([name, key]) => [key, name]));

/** The name a TTHeader int info key is shown under. */
export function intInfoKeyName(key: number): string {
  return INT_KEY_NAMES.get(key) ?? String(key);
}

/** Int info first, then string info; a string key that equals an int key's name wins. */
export function pingPongReplyMetadata(headers: PingPongHeaders): Metadata {
  const md: Metadata = {};
  for (const [k, v] of headers.intInfo) md[intInfoKeyName(k)] = v;
  for (const [k, v] of headers.strInfo) md[k] = v;
  return md;
}
