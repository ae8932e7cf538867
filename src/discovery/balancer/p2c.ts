import { usable, warmFactor, type Endpoint, type PickContext } from './endpoint.js';
import { ListBalancer } from './endpoint-list.js';

/** Pairs drawn before falling back to a scan. */
const DRAWS = 4;

/**
 * Least requests by the power of two choices: draw two endpoints at random and take the one
 * with fewer calls in flight for its weight (its warm-up share counted in), as Envoy's
 * LEAST_REQUEST does. O(1) per pick and per membership change; it needs the client to count
 * calls in flight (`Endpoint.inflight`).
 */
export class P2cBalancer extends ListBalancer {
  readonly name = 'p2c';

  pick(ctx: PickContext): Endpoint | undefined {
    const items = this.list.items;
    const n = items.length;
    if (n === 0) return undefined;
    if (n === 1) return usable(items[0]!, ctx) ? items[0] : undefined;
    for (let d = 0; d < DRAWS; d++) {
      const i = Math.floor(this.random() * n);
      let j = Math.floor(this.random() * (n - 1));
      if (j >= i) j++;
      const a = items[i]!;
      const b = items[j]!;
      const okA = usable(a, ctx);
      const okB = usable(b, ctx);
      if (okA && okB) return this.load(a, ctx.now) <= this.load(b, ctx.now) ? a : b;
      if (okA) return a;
      if (okB) return b;
    }
    // Most endpoints are unusable: the least loaded of the usable ones.
    let best: Endpoint | undefined;
    let bestLoad = Infinity;
    for (const e of items) {
      if (!usable(e, ctx)) continue;
      const l = this.load(e, ctx.now);
      if (l < bestLoad) {
        best = e;
        bestLoad = l;
      }
    }
    return best;
  }

  /** Calls in flight (plus this one) per unit of current weight. */
  private load(e: Endpoint, now: number): number {
    return (e.inflight + 1) / (e.weight * warmFactor(e, now));
  }
}
