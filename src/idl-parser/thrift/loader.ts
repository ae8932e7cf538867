import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, resolve } from 'node:path';
import { IdlError } from '../../errors/idl-error.js';
import type { DocumentNode, IncludeNode } from './ast.js';
import { parseDocument } from './parser.js';
import { ThriftRegistry } from './registry.js';
import { includeNameOf, resolveDocument, type Scope } from './resolve.js';
import type { ThriftFile } from './descriptor.js';

/** A parsed file and the paths its includes resolved to. */
interface Loaded {
  readonly doc: DocumentNode;
  readonly includes: readonly string[];
}

/** Options for {@link loadThriftFile}. */
export interface LoadThriftOptions {
  /** Searched after the including file's own directory, in order. */
  includeDirs?: string[];
}

/** Options for {@link parseThriftContent}. */
export interface ThriftContentOptions {
  /** Other files by path (`'base.thrift'`, `'common/base.thrift'`), for includes. */
  files?: Record<string, string>;
  /** The main file's name, for error locations and its include name. Default `main.thrift`. */
  mainName?: string;
  /** Searched (as prefixes of `files` keys) after the including file's directory. */
  includeDirs?: string[];
}

/**
 * Loads a `.thrift` file and its includes from disk and resolves them. Each
 * include is looked for relative to the including file, then in
 * `includeDirs`. Throws `IdlError`; never returns a partial registry.
 */
export async function loadThriftFile(path: string, opts: LoadThriftOptions = {}): Promise<ThriftRegistry> {
  const includeDirs = opts.includeDirs ?? [];
  const main = resolve(path);
  const loaded = new Map<string, Loaded>();
  const queue = [main];
  const mainText = await readFile(main, 'utf8');
  const texts = new Map<string, string>([[main, mainText]]);
  while (queue.length > 0) {
    const p = queue.shift()!;
    if (loaded.has(p)) continue;
    const doc = parseDocument(texts.get(p)!, p);
    const includes: string[] = [];
    for (const inc of doc.includes) {
      const candidates = isAbsolute(inc.path) ? [inc.path] : [...new Set([join(dirname(p), inc.path), ...includeDirs.map((d) => resolve(d, inc.path))])];
      let found: string | undefined;
      for (const c of candidates) {
        const abs = resolve(c);
        if (texts.has(abs)) {
          found = abs;
          break;
        }
        try {
          texts.set(abs, await readFile(abs, 'utf8'));
          found = abs;
          break;
        } catch (e) {
          // Not there (or not a file): try the next place; other failures are real.
          const code = (e as NodeJS.ErrnoException).code;
          if (code !== 'ENOENT' && code !== 'EISDIR' && code !== 'ENOTDIR') throw e;
        }
      }
      if (found === undefined) throw missing(p, inc, candidates);
      includes.push(found);
      queue.push(found);
    }
    loaded.set(p, { doc, includes });
  }
  return link(main, loaded);
}

/**
 * Parses IDL text held in memory (Kitex's `NewThriftContentProvider`).
 * Includes are looked up in `files` by path relative to the including file,
 * then under `includeDirs`, then as given.
 */
export function parseThriftContent(mainText: string, opts: ThriftContentOptions = {}): ThriftRegistry {
  const main = posix.normalize(opts.mainName ?? 'main.thrift');
  const files = contentFiles(main, mainText, opts.files ?? {});
  const includeDirs = opts.includeDirs ?? [];
  const loaded = new Map<string, Loaded>();
  const queue = [main];
  while (queue.length > 0) {
    const p = queue.shift()!;
    if (loaded.has(p)) continue;
    const doc = parseDocument(files.get(p)!, p);
    const includes: string[] = [];
    for (const inc of doc.includes) {
      const candidates = [...new Set([posix.join(posix.dirname(p), inc.path), ...includeDirs.map((d) => posix.join(d, inc.path)), posix.normalize(inc.path)])];
      const found = candidates.find((c) => files.has(c));
      if (found === undefined) throw missing(p, inc, candidates);
      includes.push(found);
      queue.push(found);
    }
    loaded.set(p, { doc, includes });
  }
  return link(main, loaded);
}

/**
 * Looks files up by normalized path. Only keys that are not already in
 * normal form are normalized (once, on the first miss): most callers pass
 * clean paths, and this runs for every include candidate.
 */
function contentFiles(main: string, mainText: string, given: Record<string, string>): { has(p: string): boolean; get(p: string): string | undefined } {
  let extra: Map<string, string> | undefined;
  const get = (p: string): string | undefined => {
    if (p === main) return mainText;
    if (Object.hasOwn(given, p)) return given[p];
    if (extra === undefined) {
      extra = new Map();
      for (const k of Object.keys(given)) if (!isNormal(k)) extra.set(posix.normalize(k), given[k]!);
    }
    return extra.get(p);
  };
  return { has: (p) => get(p) !== undefined, get };
}

/** Whether `posix.normalize` would leave the path as it is (checked without allocating). */
function isNormal(p: string): boolean {
  if (p.length === 0 || p.endsWith('/') || p.endsWith('/.') || p.endsWith('/..') || p === '.' || p === '..') return false;
  if (p.startsWith('./') || p.startsWith('../')) return false;
  return !(p.includes('//') || p.includes('/./') || p.includes('/../'));
}

/** Resolves files depth-first so each include is resolved before its includers. */
function link(main: string, loaded: ReadonlyMap<string, Loaded>): ThriftRegistry {
  const done = new Map<string, Scope>();
  const order: ThriftFile[] = [];
  const stack: string[] = [];
  const visit = (p: string): Scope => {
    const hit = done.get(p);
    if (hit !== undefined) return hit;
    stack.push(p);
    const { doc, includes } = loaded.get(p)!;
    const scopes: Array<readonly [string, Scope]> = [];
    const byName = new Map<string, number>();
    includes.forEach((inc, i) => {
      const node = doc.includes[i]!;
      const at = stack.indexOf(inc);
      if (at >= 0) {
        const cycle = [...stack.slice(at), inc].map(shortName).join(' -> ');
        throw new IdlError({ file: p, line: node.pos.line, column: node.pos.column }, `include cycle: ${cycle}`);
      }
      // Definitions are qualified by the bare file name, so two different files of one name would be ambiguous.
      const name = includeNameOf(inc);
      const prev = byName.get(name);
      if (prev !== undefined && includes[prev] !== inc) {
        throw new IdlError(
          { file: p, line: node.pos.line, column: node.pos.column },
          `"${node.path}" and "${doc.includes[prev]!.path}" are both included as ${name}; rename one of them`,
        );
      }
      byName.set(name, i);
      scopes.push([name, visit(inc)]);
    });
    const scope = resolveDocument(doc, p, scopes);
    stack.pop();
    done.set(p, scope);
    order.push(scope.file);
    return scope;
  };
  const mainScope = visit(main);
  return new ThriftRegistry(mainScope.file, order);
}

function shortName(p: string): string {
  const slash = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return p.slice(slash + 1);
}

function missing(file: string, inc: IncludeNode, searched: readonly string[]): IdlError {
  return new IdlError(
    { file, line: inc.pos.line, column: inc.pos.column },
    `cannot find included file "${inc.path}" (looked in: ${searched.join(', ')})`,
  );
}
