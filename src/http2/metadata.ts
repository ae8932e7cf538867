import { Code, RpcError } from '../errors/index.js';

/** Request metadata as callers give it: `-bin` keys take bytes (or a string of bytes). */
export type RequestMetadata = Record<string, string | string[] | Buffer | Uint8Array>;

/**
 * Header names callers may not set as metadata: HTTP/2 pseudo and connection headers,
 * the ones this engine writes itself, and the `grpc-` prefix that gRPC reserves.
 */
const RESERVED = new Set([
  'content-type',
  'te',
  'user-agent',
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

const NAME_RE = /^[0-9a-z_.-]+$/;
// Printable ASCII only (0x20–0x7E), per the gRPC spec's ASCII-Value.
const VALUE_RE = /^[\x20-\x7e]*$/;

function refuse(msg: string): never {
  throw new RpcError(Code.INTERNAL, msg);
}

/** Base64 without padding, as the spec asks senders to emit for `-bin` values. */
export function encodeBinaryValue(v: Uint8Array | string): string {
  const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return b.toString('base64').replace(/=+$/, '');
}

/** Decodes a `-bin` header value (padded or unpadded base64, standard or URL alphabet). */
export function decodeBinaryValue(v: string): Buffer {
  return Buffer.from(v, 'base64');
}

/** Checks one header name for use as custom metadata; throws RpcError INTERNAL if reserved or malformed. */
export function validateMetadataName(name: string): void {
  if (name.length === 0 || !NAME_RE.test(name)) refuse(`malformed metadata name "${name}"`);
  if (RESERVED.has(name) || name.startsWith('grpc-')) refuse(`metadata name "${name}" is reserved`);
}

/**
 * Validates and adds custom metadata to a request or response header object, in place.
 * Names are lower-cased; non-`-bin` values must be printable ASCII; `-bin` values are
 * base64-encoded. Throws RpcError INTERNAL before anything is sent.
 */
export function addMetadata(out: Record<string, string | string[]>, md: RequestMetadata): void {
  for (const rawName of Object.keys(md)) {
    const name = rawName.toLowerCase();
    validateMetadataName(name);
    const value = md[rawName]!;
    const bin = name.endsWith('-bin');
    if (typeof value === 'string') {
      out[name] = bin ? encodeBinaryValue(value) : checkValue(name, value);
    } else if (Array.isArray(value)) {
      out[name] = value.map((v) => (bin ? encodeBinaryValue(v) : checkValue(name, v)));
    } else if (value instanceof Uint8Array) {
      if (!bin) refuse(`metadata "${name}" has a binary value but no -bin suffix`);
      out[name] = encodeBinaryValue(value);
    } else {
      refuse(`metadata "${name}" has an unsupported value type`);
    }
  }
}

function checkValue(name: string, v: string): string {
  if (typeof v !== 'string' || !VALUE_RE.test(v)) refuse(`metadata "${name}" has a non-printable-ASCII value`);
  return v;
}

/** Headers that are transport, not metadata: skipped when exposing a peer's metadata. */
const TRANSPORT_HEADERS = new Set(['content-type', 'te', 'grpc-timeout', 'grpc-encoding', 'grpc-accept-encoding']);

/**
 * Copies incoming HTTP/2 headers into a plain metadata record: pseudo-headers dropped,
 * everything else kept (values as node gives them). `transportToo` keeps gRPC's own
 * headers (for response headers/trailers exposed to callers).
 */
export function headersToMetadata(
  headers: Record<string, string | string[] | number | undefined>,
  transportToo: boolean,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const k of Object.keys(headers)) {
    if (k.charCodeAt(0) === 58 /* ':' */) continue;
    if (!transportToo && TRANSPORT_HEADERS.has(k)) continue;
    const v = headers[k];
    if (v === undefined) continue;
    out[k] = typeof v === 'number' ? String(v) : v;
  }
  return out;
}
