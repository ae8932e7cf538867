/**
 * Calls completed over time, for the report's throughput chart: counts of
 * OK and failed calls in fixed slots from the start of the run. Memory is
 * fixed (SLOTS slots); when a run outlasts them, neighbouring slots merge
 * and each slot covers twice as long. Timelines of several threads merge
 * by bringing them to the coarser slot width and adding.
 */

const SLOTS = 600;
const FIRST_SLOT_MS = 100;

/** A timeline as plain data, to send between threads. */
export interface TimelineState {
  readonly slotMs: number;
  readonly ok: Float64Array;
  readonly failed: Float64Array;
}

/** Completed calls per time slot. */
export class Timeline {
  private slotMs = FIRST_SLOT_MS;
  private ok = new Float64Array(SLOTS);
  private failed = new Float64Array(SLOTS);
  /** Highest slot used + 1. */
  private used = 0;

  /** Records one call that completed `atMs` after the start. */
  record(atMs: number, ok: boolean): void {
    let slot = Math.floor(atMs / this.slotMs);
    while (slot >= SLOTS) {
      this.coarsen();
      slot = Math.floor(atMs / this.slotMs);
    }
    if (slot < 0) slot = 0;
    if (ok) this.ok[slot]!++;
    else this.failed[slot]!++;
    if (slot >= this.used) this.used = slot + 1;
  }

  /** Doubles the slot width, adding neighbouring slots together. */
  private coarsen(): void {
    for (const a of [this.ok, this.failed]) {
      for (let i = 0; i < SLOTS / 2; i++) a[i] = a[2 * i]! + a[2 * i + 1]!;
      a.fill(0, SLOTS / 2);
    }
    this.slotMs *= 2;
    this.used = Math.ceil(this.used / 2);
  }

  state(): TimelineState {
    return { slotMs: this.slotMs, ok: this.ok.slice(0, this.used), failed: this.failed.slice(0, this.used) };
  }

  /** Adds another timeline (same start) to this one. */
  add(other: TimelineState): this {
    while (this.slotMs < other.slotMs) this.coarsen();
    const factor = this.slotMs / other.slotMs;
    for (let i = 0; i < other.ok.length; i++) {
      const slot = Math.floor(i / factor);
      this.ok[slot]! += other.ok[i]!;
      this.failed[slot]! += other.failed[i]!;
      if (slot >= this.used) this.used = slot + 1;
    }
    return this;
  }
}
