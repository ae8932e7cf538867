/**
 * The few etcd v3 API messages discovery needs, in protobuf binary, written and read directly
 * (field numbers from etcd's `api/etcdserverpb/rpc.proto` and `api/mvccpb/kv.proto`). Keys and
 * values are bytes; revisions are numbers (exact below 2^53); lease IDs are 64-bit, so bigint.
 */
import { ByteWriter } from '../../codec/bytes/byte-writer.js';
import { writeVarint32, writeVarint64 } from '../../codec/bytes/varint.js';
import { ProtoReader } from '../../codec/proto/reader.js';
import { CodecError } from '../../errors/codec-error.js';

/** gRPC method paths of the etcd services used. */
export const EtcdPath = {
  Range: '/etcdserverpb.KV/Range',
  Put: '/etcdserverpb.KV/Put',
  DeleteRange: '/etcdserverpb.KV/DeleteRange',
  Watch: '/etcdserverpb.Watch/Watch',
  LeaseGrant: '/etcdserverpb.Lease/LeaseGrant',
  LeaseRevoke: '/etcdserverpb.Lease/LeaseRevoke',
  LeaseKeepAlive: '/etcdserverpb.Lease/LeaseKeepAlive',
} as const;

/** mvccpb.KeyValue (the fields used). */
export interface KeyValue {
  key: Uint8Array;
  value: Uint8Array;
  modRevision: number;
  lease: bigint;
}

/** mvccpb.Event. */
export interface WatchEvent {
  type: 'put' | 'delete';
  kv: KeyValue;
}

/** etcdserverpb.WatchResponse (the fields used). */
export interface WatchResponse {
  revision: number;
  watchId: number;
  created: boolean;
  canceled: boolean;
  compactRevision: number;
  cancelReason: string;
  fragment: boolean;
  events: WatchEvent[];
}

const LEN = 2;
const VARINT = 0;

function key(w: ByteWriter, field: number, wireType: number): void {
  writeVarint32(w, (field << 3) | wireType);
}

function bytesField(w: ByteWriter, field: number, b: Uint8Array): void {
  if (b.length === 0) return;
  key(w, field, LEN);
  writeVarint32(w, b.length);
  w.writeBytes(b);
}

function int64Field(w: ByteWriter, field: number, v: bigint | number): void {
  if (v === 0 || v === 0n) return;
  const u = BigInt.asUintN(64, BigInt(v));
  key(w, field, VARINT);
  writeVarint64(w, Number(u & 0xffffffffn), Number(u >> 32n));
}

function boolField(w: ByteWriter, field: number, v: boolean): void {
  if (!v) return;
  key(w, field, VARINT);
  w.writeByte(1);
}

/**
 * RangeRequest{key, range_end} (every key in [key, rangeEnd); an empty rangeEnd means the one
 * key), and DeleteRangeRequest, whose first two fields are the same.
 */
export function encodeKeyRange(k: Uint8Array, rangeEnd: Uint8Array): Uint8Array {
  const w = new ByteWriter(64 + k.length + rangeEnd.length);
  bytesField(w, 1, k);
  bytesField(w, 2, rangeEnd);
  return w.finish();
}

/** PutRequest{key, value, lease}. */
export function encodePutRequest(k: Uint8Array, value: Uint8Array, lease: bigint): Uint8Array {
  const w = new ByteWriter(32 + k.length + value.length);
  bytesField(w, 1, k);
  bytesField(w, 2, value);
  int64Field(w, 3, lease);
  return w.finish();
}

/**
 * LeaseGrantRequest{TTL} (the server picks the ID), LeaseRevokeRequest{ID} and
 * LeaseKeepAliveRequest{ID}: one int64 in field 1.
 */
export function encodeLeaseRequest(ttlOrId: bigint | number): Uint8Array {
  const w = new ByteWriter(16);
  int64Field(w, 1, ttlOrId);
  return w.finish();
}

/** WatchRequest{create_request{key, range_end, start_revision, progress_notify}}. */
export function encodeWatchCreate(k: Uint8Array, rangeEnd: Uint8Array, startRevision: number): Uint8Array {
  const inner = new ByteWriter(64 + k.length + rangeEnd.length);
  bytesField(inner, 1, k);
  bytesField(inner, 2, rangeEnd);
  int64Field(inner, 3, startRevision);
  boolField(inner, 4, true);
  const body = inner.finish();
  const w = new ByteWriter(body.length + 8);
  bytesField(w, 1, body);
  return w.finish();
}

/** The end of the range of every key starting with `prefix` (etcd's `clientv3.GetPrefixRangeEnd`). */
export function prefixRangeEnd(prefix: Uint8Array): Uint8Array {
  const end = prefix.slice();
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  return new Uint8Array([0]); // all 0xff: to the end of the keyspace
}

// --- decoding ---

/** Reads the fields of the message in [start, end) of `buf`, one callback per field. */
function fields(buf: Uint8Array, start: number, end: number, what: string, on: (tag: number, r: ProtoReader) => boolean): void {
  const r = new ProtoReader().reset(buf, start, end);
  try {
    while (r.pos < r.end) {
      const t = r.tag();
      // `on` reads the value of the fields it knows and returns true; others are skipped.
      if (!on(t, r)) r.skip(t, 0);
    }
  } catch (e) {
    if (e instanceof CodecError) throw new CodecError(e.path ? `${what}.${e.path}` : what, e.reason, e.offset, e.stage);
    throw e;
  }
}

function readInt64(r: ProtoReader): number {
  const lo = r.varint64();
  return r.hi * 4294967296 + lo;
}

function readBigInt64(r: ProtoReader): bigint {
  const lo = r.varint64();
  return BigInt.asIntN(64, (BigInt(r.hi) << 32n) | BigInt(lo));
}

function readBytes(r: ProtoReader): Uint8Array {
  const end = r.lengthEnd();
  const b = r.buf.slice(r.pos, end);
  r.pos = end;
  return b;
}

function readRange(r: ProtoReader): [number, number] {
  const end = r.lengthEnd();
  const start = r.pos;
  r.pos = end;
  return [start, end];
}

function headerRevision(buf: Uint8Array, start: number, end: number): number {
  let revision = 0;
  fields(buf, start, end, 'ResponseHeader', (t, r) => {
    if (t !== ((3 << 3) | VARINT)) return false;
    revision = readInt64(r);
    return true;
  });
  return revision;
}

function decodeKeyValue(buf: Uint8Array, start: number, end: number): KeyValue {
  const kv: KeyValue = { key: new Uint8Array(0), value: new Uint8Array(0), modRevision: 0, lease: 0n };
  fields(buf, start, end, 'KeyValue', (t, r) => {
    switch (t) {
      case (1 << 3) | LEN:
        kv.key = readBytes(r);
        return true;
      case (3 << 3) | VARINT:
        kv.modRevision = readInt64(r);
        return true;
      case (5 << 3) | LEN:
        kv.value = readBytes(r);
        return true;
      case (6 << 3) | VARINT:
        kv.lease = readBigInt64(r);
        return true;
      default:
        return false;
    }
  });
  return kv;
}

/** RangeResponse: the header's revision, the key-values, and whether more remain. */
export function decodeRangeResponse(buf: Uint8Array): { revision: number; kvs: KeyValue[]; more: boolean } {
  const out = { revision: 0, kvs: [] as KeyValue[], more: false };
  fields(buf, 0, buf.length, 'RangeResponse', (t, r) => {
    switch (t) {
      case (1 << 3) | LEN: {
        const [s, e] = readRange(r);
        out.revision = headerRevision(buf, s, e);
        return true;
      }
      case (2 << 3) | LEN: {
        const [s, e] = readRange(r);
        out.kvs.push(decodeKeyValue(buf, s, e));
        return true;
      }
      case (3 << 3) | VARINT:
        out.more = r.varint32() !== 0;
        return true;
      default:
        return false;
    }
  });
  return out;
}

/** LeaseGrantResponse / LeaseKeepAliveResponse: ID, TTL (seconds; ≤ 0 = the lease is gone) and error. */
export function decodeLeaseResponse(buf: Uint8Array): { id: bigint; ttl: number; error: string } {
  const out = { id: 0n, ttl: 0, error: '' };
  fields(buf, 0, buf.length, 'LeaseResponse', (t, r) => {
    switch (t) {
      case (2 << 3) | VARINT:
        out.id = readBigInt64(r);
        return true;
      case (3 << 3) | VARINT: {
        const lo = r.varint64();
        out.ttl = r.hi >= 0x80000000 ? -1 : r.hi * 4294967296 + lo; // negative TTL: gone
        return true;
      }
      case (4 << 3) | LEN:
        out.error = new TextDecoder().decode(readBytes(r));
        return true;
      default:
        return false;
    }
  });
  return out;
}

/** WatchResponse. */
export function decodeWatchResponse(buf: Uint8Array): WatchResponse {
  const out: WatchResponse = {
    revision: 0,
    watchId: 0,
    created: false,
    canceled: false,
    compactRevision: 0,
    cancelReason: '',
    fragment: false,
    events: [],
  };
  fields(buf, 0, buf.length, 'WatchResponse', (t, r) => {
    switch (t) {
      case (1 << 3) | LEN: {
        const [s, e] = readRange(r);
        out.revision = headerRevision(buf, s, e);
        return true;
      }
      case (2 << 3) | VARINT:
        out.watchId = readInt64(r);
        return true;
      case (3 << 3) | VARINT:
        out.created = r.varint32() !== 0;
        return true;
      case (4 << 3) | VARINT:
        out.canceled = r.varint32() !== 0;
        return true;
      case (5 << 3) | VARINT:
        out.compactRevision = readInt64(r);
        return true;
      case (6 << 3) | LEN:
        out.cancelReason = new TextDecoder().decode(readBytes(r));
        return true;
      case (7 << 3) | VARINT:
        out.fragment = r.varint32() !== 0;
        return true;
      case (11 << 3) | LEN: {
        const [s, e] = readRange(r);
        out.events.push(decodeEvent(buf, s, e));
        return true;
      }
      default:
        return false;
    }
  });
  return out;
}

function decodeEvent(buf: Uint8Array, start: number, end: number): WatchEvent {
  const ev: WatchEvent = { type: 'put', kv: { key: new Uint8Array(0), value: new Uint8Array(0), modRevision: 0, lease: 0n } };
  fields(buf, start, end, 'Event', (t, r) => {
    switch (t) {
      case (1 << 3) | VARINT:
        ev.type = r.varint32() === 1 ? 'delete' : 'put';
        return true;
      case (2 << 3) | LEN: {
        const [s, e] = readRange(r);
        ev.kv = decodeKeyValue(buf, s, e);
        return true;
      }
      default:
        return false;
    }
  });
  return ev;
}
