// Where a hedged call's tail latency comes from: every attempt of every call logged (which
// instance, how long after the call started), against one slow (grpc-python, 20 ms) and one fast
// instance (idlcall's server), both on CPU 1; this client on CPU 0 (run it under `taskset -c 0`).
//
//   npm run build && taskset -c 0 node bench/hedge-tail.mjs <seconds> [hedge|fast]
//
// Prints the latency percentiles, the attempt patterns of the calls at or past the p99 (S = slow
// instance, F = fast, in attempt order), a few of them with each attempt's start, and how late
// the hedges left (the hedging delay is 5 ms). `fast`: the fast instance alone, no hedging.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PYTHON } from './lib/oracles.mjs';
import { startTimerProbe } from './lib/timer-probe.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const lib = await import('../dist/index.js');

/** Starts a server on CPU 1; resolves with its port (its first line of output) and process. */
function start(cmd, args) {
  const c = spawn('taskset', ['-c', '1', cmd, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((r) => c.stdout.once('data', (d) => r({ port: Number(String(d).trim()), c })));
}
const fast = await start(process.execPath, [join(ROOT, 'bench/governance.mjs'), 'server', 'fast']);
const slow = await start(PYTHON, [join(ROOT, 'test/peers/grpc_flaky_server.py'), join(ROOT, 'test/fixtures/governance/flaky.proto')]);
const FLAKY = join(ROOT, 'test/fixtures/governance/flaky.proto');
const req = JSON.stringify({ key: 'bench', delayMs: 20, text: 'hello from the governance benchmark' });
const g = lib.jsonPbGeneric(await lib.protoFileProvider(FLAKY));
const hostPorts = [`127.0.0.1:${slow.port}`, `127.0.0.1:${fast.port}`];
const mode = process.argv[3] ?? 'hedge';
const cli = lib.newStreamingClient('idlcall.flaky.Flaky', g, { hostPorts, ...(mode === 'hedge' ? { hedging: { maxAttempts: 2, hedgingDelayMs: 5, nonFatalCodes: ['UNAVAILABLE'] } } : {}) });
const onlyFast = lib.newStreamingClient('idlcall.flaky.Flaky', g, { hostPorts: [hostPorts[1]] });
const c = mode === 'fast' ? onlyFast : cli;
for (let i = 0; i < 200; i++) await c.genericCall('Unary', req);
const recs = [];
const seconds = Number(process.argv[2] ?? 8);
const end = performance.now() + seconds * 1000;
// The same timer probe in this process and, doing nothing else, in a process of its own on CPU 0.
const probe = startTimerProbe();
const bare = spawn('taskset', ['-c', '0', process.execPath, join(ROOT, 'bench/lib/timer-probe.mjs'), String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
let bareOut = '';
bare.stdout.on('data', (d) => (bareOut += d));
const bareDone = new Promise((r) => bare.once('exit', r));
const slowHp = hostPorts[0];
async function worker() {
  while (performance.now() < end) {
    const t0 = performance.now();
    const att = [];
    const onAttempt = (a) => att.push([a.attempt, a.hostPort === slowHp ? 'S' : 'F', +(performance.now() - t0).toFixed(2)]);
    try {
      await c.genericCall('Unary', req, { onAttempt });
    } catch (e) {
      att.push(['err', e.code]);
    }
    recs.push({ ms: performance.now() - t0, att });
  }
}
await Promise.all(Array.from({ length: 8 }, worker));
const inClient = probe.stop();
await bareDone;
console.log(`timer probe in this client: lateness p50 ${inClient.p50Ms.toFixed(3)} p99 ${inClient.p99Ms.toFixed(3)} p99.9 ${inClient.p999Ms.toFixed(3)} max ${inClient.maxMs.toFixed(3)} ms`);
console.log(bareOut.trim());
const lat = recs.map((r) => r.ms).sort((a, b) => a - b);
const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(2);
console.log(mode, 'n', recs.length, 'p50', q(0.5), 'p90', q(0.9), 'p99', q(0.99), 'p99.9', q(0.999));
const tail = recs.filter((r) => r.ms >= Number(lat[Math.floor(0.99 * lat.length)]));
const pat = {};
for (const r of tail) {
  const k = r.att.map((a) => a[1]).join('');
  pat[k] = (pat[k] ?? 0) + 1;
}
console.log('tail patterns', pat);
console.log('tail samples', tail.slice(0, 12).map((r) => `${r.ms.toFixed(1)}:${JSON.stringify(r.att)}`).join(' '));
const hedgeAt = recs.flatMap((r) => r.att.filter((a) => a[0] === 2).map((a) => a[2])).sort((a, b) => a - b);
if (hedgeAt.length) console.log('hedge sent after ms: p50', hedgeAt[hedgeAt.length >> 1], 'p99', hedgeAt[Math.floor(hedgeAt.length * 0.99)], 'max', hedgeAt[hedgeAt.length - 1]);
await Promise.all([cli.close(), onlyFast.close()]);
fast.c.stdin.end();
slow.c.kill();
process.exit(0);
