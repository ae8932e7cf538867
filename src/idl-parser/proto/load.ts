import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import type { FileNode, Pos } from './ast.js';
import { IdlError } from '../../errors/idl-error.js';
import { fail } from './fail.js';
import { parseProto } from './parser.js';
import { ProtoRegistry } from './registry.js';
import { ResolveContext } from './build-state.js';
import { buildFile } from './resolve.js';
import { didYouMean } from './suggest.js';
import { WELL_KNOWN_SOURCES } from './well-known.js';

/** Options for {@link loadProtoFile}. */
export interface LoadProtoOptions {
  /** Import search path, like protoc's `-I` (searched before the importing file's directory). */
  includeDirs?: string[];
}

/** Options for {@link parseProtoContent}. */
export interface ParseProtoContentOptions {
  /** Importable files by import path (`'common.proto': '…'`), searched first. */
  files?: Record<string, string>;
  /** The main file's name, used in error locations (default `main.proto`). */
  mainName?: string;
  /** Searched on disk after `files`, like protoc's `-I`. */
  includeDirs?: string[];
}

interface Source {
  readonly name: string;
  readonly text: string;
  /** Directory for imports relative to this file; undefined for in-memory and built-in files. */
  readonly dir: string | undefined;
}

interface Pending {
  readonly importer: FileNode;
  readonly path: string;
  readonly pos: Pos;
  readonly dir: string | undefined;
}

/** Where an import may be found, in search order. */
function candidates(path: string, includeDirs: readonly string[], importerDir: string | undefined): string[] {
  const out = includeDirs.map((d) => nodePath.join(d, path));
  if (importerDir !== undefined) {
    const rel = nodePath.join(importerDir, path);
    if (!out.includes(rel)) out.push(rel);
  }
  return out;
}

function notFound(p: Pending, searched: readonly string[], known: Iterable<string>, inMemory: boolean): never {
  const where = [...(inMemory ? ['the given files'] : []), ...searched, 'the built-in google/protobuf files'].join(', ');
  fail(p.importer.name, p.pos, `import "${p.path}" was not found (searched: ${where})${didYouMean(p.path, known)}`);
}

/** Main file name: relative to the include dir containing it, as protoc names it. */
function mainNameFor(path: string, includeDirs: readonly string[]): string {
  const abs = nodePath.resolve(path);
  for (const d of includeDirs) {
    const rel = nodePath.relative(nodePath.resolve(d), abs);
    if (rel && !rel.startsWith('..') && !nodePath.isAbsolute(rel)) return rel.split(nodePath.sep).join('/');
  }
  // Outside every include dir, the file's own directory acts as its root.
  return nodePath.basename(path);
}

/**
 * Loads a `.proto` file and its imports from disk (imports through
 * `includeDirs`, then relative to the importing file, then the built-in
 * well-known types) and resolves them. Throws IdlError; never returns a
 * partial registry.
 */
export async function loadProtoFile(path: string, opts: LoadProtoOptions = {}): Promise<ProtoRegistry> {
  const includeDirs = opts.includeDirs ?? [];
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new IdlError({ file: path, line: 1, column: 1 }, `cannot read file: ${(e as Error).message}`);
  }
  const main: Source = { name: mainNameFor(path, includeDirs), text, dir: nodePath.dirname(path) };
  const nodes = new Map<string, FileNode>();
  let queue = parseSource(main, nodes);
  while (queue.length) {
    const found = await Promise.all(
      queue.map(async (p): Promise<Source | undefined> => {
        if (nodes.has(p.path)) return undefined;
        const searched = candidates(p.path, includeDirs, p.dir);
        for (const c of searched) {
          try {
            return { name: p.path, text: await readFile(c, 'utf8'), dir: nodePath.dirname(c) };
          } catch {
            // try the next location
          }
        }
        const builtin = WELL_KNOWN_SOURCES[p.path];
        if (builtin !== undefined) return { name: p.path, text: builtin, dir: undefined };
        notFound(p, searched, Object.keys(WELL_KNOWN_SOURCES), false);
      }),
    );
    const next: Pending[][] = [];
    for (const s of found) if (s && !nodes.has(s.name)) next.push(parseSource(s, nodes));
    queue = next.flat();
  }
  return assemble(main.name, nodes);
}

/**
 * Parses `.proto` text held in memory (Kitex's `NewPbContentProvider`):
 * imports come from `files`, then `includeDirs` on disk, then the built-in
 * well-known types. Throws IdlError; never returns a partial registry.
 */
export function parseProtoContent(mainText: string, opts: ParseProtoContentOptions = {}): ProtoRegistry {
  const files = opts.files ?? {};
  const includeDirs = opts.includeDirs ?? [];
  const main: Source = { name: opts.mainName ?? 'main.proto', text: mainText, dir: undefined };
  const nodes = new Map<string, FileNode>();
  const queue = parseSource(main, nodes);
  while (queue.length) {
    const p = queue.shift()!;
    if (nodes.has(p.path)) continue;
    let src: Source | undefined;
    const own = Object.prototype.hasOwnProperty.call(files, p.path) ? files[p.path] : undefined;
    if (own !== undefined) src = { name: p.path, text: own, dir: undefined };
    const searched = candidates(p.path, includeDirs, p.dir);
    for (let i = 0; !src && i < searched.length; i++) {
      try {
        src = { name: p.path, text: readFileSync(searched[i]!, 'utf8'), dir: nodePath.dirname(searched[i]!) };
      } catch {
        // try the next location
      }
    }
    if (!src && WELL_KNOWN_SOURCES[p.path] !== undefined) src = { name: p.path, text: WELL_KNOWN_SOURCES[p.path]!, dir: undefined };
    if (!src) notFound(p, searched, [...Object.keys(files), ...Object.keys(WELL_KNOWN_SOURCES)], true);
    queue.push(...parseSource(src, nodes));
  }
  return assemble(main.name, nodes);
}

/** Parse trees of the built-in files: immutable once parsed, so shared by every load. */
const builtinTrees = new Map<string, FileNode>();

function parseSource(src: Source, nodes: Map<string, FileNode>): Pending[] {
  let node: FileNode;
  if (src.text === WELL_KNOWN_SOURCES[src.name]) {
    node = builtinTrees.get(src.name) ?? parseProto(src.text, src.name);
    builtinTrees.set(src.name, node);
  } else {
    node = parseProto(src.text, src.name);
  }
  nodes.set(src.name, node);
  return node.imports.map((i) => ({ importer: node, path: i.path, pos: i.pos, dir: src.dir }));
}

/** Orders files dependencies-first (reporting cycles) and resolves them. */
function assemble(mainName: string, nodes: ReadonlyMap<string, FileNode>): ProtoRegistry {
  const order: FileNode[] = [];
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (node: FileNode): void => {
    state.set(node.name, 1);
    stack.push(node.name);
    for (const imp of node.imports) {
      const s = state.get(imp.path);
      if (s === 2) continue;
      if (s === 1) {
        const cycle = [...stack.slice(stack.indexOf(imp.path)), imp.path];
        fail(node.name, imp.pos, `import cycle: ${cycle.join(' -> ')}`);
      }
      visit(nodes.get(imp.path)!);
    }
    stack.pop();
    state.set(node.name, 2);
    order.push(node);
  };
  visit(nodes.get(mainName)!);
  const ctx = new ResolveContext();
  const files = order.map((n) => buildFile(n, ctx));
  return new ProtoRegistry(files);
}
