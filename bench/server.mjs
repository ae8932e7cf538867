// Servers under load: idlcall's generic server (JSON handlers) beside the @grpc/grpc-js server,
// npm `thrift`'s server and raw node:http2 / node:net servers answering pre-encoded frames.
//
//   npm run build && node bench/server.mjs [--quick] [--json-out file] [--filter text] [--base dist-dir] [--awake]
//
//   node bench/server.mjs server <kind> [dist-dir]  /  node bench/server.mjs load <workload text> <port> <seconds>
//   (one server, one row's load: for profiling a server by hand, e.g. under node --cpu-prof)
//
// --filter: only rows whose workload contains the text. --base: also serve with another build of
// idlcall (e.g. main's dist/, built in a second worktree) as "idlcall base", interleaved with this
// one, for before/after figures from the same run. --awake: every server's event loop polls
// instead of sleeping (bench/lib/stay-awake.mjs), so one-connection rows measure the servers
// rather than how long an idle CPU of the machine takes to wake up; CPU figures are then meaningless.
//
// Layout: every server is its own child process pinned to CPU 1 (`taskset -c 1`); the load runs
// on CPU 0: h2load (Debian nghttp2-client) for gRPC unary, and this process's own raw node:http2
// and node:net clients for streaming shapes and Thrift (h2load cannot stream). For each row all
// servers are started, warmed, then measured in interleaved rounds (A B C, A B C, …); the median
// of the rounds is reported. Server CPU per operation comes from /proc/<pid>/stat (utime+stime)
// around each run; peak RSS is the server's VmHWM at the end of the row (a fresh process per row).
// Kitex's Go server cannot be built here (no Go module proxy): its figures are quoted from
// issue 26, not measured.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateNodeThrift, startNpmThriftEchoServer } from './lib/npm-thrift.mjs';
import { H2LOAD } from './lib/oracles.mjs';
import { summarize } from './lib/measure.mjs';
import { benchArgs, emitRows, renderMarkdown } from './lib/report.mjs';
import { hasTaskset, pinSelf, processCpuSeconds, startServer } from './lib/rpc-harness.mjs';

const SELF = fileURLToPath(import.meta.url);
const ROOT = join(dirname(SELF), '..');
const PROTO = join(ROOT, 'examples/idl/streaming.proto');
const THRIFT = join(ROOT, 'test/fixtures/ttheader/streaming.thrift');
const SERVICE = '/pb.StreamingService/';
const TEXT = 'x'.repeat(62); // a 64-byte pb.Request / pb.Response: tag, length, 62 bytes
const GROUP = 'generic server under load (server on CPU 1)';
/** Kitex's Go server on one core, from issue 26 (not buildable here: no Go module proxy). */
const KITEX = {
  'unary c=1': 3707,
  'unary 4×16 streams': 72408,
  'server stream 64 B': 1.19e6,
  'bidi ping-pong 1 stream': 3923,
  'bidi 4×16 streams': 227519,
  'Thrift Framed 1 conn': 9470,
  'Thrift Framed 64 conns': 75783,
};

// ------------------------------------------------------------------ pre-encoded bytes

/** A gRPC message frame around a pb.Request/pb.Response { message: TEXT }. */
function grpcFrame(text = TEXT) {
  const body = Buffer.concat([Buffer.from([0x0a, text.length]), Buffer.from(text)]);
  const f = Buffer.alloc(5 + body.length);
  f.writeUInt32BE(body.length, 1);
  body.copy(f, 5);
  return f;
}

/** A Framed TBinaryProtocol EchoPingPong CALL (type 1) or REPLY (type 2) carrying { message: TEXT }. */
function thriftFrame(type, seq = 0) {
  const name = Buffer.from('EchoPingPong');
  const text = Buffer.from(TEXT);
  // args {1: Request {1: message}} / result {0: Response {1: message}}
  const fieldId = type === 1 ? 1 : 0;
  const body = Buffer.alloc(4 + 4 + name.length + 4 + 3 + 3 + 4 + text.length + 1 + 1);
  let o = body.writeUInt32BE((0x80010000 | type) >>> 0, 0);
  o = body.writeInt32BE(name.length, o);
  o += name.copy(body, o);
  o = body.writeInt32BE(seq, o);
  o = body.writeUInt8(12, o); // struct
  o = body.writeInt16BE(fieldId, o);
  o = body.writeUInt8(11, o); // string
  o = body.writeInt16BE(1, o);
  o = body.writeInt32BE(text.length, o);
  o += text.copy(body, o);
  o = body.writeUInt8(0, o);
  body.writeUInt8(0, o);
  const f = Buffer.alloc(4 + body.length);
  f.writeUInt32BE(body.length, 0);
  body.copy(f, 4);
  return f;
}
const SEQ_OFFSET = 4 + 4 + 4 + 'EchoPingPong'.length;

// ------------------------------------------------------------------ servers (children)

async function runServer(kind, arg) {
  let port;
  if (kind === 'idlcall-grpc' || kind === 'idlcall-thrift') {
    const api = await import(pathToFileURL(join(arg, 'index.js')).href);
    let server;
    if (kind === 'idlcall-grpc') {
      const reply = JSON.stringify({ message: TEXT });
      // JSON handlers as a user writes them: echo the request, yield JSON strings.
      server = api.newGenericServer(api.jsonPbGeneric(await api.protoFileProvider(PROTO)), {
        UnaryEcho: (req) => req,
        async *StreamResponseEcho(req) {
          const n = Number(JSON.parse(req).message);
          for (let i = 0; i < n; i++) yield reply;
        },
        async *BidirectionalEcho(requests) {
          for await (const r of requests) yield r;
        },
      });
    } else {
      server = api.newGenericServer(api.jsonThriftGeneric(await api.thriftFileProvider(THRIFT)), { EchoPingPong: (req) => req });
    }
    ({ port } = await server.start());
  } else if (kind === 'grpcjs') {
    const grpc = await import('@grpc/grpc-js');
    const loader = await import('@grpc/proto-loader');
    const def = loader.loadSync(PROTO, { keepCase: true, longs: String, enums: String, defaults: true });
    const svc = grpc.loadPackageDefinition(def).pb.StreamingService.service;
    const server = new grpc.Server();
    // Object handlers as a grpc-js user writes them (proto-loader decodes and encodes).
    server.addService(svc, {
      UnaryEcho: (call, cb) => cb(null, { message: call.request.message }),
      StreamResponseEcho: async (call) => {
        const n = Number(call.request.message);
        const reply = { message: TEXT };
        for (let i = 0; i < n; i++) if (!call.write(reply)) await new Promise((r) => call.once('drain', r));
        call.end();
      },
      BidirectionalEcho: (call) => {
        call.on('data', (m) => call.write({ message: m.message }));
        call.on('end', () => call.end());
      },
      StreamRequestEcho: (call, cb) => cb(null, { message: '' }),
    });
    port = await new Promise((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  } else if (kind === 'raw-h2') {
    port = await rawHttp2Server();
  } else if (kind === 'npm-thrift') {
    port = await startNpmThriftEchoServer(arg);
  } else if (kind === 'raw-net') {
    port = await rawNetServer();
  } else throw new Error(`unknown server ${kind}`);
  process.stdout.write(`${port}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
  setTimeout(() => process.exit(0), 30 * 60 * 1000).unref();
}

/**
 * The ceiling for gRPC: node:http2 answering with pre-encoded frames, no codec, no checks
 * beyond counting request frames (bidi: one reply per request message).
 */
async function rawHttp2Server() {
  const reply = grpcFrame();
  const BATCH = 64;
  const block = Buffer.concat(Array.from({ length: BATCH }, () => reply));
  const headers = { ':status': 200, 'content-type': 'application/grpc' };
  const trailers = { 'grpc-status': '0' };
  const server = http2.createServer({ settings: { initialWindowSize: 1 << 20 } });
  server.on('connection', (s) => s.setNoDelay(true));
  server.on('session', (s) => {
    s.on('error', () => undefined);
    try {
      s.setLocalWindowSize(8 << 20);
    } catch {
      // only slower
    }
  });
  server.on('stream', (stream, h) => {
    stream.on('error', () => undefined);
    const method = h[':path'].slice(SERVICE.length);
    stream.once('wantTrailers', () => stream.sendTrailers(trailers));
    if (method === 'BidirectionalEcho') {
      stream.respond(headers, { waitForTrailers: true });
      let need = 5;
      let inHeader = true;
      let hdr = 0;
      stream.on('data', (chunk) => {
        let n = 0;
        for (let i = 0; i < chunk.length; ) {
          const take = Math.min(need, chunk.length - i);
          if (inHeader) for (let k = 0; k < take; k++) hdr = hdr * 256 + chunk[i + k];
          i += take;
          need -= take;
          if (need > 0) break;
          if (inHeader) {
            need = hdr % 2 ** 32;
            inHeader = false;
            hdr = 0;
            if (need > 0) continue;
          }
          n++;
          inHeader = true;
          need = 5;
        }
        for (let k = 0; k < n; k++) stream.write(reply);
      });
      stream.on('end', () => stream.end());
      return;
    }
    let body = [];
    stream.on('data', (c) => body.push(c));
    stream.on('end', () => {
      stream.respond(headers, { waitForTrailers: true });
      if (method !== 'StreamResponseEcho') return void stream.end(reply);
      const req = Buffer.concat(body);
      let left = Number(req.subarray(7).toString());
      const pump = () => {
        while (left >= BATCH) {
          left -= BATCH;
          if (!stream.write(block)) return void stream.once('drain', pump);
        }
        while (left > 0) {
          left--;
          stream.write(reply);
        }
        stream.end();
      };
      pump();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return server.address().port;
}

/** The ceiling for Thrift Framed: node:net answering each frame with a pre-encoded reply (sequence id copied). */
async function rawNetServer() {
  const reply = thriftFrame(2);
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      let o = 0;
      while (buf.length - o >= 4) {
        const len = buf.readUInt32BE(o);
        if (buf.length - o < 4 + len) break;
        const out = Buffer.from(reply);
        buf.copy(out, SEQ_OFFSET, o + SEQ_OFFSET, o + SEQ_OFFSET + 4);
        socket.write(out);
        o += 4 + len;
      }
      buf = buf.subarray(o);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return server.address().port;
}

// ------------------------------------------------------------------ load (this process, CPU 0)

/** h2load, unary: `clients` connections × `streams` concurrent streams for `seconds`; resolves to calls done. */
function h2loadUnary(port, { clients, streams }, seconds, dataFile) {
  const args = ['-c', String(clients), '-m', String(streams), '-t', '1', '-D', `${Math.round(seconds * 1000)}ms`, '-d', dataFile, '-H', 'content-type: application/grpc', '-H', 'te: trailers', `http://127.0.0.1:${port}${SERVICE}UnaryEcho`];
  const [cmd, argv] = hasTaskset ? ['taskset', ['-c', '0', H2LOAD, ...args]] : [H2LOAD, args];
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('exit', () => {
      const m = /requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded/.exec(out);
      if (!m) return reject(new Error(`h2load: no result\n${out.slice(-800)}`));
      if (m[1] !== m[2]) return reject(new Error(`h2load: ${m[1]} done but ${m[2]} succeeded\n${out.slice(-800)}`));
      resolveRun(Number(m[2]));
    });
  });
}

/** Counts gRPC messages across chunks (5-byte prefix + length). */
class MessageCounter {
  need = 5;
  inHeader = true;
  hdr = 0;
  /** Whole messages completed by `chunk`. */
  push(chunk) {
    let n = 0;
    for (let i = 0; i < chunk.length; ) {
      const take = Math.min(this.need, chunk.length - i);
      if (this.inHeader) for (let k = 0; k < take; k++) this.hdr = this.hdr * 256 + chunk[i + k];
      i += take;
      this.need -= take;
      if (this.need > 0) break;
      if (this.inHeader) {
        this.need = this.hdr % 2 ** 32;
        this.inHeader = false;
        this.hdr = 0;
        if (this.need > 0) continue;
      }
      n++;
      this.inHeader = true;
      this.need = 5;
    }
    return n;
  }
}

function connect(port) {
  return new Promise((res, rej) => {
    const s = http2.connect(`http://127.0.0.1:${port}`, {
      settings: { initialWindowSize: 1 << 24 },
      createConnection: () => net.connect(port, '127.0.0.1').setNoDelay(true),
    });
    s.once('error', rej);
    s.once('connect', () => {
      s.off('error', rej);
      s.on('error', () => undefined);
      try {
        s.setLocalWindowSize(32 << 20);
      } catch {
        // only slower
      }
      res(s);
    });
  });
}

const GRPC_HEADERS = (method) => ({ ':method': 'POST', ':path': SERVICE + method, 'content-type': 'application/grpc', te: 'trailers' });

/** Ends when a stream ends: rejects unless grpc-status 0 came. */
function statusOk(stream) {
  return new Promise((res, rej) => {
    let status;
    stream.on('trailers', (t) => (status = t['grpc-status']));
    stream.on('response', (h) => (status ??= h['grpc-status']));
    stream.on('error', rej);
    stream.on('close', () => (status === '0' ? res() : rej(new Error(`stream ended with grpc-status ${status}`))));
  });
}

/** Server streaming on one connection, `parallel` streams of `perStream` messages at a time; resolves to messages received. */
async function serverStreamLoad(port, seconds, { parallel = 2, perStream = 20000 } = {}) {
  const session = await connect(port);
  const request = grpcFrame(String(perStream));
  const until = performance.now() + seconds * 1000;
  let total = 0;
  const worker = async () => {
    while (performance.now() < until) {
      const st = session.request(GRPC_HEADERS('StreamResponseEcho'));
      const counter = new MessageCounter();
      let got = 0;
      st.on('data', (c) => (got += counter.push(c)));
      const done = statusOk(st);
      st.end(request);
      await done;
      if (got !== perStream) throw new Error(`server stream: ${got} of ${perStream} messages`);
      total += got;
    }
  };
  try {
    await Promise.all(Array.from({ length: parallel }, worker));
  } finally {
    session.destroy();
  }
  return total;
}

/** Bidi ping-pong: `conns` connections × `streams` streams, one message in flight per stream; resolves to round trips. */
async function bidiLoad(port, seconds, { conns, streams }) {
  const sessions = await Promise.all(Array.from({ length: conns }, () => connect(port)));
  const msg = grpcFrame();
  const until = performance.now() + seconds * 1000;
  let total = 0;
  const one = (session) => {
    const st = session.request(GRPC_HEADERS('BidirectionalEcho'));
    const counter = new MessageCounter();
    const done = statusOk(st);
    st.on('data', (c) => {
      const n = counter.push(c);
      if (n === 0) return;
      total += n;
      if (performance.now() < until) st.write(msg);
      else st.end();
    });
    st.write(msg);
    return done;
  };
  try {
    await Promise.all(sessions.flatMap((s) => Array.from({ length: streams }, () => one(s))));
  } finally {
    for (const s of sessions) s.destroy();
  }
  return total;
}

/** Thrift Framed ping-pong over `conns` raw node:net connections, one call in flight each; resolves to calls answered. */
async function thriftLoad(port, seconds, conns) {
  const request = thriftFrame(1);
  const until = performance.now() + seconds * 1000;
  let total = 0;
  const one = () =>
    new Promise((res, rej) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      let seq = 0;
      let buf = Buffer.alloc(0);
      const send = () => {
        const out = Buffer.from(request);
        out.writeInt32BE(++seq, SEQ_OFFSET);
        socket.write(out);
      };
      socket.once('connect', send);
      socket.on('error', rej);
      socket.on('close', () => res());
      socket.on('data', (chunk) => {
        buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
        if (buf.length < 4 || buf.length < 4 + buf.readUInt32BE(0)) return;
        const len = buf.readUInt32BE(0);
        if (buf[4 + 3] !== 2 || buf.readInt32BE(SEQ_OFFSET) !== seq) return void rej(new Error(`thrift: not a REPLY to call ${seq}`));
        buf = buf.subarray(4 + len);
        total++;
        if (performance.now() < until) send();
        else socket.end();
      });
    });
  await Promise.all(Array.from({ length: conns }, one));
  return total;
}

// ------------------------------------------------------------------ rows

const ROWS = [
  { workload: 'unary c=1', proto: 'grpc', unit: 'calls/s', tool: 'h2load -c1 -m1', load: (p, s, f) => h2loadUnary(p, { clients: 1, streams: 1 }, s, f) },
  { workload: 'unary 4×16 streams', proto: 'grpc', unit: 'calls/s', tool: 'h2load -c4 -m16', load: (p, s, f) => h2loadUnary(p, { clients: 4, streams: 16 }, s, f) },
  { workload: 'server stream 64 B', proto: 'grpc', unit: 'msgs/s', tool: 'node:http2 client, 2 streams of 20,000', load: (p, s) => serverStreamLoad(p, s) },
  { workload: 'bidi ping-pong 1 stream', proto: 'grpc', unit: 'round trips/s', tool: 'node:http2 client', load: (p, s) => bidiLoad(p, s, { conns: 1, streams: 1 }) },
  { workload: 'bidi 4×16 streams', proto: 'grpc', unit: 'round trips/s', tool: 'node:http2 client', load: (p, s) => bidiLoad(p, s, { conns: 4, streams: 16 }) },
  { workload: 'Thrift Framed 1 conn', proto: 'thrift', unit: 'calls/s', tool: 'node:net client', load: (p, s) => thriftLoad(p, s, 1) },
  { workload: 'Thrift Framed 64 conns', proto: 'thrift', unit: 'calls/s', tool: 'node:net client', load: (p, s) => thriftLoad(p, s, 64) },
];

function peakRssMb(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

function serversFor(row, dist, base, genDir, awake) {
  const pre = awake ? ['--import', pathToFileURL(join(ROOT, 'bench/lib/stay-awake.mjs')).href] : [];
  const node = (kind, arg) => ({ cmd: process.execPath, args: [...pre, SELF, 'server', kind, ...(arg ? [arg] : [])] });
  if (row.proto === 'grpc') {
    return [
      { name: 'idlcall', ...node('idlcall-grpc', dist) },
      ...(base ? [{ name: 'idlcall base', ...node('idlcall-grpc', base) }] : []),
      { name: '@grpc/grpc-js', ...node('grpcjs') },
      { name: 'raw node:http2', ceiling: true, ...node('raw-h2') },
    ];
  }
  return [
    { name: 'idlcall', ...node('idlcall-thrift', dist) },
    ...(base ? [{ name: 'idlcall base', ...node('idlcall-thrift', base) }] : []),
    { name: 'npm thrift', ...node('npm-thrift', genDir) },
    { name: 'raw node:net', ceiling: true, ...node('raw-net') },
  ];
}

async function measureRowOn(row, servers, { warmupS, runS, rounds, dataFile }) {
  const started = [];
  try {
    for (const s of servers) started.push({ ...s, srv: await startServer(s.cmd, s.args) });
    for (const s of started) await row.load(s.srv.port, warmupS, dataFile);
    const rates = new Map(started.map((s) => [s.name, []]));
    const cpu = new Map(started.map((s) => [s.name, []]));
    const busy = new Map(started.map((s) => [s.name, []]));
    for (let r = 0; r < rounds; r++) {
      for (const s of started) {
        const c0 = processCpuSeconds(s.srv.pid);
        const t0 = performance.now();
        const ops = await row.load(s.srv.port, runS, dataFile);
        const secs = (performance.now() - t0) / 1000;
        const c1 = processCpuSeconds(s.srv.pid);
        rates.get(s.name).push(ops / secs);
        if (c0 !== undefined && c1 !== undefined) {
          cpu.get(s.name).push(((c1 - c0) * 1e6) / ops);
          busy.get(s.name).push((100 * (c1 - c0)) / secs);
        }
      }
    }
    return started.map((s) => ({
      name: s.name,
      ceiling: s.ceiling,
      rate: summarize(rates.get(s.name)),
      cpuUsPerOp: cpu.get(s.name).length ? summarize(cpu.get(s.name)).median : undefined,
      // below ~85% of a core the load, not the server, set the pace: compare CPU per op then
      serverCpuPct: busy.get(s.name).length ? summarize(busy.get(s.name)).median : undefined,
      peakRssMb: peakRssMb(s.srv.pid),
    }));
  } finally {
    for (const s of started) await s.srv.stop();
  }
}

async function main() {
  const { quick } = benchArgs();
  const argv = process.argv.slice(2);
  const fi = argv.indexOf('--filter');
  const filter = fi >= 0 ? argv[fi + 1].toLowerCase() : undefined;
  const bi = argv.indexOf('--base');
  const base = bi >= 0 ? resolve(argv[bi + 1]) : undefined;
  const awake = argv.includes('--awake');
  const dist = join(ROOT, 'dist');
  pinSelf(0);
  const hasH2load = existsSync(H2LOAD);
  const tmp = mkdtempSync(join(tmpdir(), 'idlcall-bench-server-'));
  const rows = [];
  try {
    const dataFile = join(tmp, 'unary.bin');
    writeFileSync(dataFile, grpcFrame());
    let genDir;
    try {
      genDir = join(tmp, 'gen');
      mkdirSync(genDir);
      generateNodeThrift(THRIFT, genDir);
    } catch {
      genDir = undefined;
    }
    const opts = quick ? { warmupS: 0.5, runS: 1, rounds: 3 } : { warmupS: 1, runS: 2, rounds: 3 };
    for (const row of ROWS) {
      if (filter && !row.workload.toLowerCase().includes(filter)) continue;
      const base_ = { group: awake ? `${GROUP}, servers kept awake (--awake)` : GROUP, workload: row.workload, unit: row.unit };
      if (row.tool.startsWith('h2load') && !hasH2load) {
        rows.push({ ...base_, idlcall: {}, peers: {}, note: 'skipped: h2load not found (Debian package nghttp2-client)' });
        continue;
      }
      const servers = serversFor(row, dist, base, genDir, awake).filter((s) => s.name !== 'npm thrift' || genDir);
      const got = await measureRowOn(row, servers, { ...opts, dataFile });
      const ours = got.find((g) => g.name === 'idlcall');
      const ceiling = got.find((g) => g.ceiling);
      const peers = {};
      const peerExtra = {};
      for (const g of got) {
        if (g === ours || g.ceiling) continue;
        peers[g.name] = { median: g.rate.median, min: g.rate.min, max: g.rate.max };
        peerExtra[g.name] = { peakRssMb: g.peakRssMb, cpuUsPerOp: g.cpuUsPerOp };
      }
      peers['Kitex (issue 26, not measured here)'] = { median: KITEX[row.workload], min: KITEX[row.workload], max: KITEX[row.workload] };
      const extra = { peakRssMb: ours.peakRssMb, cpuUsPerOp: ours.cpuUsPerOp, serverCpuPct: ours.serverCpuPct };
      const note = [
        `load: ${row.tool}`,
        `server CPU µs/op ${got.map((g) => `${g.name} ${g.cpuUsPerOp?.toFixed(2) ?? '–'}`).join(', ')}`,
        `server peak RSS MB ${got.map((g) => `${g.name} ${g.peakRssMb?.toFixed(0) ?? '–'}`).join(', ')}`,
        `server busy % ${got.map((g) => `${g.name} ${g.serverCpuPct?.toFixed(0) ?? '–'}`).join(', ')}`,
      ].join('; ');
      const out = { ...base_, idlcall: { median: ours.rate.median, min: ours.rate.min, max: ours.rate.max }, peers, ceiling: { name: ceiling.name, median: ceiling.rate.median, min: ceiling.rate.min, max: ceiling.rate.max }, serverExtra: Object.fromEntries(got.map((g) => [g.name, { rate: g.rate.median, cpuUsPerOp: g.cpuUsPerOp, peakRssMb: g.peakRssMb, serverCpuPct: g.serverCpuPct }])), note };
      rows.push(out);
      console.log(`${row.workload}: ${got.map((g) => `${g.name} ${Math.round(g.rate.median)} (${g.cpuUsPerOp?.toFixed(2)} µs, ${g.peakRssMb?.toFixed(0)} MB)`).join(' | ')}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  emitRows(rows);
  console.log(`\n${renderMarkdown(rows)}`);
  // server-side figures alone, one line per row (what the issue's targets are stated in)
  console.log('\n| workload | server | rate | CPU µs/op | server busy % | peak RSS MB |\n|---|---|---:|---:|---:|---:|');
  for (const r of rows) for (const [name, x] of Object.entries(r.serverExtra ?? {})) console.log(`| ${r.workload} | ${name} | ${Math.round(x.rate)} | ${x.cpuUsPerOp?.toFixed(2) ?? '–'} | ${x.serverCpuPct?.toFixed(0) ?? '–'} | ${x.peakRssMb?.toFixed(0) ?? '–'} |`);
}

/** `load <workload text> <port> <seconds>`: one row's load against a server started by hand (e.g. under --cpu-prof). */
async function runLoad(text, port, seconds) {
  const row = ROWS.find((r) => r.workload.toLowerCase().includes(text.toLowerCase()));
  if (!row) throw new Error(`no row matches ${text}`);
  const tmp = mkdtempSync(join(tmpdir(), 'idlcall-bench-load-'));
  try {
    const dataFile = join(tmp, 'unary.bin');
    writeFileSync(dataFile, grpcFrame());
    const t0 = performance.now();
    const ops = await row.load(Number(port), Number(seconds), dataFile);
    console.log(`${row.workload}: ${Math.round((ops * 1000) / (performance.now() - t0))} ${row.unit}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const [mode, kind, arg, arg2] = process.argv.slice(2);
if (mode === 'server') await runServer(kind, arg);
else if (mode === 'load') await runLoad(kind, arg, arg2);
else await main();
