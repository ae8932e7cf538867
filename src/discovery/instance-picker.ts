/**
 * The client side of discovery: follows a resolver's view of one service, keeps an
 * {@link Endpoint} per instance, and answers "which instance for this call?" through a balancer,
 * passing over instances that are excluded, ejected after consecutive connection failures, or
 * still warming up. Each resolver change costs O(1) or O(log n) (a full set costs its own size),
 * so a client can watch a service of 10,000 instances; the transports only connect to the
 * instances calls actually go to.
 */
import type { Balancer, BalancerName, Random } from './balancer/balancer.js';
import type { ConsistentHashOptions } from './balancer/consistent-hash.js';
import { createBalancer } from './balancer/create.js';
import { Endpoint, type ConnectionState, type PickContext } from './balancer/endpoint.js';
import type { Instance, InstanceChange } from './instance.js';
import type { Resolver, Unwatch } from './resolver.js';
import { Subset } from './subset.js';

/** Outlier ejection: instances that keep failing to connect are passed over for a while. */
export interface OutlierEjectionOptions {
  /** Connection failures in a row that eject an instance; default 3. */
  consecutiveFailures?: number;
  /** Length of a first ejection; the n-th in a row lasts n times as long. Default 10 s. */
  baseEjectionMs?: number;
  /** Longest ejection; default 300 s. */
  maxEjectionMs?: number;
  /** At most this share of the instances is ejected at once (always at least one); default 50. */
  maxEjectedPercent?: number;
}

/** Options of an {@link InstancePicker}. */
export interface InstancePickerOptions {
  /** Default `weighted_round_robin` (Kitex's default balancer; plain round robin when weights are equal). */
  balancer?: BalancerName;
  consistentHash?: ConsistentHashOptions;
  /** Default on (see {@link OutlierEjectionOptions}); `false` turns it off. */
  outlierEjection?: OutlierEjectionOptions | false;
  /**
   * Instances that join after the first resolution get a rising share of calls over this long
   * (from 10% to their full weight) rather than all at once; default 0 (off). Consistent hashing
   * ignores it: keys stay where they hash.
   */
  warmupMs?: number;
  /** Use at most this many instances, chosen by rendezvous hashing on `subsetKey`; default all. */
  subsetSize?: number;
  /** What makes this client's subset its own; default random (a fresh subset per client). */
  subsetKey?: string;
  /** Uniform numbers in [0, 1) for the balancer; default Math.random. */
  random?: Random;
  /** An instance is no longer used (it left, or left the subset): its connections may close. */
  onDropped?: (address: string) => void;
}

/** One instance with what the client knows of it (see {@link InstancePicker.instances}). */
export interface InstanceStatus extends Instance {
  /** What the transports last said of connections to it. */
  readonly state: ConnectionState;
  /** Passed over until its ejection ends. */
  readonly ejected: boolean;
  /** Still getting a reduced share after joining. */
  readonly warming: boolean;
  /** In the balancer: always, unless subsetting left it out. */
  readonly used: boolean;
  readonly inflight: number;
  /** Times picked. */
  readonly picks: number;
  /** Connection failures in a row. */
  readonly failures: number;
}

const DEFAULT_EJECTION: Required<OutlierEjectionOptions> = {
  consecutiveFailures: 3,
  baseEjectionMs: 10_000,
  maxEjectionMs: 300_000,
  maxEjectedPercent: 50,
};

/** Follows one service through a resolver and picks its instances. */
export class InstancePicker {
  readonly balancer: Balancer;
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly subset: Subset | undefined;
  private readonly ejection: Required<OutlierEjectionOptions> | undefined;
  private readonly warmupMs: number;
  private readonly ejected = new Set<Endpoint>();
  private readonly warming = new Set<Endpoint>();
  /** Earliest end of an ejection or a warm-up: the next pick after it sweeps. */
  private nextExpiry = Infinity;
  private readonly ctx: PickContext = { hashKey: undefined, exclude: undefined, now: 0, ignoreEjection: false };
  private unwatch: Unwatch | undefined;
  private known = false;
  private lastError: Error | undefined;
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private closed = false;

  constructor(
    private readonly resolver: Resolver,
    /** The service name the resolver is asked about. */
    readonly service: string,
    private readonly opts: InstancePickerOptions = {},
  ) {
    this.balancer = createBalancer(opts.balancer ?? 'weighted_round_robin', {
      ...(opts.random ? { random: opts.random } : {}),
      ...(opts.consistentHash ? { consistentHash: opts.consistentHash } : {}),
    });
    if (opts.subsetSize !== undefined) {
      if (!(opts.subsetSize >= 1)) throw new RangeError('subsetSize must be at least 1');
      this.subset = new Subset(opts.subsetSize, opts.subsetKey ?? String(Math.random()), {
        add: (e) => this.balancer.add(e),
        remove: (e) => this.drop(e),
      });
    }
    this.ejection = opts.outlierEjection === false ? undefined : { ...DEFAULT_EJECTION, ...opts.outlierEjection };
    this.warmupMs = opts.warmupMs ?? 0;
  }

  /** Starts following the resolver (the first answer makes the picker ready). */
  start(): void {
    const onError = (err: Error): void => this.failed(err);
    if (this.resolver.watch) {
      this.unwatch = this.resolver.watch(this.service, (c) => this.apply(c), onError);
    } else {
      this.resolver.resolve(this.service).then((list) => this.apply({ full: true, upsert: list }), onError);
    }
  }

  /** Whether the resolver has answered at least once. */
  get ready(): boolean {
    return this.known;
  }

  /**
   * Resolves once the resolver has answered; rejects with the resolver's error when its first
   * answer failed (and at once while no answer has succeeded since).
   */
  whenReady(): Promise<void> {
    if (this.known) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error('closed'));
    if (this.lastError) return Promise.reject(this.lastError);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Instances known (subsetting aside). */
  get size(): number {
    return this.endpoints.size;
  }

  /** The endpoint of a known instance. */
  endpoint(address: string): Endpoint | undefined {
    return this.endpoints.get(address);
  }

  /** An instance for a call, or undefined when none is usable. */
  pick(hashKey: string | undefined, exclude: ReadonlySet<string> | undefined): Endpoint | undefined {
    const ctx = this.ctx;
    ctx.hashKey = hashKey;
    ctx.exclude = exclude;
    ctx.ignoreEjection = false;
    ctx.now = this.ejected.size > 0 || this.warming.size > 0 ? this.clock() : 0;
    let e = this.balancer.pick(ctx);
    if (e === undefined && this.ejected.size > 0) {
      // Every usable instance is ejected: better to try one than to fail the call.
      ctx.ignoreEjection = true;
      e = this.balancer.pick(ctx);
    }
    ctx.exclude = undefined;
    ctx.hashKey = undefined;
    if (e !== undefined) e.picks++;
    return e;
  }

  /** What a transport says of connections to `address`: the state, and failures for ejection. */
  connectionEvent(address: string, state: 'ready' | 'failed' | 'closed'): void {
    const e = this.endpoints.get(address);
    if (e === undefined) return;
    if (state === 'ready') {
      e.state = 'ready';
      e.failures = 0;
      e.ejections = 0;
      return;
    }
    if (state === 'closed') {
      if (e.state === 'ready') e.state = 'idle';
      return;
    }
    e.state = 'failing';
    e.failures++;
    this.resolver.refresh?.(this.service);
    const ej = this.ejection;
    if (ej === undefined || e.failures < ej.consecutiveFailures || e.ejectedUntil !== 0) return;
    if (this.ejected.size >= Math.max(1, Math.floor((this.endpoints.size * ej.maxEjectedPercent) / 100))) return;
    e.ejections++;
    e.failures = 0;
    e.ejectedUntil = performance.now() + Math.min(ej.baseEjectionMs * e.ejections, ej.maxEjectionMs);
    this.ejected.add(e);
    if (e.ejectedUntil < this.nextExpiry) this.nextExpiry = e.ejectedUntil;
  }

  /** The instances known, with their state. */
  instances(): InstanceStatus[] {
    const now = performance.now();
    return [...this.endpoints.values()].map((e) => ({
      address: e.address,
      weight: e.weight,
      tags: e.tags,
      state: e.state,
      ejected: e.ejectedUntil > now,
      warming: e.warmUntil > now,
      used: this.subset ? this.subset.has(e) : true,
      inflight: e.inflight,
      picks: e.picks,
      failures: e.failures,
    }));
  }

  /** Stops following the resolver; calls waiting for the first answer fail. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unwatch?.();
    this.failWaiters(new Error('closed'));
  }

  // --- resolver changes ---

  private apply(change: InstanceChange): void {
    if (this.closed) return;
    if (change.full) {
      const keep = new Set<string>();
      for (const i of change.upsert ?? []) keep.add(i.address);
      for (const e of [...this.endpoints.values()]) if (!keep.has(e.address)) this.removeEndpoint(e);
    }
    for (const address of change.remove ?? []) {
      const e = this.endpoints.get(address);
      if (e !== undefined) this.removeEndpoint(e);
    }
    for (const i of change.upsert ?? []) this.upsert(i);
    this.lastError = undefined;
    if (!this.known) {
      this.known = true;
      const ws = this.waiters;
      this.waiters = [];
      for (const w of ws) w.resolve();
    }
  }

  private upsert(i: Instance): void {
    const e = this.endpoints.get(i.address);
    if (e !== undefined) {
      e.tags = i.tags;
      if (e.weight === i.weight) return;
      const previous = e.weight;
      e.weight = i.weight;
      if (!this.subset || this.subset.has(e)) this.balancer.reweigh(e, previous);
      return;
    }
    const n = new Endpoint(i.address, i.weight, i.tags);
    if (this.known && this.warmupMs > 0) {
      n.warmFrom = performance.now();
      n.warmUntil = n.warmFrom + this.warmupMs;
      this.warming.add(n);
      if (n.warmUntil < this.nextExpiry) this.nextExpiry = n.warmUntil;
    }
    this.endpoints.set(i.address, n);
    if (this.subset) this.subset.add(n);
    else this.balancer.add(n);
  }

  private removeEndpoint(e: Endpoint): void {
    this.endpoints.delete(e.address);
    this.ejected.delete(e);
    this.warming.delete(e);
    if (this.subset) this.subset.remove(e);
    else this.drop(e);
  }

  /** Out of the balancer: its connections may go. */
  private drop(e: Endpoint): void {
    this.balancer.remove(e);
    this.opts.onDropped?.(e.address);
  }

  private failed(err: Error): void {
    if (this.closed || this.known) return; // a known set stays in use while the resolver retries
    this.lastError = err;
    this.failWaiters(err);
  }

  private failWaiters(err: Error): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w.reject(err);
  }

  /** The time for a pick, ending ejections and warm-ups that are over. */
  private clock(): number {
    const now = performance.now();
    if (now < this.nextExpiry) return now;
    let next = Infinity;
    for (const e of this.ejected) {
      if (e.ejectedUntil <= now) {
        e.ejectedUntil = 0;
        this.ejected.delete(e);
      } else if (e.ejectedUntil < next) next = e.ejectedUntil;
    }
    for (const e of this.warming) {
      if (e.warmUntil <= now) {
        e.warmUntil = 0;
        this.warming.delete(e);
      } else if (e.warmUntil < next) next = e.warmUntil;
    }
    this.nextExpiry = next;
    return now;
  }
}
