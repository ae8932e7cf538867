// `npm run bench` (after `npm run build`, which the npm script does first): runs every
// benchmark in bench/ as its own child process, collects their rows, prints one Markdown
// table, and writes bench/results/latest.json and bench/results/latest.md.
//
//   npm run bench                 full run (~8 minutes)
//   npm run bench -- --quick      smoke run (~1–2 minutes): fewer, shorter runs
//   npm run bench -- --only rpc   only the scripts whose name contains "rpc" (repeatable)
//   npm run bench -- --soak       also the soak (bench/soak.mjs, a few minutes): memory under heavy load
//
// Each script runs pinned to CPU 0 (`taskset -c 0`, when taskset exists); the RPC scripts
// start their servers on CPU 1 themselves. Each script gets `--json-out <tmp file>` and
// appends its rows there (bench/lib/report.mjs emitRows). A script that fails or times out
// does not stop the run: its error becomes a row note and the run exits non-zero at the end.
// A script that prints its table but emits no rows yet is noted, not failed.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderMarkdown } from './lib/report.mjs';
import { hasTaskset } from './lib/rpc-harness.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const soak = argv.includes('--soak');
const only = argv.flatMap((a, i) => (argv[i - 1] === '--only' ? [a] : []));

// In table order; `group` names the section for a script that emits nothing.
const SCRIPTS = [
  { file: 'proto-parse.mjs', group: 'proto parse' },
  { file: 'thrift-parse.mjs', group: 'thrift parse' },
  { file: 'proto-codec.mjs', group: 'proto codec' },
  { file: 'proto-codec-tiny.mjs', group: 'proto codec, tiny message (pb.Response, 64 B, through jsonPbGeneric)' },
  { file: 'thrift-codec.mjs', group: 'thrift codec' },
  // --expose-gc: it reports the heap each built schema retains, measured between full GCs.
  { file: 'descriptors.mjs', group: 'descriptor sets and reflection', nodeArgs: ['--expose-gc'] },
  { file: 'grpc-transport.mjs', group: 'gRPC transport' },
  { file: 'ttheader-pingpong.mjs', group: 'Thrift ping-pong transport' },
  { file: 'rpc-grpc.mjs', group: 'gRPC generic client, JSON in/out' },
  { file: 'rpc-pingpong.mjs', group: 'Thrift ping-pong generic client, JSON in/out' },
  { file: 'ttstream.mjs', group: 'TTHeader Streaming vs gRPC, Thrift generic client, JSON in/out' },
  { file: 'server.mjs', group: 'generic server under load (server on CPU 1)' },
  { file: 'cli-bench.mjs', group: 'idlcall bench as a load generator' },
  { file: 'discovery.mjs', group: 'discovery and balancing' },
  { file: 'governance.mjs', group: 'retries and hedging' },
  // heavy (1 GiB per transport, 10,000 connections): only with --soak
  { file: 'soak.mjs', group: 'soak', optIn: true },
]
  .filter((s) => !s.optIn || soak)
  .filter((s) => !only.length || only.some((o) => s.file.includes(o)));

const TIMEOUT_MS = (quick ? 4 : 10) * 60 * 1000; // per script

let current; // the running script's process group, killed if we are stopped
const killCurrent = () => {
  if (current?.pid && current.exitCode === null) {
    try {
      process.kill(-current.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
};
process.on('exit', killCurrent);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    killCurrent();
    process.exit(130);
  });
}

/** Runs one script (with `nodeArgs` for node itself); resolves to { code, signal, stderrTail, ms, timedOut }. */
function runScript(file, jsonOut, nodeArgs = []) {
  const args = [...nodeArgs, join(HERE, file), '--json-out', jsonOut, ...(quick ? ['--quick'] : [])];
  const [cmd, cmdArgs] = hasTaskset ? ['taskset', ['-c', '0', process.execPath, ...args]] : [process.execPath, args];
  const t0 = performance.now();
  return new Promise((resolve) => {
    // detached: the script leads its own process group, so a timeout kills its servers too
    const child = spawn(cmd, cmdArgs, { cwd: ROOT, stdio: ['ignore', 'inherit', 'pipe'], detached: true });
    current = child;
    let tail = '';
    let timedOut = false;
    child.stderr.on('data', (d) => {
      process.stderr.write(d);
      tail = (tail + d).slice(-3000);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      killCurrent();
    }, TIMEOUT_MS);
    const done = (code, signal) => {
      clearTimeout(timer);
      current = undefined;
      resolve({ code, signal, stderrTail: tail, ms: performance.now() - t0, timedOut });
    };
    child.once('error', (e) => {
      tail += String(e);
      done(1, null);
    });
    child.once('exit', (code, signal) => {
      // the group may hold servers the script failed to stop: clean them up
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // none left
      }
      done(code, signal);
    });
  });
}

/** The last meaningful line of a script's stderr (the error message). */
function errorLine(tail) {
  const lines = tail.split('\n').map((l) => l.trim()).filter(Boolean);
  const err = lines.find((l) => /^(\w*Error|Error)\b|^error:/i.test(l));
  return (err ?? lines.at(-1) ?? '').slice(0, 300);
}

async function main() {
  if (!existsSync(join(ROOT, 'dist/index.js'))) {
    console.error('dist/ is missing: run `npm run bench` (it builds first) or `npm run build`.');
    process.exit(1);
  }
  const tmp = mkdtempSync(join(os.tmpdir(), 'idlcall-bench-run-'));
  const started = new Date();
  const load0 = os.loadavg();
  const rows = [];
  const scripts = [];
  let failed = false;
  console.log(`idlcall bench: ${SCRIPTS.length} scripts${quick ? ' (--quick)' : ''}; each pinned to CPU 0${hasTaskset ? '' : ' (no taskset here: not pinned)'}, RPC servers on CPU 1\n`);
  try {
    for (const s of SCRIPTS) {
      const out = join(tmp, `${s.file}.json`);
      console.log(`\n===== ${s.file} =====`);
      const r = await runScript(s.file, out, s.nodeArgs);
      let got = [];
      if (existsSync(out)) {
        try {
          got = JSON.parse(readFileSync(out, 'utf8'));
        } catch (e) {
          got = [];
          r.parseError = String(e.message);
        }
      }
      for (const row of got) {
        row.script = s.file;
        const problems = [];
        if (!row.idlcall?.median) problems.push('no idlcall figure');
        if (!Object.keys(row.peers ?? {}).length) problems.push('no peer figure');
        if (problems.length) {
          row.error = true;
          if (!row.note?.includes('failed')) row.note = [row.note, problems.join(', ')].filter(Boolean).join('; ');
        }
      }
      rows.push(...got);
      const ok = r.code === 0 && !r.timedOut && !r.parseError;
      // A script that ran to the end but had a failing row exits 1 with the failure in that row's note.
      const reportedInRows = r.code === 1 && !r.timedOut && !r.parseError && got.some((x) => x.error) && !errorLine(r.stderrTail);
      if (!ok && reportedInRows) failed = true;
      else if (!ok) {
        failed = true;
        const why = r.timedOut ? `timed out after ${TIMEOUT_MS / 60000} min` : r.parseError ? `bad --json-out file: ${r.parseError}` : `exited ${r.signal ?? r.code}: ${errorLine(r.stderrTail)}`;
        rows.push({ group: got[0]?.group ?? s.group, workload: `${s.file} failed`, unit: '', idlcall: {}, peers: {}, note: why, error: true, script: s.file });
      } else if (!got.length) {
        rows.push({ group: s.group, workload: `${s.file}: no rows emitted`, unit: '', idlcall: {}, peers: {}, note: 'the script does not call emitRows() yet; its own table is printed above', script: s.file });
      }
      if (got.some((x) => x.error)) failed = true;
      scripts.push({ file: s.file, exit: r.code, signal: r.signal, timedOut: r.timedOut, seconds: Math.round(r.ms / 100) / 10, rows: got.length });
      console.log(`----- ${s.file}: ${ok ? 'ok' : 'FAILED'}, ${got.length} rows, ${(r.ms / 1000).toFixed(1)} s`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  const load1 = os.loadavg();
  const cpus = os.cpus();
  const machine = {
    cpus: cpus.length,
    model: cpus[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    pinned: hasTaskset,
    loadavgStart: load0.map((x) => Number(x.toFixed(2))),
    loadavgEnd: load1.map((x) => Number(x.toFixed(2))),
  };
  const table = renderMarkdown(rows);
  const header = [
    `idlcall benchmarks, ${started.toISOString().replace(/\.\d+Z$/, 'Z')}${quick ? ' (--quick: 3 short runs per figure)' : ''}`,
    `Machine: ${machine.cpus} × ${machine.model}, Node ${machine.node}, ${machine.platform}; ${hasTaskset ? 'client on CPU 0, servers on CPU 1 (taskset)' : 'not pinned (no taskset)'}; load average ${machine.loadavgStart[0]} at start, ${machine.loadavgEnd[0]} at end.`,
    'Rates are medians across runs after warm-up (higher is better); ratio = idlcall ÷ peer (above 1× means idlcall is faster); noise = min–max across runs. See bench/README.md.',
  ];
  const md = `${header.join('\n\n')}\n\n${table}\n`;
  console.log(`\n\n${md}`);

  const resultsDir = join(HERE, 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'latest.json'), JSON.stringify({ date: started.toISOString(), quick, machine, scripts, rows }, null, 1));
  writeFileSync(join(resultsDir, 'latest.md'), md);
  const total = scripts.reduce((n, s) => n + s.seconds, 0);
  console.log(`wrote bench/results/latest.json and latest.md (${total.toFixed(0)} s)${failed ? '; some benchmarks FAILED (see the notes above)' : ''}`);
  process.exit(failed ? 1 : 0);
}

await main();
