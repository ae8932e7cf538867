/**
 * Finds services that Kitex servers registered in etcd (kitex-contrib/registry-etcd's layout):
 * reads every key under `<prefix>/<service>/`, then watches the prefix from the next revision,
 * so instances joining and leaving reach the client as they happen, one event at a time. A
 * broken watch (etcd restarted, history compacted) reads the whole set again and resumes.
 */
import type { Instance, InstanceChange } from '../instance.js';
import type { Resolver, Unwatch } from '../resolver.js';
import { EtcdClient, utf8, type EtcdClientOptions } from './client.js';
import { KITEX_ETCD_PREFIX, decodeInstanceValue, serviceKeyPrefix } from './kitex-layout.js';
import { EtcdPath, decodeWatchResponse, encodeWatchCreate, prefixRangeEnd, type KeyValue } from './wire.js';

/** Options of {@link etcdResolver}. */
export interface EtcdResolverOptions extends Omit<EtcdClientOptions, 'endpoints'> {
  /** Key prefix; default Kitex's `kitex/registry-etcd`. */
  prefix?: string;
  /** Weight for instances registered with weight 0 or less; default 10, as Kitex. */
  defaultWeight?: number;
  /** Wait before watching again after the watch broke; doubles up to 30 s. Default 500 ms. */
  retryMs?: number;
}

const decoder = new TextDecoder();

/**
 * A resolver reading Kitex's etcd registry. `endpoints` are etcd's client addresses
 * (`host:port`), or an `etcd://host:port[,host:port]` target.
 */
export function etcdResolver(endpoints: string | readonly string[], opts: EtcdResolverOptions = {}): Resolver {
  const list = typeof endpoints === 'string' ? endpoints.split(',') : endpoints;
  const client = new EtcdClient({ ...opts, endpoints: list });
  const prefix = opts.prefix ?? KITEX_ETCD_PREFIX;
  const defaultWeight = opts.defaultWeight ?? 10;
  const watches = new Set<PrefixWatch>();

  const toInstance = (kv: KeyValue): Instance | undefined => decodeInstanceValue(decoder.decode(kv.value), defaultWeight);

  return {
    async resolve(service) {
      const p = utf8(serviceKeyPrefix(prefix, service));
      const { kvs } = await client.range(p, prefixRangeEnd(p));
      const out: Instance[] = [];
      for (const kv of kvs) {
        const i = toInstance(kv);
        if (i) out.push(i);
      }
      return out;
    },
    watch(service, onChange, onError): Unwatch {
      const w = new PrefixWatch(client, utf8(serviceKeyPrefix(prefix, service)), toInstance, onChange, onError, opts.retryMs ?? 500);
      watches.add(w);
      w.start();
      return () => {
        w.stop();
        watches.delete(w);
      };
    },
    async close() {
      for (const w of watches) w.stop();
      watches.clear();
      await client.close();
    },
  };
}

/** Reads a prefix, then follows it with an etcd Watch stream. */
class PrefixWatch {
  /** The address each key holds (a delete event carries only the key). */
  private readonly byKey = new Map<string, string>();
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private delay: number;
  private stream: { cancel(reason?: string): void } | undefined;

  constructor(
    private readonly client: EtcdClient,
    private readonly prefix: Uint8Array,
    private readonly toInstance: (kv: KeyValue) => Instance | undefined,
    private readonly onChange: (c: InstanceChange) => void,
    private readonly onError: ((e: Error) => void) | undefined,
    private readonly retryMs: number,
  ) {
    this.delay = retryMs;
  }

  start(): void {
    void this.sync();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.stream?.cancel('watch stopped');
  }

  /** Reads the whole set (a full change), then watches from the revision after it. */
  private async sync(): Promise<void> {
    let revision: number;
    try {
      const end = prefixRangeEnd(this.prefix);
      const r = await this.client.range(this.prefix, end);
      if (this.stopped) return;
      revision = r.revision;
      this.byKey.clear();
      const upsert: Instance[] = [];
      for (const kv of r.kvs) {
        const i = this.toInstance(kv);
        if (!i) continue;
        this.byKey.set(decoder.decode(kv.key), i.address);
        upsert.push(i);
      }
      this.onChange({ full: true, upsert });
    } catch (e) {
      this.retry(e);
      return;
    }
    this.follow(revision + 1);
  }

  private follow(startRevision: number): void {
    let call;
    try {
      call = this.client.openStream(EtcdPath.Watch);
    } catch (e) {
      this.retry(e);
      return;
    }
    this.stream = call;
    call.send(encodeWatchCreate(this.prefix, prefixRangeEnd(this.prefix), startRevision)).catch(() => undefined);
    void (async () => {
      try {
        for (let msg = await call.recv(); msg !== undefined; msg = await call.recv()) {
          if (this.stopped) return;
          const res = decodeWatchResponse(msg);
          if (res.created) this.delay = this.retryMs;
          if (res.canceled) throw new Error(`etcd: watch cancelled${res.compactRevision ? ` (history compacted at revision ${res.compactRevision})` : ''}${res.cancelReason ? `: ${res.cancelReason}` : ''}`);
          if (res.events.length) this.events(res.events);
        }
        throw new Error('etcd: watch stream ended');
      } catch (e) {
        call.cancel();
        if (!this.stopped) this.retry(e);
      }
    })();
  }

  private events(events: readonly { type: 'put' | 'delete'; kv: KeyValue }[]): void {
    // The final state of each address after the batch, so a put and a delete of one key in the
    // same response cancel out in order.
    const final = new Map<string, Instance | undefined>();
    for (const ev of events) {
      const key = decoder.decode(ev.kv.key);
      const was = this.byKey.get(key);
      if (ev.type === 'delete') {
        if (was !== undefined) {
          this.byKey.delete(key);
          final.set(was, undefined);
        }
        continue;
      }
      const i = this.toInstance(ev.kv);
      if (!i) {
        // No longer a value Kitex would read: the instance is gone, as Kitex's resolver sees it.
        if (was !== undefined) {
          this.byKey.delete(key);
          final.set(was, undefined);
        }
        continue;
      }
      if (was !== undefined && was !== i.address) final.set(was, undefined);
      this.byKey.set(key, i.address);
      final.set(i.address, i);
    }
    if (final.size === 0) return;
    const upsert: Instance[] = [];
    const remove: string[] = [];
    for (const [address, i] of final) {
      if (i) upsert.push(i);
      else remove.push(address);
    }
    this.onChange({ upsert, remove });
  }

  private retry(e: unknown): void {
    if (this.stopped) return;
    this.stream = undefined;
    this.onError?.(e instanceof Error ? e : new Error(String(e)));
    this.retryTimer = setTimeout(() => void this.sync(), this.delay);
    this.retryTimer.unref();
    this.delay = Math.min(this.delay * 2, 30_000);
  }
}
