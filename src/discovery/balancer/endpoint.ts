/**
 * An instance as a client sees it: the resolver's address, weight and tags, plus what the client
 * learned by using it (connection state, calls in flight, consecutive connection failures,
 * ejection, warm-up). One object per instance for the instance's whole stay.
 */

/** What the transports last said about connections to an instance. */
export type ConnectionState = 'idle' | 'ready' | 'failing';

/** One instance inside a balancer. */
export class Endpoint {
  /** Position in the balancer's own arrays (-1 outside); owned by the balancer. */
  slot = -1;
  /** Calls started and not yet finished (least-request balancing). */
  inflight = 0;
  /** How often it was picked (diagnostics, `bench` spreading). */
  picks = 0;
  /** Connection attempts that failed in a row. */
  failures = 0;
  /** How many times it was ejected since it last connected; each ejection lasts longer. */
  ejections = 0;
  /** Passed over by balancers until this time (performance.now() ms); 0 = not ejected. */
  ejectedUntil = 0;
  /** Warm-up: joined at `warmFrom`, gets its full share from `warmUntil` on (0 = warm). */
  warmFrom = 0;
  warmUntil = 0;
  state: ConnectionState = 'idle';

  constructor(
    /** `host:port`. */
    readonly address: string,
    public weight: number,
    public tags: Readonly<Record<string, string>>,
  ) {}
}

/** The question a balancer answers, with what it must avoid. */
export interface PickContext {
  /** Consistent hashing key (undefined: any instance will do). */
  hashKey: string | undefined;
  /** Addresses not to pick (a retry avoiding the instances that already failed it). */
  exclude: ReadonlySet<string> | undefined;
  /** performance.now() at the pick, or 0 when nothing is ejected or warming (no clock read). */
  now: number;
  /** Ejected instances may be picked too (every usable one is ejected). */
  ignoreEjection: boolean;
}

/** Whether `e` may take this call: a positive weight, not excluded, not ejected. */
export function usable(e: Endpoint, ctx: PickContext): boolean {
  return e.weight > 0 && (ctx.exclude === undefined || !ctx.exclude.has(e.address)) && (ctx.ignoreEjection || e.ejectedUntil <= ctx.now);
}

/** The least share a warming instance gets (Envoy's slow start uses the same floor). */
const WARM_FLOOR = 0.1;

/** The fraction of its weight `e` gets now: rises linearly from 10% to 100% over the warm-up. */
export function warmFactor(e: Endpoint, now: number): number {
  if (e.warmUntil <= now) return 1;
  const f = (now - e.warmFrom) / (e.warmUntil - e.warmFrom);
  return f < WARM_FLOOR ? WARM_FLOOR : f;
}
