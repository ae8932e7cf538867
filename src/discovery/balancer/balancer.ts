import type { Endpoint, PickContext } from './endpoint.js';

/** The balancing policies a client can name (its `balancer` option). */
export type BalancerName = 'round_robin' | 'weighted_random' | 'weighted_round_robin' | 'consistent_hash' | 'p2c';

/** Every {@link BalancerName}. */
export const BALANCER_NAMES: readonly BalancerName[] = ['round_robin', 'weighted_random', 'weighted_round_robin', 'consistent_hash', 'p2c'];

/**
 * Spreads calls over a changing set of endpoints. Membership changes cost O(1) or O(log n)
 * (never a rebuild); a pick costs O(1) or O(log n) while most endpoints are usable.
 */
export interface Balancer {
  readonly name: BalancerName;
  /** Endpoints it holds. */
  readonly size: number;
  add(e: Endpoint): void;
  remove(e: Endpoint): void;
  /** `e.weight` changed from `previous`. */
  reweigh(e: Endpoint, previous: number): void;
  /** An endpoint usable for `ctx`, or undefined when none is. */
  pick(ctx: PickContext): Endpoint | undefined;
}

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;
