/**
 * Helpers for the CLI tests: run the built CLI as a subprocess, and talk to
 * long-running ones (serve, incremental stdin).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built CLI; vitest's global setup (test/global-setup.ts) builds dist/ once per run. */
export const CLI = join(ROOT, 'dist/cli/main.js');
/** Fixtures of these tests. */
export const FIXTURES = join(ROOT, 'test/fixtures/cli');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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
