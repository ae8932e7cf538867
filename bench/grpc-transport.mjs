// gRPC transport messages/s and client CPU: idlcall's src/http2 client vs @grpc/grpc-js
// (raw Buffer serializers) vs a raw node:http2 client writing pre-encoded frames (the
// ceiling: no status parsing, no per-message decoding beyond counting bytes).
//
//   npm run build && node bench/grpc-transport.mjs [--server ours|grpc-js] [--quick]
//
// All three clients talk to the same server in one run: by default idlcall's own
// createGrpcServer (the cheapest real gRPC server at hand, so the clients are what is
// measured), or @grpc/grpc-js's with --server grpc-js. The server runs in a child process
// pinned to CPU 1 with taskset, the clients in this process pinned to CPU 0 (when taskset
// exists). Payloads are 64-byte messages. Rows: unary at concurrency 1 and 64, server
// streaming (1000 messages per call), client streaming (1000 messages per call), bidi
// ping-pong (one message each way per round trip). Reported: median messages (calls for
// unary) per second, client CPU microseconds per message, and idlcall ÷ peer ratios.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import http2 from 'node:http2';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const MSG = Buffer.alloc(64, 0x61);
const STREAM_N = 1000;
const args = process.argv.slice(2);
const serverKind = args.includes('--server') ? args[args.indexOf('--server') + 1] : 'ours';
const quick = args.includes('--quick');


// ------------------------------------------------------------------ server (child process)
async function runServer(kind) {
  const count = (m) => (m.length >= 4 ? m.readUInt32BE(0) : STREAM_N);
  if (kind === 'grpc-js') {
    const grpc = await import('@grpc/grpc-js');
    const id = (b) => b;
    const def = (rs, ws, n) => ({ path: `/bench.B/${n}`, requestStream: rs, responseStream: ws, requestSerialize: id, requestDeserialize: id, responseSerialize: id, responseDeserialize: id });
    const server = new grpc.Server();
    server.addService(
      { Unary: def(false, false, 'Unary'), Server: def(false, true, 'Server'), Client: def(true, false, 'Client'), Bidi: def(true, true, 'Bidi') },
      {
        Unary: (call, cb) => cb(null, call.request),
        Server: (call) => {
          for (let i = 0, n = STREAM_N; i < n; i++) call.write(MSG);
          call.end();
        },
        Client: (call, cb) => {
          let n = 0;
          call.on('data', () => n++);
          call.on('end', () => cb(null, MSG));
        },
        Bidi: (call) => {
          call.on('data', (m) => call.write(m));
          call.on('end', () => call.end());
        },
      },
    );
    const port = await new Promise((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
    process.stdout.write(`${port}\n`);
  } else {
    const { createGrpcServer } = await import('../dist/http2/index.js');
    const server = createGrpcServer(async (call) => {
      const method = call.path.slice(call.path.lastIndexOf('/') + 1);
      if (method === 'Unary') {
        const m = await call.recv();
        await call.send(m);
      } else if (method === 'Server') {
        await call.recv();
        for (let i = 0; i < STREAM_N; i++) await call.send(MSG);
      } else if (method === 'Client') {
        while ((await call.recv()) !== undefined);
        await call.send(MSG);
      } else {
        for (let m = await call.recv(); m !== undefined; m = await call.recv()) await call.send(m);
      }
      call.end();
    });
    const { port } = await server.listen(0, '127.0.0.1');
    process.stdout.write(`${port}\n`);
  }
  void count;
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

// ------------------------------------------------------------------ clients
function ourClients(mod, port) {
  const ch = new mod.GrpcChannel({ hostPorts: [`127.0.0.1:${port}`] });
  return {
    name: 'idlcall',
    close: () => ch.close(),
    async unary() {
      const c = ch.call({ path: '/bench.B/Unary' });
      c.send(MSG);
      c.closeSend();
      const m = await c.recv();
      if (m === undefined || (await c.recv()) !== undefined) throw new Error('bad unary');
    },
    async serverStream() {
      const c = ch.call({ path: '/bench.B/Server' });
      c.send(MSG);
      c.closeSend();
      let n = 0;
      while ((await c.recv()) !== undefined) n++;
      return n;
    },
    async clientStream() {
      const c = ch.call({ path: '/bench.B/Client' });
      for (let i = 0; i < STREAM_N; i++) await c.send(MSG);
      c.closeSend();
      await c.recv();
      await c.recv();
      return STREAM_N;
    },
    bidi() {
      const c = ch.call({ path: '/bench.B/Bidi' });
      return {
        async roundTrip() {
          await c.send(MSG);
          await c.recv();
        },
        async end() {
          c.closeSend();
          await c.recv();
        },
      };
    },
  };
}

function grpcJsClients(grpc, port) {
  const id = (b) => b;
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return {
    name: '@grpc/grpc-js',
    close: async () => client.close(),
    unary: () => new Promise((res, rej) => client.makeUnaryRequest('/bench.B/Unary', id, id, MSG, (e) => (e ? rej(e) : res()))),
    serverStream: () =>
      new Promise((res, rej) => {
        let n = 0;
        const s = client.makeServerStreamRequest('/bench.B/Server', id, id, MSG);
        s.on('data', () => n++);
        s.on('error', rej);
        s.on('end', () => res(n));
      }),
    clientStream: () =>
      new Promise((res, rej) => {
        const s = client.makeClientStreamRequest('/bench.B/Client', id, id, (e) => (e ? rej(e) : res(STREAM_N)));
        let i = 0;
        const pump = () => {
          while (i < STREAM_N) {
            i++;
            if (!s.write(MSG)) return void s.once('drain', pump);
          }
          s.end();
        };
        pump();
      }),
    bidi() {
      const s = client.makeBidiStreamRequest('/bench.B/Bidi', id, id);
      let waiter;
      s.on('data', () => waiter());
      return {
        roundTrip: () =>
          new Promise((res) => {
            waiter = res;
            s.write(MSG);
          }),
        end: () =>
          new Promise((res) => {
            s.on('status', () => res());
            s.end();
          }),
      };
    },
  };
}

/** The ceiling: node:http2 with pre-encoded frames and headers, counting bytes instead of decoding. */
function rawClients(port) {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  session.on('error', () => {});
  const frame = Buffer.alloc(5 + MSG.length);
  frame.writeUInt32BE(MSG.length, 1);
  MSG.copy(frame, 5);
  const hdr = (m) => ({ ':method': 'POST', ':path': `/bench.B/${m}`, 'content-type': 'application/grpc', te: 'trailers' });
  const H = { Unary: hdr('Unary'), Server: hdr('Server'), Client: hdr('Client'), Bidi: hdr('Bidi') };
  const finish = (s, onBytes) =>
    new Promise((res, rej) => {
      let bytes = 0;
      s.on('data', (d) => {
        bytes += d.length;
        if (onBytes) onBytes(bytes);
      });
      s.on('error', rej);
      s.on('close', () => res(bytes));
    });
  return {
    name: 'raw node:http2',
    close: () => new Promise((r) => session.close(r)),
    async unary() {
      const s = session.request(H.Unary);
      s.end(frame);
      await finish(s);
    },
    async serverStream() {
      const s = session.request(H.Server);
      s.end(frame);
      return (await finish(s)) / frame.length;
    },
    async clientStream() {
      const s = session.request(H.Client);
      const done = finish(s);
      for (let i = 0; i < STREAM_N; i++) {
        if (!s.write(frame)) await new Promise((r) => s.once('drain', r));
      }
      s.end();
      await done;
      return STREAM_N;
    },
    bidi() {
      const s = session.request(H.Bidi);
      let waiter;
      let got = 0;
      s.on('data', (d) => {
        got += d.length;
        if (got >= frame.length) {
          got -= frame.length;
          waiter();
        }
      });
      const closed = new Promise((r) => s.on('close', r));
      return {
        roundTrip: () =>
          new Promise((res) => {
            waiter = res;
            s.write(frame);
          }),
        end: async () => {
          s.end();
          await closed;
        },
      };
    },
  };
}

// ------------------------------------------------------------------ measurement
// The three clients' runs are interleaved (A B C A B C ...) so that load from elsewhere on
// the machine falls on all of them alike; each run counts messages and this process's CPU.
async function timedInterleaved(batches, warmupMs, runMs, runs) {
  for (const batch of batches) {
    const until = performance.now() + warmupMs;
    while (performance.now() < until) await batch();
  }
  const rates = batches.map(() => []);
  const cpus = batches.map(() => []);
  for (let r = 0; r < runs; r++) {
    for (let b = 0; b < batches.length; b++) {
      let n = 0;
      const c0 = process.cpuUsage();
      const start = performance.now();
      let now = start;
      while (now - start < runMs) {
        n += await batches[b]();
        now = performance.now();
      }
      const c = process.cpuUsage(c0);
      rates[b].push((n * 1000) / (now - start));
      cpus[b].push((c.user + c.system) / n);
    }
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  return batches.map((_, b) => ({ rate: med(rates[b]), min: Math.min(...rates[b]), max: Math.max(...rates[b]), cpuUs: med(cpus[b]) }));
}

const rows = [
  {
    name: 'unary, concurrency 1',
    make: (c) => async () => {
      for (let i = 0; i < 20; i++) await c.unary();
      return 20;
    },
  },
  {
    name: 'unary, concurrency 64',
    make: (c) => async () => {
      const one = async () => {
        for (let i = 0; i < 8; i++) await c.unary();
      };
      await Promise.all(Array.from({ length: 64 }, one));
      return 64 * 8;
    },
  },
  { name: `server streaming (${STREAM_N}/call)`, make: (c) => () => c.serverStream() },
  { name: `client streaming (${STREAM_N}/call)`, make: (c) => () => c.clientStream() },
  {
    name: 'bidi ping-pong',
    make: (c) => async () => {
      const b = c.bidi();
      for (let i = 0; i < 200; i++) await b.roundTrip();
      await b.end();
      return 200;
    },
  },
];

async function main() {
  if (!existsSync(new URL('../dist/http2/index.js', import.meta.url))) {
    console.error('build first: npm run build');
    process.exit(1);
  }
  const { formatRate } = await import('./lib/measure.mjs').catch(() => ({ formatRate: (r) => r.toFixed(0) }));
  const { emitRows } = await import('./lib/report.mjs');
  const reportRows = []; // for bench/run.mjs
  const mod = await import('../dist/http2/index.js');
  const grpc = await import('@grpc/grpc-js');
  let pinned = false;
  try {
    execFileSync('taskset', ['-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
    pinned = true;
  } catch {
    // No taskset: both sides share the cores; ratios still hold within the run.
  }
  const cmd = pinned ? ['taskset', ['-c', '1', process.execPath, SELF, 'server', serverKind]] : [process.execPath, [SELF, 'server', serverKind]];
  const child = spawn(cmd[0], cmd[1], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise((res, rej) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) res(Number(out.trim()));
    });
    child.once('exit', () => rej(new Error('bench server exited')));
  });
  console.log(`gRPC transport bench — server: ${serverKind === 'grpc-js' ? '@grpc/grpc-js' : 'idlcall createGrpcServer'} (child process${pinned ? ', CPU 1' : ''}), clients in this process${pinned ? ' (CPU 0)' : ''}, 64-byte messages`);
  const [warm, runMs, runs] = quick ? [200, 300, 3] : [300, 500, 7];
  const clients = [ourClients(mod, port), grpcJsClients(grpc, port), rawClients(port)];
  const table = [];
  for (const row of rows) {
    const [ours, gjs, raw] = await timedInterleaved(clients.map((c) => row.make(c)), warm, runMs, runs);
    const m = (x) => ({ median: x.rate, min: x.min, max: x.max });
    reportRows.push({
      group: 'gRPC transport (pre-encoded 64-byte messages, no codec)',
      workload: row.name,
      unit: row.name.startsWith('unary') ? 'calls/s' : row.name.startsWith('bidi') ? 'round trips/s' : 'msgs/s',
      idlcall: m(ours),
      peers: { '@grpc/grpc-js': m(gjs) },
      ceiling: { name: 'raw node:http2', ...m(raw) },
      extra: { cpuUsPerOp: ours.cpuUs },
      peerExtra: { '@grpc/grpc-js': { cpuUsPerOp: gjs.cpuUs } },
    });
    table.push({
      row: row.name,
      'idlcall msg/s': formatRate(ours.rate),
      'grpc-js msg/s': formatRate(gjs.rate),
      'raw msg/s': formatRate(raw.rate),
      '÷grpc-js': (ours.rate / gjs.rate).toFixed(2),
      '÷raw': (ours.rate / raw.rate).toFixed(2),
      'CPU µs/msg idlcall': ours.cpuUs.toFixed(1),
      'grpc-js': gjs.cpuUs.toFixed(1),
      raw: raw.cpuUs.toFixed(1),
      'CPU grpc-js÷idlcall': (gjs.cpuUs / ours.cpuUs).toFixed(2),
    });
    console.log(`${row.name}: idlcall ${formatRate(ours.rate)} (${formatRate(ours.min)}–${formatRate(ours.max)}), grpc-js ${formatRate(gjs.rate)}, raw ${formatRate(raw.rate)}`);
  }
  console.table(table);
  emitRows(reportRows);
  for (const c of clients) await c.close();
  child.stdin.end();
}

if (args[0] === 'server') await runServer(args[1]);
else await main();
