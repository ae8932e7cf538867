/** Counts of `process.getActiveResourcesInfo()` entries by kind. */
export type ResourceCounts = Record<string, number>;

/** Snapshot of active handles/requests (timers, sockets, servers...) by kind. */
export function activeResources(): ResourceCounts {
  const out: ResourceCounts = {};
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1;
  return out;
}

/**
 * Waits (bounded) until no kind of resource exceeds its count in `baseline`; returns the
 * kinds still above it (empty = back to baseline). Sockets and timers are released
 * asynchronously after close, hence the polling.
 */
export async function settleResources(baseline: ResourceCounts, timeoutMs = 3000): Promise<ResourceCounts> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const now = activeResources();
    const extra: ResourceCounts = {};
    for (const k of Object.keys(now)) {
      const d = now[k]! - (baseline[k] ?? 0);
      if (d > 0) extra[k] = d;
    }
    if (Object.keys(extra).length === 0 || Date.now() > until) return extra;
    await new Promise<void>((r) => setImmediate(r));
    await new Promise<void>((r) => setTimeout(r, 10));
  }
}
