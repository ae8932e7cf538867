/**
 * Registers servers in etcd the way kitex-contrib/registry-etcd does, so Kitex clients (and
 * idlcall's etcd resolver) find them: the instance's key and JSON value under a lease, the lease
 * kept alive over a LeaseKeepAlive stream (a request every TTL/3), a new lease and key when the
 * old lease was lost, the key written again if someone deleted it; on deregistration the key is
 * deleted and the lease revoked. A process killed without deregistering disappears when its
 * lease runs out.
 */
import type { Registry } from '../registry.js';
import { DEFAULT_WEIGHT } from '../instance.js';
import { EtcdClient, utf8, type EtcdClientOptions } from './client.js';
import { KITEX_ETCD_PREFIX, KITEX_LEASE_TTL_SECONDS, encodeInstanceValue, serviceKey } from './kitex-layout.js';
import { EtcdPath, decodeLeaseResponse, encodeLeaseRequest } from './wire.js';

/** Options of {@link etcdRegistry}. */
export interface EtcdRegistryOptions extends Omit<EtcdClientOptions, 'endpoints'> {
  /** Key prefix; default Kitex's `kitex/registry-etcd`. */
  prefix?: string;
  /** Lease TTL in seconds; default 60, as Kitex. */
  ttlSeconds?: number;
  /** How often to check the key is still there (Kitex's ObserveDelay); default 30 s. */
  observeMs?: number;
}

/** A registry writing Kitex's etcd layout. `endpoints`: etcd's `host:port`s. */
export function etcdRegistry(endpoints: string | readonly string[], opts: EtcdRegistryOptions = {}): Registry {
  const list = typeof endpoints === 'string' ? endpoints.split(',') : endpoints;
  const client = new EtcdClient({ ...opts, endpoints: list });
  const prefix = opts.prefix ?? KITEX_ETCD_PREFIX;
  const ttl = opts.ttlSeconds ?? KITEX_LEASE_TTL_SECONDS;
  const observeMs = opts.observeMs ?? 30_000;
  const active = new Map<string, Registration>();
  return {
    async register(info) {
      if (!info.serviceName || info.serviceName.includes('/')) throw new TypeError(`etcd registry: invalid service name "${info.serviceName}" (it may not be empty or contain '/')`);
      const key = serviceKey(prefix, info.serviceName, info.address);
      if (active.has(key)) throw new Error(`etcd registry: ${key} is already registered`);
      const value = encodeInstanceValue({ address: info.address, weight: info.weight ?? DEFAULT_WEIGHT, tags: info.tags ?? {} });
      const r = new Registration(client, utf8(key), utf8(value), ttl, observeMs);
      await r.start();
      active.set(key, r);
    },
    async deregister(info) {
      const key = serviceKey(prefix, info.serviceName, info.address);
      const r = active.get(key);
      active.delete(key);
      await r?.stop();
    },
    async close() {
      await Promise.all([...active.values()].map((r) => r.stop()));
      active.clear();
      await client.close();
    },
  };
}

/** One registered key and the lease that keeps it. */
class Registration {
  private lease = 0n;
  private stopped = false;
  private stream: ReturnType<EtcdClient['openStream']> | undefined;
  private tick: NodeJS.Timeout | undefined;
  private observer: NodeJS.Timeout | undefined;
  private reopen: NodeJS.Timeout | undefined;
  /** A new lease is being made (keep-alive answers for the old one are ignored meanwhile). */
  private renewing: Promise<void> | undefined;

  constructor(
    private readonly client: EtcdClient,
    private readonly key: Uint8Array,
    private readonly value: Uint8Array,
    private readonly ttl: number,
    private readonly observeMs: number,
  ) {}

  async start(): Promise<void> {
    await this.writeWithNewLease();
    this.keepAlive();
    this.observer = setInterval(() => void this.observe(), this.observeMs);
    this.observer.unref();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.tick);
    clearInterval(this.observer);
    clearTimeout(this.reopen);
    this.stream?.cancel('deregistered');
    await this.renewing?.catch(() => undefined);
    // Best effort: an unreachable etcd lets the lease expire instead.
    await this.client.delete(this.key).catch(() => undefined);
    if (this.lease !== 0n) await this.client.revoke(this.lease).catch(() => undefined);
  }

  private async writeWithNewLease(): Promise<void> {
    const { id } = await this.client.grant(this.ttl);
    await this.client.put(this.key, this.value, id);
    this.lease = id;
  }

  /** The lease is gone (expired while etcd was unreachable, or revoked): make a new one. */
  private renew(): void {
    if (this.stopped || this.renewing) return;
    this.renewing = this.writeWithNewLease()
      .catch(() => undefined) // tried again on the next keep-alive answer or observation
      .finally(() => {
        this.renewing = undefined;
      });
  }

  /** A LeaseKeepAlive stream: one request every TTL/3, as etcd's own client sends them. */
  private keepAlive(): void {
    if (this.stopped) return;
    let call: ReturnType<EtcdClient['openStream']>;
    try {
      call = this.client.openStream(EtcdPath.LeaseKeepAlive);
    } catch {
      return;
    }
    this.stream = call;
    const send = (): void => {
      if (!this.renewing) call.send(encodeLeaseRequest(this.lease)).catch(() => undefined);
    };
    send();
    clearInterval(this.tick);
    this.tick = setInterval(send, Math.max(500, (this.ttl * 1000) / 3));
    this.tick.unref();
    void (async () => {
      try {
        for (let msg = await call.recv(); msg !== undefined; msg = await call.recv()) {
          const r = decodeLeaseResponse(msg);
          if (r.ttl <= 0 && r.id === this.lease) this.renew();
        }
      } catch {
        // the stream broke: open another below
      }
      clearInterval(this.tick);
      if (this.stopped) return;
      this.reopen = setTimeout(() => this.keepAlive(), 1000);
      this.reopen.unref();
    })();
  }

  /** Writes the key again if it went missing (Kitex's keepRegister does the same). */
  private async observe(): Promise<void> {
    if (this.stopped || this.renewing) return;
    try {
      const { kvs } = await this.client.range(this.key, new Uint8Array(0));
      if (kvs.length === 0 && !this.stopped) await this.client.put(this.key, this.value, this.lease);
    } catch {
      // etcd unreachable or the lease gone: the keep-alive answers decide
    }
  }
}
