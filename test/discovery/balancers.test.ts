/**
 * Balancers on their own, with a seeded random source: distributions within statistical bounds,
 * consistent hashing's remapped share when instances come and go, exclusion, ejection and
 * warm-up, and the O(log n) structures checked against naive ones under random changes.
 */
import { describe, expect, it } from 'vitest';
import { BALANCER_NAMES, Endpoint, createBalancer, type Balancer, type BalancerName, type PickContext } from '../../src/discovery/index.js';
import { HashRing, type RingCursor } from '../../src/discovery/balancer/hash-ring.js';
import { WeightTree } from '../../src/discovery/balancer/weight-tree.js';
import { rng } from '../codec/thrift/gen.js';

const ctx = (over: Partial<PickContext> = {}): PickContext => ({ hashKey: undefined, exclude: undefined, now: 0, ignoreEjection: false, ...over });

function endpoints(weights: number[]): Endpoint[] {
  return weights.map((w, i) => new Endpoint(`10.0.${i >> 8}.${i & 255}:8888`, w, {}));
}

function filled(name: BalancerName, eps: Endpoint[], seed = 1): Balancer {
  const b = createBalancer(name, { random: rng(seed) });
  for (const e of eps) b.add(e);
  return b;
}

function counts(b: Balancer, n: number, c: PickContext = ctx()): Map<Endpoint, number> {
  const m = new Map<Endpoint, number>();
  for (let i = 0; i < n; i++) {
    const e = b.pick(c);
    if (e) m.set(e, (m.get(e) ?? 0) + 1);
  }
  return m;
}

/** Each observed count within 5 standard deviations of its binomial expectation. */
function expectShares(got: Map<Endpoint, number>, eps: Endpoint[], shares: number[], n: number): void {
  eps.forEach((e, i) => {
    const p = shares[i]!;
    const sd = Math.sqrt(n * p * (1 - p));
    expect(Math.abs((got.get(e) ?? 0) - n * p), `${e.address}: ${got.get(e)} of ${n}, expected ${n * p}`).toBeLessThanOrEqual(5 * sd + 1);
  });
}

describe('distributions (seeded)', () => {
  const weights = [1, 2, 3, 4, 10];
  const total = weights.reduce((a, b) => a + b, 0);
  const shares = weights.map((w) => w / total);

  it('weighted_random follows the weights', () => {
    const eps = endpoints(weights);
    expectShares(counts(filled('weighted_random', eps), 50_000), eps, shares, 50_000);
  });

  it('weighted_random with equal weights is uniform', () => {
    const eps = endpoints([10, 10, 10, 10]);
    expectShares(counts(filled('weighted_random', eps), 40_000), eps, [0.25, 0.25, 0.25, 0.25], 40_000);
  });

  it('weighted_round_robin gives weight ÷ gcd turns per round, interleaved', () => {
    const eps = endpoints([3, 1]);
    const b = filled('weighted_round_robin', eps);
    const seq = Array.from({ length: 40 }, () => (b.pick(ctx()) === eps[0] ? 'A' : 'B')).join('');
    // Rounds of A B A A (the first may be partial: a newcomer joins the current or the next round).
    expect(seq.slice(4)).toMatch(/^(?:ABAA|BAAA|AABA|AAAB)*(?:A|AB|ABA|B|BA|BAA|AA|AAB)?$/);
    expect(seq).toMatch(/ABA/);
    const big = endpoints(weights);
    const got = counts(filled('weighted_round_robin', big), total * 100);
    // Exact per whole round; the first round may be partial.
    big.forEach((e, i) => expect(Math.abs(got.get(e)! - weights[i]! * 100)).toBeLessThanOrEqual(weights[i]!));
  });

  it('round_robin takes each in turn, ignoring weights', () => {
    const eps = endpoints(weights);
    const got = counts(filled('round_robin', eps), 500);
    for (const e of eps) expect(got.get(e)).toBe(100);
  });

  it('p2c prefers the less loaded of two, by load per weight', () => {
    const eps = endpoints([10, 10, 10, 10]);
    eps[0]!.inflight = 50;
    const got = counts(filled('p2c', eps), 10_000);
    // The busy one wins only when drawn twice, which p2c never does: it is never picked.
    expect(got.get(eps[0]!) ?? 0).toBe(0);
    expectShares(
      new Map([...got].filter(([e]) => e !== eps[0])),
      eps.slice(1),
      [1 / 3, 1 / 3, 1 / 3],
      10_000,
    );
  });

  it('consistent_hash spreads keys by weight', () => {
    const eps = endpoints([10, 10, 20]);
    const b = filled('consistent_hash', eps);
    const got = new Map<Endpoint, number>();
    for (let k = 0; k < 40_000; k++) {
      const e = b.pick(ctx({ hashKey: `user-${k}` }))!;
      got.set(e, (got.get(e) ?? 0) + 1);
    }
    // Keys are not draws: a ring of 4,000 points places shares within a few percent.
    eps.forEach((e, i) => expect(Math.abs(got.get(e)! / 40_000 - [0.25, 0.25, 0.5][i]!)).toBeLessThan(0.04));
  });
});

describe('consistent hashing: keys stay where they are', () => {
  const keys = Array.from({ length: 20_000 }, (_, k) => `key-${k}`);
  const owners = (b: Balancer): string[] => keys.map((k) => b.pick(ctx({ hashKey: k }))!.address);

  for (const n of [3, 10, 50]) {
    it(`adding one to ${n} instances remaps at most 1/n + 0.02 of the keys, all to the newcomer`, () => {
      const eps = endpoints(Array(n + 1).fill(10));
      const b = filled('consistent_hash', eps.slice(0, n));
      const before = owners(b);
      b.add(eps[n]!);
      const after = owners(b);
      let moved = 0;
      for (let i = 0; i < keys.length; i++) {
        if (before[i] === after[i]) continue;
        moved++;
        expect(after[i]).toBe(eps[n]!.address);
      }
      const share = moved / keys.length;
      expect(share).toBeLessThanOrEqual(1 / n + 0.02);
      expect(share).toBeGreaterThan(1 / (n + 1) / 2); // the newcomer does take its share
    });
  }

  it('removing one moves only its own keys; adding it back restores the old mapping', () => {
    const eps = endpoints(Array(10).fill(10));
    const b = filled('consistent_hash', eps);
    const before = owners(b);
    b.remove(eps[4]!);
    const after = owners(b);
    for (let i = 0; i < keys.length; i++) if (before[i] !== eps[4]!.address) expect(after[i]).toBe(before[i]);
    b.add(eps[4]!);
    expect(owners(b)).toEqual(before);
  });

  it('a weight change moves keys only to or from that instance', () => {
    const eps = endpoints(Array(8).fill(10));
    const b = filled('consistent_hash', eps);
    const before = owners(b);
    const e = eps[2]!;
    e.weight = 20;
    b.reweigh(e, 10);
    const after = owners(b);
    for (let i = 0; i < keys.length; i++) if (before[i] !== after[i]) expect(after[i]).toBe(e.address);
  });

  it('an excluded owner hands its keys to the next instance on the ring, the same one every time', () => {
    const eps = endpoints(Array(6).fill(10));
    const b = filled('consistent_hash', eps);
    const k = 'sticky';
    const first = b.pick(ctx({ hashKey: k }))!;
    const exclude = new Set([first.address]);
    const second = b.pick(ctx({ hashKey: k, exclude }))!;
    expect(second).not.toBe(first);
    for (let i = 0; i < 5; i++) expect(b.pick(ctx({ hashKey: k, exclude }))).toBe(second);
  });
});

describe('every balancer', () => {
  for (const name of BALANCER_NAMES) {
    describe(name, () => {
      it('never picks an excluded or zero-weight instance, and says none when nothing is usable', () => {
        const eps = endpoints([10, 0, 10, 10]);
        const b = filled(name, eps);
        const exclude = new Set([eps[0]!.address]);
        for (let i = 0; i < 200; i++) {
          const e = b.pick(ctx({ exclude, hashKey: `k${i}` }))!;
          expect([eps[2], eps[3]]).toContain(e);
        }
        expect(b.pick(ctx({ exclude: new Set([eps[0]!.address, eps[2]!.address, eps[3]!.address]) }))).toBeUndefined();
      });

      it('passes over ejected instances unless asked to ignore ejection', () => {
        const eps = endpoints([10, 10, 10]);
        const b = filled(name, eps);
        eps[0]!.ejectedUntil = 2000;
        eps[1]!.ejectedUntil = 2000;
        for (let i = 0; i < 100; i++) expect(b.pick(ctx({ now: 1000, hashKey: `k${i}` }))).toBe(eps[2]);
        eps[2]!.ejectedUntil = 2000;
        expect(b.pick(ctx({ now: 1000 }))).toBeUndefined();
        expect(b.pick(ctx({ now: 1000, ignoreEjection: true }))).toBeDefined();
        expect(b.pick(ctx({ now: 3000 }))).toBeDefined();
      });

      it('follows 2,000 random joins, leaves and weight changes without losing anyone', () => {
        const rnd = rng(7);
        const b = createBalancer(name, { random: rng(3) });
        const live = new Map<string, Endpoint>();
        let next = 0;
        for (let step = 0; step < 2000; step++) {
          const r = rnd();
          if (r < 0.5 || live.size < 3) {
            const e = new Endpoint(`h${next++}:1`, 1 + Math.floor(rnd() * 20), {});
            live.set(e.address, e);
            b.add(e);
          } else if (r < 0.8) {
            const e = [...live.values()][Math.floor(rnd() * live.size)]!;
            live.delete(e.address);
            b.remove(e);
          } else {
            const e = [...live.values()][Math.floor(rnd() * live.size)]!;
            const prev = e.weight;
            e.weight = 1 + Math.floor(rnd() * 20);
            b.reweigh(e, prev);
          }
        }
        expect(b.size).toBe(live.size);
        const seen = new Set<Endpoint>();
        for (let i = 0; i < live.size * 60; i++) {
          const e = b.pick(ctx({ hashKey: `key${i}` }))!;
          expect(live.get(e.address)).toBe(e);
          seen.add(e);
        }
        // Spreading ones reach everyone; least-request and hashing reach most.
        expect(seen.size).toBeGreaterThanOrEqual(name === 'p2c' || name === 'consistent_hash' ? live.size * 0.9 : live.size);
      });
    });
  }
});

describe('warm-up', () => {
  for (const name of ['weighted_random', 'weighted_round_robin', 'round_robin'] as const) {
    it(`${name}: a warming instance gets about its warm-up share`, () => {
      const eps = endpoints([10, 10]);
      // Halfway through its warm-up: half its weight, so a third of the calls (5 ÷ 15).
      eps[1]!.warmFrom = 0;
      eps[1]!.warmUntil = 2000;
      const n = 20_000;
      const got = counts(filled(name, eps), n, ctx({ now: 1000 }));
      expectShares(got, eps, [2 / 3, 1 / 3], n);
      // Once warm, an even split again.
      expectShares(counts(filled(name, eps), n, ctx({ now: 2500 })), eps, [0.5, 0.5], n);
    });
  }

  it('p2c: a warming instance counts as more loaded than an equally busy warm one', () => {
    const eps = endpoints([10, 10]);
    eps[1]!.warmFrom = 0;
    eps[1]!.warmUntil = 2000;
    eps[0]!.inflight = eps[1]!.inflight = 3;
    expect(counts(filled('p2c', eps), 1000, ctx({ now: 1000 })).get(eps[1]!) ?? 0).toBe(0);
    // Half as busy as the warm one: the warming one (at half weight) is now even, and wins ties half the time.
    eps[1]!.inflight = 1;
    eps[0]!.inflight = 3;
    const ties = counts(filled('p2c', eps), 1000, ctx({ now: 1000 })).get(eps[1]!)!;
    expect(ties).toBeGreaterThan(400);
    expect(ties).toBeLessThan(600);
    // Idle: it wins outright.
    eps[1]!.inflight = 0;
    expect(counts(filled('p2c', eps), 1000, ctx({ now: 1000 })).get(eps[1]!)).toBe(1000);
  });
});

describe('structures against naive ones', () => {
  it('WeightTree finds the slot under a point like a linear scan, through growth and changes', () => {
    const rnd = rng(11);
    const t = new WeightTree();
    const w: number[] = [];
    for (let step = 0; step < 3000; step++) {
      const i = Math.floor(rnd() * (w.length + 1));
      const v = rnd() < 0.2 ? 0 : Math.floor(rnd() * 50);
      while (w.length <= i) w.push(0);
      w[i] = v;
      t.set(i, v);
      const total = w.reduce((a, b) => a + b, 0);
      expect(t.total).toBe(total);
      if (total === 0) continue;
      const p = rnd() * total;
      let acc = 0;
      let want = -1;
      for (let k = 0; k < w.length; k++) {
        acc += w[k]!;
        if (p < acc) {
          want = k;
          break;
        }
      }
      expect(t.find(p, w.length)).toBe(want);
    }
  });

  it('HashRing finds the successor like a sorted array, through inserts, staged batches, deletes and re-bucketing', () => {
    const rnd = rng(5);
    const ring = new HashRing();
    const naive: [number, number][] = [];
    const c: RingCursor = { bucket: 0, pos: 0 };
    for (let step = 0; step < 8000; step++) {
      if (rnd() < 0.65 || naive.length === 0) {
        // Points arrive one at a time, or in batches staged and merged at the next flush.
        const batch = rnd() < 0.02 ? 1 + Math.floor(rnd() * 400) : 1;
        for (let b = 0; b < batch; b++) {
          const h = (rnd() * 2 ** 32) >>> 0;
          const id = Math.floor(rnd() * 1000);
          if (batch > 1 || rnd() < 0.3) ring.stage(h, id);
          else ring.insert(h, id);
          naive.push([h, id]);
        }
      } else {
        ring.flush();
        const [h, id] = naive[Math.floor(rnd() * naive.length)]!;
        expect(ring.delete(h, id)).toBe(true);
        naive.splice(naive.findIndex((x) => x[0] === h && x[1] === id), 1);
      }
      if (step % 97 !== 0) continue;
      ring.flush();
      expect(ring.size).toBe(naive.length);
      const sorted = [...naive].sort((a, b) => a[0] - b[0]);
      const q = (rnd() * 2 ** 32) >>> 0;
      expect(ring.seek(q, c)).toBe(true);
      const want = sorted.find((x) => x[0] > q) ?? sorted[0]!;
      expect(ring.idAt(c) === want[1] || sorted.filter((x) => x[0] === want[0]).some((x) => x[1] === ring.idAt(c))).toBe(true);
    }
  });
});
