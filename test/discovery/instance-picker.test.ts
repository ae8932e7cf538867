/**
 * The instance picker: following a resolver's changes, outlier ejection after consecutive
 * connection failures, warm-up of newcomers, subsetting, and a 10,000-instance service changing
 * one instance at a time.
 */
import { describe, expect, it } from 'vitest';
import { InstancePicker, instanceAt, type Instance, type InstanceChange, type Resolver } from '../../src/discovery/index.js';
import { rng } from '../codec/thrift/gen.js';

/** A resolver the test drives by hand. */
function manualResolver(): Resolver & { push(c: InstanceChange): void; fail(e: Error): void; refreshed: number } {
  let listener: ((c: InstanceChange) => void) | undefined;
  let onError: ((e: Error) => void) | undefined;
  const r = {
    refreshed: 0,
    resolve: () => Promise.resolve([]),
    watch(_s: string, l: (c: InstanceChange) => void, e?: (err: Error) => void) {
      listener = l;
      onError = e;
      return () => {
        listener = undefined;
      };
    },
    refresh() {
      r.refreshed++;
    },
    push: (c: InstanceChange) => listener?.(c),
    fail: (e: Error) => onError?.(e),
  };
  return r;
}

const addrs = (n: number, from = 0): Instance[] => Array.from({ length: n }, (_, i) => instanceAt(`10.1.${(i + from) >> 8}.${(i + from) & 255}:80`));

describe('following the resolver', () => {
  it('waits for the first answer, then applies joins, leaves and weight changes, reporting who is dropped', async () => {
    const r = manualResolver();
    const dropped: string[] = [];
    const p = new InstancePicker(r, 'svc', { balancer: 'round_robin', onDropped: (a) => dropped.push(a) });
    p.start();
    expect(p.ready).toBe(false);
    const ready = p.whenReady();
    r.push({ full: true, upsert: addrs(3) });
    await ready;
    expect(p.size).toBe(3);
    r.push({ upsert: [instanceAt('10.9.9.9:80', 5)], remove: ['10.1.0.0:80'] });
    expect(p.instances().map((i) => i.address).sort()).toEqual(['10.1.0.1:80', '10.1.0.2:80', '10.9.9.9:80']);
    expect(dropped).toEqual(['10.1.0.0:80']);
    // A full set drops whoever is missing from it.
    r.push({ full: true, upsert: [instanceAt('10.9.9.9:80', 7)] });
    expect(p.instances()).toMatchObject([{ address: '10.9.9.9:80', weight: 7 }]);
    expect(dropped.sort()).toEqual(['10.1.0.0:80', '10.1.0.1:80', '10.1.0.2:80']);
    expect(p.pick(undefined, undefined)?.address).toBe('10.9.9.9:80');
    p.close();
  });

  it('a first resolution that fails rejects the waiting calls; a later success makes it ready', async () => {
    const r = manualResolver();
    const p = new InstancePicker(r, 'svc');
    p.start();
    const w = p.whenReady();
    r.fail(new Error('etcd down'));
    await expect(w).rejects.toThrow('etcd down');
    await expect(p.whenReady()).rejects.toThrow('etcd down');
    r.push({ full: true, upsert: addrs(1) });
    await expect(p.whenReady()).resolves.toBeUndefined();
    r.fail(new Error('blip')); // a known set stays in use
    await expect(p.whenReady()).resolves.toBeUndefined();
    p.close();
  });
});

describe('outlier ejection', () => {
  it('ejects after consecutive connection failures, passes the instance over, and lets it back', async () => {
    const r = manualResolver();
    const p = new InstancePicker(r, 'svc', { balancer: 'round_robin', outlierEjection: { consecutiveFailures: 3, baseEjectionMs: 60 } });
    p.start();
    r.push({ full: true, upsert: addrs(4) });
    const bad = '10.1.0.1:80';
    p.connectionEvent(bad, 'failed');
    p.connectionEvent(bad, 'failed');
    expect(p.instances().find((i) => i.address === bad)).toMatchObject({ ejected: false, failures: 2, state: 'failing' });
    expect(r.refreshed).toBe(2); // each failure is a hint to resolve again
    p.connectionEvent(bad, 'failed');
    expect(p.instances().find((i) => i.address === bad)!.ejected).toBe(true);
    for (let i = 0; i < 40; i++) expect(p.pick(undefined, undefined)!.address).not.toBe(bad);
    await new Promise((res) => setTimeout(res, 80));
    const seen = new Set(Array.from({ length: 8 }, () => p.pick(undefined, undefined)!.address));
    expect(seen.has(bad)).toBe(true);
    // A success resets the count.
    p.connectionEvent(bad, 'ready');
    expect(p.instances().find((i) => i.address === bad)).toMatchObject({ failures: 0, state: 'ready', ejected: false });
    p.close();
  });

  it('ejects at most maxEjectedPercent (at least one), and picks an ejected one rather than none', () => {
    const r = manualResolver();
    const p = new InstancePicker(r, 'svc', { outlierEjection: { consecutiveFailures: 1, maxEjectedPercent: 50 } });
    p.start();
    r.push({ full: true, upsert: addrs(4) });
    for (const i of addrs(4)) p.connectionEvent(i.address, 'failed');
    expect(p.instances().filter((i) => i.ejected)).toHaveLength(2);
    const two = new InstancePicker(manualResolver(), 'svc', { outlierEjection: { consecutiveFailures: 1, maxEjectedPercent: 10 } });
    const r2 = manualResolver();
    const p2 = new InstancePicker(r2, 'svc', { outlierEjection: { consecutiveFailures: 1, maxEjectedPercent: 10 } });
    p2.start();
    r2.push({ full: true, upsert: addrs(2) });
    p2.connectionEvent('10.1.0.0:80', 'failed');
    expect(p2.instances().filter((i) => i.ejected)).toHaveLength(1);
    // The only other one excluded: the ejected one is still better than failing the call.
    expect(p2.pick(undefined, new Set(['10.1.0.1:80']))?.address).toBe('10.1.0.0:80');
    for (const x of [p, two, p2]) x.close();
  });

  it('can be turned off', () => {
    const r = manualResolver();
    const p = new InstancePicker(r, 'svc', { outlierEjection: false });
    p.start();
    r.push({ full: true, upsert: addrs(2) });
    for (let i = 0; i < 10; i++) p.connectionEvent('10.1.0.0:80', 'failed');
    expect(p.instances().some((i) => i.ejected)).toBe(false);
    p.close();
  });
});

describe('warm-up', () => {
  it('only instances joining after the first answer warm up, and only for warmupMs', async () => {
    const r = manualResolver();
    const p = new InstancePicker(r, 'svc', { warmupMs: 100, balancer: 'weighted_random', random: rng(2) });
    p.start();
    r.push({ full: true, upsert: addrs(1) });
    r.push({ upsert: [instanceAt('10.2.0.0:80')] });
    expect(p.instances().map((i) => i.warming)).toEqual([false, true]);
    // Early in its warm-up it gets well under half.
    let late = 0;
    for (let i = 0; i < 2000; i++) if (p.pick(undefined, undefined)!.address === '10.2.0.0:80') late++;
    expect(late).toBeLessThan(800);
    await new Promise((res) => setTimeout(res, 130));
    late = 0;
    for (let i = 0; i < 4000; i++) if (p.pick(undefined, undefined)!.address === '10.2.0.0:80') late++;
    expect(late).toBeGreaterThan(1700);
    expect(p.instances().map((i) => i.warming)).toEqual([false, false]);
    p.close();
  });
});

describe('subsetting', () => {
  const picker = (key: string, size = 5): { p: InstancePicker; r: ReturnType<typeof manualResolver>; dropped: string[] } => {
    const r = manualResolver();
    const dropped: string[] = [];
    const p = new InstancePicker(r, 'svc', { subsetSize: size, subsetKey: key, balancer: 'round_robin', onDropped: (a) => dropped.push(a) });
    p.start();
    return { p, r, dropped };
  };
  const used = (p: InstancePicker): string[] => p.instances().filter((i) => i.used).map((i) => i.address).sort();
  const picked = (p: InstancePicker, n = 50): Set<string> => new Set(Array.from({ length: n }, () => p.pick(undefined, undefined)!.address));

  it('uses a fixed-size subset, the same for the same key, different for other keys, covering the fleet together', () => {
    const all = addrs(200);
    const seen = new Set<string>();
    let firstSubset: string[] | undefined;
    for (let c = 0; c < 100; c++) {
      const { p, r } = picker(`client-${c}`);
      r.push({ full: true, upsert: all });
      const u = used(p);
      expect(u).toHaveLength(5);
      expect([...picked(p)].sort()).toEqual(u);
      for (const a of u) seen.add(a);
      if (c === 0) firstSubset = u;
      p.close();
    }
    const { p, r } = picker('client-0');
    r.push({ full: true, upsert: [...all].reverse() });
    expect(used(p)).toEqual(firstSubset);
    p.close();
    // 100 clients × 5 of 200 instances: nearly every instance serves someone.
    expect(seen.size).toBeGreaterThan(180);
  });

  it('is stable: a join displaces at most one member, a leave is replaced by one newcomer', () => {
    const { p, r, dropped } = picker('stable');
    r.push({ full: true, upsert: addrs(100) });
    const before = used(p);
    dropped.length = 0; // members displaced while the first set was read
    for (let k = 0; k < 50; k++) {
      const prev = used(p);
      r.push({ upsert: addrs(1, 1000 + k) });
      const now = used(p);
      expect(now).toHaveLength(5);
      expect(now.filter((a) => !prev.includes(a)).length).toBeLessThanOrEqual(1);
    }
    const member = used(p)[0]!;
    const prev = used(p);
    r.push({ remove: [member] });
    const now = used(p);
    expect(now).toHaveLength(5);
    expect(now.filter((a) => !prev.includes(a))).toHaveLength(1);
    expect(dropped).toContain(member);
    // Instances outside the subset come and go without touching it.
    const outside = addrs(100).map((i) => i.address).find((a) => !now.includes(a))!;
    const droppedSoFar = dropped.length;
    r.push({ remove: [outside] });
    expect(used(p)).toEqual(now);
    expect(dropped).toHaveLength(droppedSoFar);
    expect(before).toHaveLength(5);
    p.close();
  });
});

describe('scale', () => {
  it('follows a 10,000-instance service through 10,000 single-instance changes', () => {
    for (const balancer of ['weighted_round_robin', 'weighted_random', 'consistent_hash', 'p2c', 'round_robin'] as const) {
      const r = manualResolver();
      const p = new InstancePicker(r, 'svc', { balancer, consistentHash: { virtualFactor: 2 } });
      p.start();
      r.push({ full: true, upsert: addrs(10_000) });
      for (let k = 0; k < 10_000; k++) {
        // Replace one instance by a new one, change another's weight.
        const upsert = [instanceAt(`10.3.${k >> 8}.${k & 255}:80`)];
        if (k > 0) upsert.push(instanceAt(`10.3.${(k - 1) >> 8}.${(k - 1) & 255}:80`, 1 + (k % 7)));
        r.push({ remove: [`10.1.${k >> 8}.${k & 255}:80`], upsert });
      }
      expect(p.size).toBe(10_000);
      for (let i = 0; i < 100; i++) expect(p.pick(`key-${i}`, undefined)!.address.startsWith('10.3.')).toBe(true);
      p.close();
    }
  });
});
