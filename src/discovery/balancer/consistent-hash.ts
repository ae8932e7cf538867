import type { Balancer, Random } from './balancer.js';
import { usable, type Endpoint, type PickContext } from './endpoint.js';
import { HashRing, MAX_STAGED_ID, type RingCursor } from './hash-ring.js';
import { hash32, pointHash } from './hash.js';

/** Options of consistent hashing (Kitex's `ConsistentHashOption`). */
export interface ConsistentHashOptions {
  /** Virtual nodes per instance (per unit of weight when `weighted`); default 100, as Kitex. */
  virtualFactor?: number;
  /** Virtual nodes in proportion to weight (weight × virtualFactor); default true, as Kitex. */
  weighted?: boolean;
}

/** Points looked at past a key's own before falling back to any usable endpoint. */
const MAX_WALK = 4096;

/**
 * Consistent hashing over a ring of virtual nodes, in the manner of Kitex's `consist` balancer:
 * each instance owns weight × virtualFactor points, a key goes to the owner of the first point
 * after the key's hash. Adding or removing an instance moves only the keys of its own points
 * (about 1/n of them); a weight change adds or drops points at the end of the instance's own
 * sequence. When the owner is unusable (excluded by a retry, ejected) the walk continues
 * clockwise to the next usable owner, so such keys stay together. A call without a key goes to
 * a random point. Points are not Kitex's: its point names depend on the longest address in the
 * set, so they all move when a longer address joins.
 */
export class ConsistentHashBalancer implements Balancer {
  readonly name = 'consistent_hash';
  private readonly ring = new HashRing();
  /** Endpoints by id (the id is their slot). */
  private readonly owners: (Endpoint | undefined)[] = [];
  private readonly freeIds: number[] = [];
  /** Points each endpoint has on the ring. */
  private readonly points = new Map<Endpoint, number>();
  private readonly virtualFactor: number;
  private readonly weighted: boolean;
  private readonly cursor: RingCursor = { bucket: 0, pos: 0 };

  constructor(
    private readonly random: Random,
    opts: ConsistentHashOptions = {},
  ) {
    this.virtualFactor = opts.virtualFactor ?? 100;
    this.weighted = opts.weighted ?? true;
    if (!(this.virtualFactor >= 1)) throw new RangeError('consistentHash.virtualFactor must be at least 1');
  }

  get size(): number {
    return this.points.size;
  }

  add(e: Endpoint): void {
    const id = this.freeIds.pop() ?? this.owners.length;
    this.owners[id] = e;
    e.slot = id;
    this.points.set(e, 0);
    this.setPoints(e, this.pointCount(e));
  }

  remove(e: Endpoint): void {
    if (!this.points.has(e)) return;
    this.ring.flush();
    this.setPoints(e, 0);
    this.points.delete(e);
    this.owners[e.slot] = undefined;
    this.freeIds.push(e.slot);
    e.slot = -1;
  }

  reweigh(e: Endpoint): void {
    if (!this.points.has(e)) return;
    this.ring.flush();
    this.setPoints(e, this.pointCount(e));
  }

  pick(ctx: PickContext): Endpoint | undefined {
    const ring = this.ring;
    const c = this.cursor;
    ring.flush();
    const hash = ctx.hashKey !== undefined ? hash32(ctx.hashKey) : (this.random() * 4294967296) >>> 0;
    if (!ring.seek(hash, c)) return undefined;
    const steps = Math.min(ring.size, MAX_WALK);
    for (let s = 0; s < steps; s++) {
      const e = this.owners[ring.idAt(c)]!;
      if (usable(e, ctx)) return e;
      ring.advance(c);
    }
    for (const e of this.points.keys()) if (usable(e, ctx)) return e;
    return undefined;
  }

  private pointCount(e: Endpoint): number {
    if (e.weight <= 0) return 0;
    return this.weighted ? Math.max(1, Math.round(e.weight * this.virtualFactor)) : Math.round(this.virtualFactor);
  }

  /**
   * Grows or shrinks `e`'s points to `count`, at the end of its sequence. New points are staged:
   * a service read whole at start is merged onto the ring in one pass at the first pick.
   */
  private setPoints(e: Endpoint, count: number): void {
    const have = this.points.get(e)!;
    if (count === have) return;
    const base = hash32(e.address);
    const ring = this.ring;
    if (e.slot <= MAX_STAGED_ID) for (let i = have; i < count; i++) ring.stage(pointHash(base, i), e.slot);
    else for (let i = have; i < count; i++) ring.insert(pointHash(base, i), e.slot);
    for (let i = have - 1; i >= count; i--) this.ring.delete(pointHash(base, i), e.slot);
    this.points.set(e, count);
  }
}
