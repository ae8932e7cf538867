import type { Balancer, BalancerName, Random } from './balancer.js';
import { ConsistentHashBalancer, type ConsistentHashOptions } from './consistent-hash.js';
import { P2cBalancer } from './p2c.js';
import { RoundRobinBalancer } from './round-robin.js';
import { WeightedRandomBalancer } from './weighted-random.js';
import { WeightedRoundRobinBalancer } from './weighted-round-robin.js';

/** Options of {@link createBalancer}. */
export interface BalancerOptions {
  /** Uniform numbers in [0, 1); default Math.random (tests pass a seeded one). */
  random?: Random;
  consistentHash?: ConsistentHashOptions;
}

/** A new, empty balancer of the named policy. */
export function createBalancer(name: BalancerName, opts: BalancerOptions = {}): Balancer {
  const random = opts.random ?? Math.random;
  switch (name) {
    case 'round_robin':
      return new RoundRobinBalancer(random);
    case 'weighted_random':
      return new WeightedRandomBalancer(random);
    case 'weighted_round_robin':
      return new WeightedRoundRobinBalancer(random);
    case 'consistent_hash':
      return new ConsistentHashBalancer(random, opts.consistentHash);
    case 'p2c':
      return new P2cBalancer(random);
    default:
      throw new RangeError(`unknown balancer '${String(name)}'`);
  }
}
