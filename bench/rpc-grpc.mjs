// Full-stack gRPC at the generic-client level: JSON strings in and out, as users call it.
//
//   npm run build && node bench/rpc-grpc.mjs [--quick] [--json-out file] [--filter text]
//   (--filter: only the rows whose workload or server contains the text, e.g. "bidi", "python")
//
// Clients, each in its own child process on CPU 0 (so peak RSS and CPU are its own):
//   idlcall   newStreamingClient(…, jsonPbGeneric(protoFileProvider(file))): JSON text ⇄ wire directly.
//   grpc-js   @grpc/grpc-js + @grpc/proto-loader (protobufjs underneath): JSON.parse → object API →
//             JSON.stringify, since users hold JSON.
//   connect   @connectrpc/connect-node createGrpcTransport (gRPC protocol, HTTP/2) with descriptors
//             built at run time: `protoc --descriptor_set_out --include_imports` → @bufbuild/protobuf
//             createFileRegistry; fromJsonString on the way in, toJsonString on the way out.
// Servers, in a child on CPU 1, the same for all clients of a pass:
//   pass 1: idlcall's newGenericServer over examples/idl/streaming.proto (echo handlers; the
//           cheapest real server at hand, so the clients are what is measured);
//   pass 2: grpc-python (test/peers/grpc_pb_server.py, gpt_engine.proto) for the unary rows —
//           a slow server that bounds every client alike; it shows interop, not client speed.
// Rows: unary at concurrency 1 and 64 (calls/s, p50/p99 from a latency histogram), server
// streaming and client streaming (1000 messages per call, messages/s), bidi ping-pong (one
// request, one response per round trip, round trips/s). Each row reports the client's peak
// RSS, CPU µs per op and the server's CPU use during the runs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchArgs, emitRows, renderMarkdown, stat } from './lib/report.mjs';
import { hasTaskset, measureRow, pinSelf, pushable, serveClient, serveUntilParentCloses, startServer } from './lib/rpc-harness.mjs';
import { PYTHON } from './lib/oracles.mjs';

const SELF = fileURLToPath(import.meta.url);
const ROOT = join(dirname(SELF), '..');
const STREAM_N = 1000; // messages per server-/client-streaming call
const BIDI_ROUNDS = 100; // round trips per bidi stream
const mode = process.argv[2];

// The seed IDL, and the grpc-python peer's IDL (a dotted package, as in the seed's FAQ).
const SEED = {
  proto: join(ROOT, 'examples/idl/streaming.proto'),
  service: 'pb.StreamingService',
  unary: 'UnaryEcho',
  server: 'StreamResponseEcho',
  client: 'StreamRequestEcho',
  bidi: 'BidirectionalEcho',
  request: JSON.stringify({ message: 'hello from the generic client benchmark, sixty-four bytes long!' }),
};
const GPT = {
  proto: join(ROOT, 'test/fixtures/generic/gpt_engine.proto'),
  service: 'search.gpt_engine.GPTStreamService',
  unary: 'Ask',
  request: JSON.stringify({ prompt: 'hello from the generic client benchmark', requestId: '4611686018427387904', tags: ['a', 'b'] }),
};

// ------------------------------------------------------------------ server child
async function runServer(protoPath) {
  const { jsonPbGeneric, newGenericServer, protoFileProvider } = await import('../dist/index.js');
  const generic = jsonPbGeneric(await protoFileProvider(protoPath));
  const reply = JSON.stringify({ message: 'reply' });
  const many = Array.from({ length: STREAM_N }, () => reply);
  const server = newGenericServer(
    generic,
    {
      UnaryEcho: (req) => req,
      async StreamRequestEcho(reqs) {
        for await (const _ of reqs);
        return reply;
      },
      StreamResponseEcho: () => many,
      async *BidirectionalEcho(reqs) {
        for await (const r of reqs) yield r;
      },
    },
    { transports: ['grpc'] },
  );
  await serveUntilParentCloses(server);
}

// ------------------------------------------------------------------ client children
let sink; // results land here so no work is optimised away
globalThis.__rpcSink = () => sink;

async function setupClient(cfg) {
  const make = { idlcall: idlcallClient, 'grpc-js': grpcJsClient, connect: connectClient }[cfg.impl];
  const api = await make(cfg);
  const w = cfg.workload;
  const op = {
    unary: () => api.unary(),
    server: () => api.serverStream(),
    client: () => api.clientStream(STREAM_N),
    bidi: () => api.bidi(BIDI_ROUNDS),
  }[w];
  // sanity: one op must work before anything is timed
  if (!(await op())) throw new Error(`${cfg.impl}: ${w} returned nothing`);
  return { op, concurrency: cfg.concurrency ?? 1, latency: w === 'unary', close: api.close };
}

async function idlcallClient(cfg) {
  const { jsonPbGeneric, newStreamingClient, protoFileProvider } = await import('../dist/index.js');
  const generic = jsonPbGeneric(await protoFileProvider(cfg.proto));
  const cli = newStreamingClient(cfg.service.split('.').pop(), generic, { hostPorts: [`127.0.0.1:${cfg.port}`] });
  const req = cfg.request;
  return {
    close: () => cli.close(),
    async unary() {
      sink = await cli.genericCall(cfg.unary, req);
      return 1;
    },
    async serverStream() {
      let n = 0;
      for await (const m of await cli.serverStreaming(cfg.server, req)) {
        sink = m;
        n++;
      }
      return n;
    },
    async clientStream(count) {
      const cs = await cli.clientStreaming(cfg.client);
      for (let i = 0; i < count; i++) await cs.send(req);
      sink = await cs.closeAndRecv();
      return count;
    },
    async bidi(rounds) {
      const bs = await cli.bidiStreaming(cfg.bidi);
      for (let i = 0; i < rounds; i++) {
        await bs.send(req);
        sink = await bs.recv();
      }
      bs.close();
      if ((await bs.recv()) !== undefined) throw new Error('bidi: extra message');
      return rounds;
    },
  };
}

async function grpcJsClient(cfg) {
  const grpc = await import('@grpc/grpc-js');
  const loader = await import('@grpc/proto-loader');
  // Options that make the object API match the proto3 JSON mapping users exchange.
  const def = loader.loadSync(cfg.proto, { longs: String, enums: String, defaults: false, oneofs: true });
  let Svc = grpc.loadPackageDefinition(def);
  for (const part of cfg.service.split('.')) Svc = Svc[part];
  const c = new Svc(`127.0.0.1:${cfg.port}`, grpc.credentials.createInsecure());
  const req = cfg.request;
  return {
    close: async () => c.close(),
    unary: () =>
      new Promise((resolve, reject) =>
        c[cfg.unary](JSON.parse(req), (e, r) => {
          if (e) return reject(e);
          sink = JSON.stringify(r);
          resolve(1);
        }),
      ),
    serverStream: () =>
      new Promise((resolve, reject) => {
        let n = 0;
        const s = c[cfg.server](JSON.parse(req));
        s.on('data', (m) => {
          sink = JSON.stringify(m);
          n++;
        });
        s.on('error', reject);
        s.on('end', () => resolve(n));
      }),
    clientStream: (count) =>
      new Promise((resolve, reject) => {
        const s = c[cfg.client]((e, r) => {
          if (e) return reject(e);
          sink = JSON.stringify(r);
          resolve(count);
        });
        let i = 0;
        const pump = () => {
          while (i < count) {
            i++;
            if (!s.write(JSON.parse(req))) return void s.once('drain', pump);
          }
          s.end();
        };
        pump();
      }),
    bidi: (rounds) =>
      new Promise((resolve, reject) => {
        const s = c[cfg.bidi]();
        let got = 0;
        s.on('data', (m) => {
          sink = JSON.stringify(m);
          if (++got < rounds) s.write(JSON.parse(req));
          else s.end();
        });
        s.on('error', reject);
        s.on('end', () => (got === rounds ? resolve(rounds) : reject(new Error(`bidi: ${got} of ${rounds}`))));
        s.write(JSON.parse(req));
      }),
  };
}

async function connectClient(cfg) {
  const { createClient } = await import('@connectrpc/connect');
  const { createGrpcTransport } = await import('@connectrpc/connect-node');
  const { createFileRegistry, fromBinary, fromJsonString, toJsonString } = await import('@bufbuild/protobuf');
  const { FileDescriptorSetSchema } = await import('@bufbuild/protobuf/wkt');
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(cfg.descriptorSet)));
  const svc = registry.getService(cfg.service);
  if (!svc) throw new Error(`connect: ${cfg.service} not in the descriptor set`);
  const transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${cfg.port}` });
  const client = createClient(svc, transport);
  const m = (name) => svc.methods.find((x) => x.name === name);
  const call = (name) => client[m(name).localName];
  const input = (name) => m(name).input;
  const output = (name) => m(name).output;
  const req = cfg.request;
  return {
    close: async () => {},
    async unary() {
      const r = await call(cfg.unary)(fromJsonString(input(cfg.unary), req));
      sink = toJsonString(output(cfg.unary), r);
      return 1;
    },
    async serverStream() {
      let n = 0;
      for await (const r of call(cfg.server)(fromJsonString(input(cfg.server), req))) {
        sink = toJsonString(output(cfg.server), r);
        n++;
      }
      return n;
    },
    async clientStream(count) {
      const inSchema = input(cfg.client);
      async function* requests() {
        for (let i = 0; i < count; i++) yield fromJsonString(inSchema, req);
      }
      sink = toJsonString(output(cfg.client), await call(cfg.client)(requests()));
      return count;
    },
    async bidi(rounds) {
      const q = pushable();
      const inSchema = input(cfg.bidi);
      const outSchema = output(cfg.bidi);
      const it = call(cfg.bidi)(q)[Symbol.asyncIterator]();
      for (let i = 0; i < rounds; i++) {
        q.push(fromJsonString(inSchema, req));
        const r = await it.next();
        if (r.done) throw new Error('bidi: stream ended early');
        sink = toJsonString(outSchema, r.value);
      }
      q.end();
      if (!(await it.next()).done) throw new Error('bidi: extra message');
      return rounds;
    },
  };
}

// ------------------------------------------------------------------ parent
async function main() {
  const { quick } = benchArgs();
  if (!existsSync(join(ROOT, 'dist/index.js'))) throw new Error('build first: npm run build');
  const pinned = pinSelf(0);
  const timing = quick ? { warmupMs: 200, runMs: 300, runs: 3 } : { warmupMs: 700, runMs: 1000, runs: 5 };
  const tmp = mkdtempSync(join(tmpdir(), 'idlcall-bench-grpc-'));
  const rows = [];
  try {
    // connect needs descriptors: build a set with protoc, or skip connect with the reason.
    const sets = {};
    let connectSkip;
    for (const idl of [SEED, GPT]) {
      try {
        const out = join(tmp, `${basename(idl.proto)}.pb`);
        execFileSync('protoc', ['-I', dirname(idl.proto), `--descriptor_set_out=${out}`, '--include_imports', basename(idl.proto)], { stdio: ['ignore', 'ignore', 'pipe'] });
        sets[idl.proto] = out;
      } catch (e) {
        connectSkip = `connect skipped: protoc could not build a descriptor set (${String(e.message).split('\n')[0]})`;
      }
    }
    const impls = (idl) => ['idlcall', 'grpc-js', ...(sets[idl.proto] ? ['connect'] : [])];

    const passes = [
      {
        label: 'idlcall generic server',
        group: 'gRPC generic client, JSON in/out (server: idlcall newGenericServer)',
        idl: SEED,
        start: () => startServer(process.execPath, [SELF, 'server', SEED.proto]),
        rows: [
          { workload: 'unary, concurrency 1', unit: 'calls/s', w: 'unary', concurrency: 1 },
          { workload: 'unary, concurrency 64', unit: 'calls/s', w: 'unary', concurrency: 64 },
          { workload: `server streaming (${STREAM_N} msgs/call)`, unit: 'msgs/s', w: 'server' },
          { workload: `client streaming (${STREAM_N} msgs/call)`, unit: 'msgs/s', w: 'client' },
          { workload: `bidi ping-pong (${BIDI_ROUNDS} round trips/stream)`, unit: 'round trips/s', w: 'bidi' },
        ],
      },
      {
        label: 'grpc-python server',
        group: 'gRPC generic client, JSON in/out (server: grpc-python, 8 worker threads behind the GIL)',
        idl: GPT,
        start: () => startServer(PYTHON, [join(ROOT, 'test/peers/grpc_pb_server.py'), GPT.proto]),
        rows: [
          { workload: 'unary Ask, concurrency 1', unit: 'calls/s', w: 'unary', concurrency: 1 },
          { workload: 'unary Ask, concurrency 64', unit: 'calls/s', w: 'unary', concurrency: 64 },
        ],
      },
    ];

    console.log(`rpc-grpc: clients in child processes${pinned ? ' on CPU 0' : ''}, servers${hasTaskset ? ' on CPU 1' : ''}; ${timing.runs} interleaved runs of ${timing.runMs} ms after ${timing.warmupMs} ms warm-up`);
    const fi = process.argv.indexOf('--filter');
    const filter = fi > 0 ? process.argv[fi + 1].toLowerCase() : undefined;
    for (const pass of passes) {
      if (filter) pass.rows = pass.rows.filter((r) => `${pass.label} ${r.workload}`.toLowerCase().includes(filter));
      if (!pass.rows.length) continue;
      let server;
      try {
        server = await pass.start();
      } catch (e) {
        for (const r of pass.rows) rows.push({ group: pass.group, workload: r.workload, unit: r.unit, idlcall: { median: 0, min: 0, max: 0 }, peers: {}, note: `server failed to start: ${String(e.message).split('\n')[0]}` });
        continue;
      }
      try {
        for (const r of pass.rows) {
          const clients = impls(pass.idl).map((impl) => ({
            name: impl,
            config: { impl, port: server.port, proto: pass.idl.proto, descriptorSet: sets[pass.idl.proto], service: pass.idl.service, unary: pass.idl.unary, server: pass.idl.server, client: pass.idl.client, bidi: pass.idl.bidi, request: pass.idl.request, workload: r.w, concurrency: r.concurrency },
          }));
          const res = await measureRow({ script: SELF, clients, ...timing, serverPid: server.pid });
          const row = toRow(pass.group, r, res);
          if (connectSkip && !sets[pass.idl.proto]) row.note = [row.note, connectSkip].filter(Boolean).join('; ');
          rows.push(row);
          console.log(`  ${pass.label}: ${r.workload}: ${summaryLine(res)}`);
        }
      } finally {
        await server.stop();
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  emitRows(rows);
  console.log(`\n${renderMarkdown(rows)}`);
  if (rows.some((r) => r.error)) process.exitCode = 1;
}

/** A report row from one measured row; failures become notes. */
function toRow(group, r, res) {
  const ours = res.idlcall;
  const row = { group, workload: r.workload, unit: r.unit, idlcall: { median: 0, min: 0, max: 0 }, peers: {}, peerExtra: {} };
  const notes = [];
  const extraOf = (m) => Object.fromEntries(['p50Ms', 'p99Ms', 'peakRssMb', 'cpuUsPerOp', 'serverCpuPct'].filter((k) => m[k] !== undefined).map((k) => [k, m[k]]));
  if (ours?.error || !ours) {
    notes.push(`idlcall failed: ${ours?.error ?? 'no result'}`);
    row.error = true;
  } else {
    row.idlcall = stat(ours);
    row.extra = extraOf(ours);
  }
  for (const [name, m] of Object.entries(res)) {
    if (name === 'idlcall') continue;
    if (m.error) notes.push(`${name} failed: ${m.error}`);
    else {
      row.peers[name] = stat(m);
      row.peerExtra[name] = extraOf(m);
      delete row.peerExtra[name].serverCpuPct;
    }
  }
  if (!Object.keys(row.peers).length) row.error = true;
  if (notes.length) row.note = notes.join('; ');
  return row;
}

function summaryLine(res) {
  return Object.entries(res)
    .map(([n, m]) => (m.error ? `${n} ERROR ${m.error}` : `${n} ${m.median.toFixed(0)}/s (${m.min.toFixed(0)}–${m.max.toFixed(0)})${m.p50Ms ? ` p50 ${m.p50Ms.toFixed(3)} p99 ${m.p99Ms.toFixed(3)} ms` : ''} RSS ${m.peakRssMb.toFixed(0)} MB`))
    .join(' | ');
}

// ------------------------------------------------------------------ entry (last: every declaration above is initialised)
if (mode === 'server') await runServer(process.argv[3]);
else if (mode === 'client') serveClient(() => setupClient(JSON.parse(process.argv[3])));
else {
  await main();
  process.exit(); // with process.exitCode; the exit handler kills any child left
}
