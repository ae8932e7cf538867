// Process plumbing for the full-stack RPC benches (bench/rpc-grpc.mjs, bench/rpc-pingpong.mjs).
//
// Layout of one run: this (parent) process pins itself to CPU 0; each server runs in its own
// child process pinned to CPU 1 (`taskset -c 1`); each client implementation runs in its own
// forked child (inheriting CPU 0), so its peak RSS and CPU time are its own. The parent only
// orchestrates over IPC: it warms every client, then interleaves their timed runs
// (A B C, A B C, …) so that load from elsewhere on the machine falls on all of them alike.
//
// Every child is killed when the parent exits, on success, error or signal. Every loop is
// bounded in time and count, and every IPC request has a timeout.
import { execFileSync, fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Histogram } from './histogram.mjs';
import { summarize } from './measure.mjs';
import { startTimerProbe } from './timer-probe.mjs';

// ------------------------------------------------------------------ parent side

const children = new Set();
function killAll() {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    killAll();
    process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
  });
}
function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** BENCH_CPU_PROF=dir: every Node client and server child writes a V8 CPU profile there (open in Chrome DevTools). */
function profileArgs() {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/** BENCH_CLIENT_FLAGS="--trace-gc …": more Node flags for every client child (a server's stdout carries its port). */
const clientFlags = () => process.env.BENCH_CLIENT_FLAGS?.split(' ').filter(Boolean) ?? [];

/** Whether `taskset` can pin processes here. */
export const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Pins this process (and the children it forks later) to one CPU; false when it cannot. */
export function pinSelf(cpu = 0) {
  if (!hasTaskset) return false;
  try {
    execFileSync('taskset', ['-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** utime + stime of a process in seconds (all its threads), from /proc; undefined off Linux. */
export function processCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/**
 * Starts a server child pinned to `cpu`. It must print its port as the first line of stdout
 * and exit when its stdin closes (bench/*.mjs `server` modes and test/peers/*.py do).
 * @returns {Promise<{ port: number, pid: number, stop: () => Promise<void>, stderr: () => string }>}
 */
export async function startServer(cmd, args, opts = {}) {
  try {
    return await startServerOnce(cmd, args, opts);
  } catch (e) {
    // One retry: a concurrent `npm run build` can leave dist/ half-written for a moment.
    await new Promise((r) => setTimeout(r, 3000));
    return startServerOnce(cmd, args, opts);
  }
}

async function startServerOnce(cmd, args, { cpu = 1, timeoutMs = 60000, env } = {}) {
  if (cmd === process.execPath) args = [...profileArgs(), ...args];
  const [file, argv] = hasTaskset ? ['taskset', ['-c', String(cpu), cmd, ...args]] : [cmd, args];
  const child = track(spawn(file, argv, { stdio: ['pipe', 'pipe', 'pipe'], env: env ?? process.env }));
  let err = '';
  child.stderr.on('data', (d) => {
    err = (err + d).slice(-4000);
  });
  child.stdin.on('error', () => {});
  const port = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${cmd} ${args.join(' ')}: no port within ${timeoutMs} ms\n${err}`)), timeoutMs);
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        const port = Number(out.slice(0, nl).trim());
        if (Number.isInteger(port) && port > 0) resolve(port);
        else reject(new Error(`${cmd}: first line is not a port: ${out.slice(0, nl)}\n${err}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} ${args.join(' ')} exited (${code}) before printing its port: ${lastLine(err)}\n${err}`));
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
  child.stdout.resume();
  return {
    port,
    pid: child.pid,
    stderr: () => err,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin.end();
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Forks a client child (`script client <config JSON>`) and waits for it to be ready. */
async function startClient(script, config, timeoutMs = 60000) {
  const child = track(fork(script, ['client', JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...process.execArgv, ...profileArgs(), ...clientFlags()] }));
  let nextId = 1;
  const pending = new Map();
  let dead;
  child.on('message', (m) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.error) p.reject(new Error(m.error));
    else p.resolve(m.result);
  });
  child.once('exit', (code, signal) => {
    dead = new Error(`client ${config.impl} exited (${signal ?? code})`);
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(dead);
    }
    pending.clear();
  });
  const request = (op, args = {}, ms = timeoutMs) =>
    new Promise((resolve, reject) => {
      if (dead) return reject(dead);
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`client ${config.impl}: ${op} timed out after ${ms} ms`));
        child.kill('SIGKILL');
      }, ms);
      pending.set(id, { resolve, reject, timer });
      child.send({ id, op, ...args });
    });
  try {
    await request('ready');
  } catch (e) {
    child.kill('SIGKILL'); // a client whose setup failed would otherwise keep its IPC channel (and us) alive
    throw e;
  }
  const exited = new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', r)));
  return {
    request,
    /** Kills the child, after `graceMs` for it to exit by itself (and write a CPU profile). */
    kill: async (graceMs = 0) => {
      if (graceMs) await Promise.race([exited, new Promise((r) => setTimeout(r, graceMs))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/**
 * Measures one row: every client implementation in its own child, warmed, then `runs`
 * interleaved timed runs of `runMs` each.
 * @param {{ script: string, clients: { name: string, config: object }[], warmupMs: number, runMs: number, runs: number, serverPid?: number }} o
 * @returns {Promise<Record<string, { median, min, max, runs, cpuUsPerOp, cpuRuns, p50Ms, p99Ms, peakRssMb, serverCpuPct } | { error: string }>>}
 *   (runs: each run's rate; cpuRuns: each run's client CPU µs per op, in run order, so two clients' runs pair up)
 */
export async function measureRow({ script, clients, warmupMs, runMs, runs, serverPid }) {
  const live = {};
  const out = {};
  try {
    for (const c of clients) {
      try {
        live[c.name] = await startClient(script, c.config);
      } catch (e) {
        out[c.name] = { error: firstLine(e) };
      }
    }
    for (const name of Object.keys(live)) {
      try {
        await live[name].request('warm', { ms: warmupMs }, warmupMs + 60000);
      } catch (e) {
        out[name] = { error: firstLine(e) };
        live[name].kill();
        delete live[name];
      }
    }
    const rates = {};
    const cpu = {};
    const server = {};
    for (let r = 0; r < runs; r++) {
      for (const name of Object.keys(live)) {
        try {
          const s0 = serverPid ? processCpuSeconds(serverPid) : undefined;
          const t0 = performance.now();
          const res = await live[name].request('run', { ms: runMs }, runMs + 60000);
          const wall = performance.now() - t0;
          const s1 = serverPid ? processCpuSeconds(serverPid) : undefined;
          (rates[name] ??= []).push((res.n * 1000) / res.ms);
          (cpu[name] ??= []).push(res.cpuUs / Math.max(1, res.n));
          if (s0 !== undefined && s1 !== undefined) (server[name] ??= []).push((100 * (s1 - s0) * 1000) / wall);
        } catch (e) {
          out[name] = { error: firstLine(e) };
          live[name].kill();
          delete live[name];
        }
      }
    }
    for (const name of Object.keys(live)) {
      try {
        const fin = await live[name].request('finish', {}, 30000);
        const med = (xs) => (xs?.length ? summarize(xs).median : undefined);
        out[name] = { ...summarize(rates[name]), cpuUsPerOp: med(cpu[name]), cpuRuns: cpu[name], serverCpuPct: med(server[name]), ...fin };
      } catch (e) {
        out[name] = { error: firstLine(e) };
      }
    }
  } finally {
    await Promise.all(Object.values(live).map((c) => c.kill(5000))); // after 'finish' they exit by themselves
  }
  return out;
}

const lastLine = (text) => text.trim().split('\n').filter((l) => /error/i.test(l)).pop() ?? text.trim().split('\n').pop() ?? '';
const firstLine = (e) => String(e?.message ?? e).split('\n')[0];

// ------------------------------------------------------------------ server side

/**
 * The server child's life: starts `server`, tells the parent its port on stdout, then closes it
 * and exits when the parent closes stdin — or after 30 minutes, so a child never outlives a run.
 */
export async function serveUntilParentCloses(server) {
  const { port } = await server.start();
  process.stdout.write(`${port}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => server.close().finally(() => process.exit(0)));
  setTimeout(() => process.exit(0), 30 * 60 * 1000).unref();
}

// ------------------------------------------------------------------ client side

/**
 * The client child's loop. `setup()` connects and returns
 * `{ op: () => Promise<number>, concurrency, latency, close }`: `op` does one unit of work
 * (one call, or one stream of many messages) and resolves to the messages it counted;
 * `concurrency` workers run `op` back to back; with `latency`, each op's time goes into a
 * histogram (p50/p99 reported at the end, timed runs only); with `timerProbe`, a
 * setTimeout(5) loop runs beside the calls and how late it fired during the timed runs is
 * reported too (timerLateP50Ms, timerLateP99Ms): how long the client's event loop was held up.
 */
export function serveClient(setup) {
  const hist = new Histogram();
  const lateness = new Histogram();
  let late;
  let w;
  let setupError;
  const ready = setup().then(
    (x) => (w = x),
    (e) => (setupError = e),
  );
  const MAX_OPS_PER_WORKER = 5e6;
  const WARM_WINDOW_MS = 250;
  const WARM_MAX_EXTRA_MS = 4000;

  async function runFor(ms, record) {
    const start = performance.now();
    const deadline = start + ms;
    let n = 0;
    const worker = async () => {
      for (let k = 0; k < MAX_OPS_PER_WORKER; k++) {
        const t0 = performance.now();
        if (t0 >= deadline) break;
        const done = await w.op(); // not `n += await …`: that reads n before the await and loses updates
        n += done;
        if (record) hist.record(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: w.concurrency ?? 1 }, worker));
    return { n, ms: performance.now() - start };
  }

  /**
   * Runs for `ms`, then on in windows until the rate has settled (two windows in a row within
   * 10% of the one before), at most WARM_MAX_EXTRA_MS more. A fresh process takes V8 a second or
   * two to compile a path as long as node:http2's: at unary concurrency 64 the gRPC rows ran at
   * a fifth to a third of their settled rate through a 200 ms warm-up (--quick), which read as a
   * transport stall.
   */
  async function warmUp(ms) {
    await runFor(ms, false);
    let before = 0;
    let steady = 0;
    for (let spent = 0; spent < WARM_MAX_EXTRA_MS && steady < 2; spent += WARM_WINDOW_MS) {
      const { n, ms: took } = await runFor(WARM_WINDOW_MS, false);
      const rate = n / took;
      steady = before > 0 && Math.abs(rate - before) <= 0.1 * before ? steady + 1 : 0;
      before = rate;
    }
  }

  process.on('message', async (m) => {
    const reply = (result) => process.send({ id: m.id, result });
    try {
      await ready;
      if (setupError) throw setupError;
      if (m.op === 'ready') reply(true);
      else if (m.op === 'warm') {
        await warmUp(m.ms);
        reply(true);
      } else if (m.op === 'run') {
        const probe = w.timerProbe ? startTimerProbe(5, lateness) : undefined;
        const c0 = process.cpuUsage();
        const { n, ms } = await runFor(m.ms, Boolean(w.latency));
        const c = process.cpuUsage(c0);
        if (probe) late = probe.stop();
        reply({ n, ms, cpuUs: c.user + c.system });
      } else if (m.op === 'finish') {
        const result = { peakRssMb: process.resourceUsage().maxRSS / 1024 };
        if (w.latency && hist.total) Object.assign(result, { p50Ms: hist.percentile(50), p99Ms: hist.percentile(99) });
        if (late) Object.assign(result, { timerLateP50Ms: late.p50Ms, timerLateP99Ms: late.p99Ms });
        reply(result);
        await Promise.race([w.close?.(), new Promise((r) => setTimeout(r, 2000))]);
        process.exit(0);
      }
    } catch (e) {
      // name and message first (a SyntaxError's stack starts with the source line instead)
      process.send({ id: m.id, error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e) });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

/** An async iterable fed by push()/end(): request streams for APIs that take one (connect). */
export function pushable() {
  const queue = [];
  let wake;
  let done = false;
  return {
    push(v) {
      queue.push(v);
      if (wake) wake();
      wake = undefined;
    },
    end() {
      done = true;
      if (wake) wake();
      wake = undefined;
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (queue.length) yield queue.shift();
        else if (done) return;
        else await new Promise((r) => (wake = r));
      }
    },
  };
}
