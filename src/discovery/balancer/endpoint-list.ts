import type { Balancer, BalancerName, Random } from './balancer.js';
import type { Endpoint, PickContext } from './endpoint.js';

/**
 * Endpoints in an array with O(1) add and remove: a removed endpoint's slot is filled by the
 * last one (order does not matter to the balancers that use it).
 */
export class EndpointList {
  readonly items: Endpoint[] = [];

  get size(): number {
    return this.items.length;
  }

  add(e: Endpoint): void {
    e.slot = this.items.length;
    this.items.push(e);
  }

  /** Removes `e`; returns the endpoint that moved into its slot, if any. */
  remove(e: Endpoint): Endpoint | undefined {
    const items = this.items;
    const i = e.slot;
    if (i < 0 || items[i] !== e) return undefined;
    const last = items.pop()!;
    e.slot = -1;
    if (last === e) return undefined;
    items[i] = last;
    last.slot = i;
    return last;
  }
}

/** A balancer over an {@link EndpointList} that ignores weight changes (round robin, p2c). */
export abstract class ListBalancer implements Balancer {
  abstract readonly name: BalancerName;
  protected readonly list = new EndpointList();

  constructor(protected readonly random: Random) {}

  get size(): number {
    return this.list.size;
  }

  add(e: Endpoint): void {
    this.list.add(e);
  }

  remove(e: Endpoint): void {
    this.list.remove(e);
  }

  reweigh(): void {}

  abstract pick(ctx: PickContext): Endpoint | undefined;
}
