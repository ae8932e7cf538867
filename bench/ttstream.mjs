// Kitex TTHeader Streaming ("ttstream") beside idlcall's own gRPC path, for the same Thrift
// service and workloads, at the generic-client level (JSON strings in and out).
//
//   npm run build && node bench/ttstream.mjs [--quick] [--json-out file] [--filter text] [--base dir]
//   (--filter: only the rows whose workload contains the text, e.g. "bidi", "64";
//    --base: another built checkout, e.g. a worktree of main, whose ttstream client runs as one
//    more peer in the same interleaved rounds against the same server — before/after in one run)
//
// Service: TestService of examples/idl/streaming.thrift; every request and response is a
// Request/Response{message} whose Thrift encoding is 64 bytes.
// Server, in a child on CPU 1: idlcall's newGenericServer, gRPC and ttstream on one port
// (echo handlers: EchoUnary and EchoClient answer the (last) request, EchoServer sends the
// request back STREAM_N times, Echo echoes each message).
// Clients, each in its own child process on CPU 0:
//   idlcall ttstream   newStreamingClient(…, { transport: 'ttstream' }) — streams multiplexed on
//                      one connection
//   idlcall gRPC       newStreamingClient(…, { transport: 'grpc' }) — the same IDL and server
//   raw node:net       the ceiling: pre-encoded ttstream frames written on one socket, replies
//                      cut by their length field and told apart by their type digit; no codec,
//                      no JSON, no checks — what no ttstream client in Node can beat
//   raw node:http2 gRPC (bidi only) the same for gRPC: pre-encoded messages on node:http2
//                      streams — with raw node:net, what this machine allows ttstream ÷ gRPC to be
// Workloads:
//   unary, concurrency 1 and 64: gRPC calls the unary method EchoUnary (args/result structs);
//     ttstream has no unary calls (Kitex sends them Framed), so its "unary" is the stream it
//     would use for one request and one response: a client stream of one message (EchoClient).
//   server streaming and client streaming: STREAM_N 64-byte messages per call (msgs/s).
//   bidi ping-pong: BIDI_ROUNDS send/recv round trips per stream (round trips/s).
import { existsSync } from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchArgs, emitRows, renderMarkdown, stat } from './lib/report.mjs';
import { hasTaskset, measureRow, pinSelf, serveClient, serveUntilParentCloses, startServer } from './lib/rpc-harness.mjs';

const SELF = fileURLToPath(import.meta.url);
/** The --base checkout's ttstream client. */
const BASE = 'idlcall ttstream (base)';
const ROOT = join(dirname(SELF), '..');
const IDL = join(ROOT, 'examples/idl/streaming.thrift');
const SERVICE = 'TestService';
const STREAM_N = 1000;
const BIDI_ROUNDS = 100;
// 56 characters: Request{1: message} is 3 + 4 + 56 + 1 = 64 bytes on the wire
const TEXT = 'sixty-four bytes on the wire, a typical small message..';
const REQUEST = JSON.stringify({ message: TEXT });
const mode = process.argv[2];
const RAW = 'raw node:net';
/** The gRPC side's ceiling, bidi only: pre-encoded gRPC messages on node:http2 streams. */
const RAW_GRPC = 'raw node:http2 gRPC';

// ------------------------------------------------------------------ server child
async function runServer() {
  const { jsonThriftGeneric, newGenericServer, thriftFileProvider } = await import('../dist/index.js');
  const generic = jsonThriftGeneric(await thriftFileProvider(IDL));
  const server = newGenericServer(
    generic,
    {
      EchoUnary: (req) => req,
      async EchoClient(requests) {
        let last = '{}';
        for await (const r of requests) last = r;
        return last;
      },
      async *EchoServer(req) {
        for (let i = 0; i < STREAM_N; i++) yield req;
      },
      async *Echo(requests) {
        for await (const r of requests) yield r;
      },
    },
    { transports: ['grpc', 'ttstream'] },
  );
  await serveUntilParentCloses(server);
}

// ------------------------------------------------------------------ client children
let sink; // results land here so no work is optimised away
globalThis.__rpcSink = () => sink;

async function setupClient(cfg) {
  const api = cfg.impl === RAW ? await rawClient(cfg) : cfg.impl === RAW_GRPC ? await rawGrpcClient(cfg) : await idlcallClient(cfg);
  const op = {
    unary: () => api.unary(),
    server: () => api.serverStream(),
    client: () => api.clientStream(STREAM_N),
    bidi: () => api.bidi(BIDI_ROUNDS),
  }[cfg.workload];
  // sanity: one op must work before anything is timed
  if (!(await op())) throw new Error(`${cfg.impl}: ${cfg.workload} returned nothing`);
  if (!cfg.impl.startsWith('raw ') && JSON.parse(sink).message !== TEXT) throw new Error(`${cfg.impl}: wrong echo ${sink}`);
  return { op, concurrency: cfg.concurrency ?? 1, latency: cfg.workload === 'unary', close: api.close };
}

async function idlcallClient(cfg) {
  const dist = cfg.base ? pathToFileURL(join(cfg.base, 'dist/index.js')).href : '../dist/index.js';
  const { jsonThriftGeneric, newStreamingClient, thriftFileProvider } = await import(dist);
  const generic = jsonThriftGeneric(await thriftFileProvider(IDL));
  const cli = newStreamingClient(SERVICE, generic, { hostPorts: [`127.0.0.1:${cfg.port}`], transport: cfg.transport });
  const ttstream = cfg.transport === 'ttstream';
  return {
    close: () => cli.close(),
    async unary() {
      if (ttstream) {
        const cs = await cli.clientStreaming('EchoClient');
        await cs.send(REQUEST);
        sink = await cs.closeAndRecv();
      } else {
        sink = await cli.genericCall('EchoUnary', REQUEST);
      }
      return 1;
    },
    async serverStream() {
      let n = 0;
      for await (const m of await cli.serverStreaming('EchoServer', REQUEST)) {
        sink = m;
        n++;
      }
      return n;
    },
    async clientStream(count) {
      const cs = await cli.clientStreaming('EchoClient');
      for (let i = 0; i < count; i++) await cs.send(REQUEST);
      sink = await cs.closeAndRecv();
      return count;
    },
    async bidi(rounds) {
      const bs = await cli.bidiStreaming('Echo');
      for (let i = 0; i < rounds; i++) {
        await bs.send(REQUEST);
        sink = await bs.recv();
      }
      bs.close();
      if ((await bs.recv()) !== undefined) throw new Error('bidi: extra message');
      return rounds;
    },
  };
}

/**
 * The ceiling: one socket, frames encoded once up front (only the stream id is patched), replies
 * counted per stream id from their length fields and the FrameType digit. Nothing is decoded.
 */
async function rawClient(cfg) {
  const { encodeHead, framePrefix, writeFrameHead, FrameType } = await import('../dist/ttstream/index.js');
  const { jsonThriftGeneric, thriftFileProvider } = await import('../dist/index.js');
  const payload = jsonThriftGeneric(await thriftFileProvider(IDL)).method('Echo').encodeRequest(REQUEST);
  const socket = net.connect(cfg.port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.on('error', () => {});
  const frames = {};
  for (const method of ['EchoClient', 'EchoServer', 'Echo']) {
    const head = Buffer.from(encodeHead(FrameType.Header, 0, method, new Map([['isn', SERVICE]]), 0));
    const prefix = framePrefix(method);
    const data = Buffer.alloc(prefix.length + payload.length);
    data.set(payload, writeFrameHead(data, 0, prefix, FrameType.Data, 0, payload.length));
    const trailer = Buffer.alloc(prefix.length);
    writeFrameHead(trailer, 0, prefix, FrameType.Trailer, 0, 0);
    frames[method] = { head, data, trailer };
  }
  // A stream's waiter: called with the frame type of each frame for its id.
  const waiters = new Map();
  let nextSid = 1;
  let buf = Buffer.alloc(0);
  const typeAt = 23; // FrameType digit in a frame without string info
  socket.on('data', (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    let p = 0;
    while (buf.length - p >= 4) {
      const n = 4 + buf.readUInt32BE(p);
      if (buf.length - p < n) break;
      const sid = buf.readInt32BE(p + 8);
      // this server sends no string infos: the type digit sits at a fixed offset
      const type = buf[p + typeAt] - 48;
      waiters.get(sid)?.(type);
      p += n;
    }
    buf = p === buf.length ? Buffer.alloc(0) : buf.subarray(p);
  });
  const withSid = (frame, sid) => {
    const b = Buffer.from(frame);
    b.writeInt32BE(sid, 8);
    return b;
  };
  /** Opens a stream, writes `out` frames; resolves once the server's Trailer came, with the Data frames counted. */
  const stream = (method, build, onData) =>
    new Promise((resolve) => {
      const sid = nextSid++;
      let data = 0;
      waiters.set(sid, (type) => {
        if (type === 3) {
          data++;
          onData?.(sid, data);
        } else if (type === 4) {
          waiters.delete(sid);
          resolve(data);
        }
      });
      socket.write(Buffer.concat(build(sid, frames[method])));
    });
  return {
    close: async () => socket.destroy(),
    unary: () => stream('EchoClient', (sid, f) => [withSid(f.head, sid), withSid(f.data, sid), withSid(f.trailer, sid)]),
    serverStream: () => stream('EchoServer', (sid, f) => [withSid(f.head, sid), withSid(f.data, sid), withSid(f.trailer, sid)]),
    async clientStream(count) {
      await stream('EchoClient', (sid, f) => {
        const data = withSid(f.data, sid);
        return [withSid(f.head, sid), ...Array.from({ length: count }, () => data), withSid(f.trailer, sid)];
      });
      return count;
    },
    async bidi(rounds) {
      const f = frames.Echo;
      await stream(
        'Echo',
        (sid) => [withSid(f.head, sid), withSid(f.data, sid)],
        (sid, got) => socket.write(got < rounds ? withSid(f.data, sid) : withSid(f.trailer, sid)),
      );
      return rounds;
    },
  };
}

/**
 * The gRPC side's ceiling for bidi ping-pong: node:http2 streams to the same server and method,
 * one pre-encoded length-prefixed message written per reply, replies counted from their 5-byte
 * prefixes. Nothing is decoded; the status trailer is not checked.
 */
async function rawGrpcClient(cfg) {
  const { jsonThriftGeneric, thriftFileProvider } = await import('../dist/index.js');
  const codec = jsonThriftGeneric(await thriftFileProvider(IDL)).method('Echo');
  const payload = codec.encodeRequest(REQUEST);
  const message = Buffer.alloc(5 + payload.length);
  message.writeUInt32BE(payload.length, 1);
  message.set(payload, 5);
  const session = http2.connect(`http://127.0.0.1:${cfg.port}`);
  session.on('error', () => {});
  await new Promise((resolve, reject) => session.once('connect', resolve).once('error', reject));
  const headers = { ':method': 'POST', ':path': codec.grpcPath, 'content-type': 'application/grpc+thrift', te: 'trailers' };
  const unsupported = () => Promise.reject(new Error(`${RAW_GRPC}: bidi only`));
  return {
    close: async () => session.destroy(),
    unary: unsupported,
    serverStream: unsupported,
    clientStream: unsupported,
    bidi: (rounds) =>
      new Promise((resolve, reject) => {
        const req = session.request(headers);
        let got = 0;
        let pending = 0; // bytes of the current message still to come (prefix included)
        req.on('data', (chunk) => {
          for (let p = 0; p < chunk.length; ) {
            if (pending === 0) pending = 5 + chunk.readUInt32BE(p + 1); // this server never splits a prefix
            const take = Math.min(pending, chunk.length - p);
            pending -= take;
            p += take;
            if (pending === 0 && ++got < rounds) req.write(message);
            else if (pending === 0) req.end();
          }
        });
        req.on('end', () => (got === rounds ? resolve(rounds) : reject(new Error(`${RAW_GRPC}: ${got} of ${rounds} replies`))));
        req.on('error', reject);
        req.write(message);
      }),
  };
}

// ------------------------------------------------------------------ parent
async function main() {
  const { quick } = benchArgs();
  if (!existsSync(join(ROOT, 'dist/index.js'))) throw new Error('build first: npm run build');
  const pinned = pinSelf(0);
  // 7 interleaved runs (not 5): ping-pong rows on a loaded 2-core machine swing by whole multiples
  const timing = quick ? { warmupMs: 200, runMs: 300, runs: 3 } : { warmupMs: 700, runMs: 1000, runs: 7 };
  const group = 'TTHeader Streaming vs gRPC, Thrift generic client, JSON in/out (server: idlcall newGenericServer)';
  const workloads = [
    { workload: 'unary, concurrency 1', unit: 'calls/s', w: 'unary', concurrency: 1 },
    { workload: 'unary, concurrency 64', unit: 'calls/s', w: 'unary', concurrency: 64 },
    { workload: `server streaming (${STREAM_N} × 64 B msgs/call)`, unit: 'msgs/s', w: 'server' },
    { workload: `client streaming (${STREAM_N} × 64 B msgs/call)`, unit: 'msgs/s', w: 'client' },
    { workload: `bidi ping-pong (${BIDI_ROUNDS} round trips/stream)`, unit: 'round trips/s', w: 'bidi' },
  ];
  const fi = process.argv.indexOf('--filter');
  const filter = fi > 0 ? process.argv[fi + 1].toLowerCase() : undefined;
  const bi = process.argv.indexOf('--base');
  const baseDir = bi > 0 ? resolve(process.argv[bi + 1]) : undefined;
  if (baseDir && !existsSync(join(baseDir, 'dist/index.js'))) throw new Error(`--base ${baseDir}: build it first (npm run build there)`);
  const rows = [];
  console.log(`ttstream: clients in child processes${pinned ? ' on CPU 0' : ''}, server${hasTaskset ? ' on CPU 1' : ''}; ${timing.runs} interleaved runs of ${timing.runMs} ms after ${timing.warmupMs} ms warm-up`);
  const server = await startServer(process.execPath, [SELF, 'server']);
  try {
    for (const r of workloads) {
      if (filter && !r.workload.toLowerCase().includes(filter)) continue;
      const base = { port: server.port, workload: r.w, concurrency: r.concurrency };
      const clients = [
        { name: 'idlcall ttstream', config: { ...base, impl: 'idlcall ttstream', transport: 'ttstream' } },
        { name: 'idlcall gRPC', config: { ...base, impl: 'idlcall gRPC', transport: 'grpc' } },
        { name: RAW, config: { ...base, impl: RAW } },
      ];
      if (r.w === 'bidi') clients.push({ name: RAW_GRPC, config: { ...base, impl: RAW_GRPC } });
      if (baseDir) clients.push({ name: BASE, config: { ...base, impl: BASE, transport: 'ttstream', base: baseDir } });
      const res = await measureRow({ script: SELF, clients, ...timing, serverPid: server.pid });
      rows.push(toRow(group, r, res));
      console.log(`  ${r.workload}: ${summaryLine(res)}`);
    }
  } finally {
    await server.stop();
  }
  emitRows(rows);
  console.log(`\n${renderMarkdown(rows)}`);
  if (rows.some((r) => r.error)) process.exitCode = 1;
}

/** A report row: ttstream as idlcall, gRPC as the peer, raw frames as the ceiling. */
function toRow(group, r, res) {
  const extraOf = (m) => Object.fromEntries(['p50Ms', 'p99Ms', 'peakRssMb', 'cpuUsPerOp', 'serverCpuPct'].filter((k) => m[k] !== undefined).map((k) => [k, m[k]]));
  const row = { group, workload: r.workload, unit: r.unit, idlcall: { median: 0, min: 0, max: 0 }, peers: {}, peerExtra: {} };
  const notes = [];
  const ours = res['idlcall ttstream'];
  if (!ours || ours.error) {
    notes.push(`idlcall ttstream failed: ${ours?.error ?? 'no result'}`);
    row.error = true;
  } else {
    row.idlcall = stat(ours);
    row.extra = extraOf(ours);
  }
  const grpc = res['idlcall gRPC'];
  if (!grpc || grpc.error) {
    notes.push(`idlcall gRPC failed: ${grpc?.error ?? 'no result'}`);
    row.error = true;
  } else {
    // Runs are interleaved (ttstream, gRPC, raw; ttstream, gRPC, raw; …): the median of the
    // per-round ratios holds better than the ratio of medians when the machine's load swings.
    row.peers['idlcall gRPC'] = stat(grpc, ours && !ours.error ? { ratio: perRound(ours, grpc) } : {});
    const { serverCpuPct: _, ...rest } = extraOf(grpc);
    row.peerExtra['idlcall gRPC'] = rest;
  }
  const before = res[BASE];
  if (before && !before.error) {
    // the same ttstream client from the --base checkout, as one more peer (ratio: this checkout ÷ base)
    row.peers[BASE] = stat(before, ours && !ours.error ? { ratio: perRound(ours, before) } : {});
    row.peerExtra[BASE] = extraOf(before);
  } else if (before) notes.push(`${BASE} failed: ${before.error}`);
  const raw = res[RAW];
  if (raw && !raw.error) {
    row.ceiling = { name: 'raw node:net frames', ...stat(raw) };
    if (ours && !ours.error) notes.push(`per-round share of the ceiling ${(100 * perRound(ours, raw)).toFixed(0)}%`);
    if (before && !before.error) notes.push(`${BASE}: per-round share of the ceiling ${(100 * perRound(before, raw)).toFixed(0)}%`);
    if (raw.cpuUsPerOp !== undefined) notes.push(`raw client CPU µs/op ${raw.cpuUsPerOp.toFixed(1)}`);
  } else notes.push(`raw node:net failed: ${raw?.error ?? 'no result'}`);
  const rawGrpc = res[RAW_GRPC];
  if (rawGrpc && !rawGrpc.error) {
    // the hardware's ttstream ÷ gRPC ratio: both ceilings against the same server in the same rounds
    row.peers[RAW_GRPC] = stat(rawGrpc, ours && !ours.error ? { ratio: perRound(ours, rawGrpc) } : {});
    if (raw && !raw.error) notes.push(`ceilings: raw ttstream ÷ raw gRPC per round ${perRound(raw, rawGrpc).toFixed(2)}×`);
    if (grpc && !grpc.error) notes.push(`idlcall gRPC: per-round share of raw gRPC ${(100 * perRound(grpc, rawGrpc)).toFixed(0)}%`);
  } else if (rawGrpc) notes.push(`${RAW_GRPC} failed: ${rawGrpc.error}`);
  if (r.w === 'unary') notes.push('ttstream: a one-message client stream (Kitex sends unary methods Framed); gRPC: the unary method');
  if (notes.length) row.note = notes.join('; ');
  return row;
}

/** The median over rounds of a's rate ÷ b's rate in the same round. */
function perRound(a, b) {
  const ratios = a.runs.map((x, i) => x / b.runs[i]).sort((x, y) => x - y);
  const mid = ratios.length >> 1;
  return ratios.length % 2 ? ratios[mid] : (ratios[mid - 1] + ratios[mid]) / 2;
}

function summaryLine(res) {
  return Object.entries(res)
    .map(([n, m]) => (m.error ? `${n} ERROR ${m.error}` : `${n} ${m.median.toFixed(0)}/s (${m.min.toFixed(0)}–${m.max.toFixed(0)})${m.p50Ms ? ` p50 ${m.p50Ms.toFixed(3)} p99 ${m.p99Ms.toFixed(3)} ms` : ''} RSS ${m.peakRssMb.toFixed(0)} MB`))
    .join(' | ');
}

// ------------------------------------------------------------------ entry (last: every declaration above is initialised)
if (mode === 'server') await runServer();
else if (mode === 'client') serveClient(() => setupClient(JSON.parse(process.argv[3])));
else {
  await main();
  process.exit(); // with process.exitCode; the exit handler kills any child left
}
