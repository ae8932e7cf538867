/**
 * Parity with Apache Thrift's compiler: every corpus file is run through
 * `thrift -r --gen json` (one JSON document per file, includes too) and
 * compared with our resolved model rendered in the same shape.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadThriftFile } from '../../../src/idl-parser/thrift/index.js';
import { normalizeCompilerJson, parseCompilerJson, reconcileDoubles, toCompilerJson, type Json } from './compiler-json.js';
import { THRIFT_EXAMPLES, oracles } from '../../support/oracles.js';

const ready = oracles('thrift');

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/thrift/parity');
const INC = join(FIXTURES, 'inc');

interface Case {
  readonly name: string;
  readonly path: string;
  readonly includeDirs: string[];
}

const corpus: Case[] = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.thrift'))
  .sort()
  .map((f) => ({ name: f, path: join(FIXTURES, f), includeDirs: [INC] }));
const examples: Case[] = ['tutorial.thrift', 'shared.thrift'].map((f) => ({ name: `apache ${f}`, path: join(THRIFT_EXAMPLES, f), includeDirs: [] }));

const out = mkdtempSync(join(tmpdir(), 'idlcall-thrift-parity-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

let seq = 0;
/** Runs the compiler and returns each generated file's JSON by include name. */
function compile(c: Case): Map<string, Json> {
  const dir = join(out, String(seq++));
  mkdirSync(dir, { recursive: true });
  execFileSync('thrift', ['-r', '--gen', 'json', ...c.includeDirs.flatMap((d) => ['-I', d]), '-o', dir, c.path], { stdio: 'pipe' });
  const gen = join(dir, 'gen-json');
  const byName = new Map<string, Json>();
  for (const f of existsSync(gen) ? readdirSync(gen) : []) byName.set(f.replace(/\.json$/, ''), parseCompilerJson(readFileSync(join(gen, f), 'utf8')));
  return byName;
}

async function check(c: Case): Promise<number> {
  const expected = compile(c);
  const registry = await loadThriftFile(c.path, { includeDirs: c.includeDirs });
  expect(registry.files.map((f) => f.includeName).sort()).toEqual([...expected.keys()].sort());
  for (const file of registry.files) {
    const got = toCompilerJson(file);
    const want = reconcileDoubles(got, normalizeCompilerJson(expected.get(file.includeName) as Json));
    expect(got, `${file.path}`).toEqual(want);
  }
  return registry.files.length;
}

describe.skipIf(!ready)('parity with thrift --gen json', () => {
  test('the corpus has the seed IDL and at least 30 edge-case files', () => {
    expect(corpus.some((c) => c.name === 'seed-streaming.thrift')).toBe(true);
    expect(corpus.length - 1).toBeGreaterThanOrEqual(30);
  });

  test.each(corpus)('$name', async (c) => {
    expect(await check(c)).toBeGreaterThanOrEqual(1);
  });

  // Read from the Debian package at test time, never copied into the repository.
  for (const c of examples) {
    test(c.name, async () => {
      expect(await check(c)).toBeGreaterThanOrEqual(1);
    });
  }
});
