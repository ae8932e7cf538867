/**
 * A small argv parser (no dependency) that reads flags the way grpcurl,
 * ghz and kitexcall users type them: `--name value`, `--name=value`, Go's
 * single-dash `-name value` and `-name=value`, short flags `-d value` and
 * `-dvalue`, repeatable flags, booleans (also `-flag=true|false`, as Go's
 * flag package allows) and the other tools' spellings from the alias table
 * (aliases.ts). Positionals and flags may be mixed; `--` ends the flags.
 */
import { closestName } from '../generic/suggest.js';
import { aliasesFor, type FlagAlias } from './aliases.js';
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

const TRUE_WORDS = new Set(['true', '1', 't', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'f', 'no']);

/** Parses `argv` against `specs` and the aliases of `command`; unknown flags fail with a hint naming the closest known one. */
export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[], command: string): ParsedArgs {
  const all = [...COMMON_FLAGS, ...specs];
  const byLong = new Map(all.map((s) => [s.name, s]));
  const byShort = new Map(all.filter((s) => s.short).map((s) => [s.short!, s]));
  const aliases = new Map<string, FlagAlias>();
  for (const a of aliasesFor(command)) {
    // An alias applies when the command has the flag it stands for (or may stand for); ignored ones always do.
    if (a.targets.length === 0 || a.targets.some((t) => byLong.has(t))) aliases.set(a.spelling, a);
  }
  const out: ParsedArgs = { positionals: [], strings: new Map(), lists: new Map(), booleans: new Set() };

  const store = (spec: FlagSpec, value: string): void => {
    if (spec.kind === 'string') out.strings.set(spec.name, value);
    else {
      const list = out.lists.get(spec.name);
      if (list) list.push(value);
      else out.lists.set(spec.name, [value]);
    }
  };

  /** Takes the flag's value (inline or the next argument); returns the index of the last argument used. */
  const take = (spec: FlagSpec | FlagAlias, inline: string | undefined, i: number, shown: string): number => {
    const isAlias = 'spelling' in spec;
    if (spec.kind === 'boolean') {
      let on = true;
      if (inline !== undefined) {
        const w = inline.toLowerCase();
        if (!TRUE_WORDS.has(w) && !FALSE_WORDS.has(w)) throw new CliUsageError(`${command}: ${shown} takes no value (or =true / =false)`);
        on = TRUE_WORDS.has(w);
      }
      if (!isAlias) {
        if (on) out.booleans.add(spec.name);
        else out.booleans.delete(spec.name);
      } else if (on) {
        apply(spec, undefined, shown);
      }
      return i;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new CliUsageError(`${command}: ${shown} needs a value`);
      value = argv[++i]!;
    }
    if (isAlias) apply(spec, value, shown);
    else store(spec, value);
    return i;
  };

  /** Records what an alias stands for. */
  const apply = (alias: FlagAlias, value: string | undefined, shown: string): void => {
    const [flag, values] = alias.resolve(value);
    if (flag === '') return; // accepted for habit's sake
    const spec = byLong.get(flag);
    if (!spec) throw new CliUsageError(`${command}: ${shown}${value === undefined ? '' : ` ${value}`} means --${flag}, which idlcall ${command} does not take`);
    if (spec.kind === 'boolean') out.booleans.add(spec.name);
    else for (const v of values) store(spec, v);
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.length < 2 || arg[0] !== '-' || /^-\d/.test(arg)) {
      out.positionals.push(arg);
      continue;
    }
    const doubleDash = arg.startsWith('--');
    const body = arg.slice(doubleDash ? 2 : 1);
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const inline = eq < 0 ? undefined : body.slice(eq + 1);
    const shown = `${doubleDash ? '--' : '-'}${name}`;
    // A whole word first (`--idl`, Go's `-plaintext`), then a one-letter flag with its value glued on (`-dVALUE`).
    const long = name.length > 1 ? (aliases.get(name) ?? byLong.get(name)) : undefined;
    if (long) {
      i = take(long, inline, i, shown);
      continue;
    }
    if (!doubleDash) {
      const letter = body[0]!;
      const short = aliases.get(letter) ?? byShort.get(letter);
      if (short) {
        const rest = body.slice(1);
        i = take(short, rest === '' ? undefined : rest.replace(/^=/, ''), i, `-${letter}`);
        continue;
      }
    }
    const known = [...byLong.keys(), ...[...aliases.keys()].filter((k) => k.length > 1)];
    const near = closestName(name, known);
    throw new CliUsageError(`${command}: unknown flag ${shown}${near ? ` (did you mean --${near}?)` : ''}; see idlcall ${command} --help`);
  }
  return out;
}

/** A positive integer flag value, or the default when absent. */
export function intFlag(args: ParsedArgs, name: string, fallback: number, command: string, min = 1): number {
  const text = args.strings.get(name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new CliUsageError(`${command}: --${name} must be an integer ≥ ${min}, not "${text}"`);
  return n;
}

/** A number flag value within [min, max], or the default when absent. */
export function numberFlag(args: ParsedArgs, name: string, fallback: number, command: string, min: number, max: number): number {
  const text = args.strings.get(name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new CliUsageError(`${command}: --${name} must be a number from ${min} to ${max}, not "${text}"`);
  return n;
}

/** One of a fixed set of words, or the default when absent. */
export function choiceFlag<T extends string>(args: ParsedArgs, name: string, choices: readonly T[], fallback: T, command: string): T {
  const text = args.strings.get(name);
  if (text === undefined) return fallback;
  if (!(choices as readonly string[]).includes(text)) {
    const near = closestName(text, choices);
    throw new CliUsageError(`${command}: --${name} must be one of ${choices.join(', ')}, not "${text}"${near ? ` (did you mean ${near}?)` : ''}`);
  }
  return text as T;
}
