/**
 * The repository stands on its own: no file names a path of one machine, a path outside the
 * repository, or (outside the two oracle modules, CI and the docs) a system path. A fresh clone
 * then tests and runs the same on any machine.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const THIS_FILE = relative(ROOT, import.meta.filename);

/** The files git tracks, or (outside a git checkout, e.g. an unpacked tarball) every file but dependencies and builds. */
function trackedFiles(): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\0').filter(Boolean);
  } catch {
    const out: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(join(ROOT, dir))) {
        if (['node_modules', 'dist', '.git'].includes(name)) continue;
        const rel = dir ? `${dir}/${name}` : name;
        if (statSync(join(ROOT, rel)).isDirectory()) walk(rel);
        else out.push(rel);
      }
    };
    walk('');
    return out;
  }
}

/** Text files only: binary captures and certificates hold bytes, not paths. */
function isText(file: string): boolean {
  return !/\.(bin|pb|png|pem)$/.test(file);
}

/** Where Debian package paths may be named: the oracle modules, CI, and prose describing the environment. */
function mayNameSystemPaths(file: string): boolean {
  return file === 'test/support/oracles.ts' || file === 'bench/lib/oracles.mjs' || file.startsWith('.ci/') || file.endsWith('.md');
}

const MACHINE_PATH = /(?:^|[\s"'`(=:,[])(\/(?:work|home|root|Users|mnt|media)\/[\w.-]+|[A-Za-z]:\\[\w.-]+)/;
const OUTSIDE_REPOSITORY = /\.\.\/(?:\.\.\/)*shared\b|\/shared\/wire\b/;
const SYSTEM_PATH = /(?:^|[\s"'`(=:,[])\/(?:usr|etc|opt|var|tmp|bin|sbin|lib|srv)\/[\w.-]+/;

/** Each offending line as `file:line: text`. */
function offences(files: string[], pattern: RegExp, skip: (file: string) => boolean): string[] {
  const out: string[] = [];
  for (const file of files) {
    if (file === THIS_FILE || !isText(file) || skip(file)) continue;
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (pattern.test(line)) out.push(`${file}:${i + 1}: ${line.trim().slice(0, 160)}`);
    });
  }
  return out;
}

describe('the repository stands on its own', () => {
  const files = trackedFiles();

  it('sees the files it scans', () => {
    expect(files).toContain('package.json');
    expect(files).toContain('test/support/oracles.ts');
  });

  it('no absolute path of one machine', () => {
    expect(offences(files, MACHINE_PATH, () => false)).toEqual([]);
  });

  it('no path outside the repository', () => {
    expect(offences(files, OUTSIDE_REPOSITORY, () => false)).toEqual([]);
  });

  it('system paths only in the oracle modules, CI and the docs', () => {
    expect(offences(files, SYSTEM_PATH, mayNameSystemPaths)).toEqual([]);
  });

  it('the patterns catch what they are meant to', () => {
    expect(MACHINE_PATH.test("const WIRE_DIR = '/work/shared/wire';")).toBe(true);
    expect(MACHINE_PATH.test('cd /home/me/src')).toBe(true);
    expect(OUTSIDE_REPOSITORY.test("const WIRE = '../shared/wire';")).toBe(true);
    expect(OUTSIDE_REPOSITORY.test("new URL('../../../shared/wire/', import.meta.url)")).toBe(true);
    expect(SYSTEM_PATH.test("spawn('/usr/bin/python3', [])")).toBe(true);
    expect(SYSTEM_PATH.test("includeDirs: [dir, '/usr/include']")).toBe(true);
    // Not paths: URL paths, gRPC method paths, division, comments about folders.
    expect(MACHINE_PATH.test("':path': '/pb.StreamingService/UnaryEcho'")).toBe(false);
    expect(SYSTEM_PATH.test('http://127.0.0.1:8888/usr')).toBe(false);
    expect(SYSTEM_PATH.test('const x = a / b;')).toBe(false);
  });
});
