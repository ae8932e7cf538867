/** Levenshtein distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The known name closest to `name` (ignoring case), when it is near enough to be a typo of it. */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = distance(name.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = k;
    }
  }
  return bestDistance <= Math.max(2, name.length >> 2) ? best : undefined;
}

/**
 * Explains an unknown name: the closest known name when one is near,
 * otherwise the list of names that exist.
 */
export function unknownNameHint(name: string, known: readonly string[]): string {
  const best = closestName(name, known);
  if (best !== undefined) return `did you mean "${best}"?`;
  return known.length ? `known: ${known.join(', ')}` : 'there are none';
}
