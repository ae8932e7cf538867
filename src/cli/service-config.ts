/**
 * `--service-config JSON|@FILE`: gRPC's service config (the JSON grpc-go, grpc-java and
 * grpc-js read), as the client's retry, hedging and timeout options. Entries naming another
 * service are skipped; an entry without a method applies to every method of the service.
 */
import { readFileSync } from 'node:fs';
import type { ClientOptions, HedgingPolicy, MethodConfig, RetryPolicy } from '../generic/index.js';
import type { CodeLike } from '../governance/status-codes.js';
import { CliUsageError } from './exit-codes.js';

type Json = Record<string, unknown>;

/** Names of one service, full (`pkg.Service`) or bare, either side. */
function sameService(a: string, b: string): boolean {
  return a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);
}

/** Adds the service config's policies for `service` to `opts`. */
export function applyServiceConfig(text: string, service: string, opts: ClientOptions): void {
  const source = text.startsWith('@') ? readFileSync(text.slice(1), 'utf8') : text;
  let config: unknown;
  try {
    config = JSON.parse(source);
  } catch (e) {
    throw new CliUsageError(`--service-config: not JSON: ${(e as Error).message}`);
  }
  const root = object(config, 'service config');
  for (const [i, entry] of array(root.methodConfig ?? [], 'methodConfig').entries()) {
    const where = `methodConfig[${i}]`;
    const mc = object(entry, where);
    const policy = methodPolicy(mc, where);
    for (const [j, n] of array(mc.name ?? [{}], `${where}.name`).entries()) {
      const name = object(n, `${where}.name[${j}]`);
      const svc = optionalString(name.service, `${where}.name[${j}].service`);
      if (svc && !sameService(svc, service)) continue;
      const method = optionalString(name.method, `${where}.name[${j}].method`);
      if (method) (opts.methodConfig ??= {})[method] = policy;
      else {
        if (policy.retry) opts.retry = policy.retry;
        if (policy.hedging) opts.hedging = policy.hedging;
        if (policy.timeoutMs !== undefined) opts.timeoutMs ??= policy.timeoutMs;
      }
    }
  }
  if (root.retryThrottling !== undefined) {
    const t = object(root.retryThrottling, 'retryThrottling');
    opts.retryThrottling = { maxTokens: number(t.maxTokens, 'retryThrottling.maxTokens'), tokenRatio: number(t.tokenRatio, 'retryThrottling.tokenRatio') };
  }
}

function methodPolicy(mc: Json, where: string): MethodConfig {
  const out: MethodConfig = {};
  if (mc.timeout !== undefined) out.timeoutMs = duration(mc.timeout, `${where}.timeout`);
  if (mc.retryPolicy !== undefined) {
    const r = object(mc.retryPolicy, `${where}.retryPolicy`);
    const w = `${where}.retryPolicy`;
    const retry: RetryPolicy = { maxAttempts: number(r.maxAttempts, `${w}.maxAttempts`) };
    if (r.initialBackoff !== undefined) retry.initialBackoffMs = duration(r.initialBackoff, `${w}.initialBackoff`);
    if (r.maxBackoff !== undefined) retry.maxBackoffMs = duration(r.maxBackoff, `${w}.maxBackoff`);
    if (r.backoffMultiplier !== undefined) retry.backoffMultiplier = number(r.backoffMultiplier, `${w}.backoffMultiplier`);
    if (r.retryableStatusCodes !== undefined) retry.retryableCodes = codes(r.retryableStatusCodes, `${w}.retryableStatusCodes`);
    out.retry = retry;
  }
  if (mc.hedgingPolicy !== undefined) {
    const h = object(mc.hedgingPolicy, `${where}.hedgingPolicy`);
    const w = `${where}.hedgingPolicy`;
    const hedging: HedgingPolicy = { maxAttempts: number(h.maxAttempts, `${w}.maxAttempts`) };
    if (h.hedgingDelay !== undefined) hedging.hedgingDelayMs = duration(h.hedgingDelay, `${w}.hedgingDelay`);
    if (h.nonFatalStatusCodes !== undefined) hedging.nonFatalCodes = codes(h.nonFatalStatusCodes, `${w}.nonFatalStatusCodes`);
    out.hedging = hedging;
  }
  return out;
}

function fail(where: string, what: string): never {
  throw new CliUsageError(`--service-config: ${where} must be ${what}`);
}

function object(v: unknown, where: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(where, 'an object');
  return v as Json;
}

function array(v: unknown, where: string): unknown[] {
  if (!Array.isArray(v)) fail(where, 'an array');
  return v;
}

function number(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(where, 'a number');
  return v;
}

function optionalString(v: unknown, where: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') fail(where, 'a string');
  return v;
}

/** A proto3 Duration in JSON: `"0.1s"`. */
function duration(v: unknown, where: string): number {
  const m = typeof v === 'string' ? /^(\d+(?:\.\d{1,9})?)s$/.exec(v) : null;
  if (!m) fail(where, 'a duration like "0.5s"');
  return Number(m[1]) * 1000;
}

function codes(v: unknown, where: string): CodeLike[] {
  return array(v, where).map((c, i) => (typeof c === 'number' || typeof c === 'string' ? (c as CodeLike) : fail(`${where}[${i}]`, 'a status code')));
}
