/**
 * The policies a client applies around its transport calls — retries, hedging,
 * circuit breakers — resolved from its options, per method and per call. A client
 * without any of these options has none of this (no object, no extra step per call).
 */
import { Code } from '../errors/status-code.js';
import { UsageError } from '../errors/usage-error.js';
import { codeSet } from '../governance/status-codes.js';
import { RetryBuffer, RetryRatioLimit, RetryThrottle, type Backoff, type RetryPolicy } from '../governance/retry/index.js';
import type { HedgingPolicy, HedgeRules } from '../governance/hedging/index.js';
import { CircuitBreakers } from '../governance/circuit-breaker/index.js';
import type { CallOptions, ClientOptions } from './options.js';

/** A retry policy with its defaults filled in. */
export interface ResolvedRetry {
  maxAttempts: number;
  backoff: Backoff;
  retryable: ReadonlySet<number>;
  maxDurationMs: number | undefined;
  maxRetryRatio: number;
}

/** A hedging policy with its defaults filled in. */
export type ResolvedHedging = Omit<HedgeRules, 'throttle' | 'holdBack'> & { maxRetryRatio: number };

/** What governs one call. */
export interface CallPlan {
  retry: ResolvedRetry | undefined;
  hedging: ResolvedHedging | undefined;
  timeoutMs: number | undefined;
}

/** A6's client-side cap on attempts. */
const GRPC_MAX_ATTEMPTS = 5;
/** Kitex's cap: 5 retries. */
const PINGPONG_MAX_ATTEMPTS = 6;
const NONE: CallPlan = { retry: undefined, hedging: undefined, timeoutMs: undefined };

/** The retry, hedging and breaker state of one client. */
export class ClientGovernance {
  readonly breakers: CircuitBreakers | undefined;
  readonly throttle: RetryThrottle | undefined;
  readonly buffer: RetryBuffer;
  readonly ratio = new RetryRatioLimit();
  /** Client-level plans per method, for gRPC calls and for ping-pong calls (their defaults differ). */
  private readonly grpcPlans = new Map<string, CallPlan>();
  private readonly pingPongPlans = new Map<string, CallPlan>();

  /** The governance a client's options ask for, or undefined when they ask for none. */
  static of(options: ClientOptions, serviceName: string): ClientGovernance | undefined {
    const o = options;
    if (!o.retry && !o.hedging && !o.methodConfig && !o.circuitBreaker && !o.retryThrottling) return undefined;
    return new ClientGovernance(options, serviceName);
  }

  private constructor(
    private readonly options: ClientOptions,
    serviceName: string,
  ) {
    this.breakers = options.circuitBreaker ? new CircuitBreakers(options.circuitBreaker, serviceName) : undefined;
    this.throttle = options.retryThrottling ? new RetryThrottle(options.retryThrottling) : undefined;
    this.buffer = new RetryBuffer(options.retryBuffer?.perCallBytes ?? 1 << 20, options.retryBuffer?.perClientBytes ?? 16 << 20);
    checkOneOf(options.retry, options.hedging, 'client options');
    for (const [m, c] of Object.entries(options.methodConfig ?? {})) checkOneOf(c.retry, c.hedging, `methodConfig.${m}`);
  }

  /** The plan of a call: the call's own policies, else its method's, else the client's. */
  plan(method: string, opts: CallOptions, pingPong: boolean): CallPlan {
    if (opts.retry === undefined && opts.hedging === undefined) {
      const cache = pingPong ? this.pingPongPlans : this.grpcPlans;
      let p = cache.get(method);
      if (p === undefined) cache.set(method, (p = this.resolve(method, undefined, undefined, pingPong)));
      return p;
    }
    checkOneOf(opts.retry || undefined, opts.hedging || undefined, 'call options');
    return this.resolve(method, opts.retry, opts.hedging, pingPong);
  }

  private resolve(method: string, retry: RetryPolicy | false | undefined, hedging: HedgingPolicy | false | undefined, pingPong: boolean): CallPlan {
    const mc = this.options.methodConfig?.[method];
    const timeoutMs = mc?.timeoutMs;
    // The most specific level that names a policy decides (a call's `false` turns it off).
    let r: RetryPolicy | undefined;
    let h: HedgingPolicy | undefined;
    if (retry !== undefined || hedging !== undefined) {
      r = retry || undefined;
      h = hedging || undefined;
    } else if (mc?.retry || mc?.hedging) {
      r = mc.retry;
      h = mc.hedging;
    } else {
      r = this.options.retry;
      h = this.options.hedging;
    }
    if (!r && !h && timeoutMs === undefined) return NONE;
    return {
      retry: r && r.maxAttempts > 1 ? resolveRetry(r, pingPong) : undefined,
      hedging: h && h.maxAttempts > 1 ? resolveHedging(h) : undefined,
      timeoutMs,
    };
  }
}

function checkOneOf(retry: RetryPolicy | undefined, hedging: HedgingPolicy | undefined, where: string): void {
  if (retry && hedging) throw new UsageError(`${where}: give retry or hedging, not both (a call is either retried or hedged)`);
  if (retry) checkAttempts(retry.maxAttempts, `${where}: retry.maxAttempts`);
  if (hedging) checkAttempts(hedging.maxAttempts, `${where}: hedging.maxAttempts`);
}

function checkAttempts(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what} must be a whole number ≥ 1 (the first attempt included)`);
}

function resolveRetry(r: RetryPolicy, pingPong: boolean): ResolvedRetry {
  const backoff: Backoff = {
    initialMs: r.initialBackoffMs ?? (pingPong ? 0 : 100),
    maxMs: r.maxBackoffMs ?? 1000,
    multiplier: r.backoffMultiplier ?? 2,
  };
  if (!(backoff.initialMs >= 0 && backoff.maxMs >= 0 && backoff.multiplier > 0)) {
    throw new UsageError('retry: initialBackoffMs and maxBackoffMs must be ≥ 0, backoffMultiplier > 0');
  }
  const defaults = pingPong ? [Code.UNAVAILABLE, Code.DEADLINE_EXCEEDED] : [Code.UNAVAILABLE];
  return {
    maxAttempts: Math.min(r.maxAttempts, pingPong ? PINGPONG_MAX_ATTEMPTS : GRPC_MAX_ATTEMPTS),
    backoff,
    retryable: r.retryableCodes ? codeSet(r.retryableCodes, 'retry.retryableCodes') : new Set(defaults),
    maxDurationMs: r.maxDurationMs,
    maxRetryRatio: retryRatio(r.maxRetryRatio, 'retry'),
  };
}

function retryRatio(v: number | undefined, where: string): number {
  const ratio = v ?? 0.1;
  if (!(ratio > 0 && ratio <= 1)) throw new UsageError(`${where}.maxRetryRatio must be in (0, 1]`);
  return ratio;
}

function resolveHedging(h: HedgingPolicy): ResolvedHedging {
  const delayMs = h.hedgingDelayMs ?? 0;
  if (!(delayMs >= 0)) throw new UsageError('hedging.hedgingDelayMs must be ≥ 0');
  return {
    maxAttempts: Math.min(h.maxAttempts, GRPC_MAX_ATTEMPTS),
    delayMs,
    nonFatal: h.nonFatalCodes ? codeSet(h.nonFatalCodes, 'hedging.nonFatalCodes') : new Set(),
    maxRetryRatio: retryRatio(h.maxRetryRatio, 'hedging'),
  };
}
