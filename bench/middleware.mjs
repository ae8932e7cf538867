// What middlewares cost: idlcall's generic client with no middleware and with one no-op
// middleware, side by side with @grpc/grpc-js without and with one no-op interceptor, on the
// same workloads and server.
//
//   npm run build && node bench/middleware.mjs [--quick] [--json-out file] [--base <dist dir>] [--pre <dist dir>] [--dist <dist dir>]
//
// --dist: the build measured as idlcall (default dist/; a copy keeps a run safe from rebuilds).
// --base: another build of idlcall (e.g. main's dist/) measured in the same interleaved runs,
// without and with the no-op middleware (rows base, base+mw): before/after in one run.
// --pre: a build from before middlewares existed, without middleware (row pre), so "no
// middleware" can be compared with the code before them.
// --only <text>: only the rows whose workload contains it; --runs <n>: interleaved runs per row;
// --run-ms <ms>: length of one run (shorter runs, more of them: tighter pairs);
// --clients a,b,…: only these clients.
// Ratios are printed as the ratio of the medians, then paired: each run's ratio (the two clients
// ran back to back, so slow drifts of a shared machine cancel out), of the rate and of the
// client's CPU µs per call (steadier than the rate when the client is the bottleneck), as
// median [quartiles] (min–max) over the runs. Use ≥ 15 runs (--runs) to tell a 2% cost.
//
// Clients, each in its own child process on CPU 0 (bench/lib/rpc-harness.mjs):
//   idlcall            newStreamingClient / newClient, no middleware (JSON in/out)
//   idlcall+mw         the same with `middlewares: [(next) => (call) => next(call)]`
//   base, base+mw      the --base build, without and with the no-op middleware
//   pre                the --pre build (no middleware)
//   grpc-js            @grpc/grpc-js + @grpc/proto-loader (JSON.parse → object API → JSON.stringify)
//   grpc-js+ic         the same with one no-op interceptor `(options, nextCall) => new InterceptingCall(nextCall(options))`
// Servers (CPU 1): idlcall's newGenericServer, no middleware, over examples/idl/streaming.proto
// (gRPC rows) and examples/idl/streaming.thrift (TTHeader rows).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchArgs, emitRows, renderMarkdown, stat } from './lib/report.mjs';
import { hasTaskset, measureRow, pinSelf, serveClient, serveUntilParentCloses, startServer } from './lib/rpc-harness.mjs';

const SELF = fileURLToPath(import.meta.url);
const ROOT = join(dirname(SELF), '..');
const di = process.argv.indexOf('--dist');
const OWN_DIST = di > 0 ? resolve(process.argv[di + 1]) : join(ROOT, 'dist');
const PROTO = join(ROOT, 'examples/idl/streaming.proto');
const THRIFT = join(ROOT, 'examples/idl/streaming.thrift');
const STREAM_N = 1000;
const REQUEST = JSON.stringify({ message: 'hello from the generic client benchmark, sixty-four bytes long!' });
const mode = process.argv[2];

// ------------------------------------------------------------------ server child
async function runServer(kind) {
  const { jsonPbGeneric, jsonThriftGeneric, newGenericServer, protoFileProvider, thriftFileProvider } = await import(pathToFileURL(join(OWN_DIST, 'index.js')).href);
  const many = Array.from({ length: STREAM_N }, () => JSON.stringify({ message: 'reply' }));
  const server =
    kind === 'proto'
      ? newGenericServer(jsonPbGeneric(await protoFileProvider(PROTO)), { UnaryEcho: (req) => req, StreamResponseEcho: () => many }, { transports: ['grpc'] })
      : newGenericServer(jsonThriftGeneric(await thriftFileProvider(THRIFT)), { EchoPingPong: (req) => req }, { transports: ['ttheader'] });
  await serveUntilParentCloses(server);
}

// ------------------------------------------------------------------ client children
let sink;
globalThis.__rpcSink = () => sink;

async function setupClient(cfg) {
  const api = cfg.impl.startsWith('grpc-js') ? await grpcJsClient(cfg) : await idlcallClient(cfg);
  const op = cfg.workload === 'server' ? api.serverStream : api.unary;
  if (!(await op())) throw new Error(`${cfg.impl}: ${cfg.workload} returned nothing`);
  return { op, concurrency: cfg.concurrency ?? 1, latency: cfg.workload !== 'server', close: api.close };
}

async function idlcallClient(cfg) {
  const lib = await import(pathToFileURL(join(cfg.dist, 'index.js')).href);
  const middlewares = cfg.impl.endsWith('+mw') ? [(next) => (call) => next(call)] : undefined;
  const cli =
    cfg.transport === 'ttheader'
      ? lib.newClient('TestService', lib.jsonThriftGeneric(await lib.thriftFileProvider(THRIFT)), { hostPorts: [`127.0.0.1:${cfg.port}`], ...(middlewares ? { middlewares } : {}) })
      : lib.newStreamingClient('StreamingService', lib.jsonPbGeneric(await lib.protoFileProvider(PROTO)), { hostPorts: [`127.0.0.1:${cfg.port}`], ...(middlewares ? { middlewares } : {}) });
  const unaryMethod = cfg.transport === 'ttheader' ? 'EchoPingPong' : 'UnaryEcho';
  return {
    close: () => cli.close(),
    async unary() {
      sink = await cli.genericCall(unaryMethod, REQUEST);
      return 1;
    },
    async serverStream() {
      let n = 0;
      for await (const m of await cli.serverStreaming('StreamResponseEcho', REQUEST)) {
        sink = m;
        n++;
      }
      return n;
    },
  };
}

async function grpcJsClient(cfg) {
  const grpc = await import('@grpc/grpc-js');
  const loader = await import('@grpc/proto-loader');
  const def = loader.loadSync(PROTO, { longs: String, enums: String, defaults: false, oneofs: true });
  const Svc = grpc.loadPackageDefinition(def).pb.StreamingService;
  const noop = (options, nextCall) => new grpc.InterceptingCall(nextCall(options));
  const c = new Svc(`127.0.0.1:${cfg.port}`, grpc.credentials.createInsecure(), cfg.impl === 'grpc-js+ic' ? { interceptors: [noop] } : {});
  return {
    close: async () => c.close(),
    unary: () =>
      new Promise((res, rej) =>
        c.UnaryEcho(JSON.parse(REQUEST), (e, r) => {
          if (e) return rej(e);
          sink = JSON.stringify(r);
          res(1);
        }),
      ),
    serverStream: () =>
      new Promise((res, rej) => {
        let n = 0;
        const s = c.StreamResponseEcho(JSON.parse(REQUEST));
        s.on('data', (m) => {
          sink = JSON.stringify(m);
          n++;
        });
        s.on('error', rej);
        s.on('end', () => res(n));
      }),
  };
}

// ------------------------------------------------------------------ parent
async function main() {
  const { quick } = benchArgs();
  const bi = process.argv.indexOf('--base');
  const base = bi > 0 ? resolve(process.argv[bi + 1]) : undefined;
  const pi = process.argv.indexOf('--pre');
  const pre = pi > 0 ? resolve(process.argv[pi + 1]) : undefined;
  const dists = { base, 'base+mw': base, pre };
  const others = Object.keys(dists).filter((k) => dists[k] !== undefined);
  for (const d of [OWN_DIST, base, pre].filter(Boolean)) if (!existsSync(join(d, 'index.js'))) throw new Error(`no build at ${d}: npm run build`);
  const pinned = pinSelf(0);
  const timing = quick ? { warmupMs: 200, runMs: 300, runs: 3 } : { warmupMs: 1000, runMs: 1000, runs: 7 };
  const ri = process.argv.indexOf('--runs');
  if (ri > 0) timing.runs = Number(process.argv[ri + 1]);
  const mi = process.argv.indexOf('--run-ms');
  if (mi > 0) timing.runMs = Number(process.argv[mi + 1]);
  const oi = process.argv.indexOf('--only');
  const only = oi > 0 ? process.argv[oi + 1] : undefined;
  const ci = process.argv.indexOf('--clients');
  const chosen = ci > 0 ? process.argv[ci + 1].split(',') : undefined;
  const passes = [
    {
      kind: 'proto',
      group: 'middleware cost, gRPC (server: idlcall newGenericServer)',
      rows: [
        { workload: 'unary, concurrency 1', unit: 'calls/s', w: 'unary', concurrency: 1 },
        { workload: 'unary, concurrency 64', unit: 'calls/s', w: 'unary', concurrency: 64 },
        { workload: `server streaming (${STREAM_N} msgs/call)`, unit: 'msgs/s', w: 'server' },
      ],
      impls: ['idlcall', 'idlcall+mw', ...others, 'grpc-js', 'grpc-js+ic'],
    },
    {
      kind: 'thrift',
      group: 'middleware cost, TTHeader ping-pong (server: idlcall newGenericServer)',
      rows: [{ workload: 'ping-pong, concurrency 64', unit: 'calls/s', w: 'unary', concurrency: 64 }],
      impls: ['idlcall', 'idlcall+mw', ...others],
    },
  ];
  console.log(`middleware: clients in child processes${pinned ? ' on CPU 0' : ''}, servers${hasTaskset ? ' on CPU 1' : ''}; ${timing.runs} interleaved runs of ${timing.runMs} ms after ${timing.warmupMs} ms warm-up${base ? `; base = ${base}` : ''}${pre ? `; pre = ${pre}` : ''}`);
  const rows = [];
  for (const pass of passes) {
    if (only !== undefined) pass.rows = pass.rows.filter((r) => r.workload.includes(only));
    if (chosen !== undefined) pass.impls = pass.impls.filter((i) => chosen.includes(i));
    if (pass.rows.length === 0) continue;
    const server = await startServer(process.execPath, [SELF, 'server', pass.kind, ...(di > 0 ? ['--dist', OWN_DIST] : [])]);
    try {
      for (const r of pass.rows) {
        const clients = pass.impls.map((impl) => ({
          name: impl,
          config: { impl, dist: dists[impl] ?? OWN_DIST, port: server.port, transport: pass.kind === 'proto' ? 'grpc' : 'ttheader', workload: r.w, concurrency: r.concurrency },
        }));
        const res = await measureRow({ script: SELF, clients, ...timing, serverPid: server.pid });
        rows.push(toRow(pass.group, r, res));
        console.log(`  ${r.workload}: ${Object.entries(res).map(([n, m]) => (m.error ? `${n} ERROR ${m.error}` : `${n} ${m.median.toFixed(0)}/s ${m.cpuUsPerOp?.toFixed(1)} µs CPU/op`)).join(' | ')}`);
        const ratio = (a, b) => {
          if (!res[a]?.median || !res[b]?.median) return 'n/a';
          const rate = pairedRatios(res[a].runs, res[b].runs);
          const cpu = pairedRatios(res[a].cpuRuns, res[b].cpuRuns);
          return `${(res[a].median / res[b].median).toFixed(3)} (paired: rate ${spread(rate)}, CPU/call ${spread(cpu)})`;
        };
        console.log(`    idlcall+mw ÷ idlcall ${ratio('idlcall+mw', 'idlcall')}${base ? ` | idlcall ÷ base ${ratio('idlcall', 'base')} | base+mw ÷ base ${ratio('base+mw', 'base')}` : ''}${pre ? ` | idlcall ÷ pre ${ratio('idlcall', 'pre')}` : ''}${res['grpc-js'] ? ` | grpc-js+ic ÷ grpc-js ${ratio('grpc-js+ic', 'grpc-js')} | idlcall+mw ÷ grpc-js+ic ${ratio('idlcall+mw', 'grpc-js+ic')}` : ''}`);
      }
    } finally {
      await server.stop();
    }
  }
  emitRows(rows);
  console.log(`\n${renderMarkdown(rows)}`);
}

/** The per-run ratios a[i] ÷ b[i] (the two clients ran back to back in run i), sorted. */
function pairedRatios(a, b) {
  return a.map((x, i) => x / b[i]).sort((x, y) => x - y);
}

/** Sorted ratios as "median [quartiles] (min–max)". */
function spread(r) {
  const q = (p) => {
    const at = p * (r.length - 1);
    const lo = Math.floor(at);
    return r[lo] + (r[Math.ceil(at)] - r[lo]) * (at - lo);
  };
  return `${q(0.5).toFixed(3)} [${q(0.25).toFixed(3)}–${q(0.75).toFixed(3)}] (${r[0].toFixed(3)}–${r[r.length - 1].toFixed(3)})`;
}

/** A report row: idlcall without middleware is the subject, everything else a peer. */
function toRow(group, r, res) {
  const row = { group, workload: r.workload, unit: r.unit, idlcall: { median: 0, min: 0, max: 0 }, peers: {}, peerExtra: {} };
  const extraOf = (m) => Object.fromEntries(['p50Ms', 'p99Ms', 'cpuUsPerOp'].filter((k) => m[k] !== undefined).map((k) => [k, m[k]]));
  const notes = [];
  for (const [name, m] of Object.entries(res)) {
    if (m.error) {
      notes.push(`${name} failed: ${m.error}`);
      if (name === 'idlcall') row.error = true;
    } else if (name === 'idlcall') {
      row.idlcall = stat(m);
      row.extra = extraOf(m);
    } else {
      row.peers[name] = stat(m);
      row.peerExtra[name] = extraOf(m);
    }
  }
  if (notes.length) row.note = notes.join('; ');
  return row;
}

if (mode === 'server') await runServer(process.argv[3]);
else if (mode === 'client') serveClient(() => setupClient(JSON.parse(process.argv[3])));
else {
  await main();
  process.exit();
}
