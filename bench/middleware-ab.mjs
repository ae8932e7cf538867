// What one no-op middleware costs, measured so that the noise of a shared machine cancels out:
// one client process (CPU 0) holds two clients of the same build — without and with
// `middlewares: [(next) => (call) => next(call)]` — against one idlcall server (CPU 1), and
// alternates them in short slices (A B B A …), CONCURRENCY calls in flight. Each pair of
// neighbouring slices gives a ratio of calls/s and of client CPU µs per call; the median and
// quartiles of those ratios are printed. bench/middleware.mjs measures the same in separate
// processes, beside grpc-js; this is the one to read for a difference of a few percent.
//
//   npm run build && taskset -c 0 node bench/middleware-ab.mjs [grpc|ttheader] [--slices N] [--slice-ms MS] [--dist DIR]
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pinSelf, startServer } from './lib/rpc-harness.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const transport = process.argv[2] === 'ttheader' ? 'ttheader' : 'grpc';
const SLICES = Number(arg('--slices', 200));
const SLICE_MS = Number(arg('--slice-ms', 100));
const CONCURRENCY = Number(arg('--concurrency', 64));
const DIST = resolve(arg('--dist', join(ROOT, 'dist')));
const REQUEST = JSON.stringify({ message: 'hello from the generic client benchmark, sixty-four bytes long!' });

pinSelf(0);
const lib = await import(pathToFileURL(join(DIST, 'index.js')).href);
const server = await startServer(process.execPath, [join(ROOT, 'bench/middleware.mjs'), 'server', transport === 'grpc' ? 'proto' : 'thrift', '--dist', DIST]);
const hostPorts = [`127.0.0.1:${server.port}`];
const make = async (middlewares) =>
  transport === 'grpc'
    ? lib.newStreamingClient('StreamingService', lib.jsonPbGeneric(await lib.protoFileProvider(join(ROOT, 'examples/idl/streaming.proto'))), { hostPorts, ...(middlewares ? { middlewares } : {}) })
    : lib.newClient('TestService', lib.jsonThriftGeneric(await lib.thriftFileProvider(join(ROOT, 'examples/idl/streaming.thrift'))), { hostPorts, ...(middlewares ? { middlewares } : {}) });
const method = transport === 'grpc' ? 'UnaryEcho' : 'EchoPingPong';
const clients = [await make(undefined), await make([(next) => (call) => next(call)])];
let sink;

/** Runs `cli` for `ms` with CONCURRENCY calls in flight; calls/s and client CPU µs per call. */
async function slice(cli, ms) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + ms;
  let n = 0;
  const worker = async () => {
    while (performance.now() < end) {
      sink = await cli.genericCall(method, REQUEST);
      n++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const c = process.cpuUsage(c0);
  return { rate: (n * 1000) / (performance.now() - t0), cpuPerCall: (c.user + c.system) / n };
}

for (let i = 0; i < 20; i++) for (const c of clients) await slice(c, 100); // warm both
const rate = [];
const cpu = [];
for (let i = 0; i < SLICES; i++) {
  const order = i % 2 ? [1, 0] : [0, 1]; // A B, B A: neither always goes first
  const r = [];
  for (const k of order) r[k] = await slice(clients[k], SLICE_MS);
  rate.push(r[1].rate / r[0].rate);
  cpu.push(r[1].cpuPerCall / r[0].cpuPerCall);
}
const spread = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.round(p * (s.length - 1))];
  return `${q(0.5).toFixed(3)} [${q(0.25).toFixed(3)}–${q(0.75).toFixed(3)}]`;
};
console.log(`${transport} unary c=${CONCURRENCY}, one no-op middleware ÷ none, ${SLICES} pairs of ${SLICE_MS} ms slices: calls/s ${spread(rate)}, client CPU µs/call ${spread(cpu)}`);
await Promise.all(clients.map((c) => c.close()));
await server.stop();
process.exit(0);
