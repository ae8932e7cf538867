import type { Balancer, Random } from './balancer.js';
import { usable, warmFactor, type Endpoint, type PickContext } from './endpoint.js';

interface Node {
  readonly e: Endpoint;
  /** Turns left in the current round. */
  remainder: number;
  next: Node | undefined;
  /** False once removed: dropped when next dequeued. */
  live: boolean;
  /** In a queue (weight > 0), rather than parked (weight ≤ 0). */
  queued: boolean;
}

/** A FIFO of nodes linked through `next`. */
class Queue {
  head: Node | undefined;
  tail: Node | undefined;

  push(n: Node): void {
    n.next = undefined;
    if (this.tail) this.tail.next = n;
    else this.head = n;
    this.tail = n;
  }

  shift(): Node | undefined {
    const n = this.head;
    if (n) {
      this.head = n.next;
      if (!this.head) this.tail = undefined;
      n.next = undefined;
    }
    return n;
  }
}

/**
 * Weighted round robin, interleaved (Kitex's `InterleavedWeightedRoundRobin`): within a round
 * every endpoint takes a turn while it has turns left, so an endpoint of weight 3 beside one of
 * weight 1 is picked A B A A — weight ÷ gcd turns per round, spread rather than in a burst. O(1)
 * per pick and per membership change: a removed endpoint's node is dropped when next reached, a
 * new one joins the current or the next round. A warming endpoint takes each of its turns with
 * the probability of its warm-up share. With equal weights it is round robin.
 */
export class WeightedRoundRobinBalancer implements Balancer {
  readonly name = 'weighted_round_robin';
  private current = new Queue();
  private upcoming = new Queue();
  private readonly nodes = new Map<Endpoint, Node>();
  /** Nodes in either queue, removed ones included (bounds a pass). */
  private queued = 0;
  /** Step per turn: the gcd of the weights seen (kept when an endpoint leaves; proportions stay exact). */
  private gcd = 0;

  constructor(private readonly random: Random) {}

  get size(): number {
    return this.nodes.size;
  }

  add(e: Endpoint): void {
    const node: Node = { e, remainder: 0, next: undefined, live: true, queued: false };
    this.nodes.set(e, node);
    // Join the current round at a random point of the order, as Kitex starts at a random offset.
    if (e.weight > 0) this.enqueue(node, this.random() < 0.5 ? this.current : this.upcoming);
  }

  remove(e: Endpoint): void {
    const node = this.nodes.get(e);
    if (!node) return;
    node.live = false;
    this.nodes.delete(e);
  }

  reweigh(e: Endpoint): void {
    const node = this.nodes.get(e);
    if (!node) return;
    if (e.weight > 0) {
      this.gcd = gcd(this.gcd, e.weight);
      if (!node.queued) this.enqueue(node, this.upcoming);
    }
    // A node whose weight fell to 0 is parked when it is next reached.
  }

  pick(ctx: PickContext): Endpoint | undefined {
    // Each node is reached at least once within two passes over the queued nodes.
    for (let budget = 2 * this.queued + 1; budget > 0; budget--) {
      let node = this.current.shift();
      if (!node) {
        const t = this.current;
        this.current = this.upcoming;
        this.upcoming = t;
        node = this.current.shift();
        if (!node) return undefined;
      }
      const e = node.e;
      if (!node.live || e.weight <= 0) {
        node.queued = false;
        this.queued--;
        continue;
      }
      if (node.remainder <= 0) node.remainder = e.weight;
      node.remainder -= this.gcd;
      if (node.remainder > 0) this.current.push(node);
      else this.upcoming.push(node);
      // A warming endpoint lets the rest of its turns go by: it takes its warm-up share.
      if (usable(e, ctx) && (e.warmUntil <= ctx.now || this.random() < warmFactor(e, ctx.now))) return e;
    }
    // Nothing usable came round (most endpoints excluded or ejected): look at each once.
    for (const e of this.nodes.keys()) if (usable(e, ctx)) return e;
    return undefined;
  }

  private enqueue(node: Node, q: Queue): void {
    this.gcd = gcd(this.gcd, node.e.weight);
    node.remainder = 0;
    node.queued = true;
    this.queued++;
    q.push(node);
  }
}

function gcd(a: number, b: number): number {
  // Weights may be fractional: a tolerance ends Euclid's loop on float remainders.
  while (b > 1e-9) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}
