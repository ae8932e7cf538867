// The `idlcall bench` command as a load generator, beside the one a Node user would write.
//
//   npm run build && node bench/cli-bench.mjs [--quick] [--json-out file]
//
// ghz is not available here, so `idlcall bench --cpus 2` is measured beside `idlcall bench
// --cpus 1` and beside a loop over @grpc/grpc-js at the same concurrency (one channel, 64 calls
// in flight, JSON.parse in and JSON.stringify out as users holding JSON do, like rpc-grpc.mjs).
// Each generator is its own process, started fresh for every run, against one server: idlcall's
// newGenericServer (UnaryEcho of examples/idl/streaming.proto, gRPC only) pinned to CPU 1.
// `--cpus 1` and the grpc-js loop run pinned to CPU 0; `--cpus 2` may use CPU 0 and CPU 1, so
// its second thread shares CPU 1 with the server (a two-core machine has no third core). Runs are
// interleaved (A B C, A B C, …) after one discarded warm-up round; medians are reported.
//
// Figures per generator: calls/s over the whole run, and its own CPU per call (every thread of
// the process, from start of the calls to the end, as `idlcall bench` reports it and as the
// loop measures itself), and the server's CPU use during the run.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchArgs, emitRows, renderMarkdown, stat } from './lib/report.mjs';
import { hasTaskset, pinSelf, processCpuSeconds, serveUntilParentCloses, startServer } from './lib/rpc-harness.mjs';
import { summarize } from './lib/measure.mjs';

const SELF = fileURLToPath(import.meta.url);
const ROOT = join(dirname(SELF), '..');
const PROTO = join(ROOT, 'examples/idl/streaming.proto');
const REQUEST = JSON.stringify({ message: 'hello from the generic client benchmark, sixty-four bytes long!' });
const CONCURRENCY = 64;
const mode = process.argv[2];

// ------------------------------------------------------------------ server child (CPU 1)
async function runServer() {
  const { jsonPbGeneric, newGenericServer, protoFileProvider } = await import('../dist/index.js');
  const server = newGenericServer(jsonPbGeneric(await protoFileProvider(PROTO)), { UnaryEcho: (req) => req }, { transports: ['grpc'] });
  await serveUntilParentCloses(server);
}

// ------------------------------------------------------------------ the grpc-js loop (CPU 0)
async function runGrpcJsLoop(port, concurrency, durationMs) {
  const grpc = await import('@grpc/grpc-js');
  const loader = await import('@grpc/proto-loader');
  const def = loader.loadSync(PROTO, { longs: String, enums: String, defaults: false, oneofs: true });
  const client = new (grpc.loadPackageDefinition(def).pb.StreamingService)(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call = () =>
    new Promise((resolve, reject) => client.UnaryEcho(JSON.parse(REQUEST), (e, r) => (e ? reject(e) : resolve(JSON.stringify(r)))));
  await call(); // connected before the clock starts, as idlcall bench starts once its clients exist
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + durationMs;
  let ok = 0;
  let failed = 0;
  const worker = async () => {
    for (let k = 0; k < 1e7 && performance.now() < deadline; k++) {
      try {
        await call();
        ok++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  client.close();
  process.stdout.write(JSON.stringify({ callsPerSec: ((ok + failed) * 1000) / ms, ok, failed, cpuUsPerCall: (cpu.user + cpu.system) / Math.max(1, ok + failed) }) + '\n');
}

// ------------------------------------------------------------------ parent
/** Runs a generator process, optionally pinned to `cpus`; resolves to its JSON line. */
function runGenerator(args, cpus) {
  const [cmd, argv] = hasTaskset ? ['taskset', ['-c', cpus, process.execPath, ...args]] : [process.execPath, args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err = (err + d).slice(-2000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${args.slice(0, 3).join(' ')} exited ${code}: ${err.trim().split('\n').pop()}`));
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`not JSON: ${out.slice(0, 200)}`));
      }
    });
  });
}

async function main() {
  const { quick } = benchArgs();
  const runs = quick ? 3 : 5;
  const seconds = quick ? 2 : 5;
  pinSelf(0);
  const server = await startServer(process.execPath, [SELF, 'server'], { cpu: 1 });
  const target = `127.0.0.1:${server.port}`;
  const idlcall = (cpus) => ({
    args: [join(ROOT, 'dist/cli/main.js'), 'bench', target, 'pb.StreamingService/UnaryEcho', '--idl', PROTO, '-d', REQUEST, '-c', String(CONCURRENCY), '-z', `${seconds}s`, '--cpus', String(cpus), '-O', 'json'],
    read: (r) => {
      if (r.errors) throw new Error(`idlcall bench --cpus ${cpus}: ${r.errors} calls failed`);
      return { rate: r.callsPerSec, cpuUs: r.cpu.perCallUs };
    },
  });
  const generators = {
    'idlcall bench --cpus 2': { ...idlcall(2), pin: '0,1' },
    'idlcall bench --cpus 1': { ...idlcall(1), pin: '0' },
    '@grpc/grpc-js loop': {
      args: [SELF, 'grpcjs', String(server.port), String(CONCURRENCY), String(seconds * 1000)],
      pin: '0',
      read: (r) => {
        if (r.failed) throw new Error(`grpc-js loop: ${r.failed} calls failed`);
        return { rate: r.callsPerSec, cpuUs: r.cpuUsPerCall };
      },
    },
  };
  const figures = Object.fromEntries(Object.keys(generators).map((k) => [k, { rate: [], cpuUs: [], serverPct: [] }]));
  try {
    for (let round = 0; round <= runs; round++) {
      for (const [name, g] of Object.entries(generators)) {
        const s0 = processCpuSeconds(server.pid);
        const t0 = performance.now();
        const r = g.read(await runGenerator(g.args, g.pin));
        const wall = performance.now() - t0;
        const s1 = processCpuSeconds(server.pid);
        console.log(`${round === 0 ? 'warm-up' : `run ${round}`}: ${name}: ${r.rate.toFixed(0)} calls/s, ${r.cpuUs.toFixed(1)} µs CPU per call`);
        if (round === 0) continue;
        figures[name].rate.push(r.rate);
        figures[name].cpuUs.push(r.cpuUs);
        // The server's share of a core over the generator's whole life (its start-up too): a lower bound while calls flow.
        if (s0 !== undefined && s1 !== undefined) figures[name].serverPct.push((100 * (s1 - s0) * 1000) / wall);
      }
    }
  } finally {
    await server.stop();
  }
  const med = (xs) => summarize(xs).median;
  const extraOf = (name) => ({ cpuUsPerOp: med(figures[name].cpuUs), serverCpuPct: med(figures[name].serverPct) });
  const group = `idlcall bench as a load generator (gRPC unary echo, concurrency ${CONCURRENCY}; server: idlcall newGenericServer on CPU 1)`;
  const [two, one, grpcjs] = Object.keys(generators);
  const rows = [
    {
      group,
      workload: 'idlcall bench --cpus 2 (threads on CPU 0 and 1; the second shares CPU 1 with the server)',
      unit: 'calls/s',
      idlcall: stat(summarize(figures[two].rate)),
      peers: { [one]: stat(summarize(figures[one].rate)), [grpcjs]: stat(summarize(figures[grpcjs].rate)) },
      extra: extraOf(two),
      peerExtra: { [one]: extraOf(one), [grpcjs]: extraOf(grpcjs) },
      note: 'generator CPU per call counts every thread of its process; --cpus 2 opens 2 connections, the others 1',
    },
    {
      group,
      workload: 'idlcall bench --cpus 1 (CPU 0)',
      unit: 'calls/s',
      idlcall: stat(summarize(figures[one].rate)),
      peers: { [grpcjs]: stat(summarize(figures[grpcjs].rate)) },
      extra: extraOf(one),
      peerExtra: { [grpcjs]: extraOf(grpcjs) },
    },
  ];
  emitRows(rows);
  console.log(`\n${renderMarkdown(rows)}\n`);
}

if (mode === 'server') await runServer();
else if (mode === 'grpcjs') await runGrpcJsLoop(Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5]));
else await main();
