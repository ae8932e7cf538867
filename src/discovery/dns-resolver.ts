/**
 * `dns:[//authority/]host[:port]` targets, as gRPC names them: A and AAAA records of `host`,
 * looked up again on a period and when a connection fails, reporting only what changed, so
 * connections to addresses that remain are kept.
 */
import net from 'node:net';
import { UsageError } from '../errors/usage-error.js';
import { instanceAt, type Instance, type InstanceChange } from './instance.js';
import type { Resolver, Unwatch } from './resolver.js';

/** Options of {@link dnsResolver}. */
export interface DnsResolverOptions {
  /** Look the name up again this often; default 30 s. */
  refreshMs?: number;
  /** Lookups asked for by connection failures are at least this far apart; default 1 s. */
  minRefreshMs?: number;
  /**
   * The lookup: a host name to its IP addresses. Default: the system's resolver
   * (`dns.lookup`, hosts file included), or, when the target names a DNS server
   * (`dns://10.0.0.2:53/host:port`), A and AAAA queries to that server.
   */
  lookup?: (host: string) => Promise<readonly string[]>;
}

/** gRPC's default port for DNS targets without one. */
const DEFAULT_PORT = 443;

/** A parsed `dns:` target. */
export interface DnsTarget {
  /** The DNS server to ask (`host:port`), when the target names one. */
  readonly authority: string | undefined;
  readonly host: string;
  readonly port: number;
}

/** Parses `dns:///host:port`, `dns://server/host:port` or `dns:host:port`. */
export function parseDnsTarget(target: string): DnsTarget {
  const m = /^dns:(?:\/\/([^/]*)\/)?(.+)$/.exec(target);
  if (!m) throw new UsageError(`"${target}" is not a dns: target (dns:///host:port)`);
  const rest = m[2]!;
  const hp = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest) ?? /^([^:[\]]+)(?::(\d+))?$/.exec(rest);
  if (!hp) throw new UsageError(`"${target}": "${rest}" is not host[:port]`);
  const port = hp[2] === undefined ? DEFAULT_PORT : Number(hp[2]);
  if (!(port > 0 && port < 65536)) throw new UsageError(`"${target}": invalid port`);
  return { authority: m[1] || undefined, host: hp[1]!, port };
}

/** `host:port`, with brackets around an IPv6 host. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * A resolver for one DNS name: every service asked of it resolves to the name's addresses.
 * Instances get Kitex's default weight and no tags.
 */
export function dnsResolver(target: string, opts: DnsResolverOptions = {}): Resolver {
  const t = parseDnsTarget(target);
  const lookup = opts.lookup ?? systemLookup(t.authority);
  const refreshMs = opts.refreshMs ?? 30_000;
  const minRefreshMs = opts.minRefreshMs ?? 1000;
  const watches = new Set<DnsWatch>();

  const resolveNow = async (): Promise<Instance[]> => {
    if (net.isIP(t.host)) return [instanceAt(joinHostPort(t.host, t.port))];
    const ips = await lookup(t.host);
    if (ips.length === 0) throw new Error(`dns: no addresses for ${t.host}`);
    return [...new Set(ips)].map((ip) => instanceAt(joinHostPort(ip, t.port)));
  };

  return {
    resolve: () => resolveNow(),
    watch(_service, onChange, onError): Unwatch {
      const w = new DnsWatch(resolveNow, onChange, onError, refreshMs, minRefreshMs);
      watches.add(w);
      w.run();
      return () => {
        w.stop();
        watches.delete(w);
      };
    },
    refresh(): void {
      for (const w of watches) w.soon();
    },
    close(): void {
      for (const w of watches) w.stop();
      watches.clear();
    },
  };
}

/** One watch: a lookup loop that reports differences. */
class DnsWatch {
  private known: Set<string> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;
  private running = false;
  private lastRun = -Infinity;
  private stopped = false;

  constructor(
    private readonly resolveNow: () => Promise<Instance[]>,
    private readonly onChange: (c: InstanceChange) => void,
    private readonly onError: ((e: Error) => void) | undefined,
    private readonly refreshMs: number,
    private readonly minRefreshMs: number,
  ) {}

  /** Looks up now (one lookup at a time), then schedules the next. */
  run(): void {
    if (this.stopped || this.running) return;
    this.running = true;
    this.lastRun = performance.now();
    this.clearTimer();
    this.resolveNow().then(
      (list) => {
        this.running = false;
        if (this.stopped) return;
        this.report(list);
        this.schedule(this.refreshMs);
      },
      (err: unknown) => {
        this.running = false;
        if (this.stopped) return;
        this.onError?.(err instanceof Error ? err : new Error(String(err)));
        this.schedule(this.refreshMs);
      },
    );
  }

  /** A connection failed: look again as soon as the rate limit allows. */
  soon(): void {
    if (this.stopped || this.running) return;
    this.schedule(Math.max(0, this.lastRun + this.minRefreshMs - performance.now()));
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
  }

  private report(list: Instance[]): void {
    const next = new Set(list.map((i) => i.address));
    const prev = this.known;
    this.known = next;
    if (prev === undefined) return this.onChange({ full: true, upsert: list });
    const upsert = list.filter((i) => !prev.has(i.address));
    const remove = [...prev].filter((a) => !next.has(a));
    if (upsert.length || remove.length) this.onChange({ upsert, remove });
  }

  /** Runs in `ms` unless a run is already due sooner. */
  private schedule(ms: number): void {
    const at = performance.now() + ms;
    if (this.timer !== undefined && this.timerAt <= at) return;
    this.clearTimer();
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, ms);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** The system's lookup, or A/AAAA queries to the target's DNS server. */
function systemLookup(authority: string | undefined): (host: string) => Promise<readonly string[]> {
  // loaded here, not with the module: a process that never resolves a dns: target never loads node:dns
  const dns = process.getBuiltinModule('node:dns');
  if (authority === undefined) {
    return async (host) => (await dns.promises.lookup(host, { all: true })).map((a) => a.address);
  }
  const r = new dns.promises.Resolver();
  r.setServers([authority]);
  return async (host) => {
    const [v4, v6] = await Promise.allSettled([r.resolve4(host), r.resolve6(host)]);
    if (v4.status === 'rejected' && v6.status === 'rejected') throw v4.reason;
    return [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
  };
}
