/**
 * Builds the Go test peers of test/peers/go/<name>/main.go against Debian's grpc-go in GOPATH
 * mode (GO111MODULE=off, GOPATH=<tmp>:GO_DEBIAN_GOPATH; no network). Binaries and Go's build
 * cache are kept under os.tmpdir() by source hash, so a run builds each peer at most once and
 * later runs not at all; concurrent builders each write a temporary file and rename it.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GO_DEBIAN_GOPATH } from './oracles.js';

const PEERS = join(import.meta.dirname, '../peers/go');
const CACHE = join(tmpdir(), 'idlcall-go-peers');

/** The Go peers of the tests. */
export type GoPeerName = 'reflection_server' | 'reflection_client';

/** The path of the built peer, building it first when this source was never built. */
export async function goPeer(name: GoPeerName): Promise<string> {
  const source = readFileSync(join(PEERS, name, 'main.go'));
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const bin = join(CACHE, `${name}-${hash}`);
  if (existsSync(bin)) return bin;
  mkdirSync(CACHE, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'idlcall-go-build-'));
  try {
    mkdirSync(join(work, 'src', name), { recursive: true });
    writeFileSync(join(work, 'src', name, 'main.go'), source);
    const partial = join(work, name);
    await promisify(execFile)('go', ['build', '-o', partial, name], {
      cwd: work,
      timeout: 240_000,
      env: {
        ...process.env,
        GOPATH: `${work}:${GO_DEBIAN_GOPATH}`,
        GO111MODULE: 'off',
        GOFLAGS: '',
        GOCACHE: join(CACHE, 'gocache'),
      },
    });
    renameSync(partial, bin);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return bin;
}

/** A running Go peer that printed its address on its first stdout line. */
export interface GoServer {
  readonly address: string;
  readonly child: ChildProcessWithoutNullStreams;
  /** Sends one command line and waits for its "ok". */
  command(line: string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a Go server peer and waits (bounded) for its address. */
export async function startGoServer(bin: string): Promise<GoServer> {
  const child = spawn(bin, [], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const waitFor = async (pred: () => boolean, what: string): Promise<void> => {
    for (let waited = 0; !pred(); waited += 10) {
      if (waited > 15_000 || child.exitCode !== null) throw new Error(`Go peer: no ${what}; stdout ${out} stderr ${err}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  await waitFor(() => out.includes('\n'), 'address');
  const address = out.slice(0, out.indexOf('\n')).trim();
  let oks = 0;
  return {
    address,
    child,
    async command(line: string) {
      const want = ++oks;
      child.stdin.write(`${line}\n`);
      await waitFor(() => out.split('\n').filter((l) => l === 'ok').length >= want, `"ok" for ${line}`);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('close', r));
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

type JsonLine = Record<string, unknown>;

/** Runs a Go client peer to completion; its stdout as JSON lines. */
export async function runGoClient(bin: string, args: string[]): Promise<JsonLine[]> {
  const { stdout } = await promisify(execFile)(bin, args, { timeout: 60_000 });
  return stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as JsonLine);
}

/** A Go client peer left running: its JSON lines as they come. */
export interface LiveGoClient {
  lines(): JsonLine[];
  /** Waits (bounded) until `count` lines arrived. */
  waitForLines(count: number): Promise<JsonLine[]>;
  readonly exited: Promise<number | null>;
  kill(): void;
}

/** Starts a Go client peer and returns at once. */
export function startGoClient(bin: string, args: string[]): LiveGoClient {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const lines = (): JsonLine[] => out.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as JsonLine);
  return {
    lines,
    async waitForLines(count) {
      for (let waited = 0; lines().length < count; waited += 10) {
        if (waited > 15_000) throw new Error(`Go client: ${lines().length} of ${count} lines; stdout ${out} stderr ${err}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return lines();
    },
    exited: new Promise((r) => child.once('close', r)),
    kill: () => void child.kill('SIGKILL'),
  };
}
