/**
 * One circuit breaker: closed (calls pass, outcomes counted over a sliding
 * window), open (calls refused until `openMs` passed), half-open (one trial
 * call at a time: its success closes the breaker, its failure opens it again).
 * It opens when, over the window, at least `minSamples` calls were seen and
 * the share of failures reached `errorRate` — Kitex's error-rate breaker.
 */
import { SlidingWindow } from './window.js';

/** Where a breaker stands. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** The thresholds of a breaker (see {@link CircuitBreakerOptions} for the defaults). */
export interface BreakerSettings {
  errorRate: number;
  minSamples: number;
  windowMs: number;
  openMs: number;
}

/** A single breaker; `now` is a monotonic clock in ms (performance.now()). */
export class CircuitBreaker {
  private stateValue: BreakerState = 'closed';
  private readonly window: SlidingWindow;
  private openedAt = 0;
  private trialInFlight = false;

  constructor(
    private readonly settings: BreakerSettings,
    /** Told of every change of state (the instance breakers keep the picker's exclusions from it). */
    private readonly onChange?: (state: BreakerState) => void,
  ) {
    this.window = new SlidingWindow(settings.windowMs);
  }

  /** The state at `now` (an open breaker whose time is up reads half-open). */
  state(now: number): BreakerState {
    if (this.stateValue === 'open' && now - this.openedAt >= this.settings.openMs) this.move('half-open');
    return this.stateValue;
  }

  /**
   * Asks to let one call through. Closed: yes. Half-open: yes for a single trial
   * at a time. Open: no.
   */
  allow(now: number): boolean {
    const s = this.state(now);
    if (s === 'closed') return true;
    if (s === 'open' || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  /** Whether a trial call is under way (half-open). */
  get probing(): boolean {
    return this.trialInFlight;
  }

  /** The outcome of a call that `allow` let through. */
  record(failed: boolean, now: number): void {
    const s = this.state(now);
    if (s === 'half-open') {
      this.trialInFlight = false;
      if (failed) this.open(now);
      else {
        this.window.reset();
        this.move('closed');
      }
      return;
    }
    if (s === 'open') return; // a call let through before the breaker opened
    this.window.record(failed, now);
    if (!failed) return;
    const { failures, total } = this.window.counts(now);
    if (total >= this.settings.minSamples && failures / total >= this.settings.errorRate) this.open(now);
  }

  /** A call that `allow` let through ended with no verdict (cancelled by us): a trial slot frees up. */
  abandon(): void {
    this.trialInFlight = false;
  }

  private open(now: number): void {
    this.openedAt = now;
    this.window.reset();
    this.move('open');
  }

  private move(state: BreakerState): void {
    this.stateValue = state;
    this.onChange?.(state);
  }
}
