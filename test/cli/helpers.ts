/**
 * Helpers for the CLI tests: build the CLI once per vitest run (the test
 * files share a lock), run it as a subprocess, and talk to long-running
 * ones (serve, incremental stdin).
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/**
 * Where this vitest run builds to: a private copy of dist/ (with a
 * node_modules link and a package.json saying ESM), because other work in
 * this checkout rebuilds dist/ at any moment and a half-written dist/ breaks
 * a subprocess at import time.
 */
const BUILD_ROOT = join(tmpdir(), `idlcall-cli-test-${process.ppid}`);
/** The built CLI (dist/cli/main.js of the private build). */
export const CLI = join(BUILD_ROOT, 'dist/cli/main.js');
/** Fixtures of these tests. */
export const FIXTURES = join(ROOT, 'test/fixtures/cli');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `npm run build -- --outDir <private dir>` once per vitest run: the first test file to get the
 * lock builds, the others wait for its stamp. Type errors elsewhere in the
 * tree (other work in progress) do not stop the tests as long as src/cli
 * itself is clean and was emitted.
 */
export async function ensureBuilt(): Promise<void> {
  const lock = `${BUILD_ROOT}.lock`;
  const stamp = join(BUILD_ROOT, 'built');
  if (existsSync(stamp)) return;
  removeStaleBuilds();
  try {
    mkdirSync(lock);
  } catch {
    for (let i = 0; i < 1200 && !existsSync(stamp); i++) await sleep(100);
    if (!existsSync(stamp)) throw new Error('another test file did not finish building the CLI in 120 s');
    return;
  }
  try {
    rmSync(BUILD_ROOT, { recursive: true, force: true });
    mkdirSync(BUILD_ROOT, { recursive: true });
    writeFileSync(join(BUILD_ROOT, 'package.json'), '{"type":"module"}\n');
    symlinkSync(join(ROOT, 'node_modules'), join(BUILD_ROOT, 'node_modules'), 'dir');
    const outDir = join(BUILD_ROOT, 'dist');
    const out = await new Promise<string>((resolve) => {
      execFile('npm', ['run', 'build', '--', '--outDir', outDir], { cwd: ROOT, maxBuffer: 16 << 20 }, (_err, stdout, stderr) =>
        resolve(stdout + stderr),
      );
    });
    const cliErrors = out.split('\n').filter((l) => l.includes('src/cli/'));
    if (cliErrors.length) throw new Error(`src/cli does not compile:\n${cliErrors.join('\n')}`);
    if (!existsSync(CLI)) throw new Error(`the build did not produce ${CLI}:\n${out}`);
    writeFileSync(stamp, 'ok');
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Removes private builds of earlier vitest runs whose process is gone. */
function removeStaleBuilds(): void {
  for (const name of readdirSync(tmpdir())) {
    const m = /^idlcall-cli-test-(\d+)$/.exec(name);
    if (!m || Number(m[1]) === process.ppid) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch {
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}

/** What a finished CLI run left behind. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout as bytes (encode --out raw). */
  stdoutBytes: Buffer;
}

/** Runs the CLI to completion with optional stdin; killed after `timeoutMs`. */
export function runCli(args: string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      resolve({ code, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/** A CLI process kept running, with its output collected as it comes. */
export interface LiveCli {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Waits (bounded) until stdout satisfies `pred`. */
  waitForStdout(pred: (text: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Kills it (SIGTERM, then SIGKILL) if still running. */
  stop(): Promise<void>;
}

/** Starts the CLI and returns at once. */
export function startCli(args: string[]): LiveCli {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdin.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitForStdout(pred, timeoutMs = 10_000) {
      for (let waited = 0; !pred(out); waited += 20) {
        if (waited > timeoutMs) throw new Error(`timed out waiting for output; stdout:\n${out}\nstderr:\n${err}`);
        if (child.exitCode !== null) throw new Error(`the CLI exited (${child.exitCode}); stdout:\n${out}\nstderr:\n${err}`);
        await sleep(20);
      }
      return out;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** The non-empty lines of a text, parsed as JSON. */
export function jsonLines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as unknown);
}
