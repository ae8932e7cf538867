import type { Random } from './balancer.js';
import { usable, warmFactor, type Endpoint, type PickContext } from './endpoint.js';
import { ListBalancer } from './endpoint-list.js';

/**
 * Round robin: each endpoint in turn, from a random starting point (as Kitex and grpc-js do, so
 * that many clients do not all start on the same instance). Unusable endpoints are passed over;
 * a warming endpoint takes its turn with the probability of its warm-up share.
 */
export class RoundRobinBalancer extends ListBalancer {
  readonly name = 'round_robin';
  private next: number;

  constructor(random: Random) {
    super(random);
    this.next = Math.floor(random() * 0x7fffffff);
  }

  pick(ctx: PickContext): Endpoint | undefined {
    const items = this.list.items;
    const n = items.length;
    if (n === 0) return undefined;
    let i = this.next % n;
    for (let tried = 0; tried < n; tried++) {
      const e = items[i]!;
      i = i + 1 === n ? 0 : i + 1;
      if (!usable(e, ctx)) continue;
      if (e.warmUntil > ctx.now && this.random() >= warmFactor(e, ctx.now)) continue;
      this.next = i;
      return e;
    }
    this.next = i + 1;
    // Every usable endpoint is warming and was passed over: take the first usable one.
    return items.find((e) => usable(e, ctx));
  }
}
