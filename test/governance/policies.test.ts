/** The pieces of the retry policy that need no peer: backoff bounds, pushback parsing, the token bucket, policy checks. */
import { describe, expect, it } from 'vitest';
import { UsageError, jsonThriftGeneric, newStreamingClient, thriftFileProvider } from '../../src/index.js';
import { RetryThrottle, backoffDelay, parsePushback } from '../../src/governance/retry/index.js';

describe('backoff', () => {
  const b = { initialMs: 100, maxMs: 1000, multiplier: 2 };
  it('full jitter under min(initial × multiplier^(n-1), max)', () => {
    expect(backoffDelay(b, 1, () => 0.999)).toBeCloseTo(99.9);
    expect(backoffDelay(b, 3, () => 0.5)).toBe(200);
    expect(backoffDelay(b, 10, () => 0.5)).toBe(500); // capped at 1000
    expect(backoffDelay(b, 2, () => 0)).toBe(0);
    expect(backoffDelay({ ...b, initialMs: 0 }, 4, () => 0.9)).toBe(0);
  });
});

describe('grpc-retry-pushback-ms', () => {
  it('a non-negative integer is a delay; negative, garbage or leading zeros mean stop', () => {
    expect(parsePushback(undefined)).toBeUndefined();
    expect(parsePushback('0')).toBe(0);
    expect(parsePushback('250')).toBe(250);
    expect(parsePushback(['40', '50'])).toBe(40);
    for (const bad of ['-1', 'abc', '', '007', '1.5', '99999999999']) expect(parsePushback(bad)).toBe('stop');
  });
});

describe('retry throttling token bucket', () => {
  it('retries stop at or below half the tokens and resume as successes refill it', () => {
    const t = new RetryThrottle({ maxTokens: 10, tokenRatio: 0.5 });
    for (let i = 0; i < 4; i++) t.failure();
    expect(t.allows).toBe(true); // 6 > 5
    t.failure();
    expect(t.allows).toBe(false); // 5
    t.success();
    expect(t.allows).toBe(true); // 5.5
  });

  it('rejects settings outside A6 ranges', () => {
    expect(() => new RetryThrottle({ maxTokens: 0, tokenRatio: 1 })).toThrow(UsageError);
    expect(() => new RetryThrottle({ maxTokens: 1001, tokenRatio: 1 })).toThrow(UsageError);
    expect(() => new RetryThrottle({ maxTokens: 10, tokenRatio: 0 })).toThrow(UsageError);
  });
});

describe('policy checks', () => {
  it('retry and hedging on the same level, a bad code name or maxAttempts are usage errors', async () => {
    const g = jsonThriftGeneric(await thriftFileProvider('examples/idl/streaming.thrift'));
    const hostPorts = ['127.0.0.1:1'];
    expect(() => newStreamingClient('x', g, { hostPorts, retry: { maxAttempts: 2 }, hedging: { maxAttempts: 2 } })).toThrow(/retry or hedging, not both/);
    expect(() => newStreamingClient('x', g, { hostPorts, methodConfig: { EchoUnary: { retry: { maxAttempts: 0 } } } })).toThrow(/maxAttempts/);
    const c = newStreamingClient('x', g, { hostPorts, retry: { maxAttempts: 2, retryableCodes: ['UNAVAILABLE'] } });
    // @ts-expect-error not a status code name
    await expect(c.genericCall('EchoUnary', '{"message":"a"}', { retry: { maxAttempts: 2, retryableCodes: ['SOMETIMES'] } })).rejects.toThrow(/unknown status code "SOMETIMES"/);
    await c.close();
  });
});
