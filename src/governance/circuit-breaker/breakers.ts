/**
 * A client's circuit breakers: one per method and one per instance, made on
 * first use. Method breakers refuse calls; instance breakers hand the balancer
 * the addresses to pass over.
 */
import { Code } from '../../errors/status-code.js';
import { RpcError } from '../../errors/rpc-error.js';
import { UsageError } from '../../errors/usage-error.js';
import { codeSet } from '../status-codes.js';
import { CircuitBreaker, type BreakerSettings, type BreakerState } from './breaker.js';
import type { CircuitBreakerOptions } from './options.js';

const DEFAULT_FAILURE_CODES = [Code.UNAVAILABLE, Code.DEADLINE_EXCEEDED, Code.INTERNAL, Code.UNKNOWN, Code.RESOURCE_EXHAUSTED];

/** The breakers one attempt passed through, to record its outcome on. */
export interface Admission {
  method: CircuitBreaker | undefined;
  instance: CircuitBreaker | undefined;
}

/** Per-method and per-instance breakers of one client. */
export class CircuitBreakers {
  private readonly settings: BreakerSettings;
  private readonly failureCodes: ReadonlySet<number>;
  private readonly perMethod: boolean;
  private readonly perInstance: boolean;
  private readonly methods = new Map<string, CircuitBreaker>();
  private readonly instances = new Map<string, CircuitBreaker>();
  /** Instances whose breaker is not closed: the only ones that may need passing over. */
  private readonly tripped = new Set<string>();

  constructor(
    opts: CircuitBreakerOptions,
    private readonly serviceName: string,
  ) {
    this.settings = {
      errorRate: opts.errorRate ?? 0.5,
      minSamples: opts.minSamples ?? 200,
      windowMs: opts.windowMs ?? 10_000,
      openMs: opts.openMs ?? 5_000,
    };
    const s = this.settings;
    if (!(s.errorRate > 0 && s.errorRate <= 1)) throw new UsageError('circuitBreaker.errorRate must be in (0, 1]');
    if (!(s.minSamples >= 1)) throw new UsageError('circuitBreaker.minSamples must be at least 1');
    if (!(s.windowMs > 0) || !(s.openMs >= 0)) throw new UsageError('circuitBreaker.windowMs must be > 0 and openMs >= 0');
    this.failureCodes = opts.failureCodes ? codeSet(opts.failureCodes, 'circuitBreaker.failureCodes') : new Set(DEFAULT_FAILURE_CODES);
    this.perMethod = opts.perMethod ?? true;
    this.perInstance = opts.perInstance ?? true;
  }

  /** Whether a status counts against a breaker. */
  isFailure(code: number): boolean {
    return this.failureCodes.has(code);
  }

  /** Lets a call of `method` through, or throws UNAVAILABLE when its breaker is open. */
  admitMethod(method: string, now: number): CircuitBreaker | undefined {
    if (!this.perMethod) return undefined;
    let b = this.methods.get(method);
    if (b === undefined) this.methods.set(method, (b = new CircuitBreaker(this.settings)));
    if (!b.allow(now)) {
      throw new RpcError(Code.UNAVAILABLE, `circuit breaker for ${this.serviceName}/${method} is open`);
    }
    return b;
  }

  /**
   * The instances the balancer must pass over now: open breakers, and half-open
   * ones whose single trial call is under way. Undefined when there are none.
   */
  excluded(now: number): Set<string> | undefined {
    if (this.tripped.size === 0) return undefined;
    let out: Set<string> | undefined;
    for (const hp of this.tripped) {
      const b = this.instances.get(hp)!;
      if (b.state(now) === 'open' || b.probing) (out ??= new Set()).add(hp);
    }
    return out;
  }

  /** The breaker of the instance an attempt goes to (a half-open one takes this attempt as its trial). */
  admitInstance(hostPort: string, now: number): CircuitBreaker | undefined {
    if (!this.perInstance) return undefined;
    let b = this.instances.get(hostPort);
    if (b === undefined) {
      b = new CircuitBreaker(this.settings, (state: BreakerState) => {
        if (state === 'closed') this.tripped.delete(hostPort);
        else this.tripped.add(hostPort);
      });
      this.instances.set(hostPort, b);
    }
    b.allow(now);
    return b;
  }

  /** The error an attempt gets when every instance is passed over. */
  allOpen(): RpcError {
    return new RpcError(Code.UNAVAILABLE, `circuit breaker is open for every instance of ${this.serviceName}`);
  }

  /** Records one attempt's status on the breakers it passed through. */
  record(a: Admission, code: number, now: number): void {
    const failed = this.failureCodes.has(code);
    // cancelled by the caller (or a hedge that lost): says nothing of the service's health
    if (code === Code.CANCELLED && !failed) return this.abandon(a);
    a.method?.record(failed, now);
    a.instance?.record(failed, now);
  }

  /** An attempt the breakers let through never went out (or was cancelled): no verdict, a trial slot frees up. */
  abandon(a: Admission): void {
    a.method?.abandon();
    a.instance?.abandon();
  }

  /** An instance left: its breaker goes too. */
  forget(hostPort: string): void {
    this.instances.delete(hostPort);
    this.tripped.delete(hostPort);
  }
}
