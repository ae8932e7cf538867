/**
 * A tiny argv parser (no dependency): long flags (`--name value`,
 * `--name=value`), short aliases (`-d value`, `-dvalue`), repeatable flags
 * and booleans. Positionals and flags may be mixed; `--` ends the flags.
 */
import { CliUsageError } from './exit-codes.js';

/** How one flag takes its value. */
export interface FlagSpec {
  /** Long name without dashes: `idl`. */
  readonly name: string;
  /** One-letter alias without the dash: `d`. */
  readonly short?: string;
  /** `boolean` takes no value; `list` may repeat; `string` takes one (the last one wins). */
  readonly kind: 'boolean' | 'string' | 'list';
}

/** Parsed command line: flag values by long name, positionals in order. */
export interface ParsedArgs {
  readonly positionals: string[];
  readonly strings: Map<string, string>;
  readonly lists: Map<string, string[]>;
  readonly booleans: Set<string>;
}

/** Flags every command takes. */
export const COMMON_FLAGS: readonly FlagSpec[] = [{ name: 'help', short: 'h', kind: 'boolean' }];

/** Parses `argv` against `specs`; unknown flags fail with a hint naming the closest known one. */
export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[], command: string): ParsedArgs {
  const all = [...COMMON_FLAGS, ...specs];
  const byLong = new Map(all.map((s) => [s.name, s]));
  const byShort = new Map(all.filter((s) => s.short).map((s) => [s.short!, s]));
  const out: ParsedArgs = { positionals: [], strings: new Map(), lists: new Map(), booleans: new Set() };

  const take = (spec: FlagSpec, inline: string | undefined, i: number, shown: string): number => {
    if (spec.kind === 'boolean') {
      if (inline !== undefined) throw new CliUsageError(`${command}: ${shown} takes no value`);
      out.booleans.add(spec.name);
      return i;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new CliUsageError(`${command}: ${shown} needs a value`);
      value = argv[++i]!;
    }
    if (spec.kind === 'string') out.strings.set(spec.name, value);
    else {
      const list = out.lists.get(spec.name);
      if (list) list.push(value);
      else out.lists.set(spec.name, [value]);
    }
    return i;
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const spec = byLong.get(name);
      if (!spec) throw new CliUsageError(`${command}: unknown flag --${name}${closest(name, [...byLong.keys()])}; see idlcall ${command} --help`);
      i = take(spec, eq < 0 ? undefined : arg.slice(eq + 1), i, `--${name}`);
    } else if (arg.length > 1 && arg.startsWith('-') && !/^-\d/.test(arg)) {
      const spec = byShort.get(arg[1]!);
      if (!spec) throw new CliUsageError(`${command}: unknown flag ${arg.slice(0, 2)}; see idlcall ${command} --help`);
      // `-dVALUE` form for flags with a value; `-v` alone for booleans.
      i = take(spec, arg.length > 2 ? arg.slice(2).replace(/^=/, '') : undefined, i, `-${spec.short}`);
    } else {
      out.positionals.push(arg);
    }
  }
  return out;
}

function closest(name: string, known: string[]): string {
  let best = '';
  let bestScore = Infinity;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestScore) {
      bestScore = d;
      best = k;
    }
  }
  return bestScore <= 2 ? ` (did you mean --${best}?)` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(up + 1, row[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}

/** A positive integer flag value, or the default when absent. */
export function intFlag(args: ParsedArgs, name: string, fallback: number, command: string, min = 1): number {
  const text = args.strings.get(name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new CliUsageError(`${command}: --${name} must be an integer ≥ ${min}, not "${text}"`);
  return n;
}

/** One of a fixed set of words, or the default when absent. */
export function choiceFlag<T extends string>(args: ParsedArgs, name: string, choices: readonly T[], fallback: T, command: string): T {
  const text = args.strings.get(name);
  if (text === undefined) return fallback;
  if (!(choices as readonly string[]).includes(text)) {
    throw new CliUsageError(`${command}: --${name} must be one of ${choices.join(', ')}, not "${text}"`);
  }
  return text as T;
}
