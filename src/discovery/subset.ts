/**
 * Subsetting: a client of a large service talks to a fixed-size subset of its instances, chosen
 * by rendezvous hashing (each instance scores hash(client key, address); the highest scores
 * win). Different client keys get different subsets, spreading clients over the fleet; a
 * client's subset is stable: an instance joining displaces only the weakest member and only
 * if it scores higher, an instance leaving is replaced by the best of the rest. Two heaps make
 * each change O(log n).
 */
import type { Endpoint } from './balancer/endpoint.js';
import { hash32 } from './balancer/hash.js';

interface Entry {
  readonly e: Endpoint;
  readonly score: number;
  /** Index in its heap. */
  pos: number;
  /** In the subset (else among the rest). */
  chosen: boolean;
}

/** Where the subset's changes go (the balancer). */
export interface SubsetSink {
  add(e: Endpoint): void;
  remove(e: Endpoint): void;
}

/** A binary heap of entries that knows each entry's position, so any entry can be removed. */
class Heap {
  readonly items: Entry[] = [];

  /** `above(a, b)`: a belongs nearer the top than b. */
  constructor(private readonly above: (a: Entry, b: Entry) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  top(): Entry | undefined {
    return this.items[0];
  }

  push(x: Entry): void {
    x.pos = this.items.length;
    this.items.push(x);
    this.up(x.pos);
  }

  remove(x: Entry): void {
    const items = this.items;
    const last = items.pop()!;
    if (last === x) return;
    items[x.pos] = last;
    last.pos = x.pos;
    this.up(last.pos);
    this.down(last.pos);
  }

  private up(i: number): void {
    const items = this.items;
    const x = items[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.above(x, items[p]!)) break;
      items[i] = items[p]!;
      items[i]!.pos = i;
      i = p;
    }
    items[i] = x;
    x.pos = i;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const x = items[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.above(items[c + 1]!, items[c]!)) c++;
      if (!this.above(items[c]!, x)) break;
      items[i] = items[c]!;
      items[i]!.pos = i;
      i = c;
    }
    items[i] = x;
    x.pos = i;
  }
}

/** Higher score, or the same score and the smaller address: a total order. */
function better(a: Entry, b: Entry): boolean {
  return a.score > b.score || (a.score === b.score && a.e.address < b.e.address);
}

/** Keeps the `size` best-scoring endpoints in the sink. */
export class Subset {
  private readonly entries = new Map<Endpoint, Entry>();
  /** The subset, weakest on top. */
  private readonly chosen = new Heap((a, b) => better(b, a));
  /** The others, strongest on top. */
  private readonly rest = new Heap(better);
  private readonly seed: number;

  constructor(
    private readonly size: number,
    key: string,
    private readonly sink: SubsetSink,
  ) {
    this.seed = hash32(key);
  }

  add(e: Endpoint): void {
    const x: Entry = { e, score: hash32(e.address, this.seed), pos: -1, chosen: false };
    this.entries.set(e, x);
    if (this.chosen.size < this.size) return this.choose(x);
    const weakest = this.chosen.top()!;
    if (!better(x, weakest)) return this.rest.push(x);
    this.unchoose(weakest);
    this.choose(x);
  }

  remove(e: Endpoint): void {
    const x = this.entries.get(e);
    if (!x) return;
    this.entries.delete(e);
    if (!x.chosen) return this.rest.remove(x);
    this.chosen.remove(x);
    x.chosen = false;
    this.sink.remove(e);
    const best = this.rest.top();
    if (best) {
      this.rest.remove(best);
      this.choose(best);
    }
  }

  /** Whether `e` is in the subset. */
  has(e: Endpoint): boolean {
    return this.entries.get(e)?.chosen === true;
  }

  private choose(x: Entry): void {
    x.chosen = true;
    this.chosen.push(x);
    this.sink.add(x.e);
  }

  private unchoose(x: Entry): void {
    this.chosen.remove(x);
    x.chosen = false;
    this.rest.push(x);
    this.sink.remove(x.e);
  }
}
