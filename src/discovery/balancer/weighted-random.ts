import type { Balancer, Random } from './balancer.js';
import { usable, warmFactor, type Endpoint, type PickContext } from './endpoint.js';
import { EndpointList } from './endpoint-list.js';
import { WeightTree } from './weight-tree.js';

/** Draws before falling back to a scan of every endpoint. */
const DRAWS = 8;

/**
 * Weighted random, Kitex's `NewWeightedRandomBalancer`: each call goes to an endpoint with
 * probability weight ÷ total weight; a uniform draw when all weights are equal. Weights live in
 * a Fenwick tree, so a draw and a membership change are O(log n). Unusable endpoints and the
 * unlucky share of a warming one are redrawn (rejection keeps the distribution exact).
 */
export class WeightedRandomBalancer implements Balancer {
  readonly name = 'weighted_random';
  private readonly list = new EndpointList();
  private readonly tree = new WeightTree();
  /** How many endpoints have each weight: one entry means a uniform draw will do. */
  private readonly weightCounts = new Map<number, number>();

  constructor(private readonly random: Random) {}

  get size(): number {
    return this.list.size;
  }

  add(e: Endpoint): void {
    this.list.add(e);
    this.tree.set(e.slot, e.weight);
    this.count(e.weight, 1);
  }

  remove(e: Endpoint): void {
    const slot = e.slot;
    const moved = this.list.remove(e);
    if (moved) this.tree.set(slot, moved.weight);
    this.tree.set(this.list.size, 0);
    this.count(e.weight, -1);
  }

  reweigh(e: Endpoint, previous: number): void {
    this.tree.set(e.slot, e.weight);
    this.count(previous, -1);
    this.count(e.weight, 1);
  }

  pick(ctx: PickContext): Endpoint | undefined {
    const items = this.list.items;
    const n = items.length;
    if (n === 0) return undefined;
    const uniform = this.weightCounts.size === 1;
    if (!uniform && this.tree.total <= 0) return undefined;
    for (let d = 0; d < DRAWS; d++) {
      const e = uniform ? items[Math.floor(this.random() * n)]! : items[this.tree.find(this.random() * this.tree.total, n)]!;
      if (!usable(e, ctx)) continue;
      if (e.warmUntil > ctx.now && this.random() >= warmFactor(e, ctx.now)) continue;
      return e;
    }
    return this.scan(ctx);
  }

  /** Most of the weight is unusable: draw among the usable endpoints only (O(n)). */
  private scan(ctx: PickContext): Endpoint | undefined {
    let total = 0;
    for (const e of this.list.items) if (usable(e, ctx)) total += e.weight * warmFactor(e, ctx.now);
    if (total <= 0) return undefined;
    let point = this.random() * total;
    let last: Endpoint | undefined;
    for (const e of this.list.items) {
      if (!usable(e, ctx)) continue;
      last = e;
      point -= e.weight * warmFactor(e, ctx.now);
      if (point < 0) return e;
    }
    return last;
  }

  private count(weight: number, delta: number): void {
    const c = (this.weightCounts.get(weight) ?? 0) + delta;
    if (c === 0) this.weightCounts.delete(weight);
    else this.weightCounts.set(weight, c);
  }
}
