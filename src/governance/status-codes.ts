/**
 * Status codes as policies name them: a number, or a gRPC code name in any case
 * (`'UNAVAILABLE'`, `'unavailable'`), as gRPC's service config accepts them.
 */
import { Code } from '../errors/status-code.js';
import { UsageError } from '../errors/usage-error.js';

/** A status code by number or by name. */
export type CodeLike = number | keyof typeof Code | Lowercase<keyof typeof Code>;

/** The set of codes a policy lists; `where` names the option for the error message. */
export function codeSet(codes: readonly CodeLike[], where: string): ReadonlySet<number> {
  const out = new Set<number>();
  for (const c of codes) {
    const n = typeof c === 'number' ? c : (Code as Record<string, number>)[c.toUpperCase()];
    if (n === undefined || !Number.isInteger(n) || n < 0) throw new UsageError(`${where}: unknown status code ${JSON.stringify(c)}`);
    out.add(n);
  }
  return out;
}
