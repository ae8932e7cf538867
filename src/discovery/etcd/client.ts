/**
 * A minimal etcd v3 client: the KV, Lease and Watch calls discovery needs, spoken as gRPC over
 * idlcall's own HTTP/2 channel (etcd serves its API as gRPC), with the messages of
 * {@link ./wire.js}. Several endpoints are used in turn, unreachable ones passed over.
 */
import type { ChannelOptions, GrpcChannel, TlsOptions } from '../../http2/channel.js';
import type { ClientCall } from '../../http2/client-call.js';
import {
  EtcdPath,
  decodeLeaseResponse,
  decodeRangeResponse,
  encodeLeaseRequest,
  encodeKeyRange,
  encodePutRequest,
  type KeyValue,
} from './wire.js';

/** Options of {@link EtcdClient}. */
export interface EtcdClientOptions {
  /** etcd client URLs as `host:port` (the `--listen-client-urls` of its members). */
  endpoints: readonly string[];
  /** TLS to etcd; default plaintext. */
  tls?: TlsOptions | boolean;
  /** Deadline of each KV and Lease request; default 5 s. */
  requestTimeoutMs?: number;
}

/** Parses `etcd://host:port[,host:port…][/rest]` into its endpoints and the path after them. */
export function parseEtcdTarget(target: string): { endpoints: string[]; path: string } {
  const m = /^etcd:\/\/([^/]+)(?:\/(.*))?$/.exec(target);
  if (!m) throw new TypeError(`"${target}" is not an etcd target (etcd://host:port[,host:port][/Service])`);
  const endpoints = m[1]!.split(',').filter(Boolean);
  for (const e of endpoints) {
    if (!/^(\[[^\]]+\]|[^:\s[\]]+):\d{1,5}$/.test(e)) throw new TypeError(`"${target}": "${e}" is not host:port`);
  }
  return { endpoints, path: m[2] ?? '' };
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a key or value. */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** node:http2's client side and idlcall's channel, loaded on the first request of any etcd client. */
let transport: Promise<[typeof import('../../http2/channel.js'), typeof import('../../http2/unary.js')]> | undefined;

/** An etcd v3 client over gRPC. */
export class EtcdClient {
  /** Made on the first request: a process that only names an etcd target loads no HTTP/2 client. */
  private channel: GrpcChannel | undefined;
  private readonly channelOptions: ChannelOptions;
  private readonly timeoutMs: number;
  /** Long-lived streams (watches, keep-alives), cancelled on close. */
  private readonly streams = new Set<ClientCall>();
  private closed = false;

  constructor(opts: EtcdClientOptions) {
    if (opts.endpoints.length === 0) throw new TypeError('etcd: no endpoints');
    this.channelOptions = {
      hostPorts: [...opts.endpoints],
      userAgent: 'idlcall-etcd',
      ...(opts.tls ? { tls: opts.tls } : {}),
      connectTimeoutMs: 5000,
      // A member that stops answering fails the watch, which then resumes on another.
      keepalive: { intervalMs: 10_000, timeoutMs: 5000 },
      maxReceiveMessageBytes: 64 << 20,
    };
    this.timeoutMs = opts.requestTimeoutMs ?? 5000;
  }

  /** Every key in [key, rangeEnd), with the store's revision. */
  async range(key: Uint8Array, rangeEnd: Uint8Array): Promise<{ revision: number; kvs: KeyValue[] }> {
    return decodeRangeResponse(await this.unary(EtcdPath.Range, encodeKeyRange(key, rangeEnd)));
  }

  /** Writes one key, attached to `lease` (0n: none). */
  async put(key: Uint8Array, value: Uint8Array, lease: bigint): Promise<void> {
    await this.unary(EtcdPath.Put, encodePutRequest(key, value, lease));
  }

  /** Deletes one key. */
  async delete(key: Uint8Array): Promise<void> {
    await this.unary(EtcdPath.DeleteRange, encodeKeyRange(key, new Uint8Array(0)));
  }

  /** A new lease of `ttlSeconds`. */
  async grant(ttlSeconds: number): Promise<{ id: bigint; ttl: number }> {
    const r = decodeLeaseResponse(await this.unary(EtcdPath.LeaseGrant, encodeLeaseRequest(ttlSeconds)));
    if (r.error) throw new Error(`etcd: lease grant failed: ${r.error}`);
    return { id: r.id, ttl: r.ttl };
  }

  /** Ends a lease: its keys are deleted at once. */
  async revoke(id: bigint): Promise<void> {
    await this.unary(EtcdPath.LeaseRevoke, encodeLeaseRequest(id));
  }

  /**
   * Opens a bidirectional stream (Watch, LeaseKeepAlive); it is cancelled when the client
   * closes. Streams follow a request (a Range, a lease Grant), which opened the channel.
   */
  openStream(path: string): ClientCall {
    if (this.closed) throw new Error('etcd: client closed');
    if (this.channel === undefined) throw new Error('etcd: no request made yet');
    const call = this.channel.call({ path });
    this.streams.add(call);
    void call.status.then(() => this.streams.delete(call));
    return call;
  }

  /** Cancels open streams and closes the connections. */
  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.streams) s.cancel('etcd client closed');
    await this.channel?.close();
  }

  private async unary(path: string, body: Uint8Array): Promise<Uint8Array> {
    if (this.closed) throw new Error('etcd: client closed');
    const [{ GrpcChannel }, { unaryCall }] = await (transport ??= Promise.all([import('../../http2/channel.js'), import('../../http2/unary.js')]));
    if (this.closed) throw new Error('etcd: client closed');
    this.channel ??= new GrpcChannel(this.channelOptions);
    return (await unaryCall(this.channel, { path, timeoutMs: this.timeoutMs }, body)).message;
  }
}
