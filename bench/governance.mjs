// Retries, hedging and the cost of having neither, at the generic-client level (JSON in and out).
//
//   npm run build && node bench/governance.mjs [--quick] [--runs N] [--concurrency N] [--filter text] [--json-out file] [--base DIST]
//   (--base: the dist/ folder of a build of main — a `git worktree add <dir> main` built there
//    with `npx tsc -p tsconfig.build.json` — to measure this branch's retry-free rows against;
//    without it those rows are skipped)
//
// Servers, each in its own child on CPU 1. Hedging (test/fixtures/governance/flaky.proto Unary):
// "fast" is idlcall's generic server answering at once; "slow" is grpc-python
// (test/peers/grpc_flaky_server.py) answering after the request's delayMs = SLOW_MS. The slow one
// is not a Node server on purpose: Node's HTTP/2 (nghttp2's rapid-reset defence, not adjustable on
// Node 20) ends a session with GOAWAY past 1000 RST_STREAMs at more than 33 a second, and every
// hedge that loses sends one — that limit, not the client, would be measured. Retries
// (examples/idl/streaming.proto UnaryEcho): "flaky", idlcall's server failing every
// FLAKY_EVERY-th first attempt with UNAVAILABLE. Baselines: "echo" (UnaryEcho at once) and
// "thrift" (streaming.thrift EchoPingPong over TTHeader).
// Clients in child processes on CPU 0, CONCURRENCY calls in flight, round robin over the instances:
//   idlcall   newStreamingClient with `hedging` / `retry` options;
//   grpc-js   @grpc/grpc-js with the same policies as a service config (hedgingPolicy,
//             retryPolicy; round_robin over an ipv4: target naming both instances).
// Beside each row, bench/lib/timer-probe.mjs runs alone on CPU 0, and inside each client: how late
// a setTimeout(5) fires there (p99) tells the machine's stalls from the client's own.
// Rows: the fast instance alone (the p99 to get close to); slow + fast without hedging; slow +
// fast hedged (a second attempt after HEDGE_DELAY_MS); the flaky instance (its first attempts fail
// now and then) with a retry policy;
// and, with --base, idlcall without any policy on this branch beside main's build.
import { join, dirname } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchArgs, emitRows, renderMarkdown, stat } from './lib/report.mjs';
import { hasTaskset, measureRow, pinSelf, serveClient, serveUntilParentCloses, startServer } from './lib/rpc-harness.mjs';
import { PYTHON } from './lib/oracles.mjs';

const SELF = fileURLToPath(import.meta.url);
const ROOT = join(dirname(SELF), '..');
const THRIFT = join(ROOT, 'examples/idl/streaming.thrift');
const ECHO = { proto: join(ROOT, 'examples/idl/streaming.proto'), service: 'pb.StreamingService', method: 'UnaryEcho', request: JSON.stringify({ message: 'hello from the governance benchmark' }) };
const FLAKY = { proto: join(ROOT, 'test/fixtures/governance/flaky.proto'), service: 'idlcall.flaky.Flaky', method: 'Unary' };
const SLOW_MS = 20;
FLAKY.request = JSON.stringify({ key: 'bench', delayMs: SLOW_MS, text: 'hello from the governance benchmark' });
const HEDGE_DELAY_MS = 5;
const FLAKY_EVERY = 5;
const ci = process.argv.indexOf('--concurrency');
const CONCURRENCY = ci > 0 ? Number(process.argv[ci + 1]) : 8;
const mode = process.argv[2];

// ------------------------------------------------------------------ server children
async function runServer(kind) {
  const idlcall = await import('../dist/index.js');
  const { Code, RpcError, newGenericServer } = idlcall;
  let server;
  if (kind === 'thrift') {
    const generic = idlcall.jsonThriftGeneric(await idlcall.thriftFileProvider(THRIFT));
    server = newGenericServer(generic, { EchoPingPong: (req) => req }, { transports: ['ttheader'] });
  } else if (kind === 'fast') {
    const generic = idlcall.jsonPbGeneric(await idlcall.protoFileProvider(FLAKY.proto));
    const reply = JSON.stringify({ text: 'fast', call: 1 });
    server = newGenericServer(generic, { Unary: () => reply }, { transports: ['grpc'] });
  } else {
    const generic = idlcall.jsonPbGeneric(await idlcall.protoFileProvider(ECHO.proto));
    let n = 0;
    const handler = {
      echo: (req) => req,
      // first attempts only (retries carry grpc-previous-rpc-attempts), so that every retried call succeeds
      flaky: (req, ctx) => {
        if (ctx.metadata['grpc-previous-rpc-attempts'] === undefined && ++n % FLAKY_EVERY === 0) throw new RpcError(Code.UNAVAILABLE, 'flaky');
        return req;
      },
    }[kind];
    server = newGenericServer(generic, { UnaryEcho: handler }, { transports: ['grpc'] });
  }
  await serveUntilParentCloses(server);
}

// ------------------------------------------------------------------ client children
let sink;
globalThis.__governanceSink = () => sink;

async function setupClient(cfg) {
  const api = await (cfg.impl === 'grpc-js' ? grpcJsClient(cfg) : idlcallClient(cfg));
  if (!(await api.unary())) throw new Error(`${cfg.impl}: nothing returned`);
  return { op: api.unary, concurrency: cfg.concurrency, latency: true, timerProbe: true, close: api.close };
}

async function idlcallClient(cfg) {
  const idlcall = await import(cfg.dist ? pathToFileURL(join(cfg.dist, 'index.js')).href : '../dist/index.js');
  const hostPorts = cfg.ports.map((p) => `127.0.0.1:${p}`);
  if (cfg.thrift) {
    const generic = idlcall.jsonThriftGeneric(await idlcall.thriftFileProvider(THRIFT));
    const cli = idlcall.newClient('echo', generic, { hostPorts, transport: 'ttheader', maxConnectionsPerHost: cfg.concurrency });
    return {
      close: () => cli.close(),
      unary: async () => ((sink = await cli.genericCall('EchoPingPong', ECHO.request)), 1),
    };
  }
  const idl = cfg.flaky ? FLAKY : ECHO;
  const generic = idlcall.jsonPbGeneric(await idlcall.protoFileProvider(idl.proto));
  const cli = idlcall.newStreamingClient(idl.service, generic, { hostPorts, ...(cfg.hedging ? { hedging: cfg.hedging } : {}), ...(cfg.retry ? { retry: cfg.retry } : {}) });
  return {
    close: () => cli.close(),
    unary: async () => ((sink = await cli.genericCall(idl.method, idl.request)), 1),
  };
}

async function grpcJsClient(cfg) {
  const grpc = await import('@grpc/grpc-js');
  const loader = await import('@grpc/proto-loader');
  const idl = cfg.flaky ? FLAKY : ECHO;
  const def = loader.loadSync(idl.proto, { longs: String, enums: String, defaults: false, oneofs: true });
  let Svc = grpc.loadPackageDefinition(def);
  for (const part of idl.service.split('.')) Svc = Svc[part];
  const methodConfig = { name: [{ service: idl.service }] };
  if (cfg.hedging) methodConfig.hedgingPolicy = { maxAttempts: cfg.hedging.maxAttempts, hedgingDelay: `${cfg.hedging.hedgingDelayMs / 1000}s`, nonFatalStatusCodes: cfg.hedging.nonFatalCodes };
  if (cfg.retry) {
    const r = cfg.retry;
    methodConfig.retryPolicy = { maxAttempts: r.maxAttempts, initialBackoff: `${r.initialBackoffMs / 1000}s`, maxBackoff: `${r.maxBackoffMs / 1000}s`, backoffMultiplier: r.backoffMultiplier, retryableStatusCodes: r.retryableCodes };
  }
  const serviceConfig = { loadBalancingConfig: [{ round_robin: {} }], methodConfig: [methodConfig] };
  const target = `ipv4:${cfg.ports.map((p) => `127.0.0.1:${p}`).join(',')}`;
  const c = new Svc(target, grpc.credentials.createInsecure(), { 'grpc.service_config': JSON.stringify(serviceConfig) });
  return {
    close: async () => c.close(),
    unary: () =>
      new Promise((resolve, reject) =>
        c[idl.method](JSON.parse(idl.request), (e, r) => {
          if (e) return reject(e);
          sink = JSON.stringify(r);
          resolve(1);
        }),
      ),
  };
}

// ------------------------------------------------------------------ parent
/**
 * bench/lib/timer-probe.mjs alone on the clients' CPU for one row: how late a process doing
 * nothing but setTimeout(5) is woken there — the machine's own share of the clients' tails.
 */
function bareProbe() {
  const args = [join(ROOT, 'bench/lib/timer-probe.mjs'), '--until-stdin-ends'];
  const child = hasTaskset ? spawn('taskset', ['-c', '0', process.execPath, ...args], { stdio: ['pipe', 'pipe', 'inherit'] }) : spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const exited = new Promise((r) => child.once('exit', r));
  return {
    async stop() {
      child.stdin.end();
      await exited;
      try {
        return JSON.parse(out);
      } catch {
        return undefined;
      }
    },
  };
}

async function main() {
  const { quick } = benchArgs();
  const bi = process.argv.indexOf('--base');
  const base = bi > 0 ? process.argv[bi + 1] : undefined;
  pinSelf(0);
  const timing = quick ? { warmupMs: 500, runMs: 1000, runs: 3 } : { warmupMs: 1500, runMs: 3000, runs: 5 };
  const ri = process.argv.indexOf('--runs');
  if (ri > 0) timing.runs = Number(process.argv[ri + 1]);
  const fi = process.argv.indexOf('--filter');
  const filter = fi > 0 ? process.argv[fi + 1].toLowerCase() : undefined;
  const servers = {};
  for (const kind of ['fast', 'echo', 'flaky', 'thrift']) servers[kind] = await startServer(process.execPath, [SELF, 'server', kind]);
  servers.slow = await startServer(PYTHON, [join(ROOT, 'test/peers/grpc_flaky_server.py'), FLAKY.proto]);
  const group = `retries and hedging, unary, ${CONCURRENCY} calls in flight (server: idlcall newGenericServer)`;
  const hedging = { maxAttempts: 2, hedgingDelayMs: HEDGE_DELAY_MS, nonFatalCodes: ['UNAVAILABLE'] };
  const retry = { maxAttempts: 3, initialBackoffMs: 1, maxBackoffMs: 10, backoffMultiplier: 2, retryableCodes: ['UNAVAILABLE'] };
  const p = (k) => servers[k].port;
  const rows = [];
  const both = (policy) => ['idlcall', 'grpc-js'].map((impl) => ({ name: impl, config: { impl, concurrency: CONCURRENCY, ...policy } }));
  const plans = [
    { workload: 'fast instance alone (idlcall server), no policy', clients: both({ ports: [p('fast')], flaky: true }) },
    { workload: `slow (grpc-python, ${SLOW_MS} ms) + fast instance, no hedging`, clients: both({ ports: [p('slow'), p('fast')], flaky: true }) },
    { workload: `slow + fast instance, hedged (2 attempts, ${HEDGE_DELAY_MS} ms apart)`, clients: both({ ports: [p('slow'), p('fast')], flaky: true, hedging }) },
    { workload: `flaky instance (every ${FLAKY_EVERY}th call UNAVAILABLE), retry policy (3 attempts)`, clients: both({ ports: [p('flaky')], retry }) },
  ];
  if (base) {
    const vsMain = (workload, config) => ({
      workload,
      baseline: true,
      clients: [
        { name: 'idlcall', config: { impl: 'idlcall', ...config } },
        { name: 'idlcall main', config: { impl: 'idlcall', dist: base, ...config } },
      ],
    });
    plans.push(
      vsMain('no policy, gRPC unary, concurrency 1 (this branch vs main)', { ports: [p('echo')], concurrency: 1 }),
      vsMain('no policy, gRPC unary, concurrency 64 (this branch vs main)', { ports: [p('echo')], concurrency: 64 }),
      vsMain('no policy, TTHeader ping-pong, concurrency 64 (this branch vs main)', { ports: [p('thrift')], concurrency: 64, thrift: true }),
    );
  }
  console.log(`governance: clients in child processes${hasTaskset ? ' on CPU 0, servers on CPU 1' : ''}; ${timing.runs} interleaved runs of ${timing.runMs} ms after ${timing.warmupMs} ms warm-up`);
  try {
    for (const plan of plans.filter((x) => !filter || x.workload.toLowerCase().includes(filter))) {
      const bare = bareProbe();
      const res = await measureRow({ script: SELF, clients: plan.clients, ...timing });
      const machine = await bare.stop();
      const ours = res.idlcall;
      const row = { group: plan.baseline ? 'retry-free rows: this branch vs main' : group, workload: plan.workload, unit: 'calls/s', idlcall: ours && !ours.error ? stat(ours) : { median: 0, min: 0, max: 0 }, peers: {}, peerExtra: {} };
      if (ours && !ours.error) row.extra = { p50Ms: ours.p50Ms, p99Ms: ours.p99Ms, cpuUsPerOp: ours.cpuUsPerOp, timerLateP99Ms: ours.timerLateP99Ms, bareTimerLateP99Ms: machine?.p99Ms };
      const notes = [];
      for (const [name, m] of Object.entries(res)) {
        if (m.error) notes.push(`${name} failed: ${m.error}`);
        else if (name !== 'idlcall') {
          row.peers[name] = stat(m);
          row.peerExtra[name] = { p50Ms: m.p50Ms, p99Ms: m.p99Ms, cpuUsPerOp: m.cpuUsPerOp, timerLateP99Ms: m.timerLateP99Ms };
        }
      }
      if (notes.length) {
        row.note = notes.join('; ');
        row.error = true;
      }
      rows.push(row);
      const late = (ms) => (ms === undefined ? '?' : ms.toFixed(1));
      console.log(
        `  ${plan.workload}: ${Object.entries(res)
          .map(([n, m]) => (m.error ? `${n} ERROR ${m.error}` : `${n} ${m.median.toFixed(0)}/s (${m.min.toFixed(0)}–${m.max.toFixed(0)}) p50 ${m.p50Ms.toFixed(3)} p99 ${m.p99Ms.toFixed(3)} ms, timer late p99 ${late(m.timerLateP99Ms)} ms`))
          .join(' | ')} | bare probe late p99 ${late(machine?.p99Ms)} ms`,
      );
    }
  } finally {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
  }
  emitRows(rows);
  console.log(`\n${renderMarkdown(rows)}`);
  if (rows.some((r) => r.error)) process.exitCode = 1;
}

if (mode === 'server') await runServer(process.argv[3]);
else if (mode === 'client') serveClient(() => setupClient(JSON.parse(process.argv[3])));
else {
  await main();
  process.exit();
}
