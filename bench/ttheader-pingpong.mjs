// Thrift ping-pong calls/s: idlcall's PingPongClient vs the npm `thrift` package's
// client (generated with `thrift --gen js:node`), both Framed + TBinaryProtocol, against
// the same small Node echo server running in a child process.
//
//   npm run build && node bench/ttheader-pingpong.mjs
//
// A third client is the ceiling: bare node:net sockets writing a pre-encoded frame and
// counting reply bytes (no codec, no checks), reading through `onread` as idlcall does (no
// Buffer or 'data' event per read): what any Node client could at best reach.
// Both sides start from a request object and end with the reply's message string: npm
// thrift with its generated code, idlcall with its own Thrift codec's object API
// (ThriftCodec.encodeObject / decodeToObject on the function's args and result structs).
// Concurrency 1 and 64: npm thrift pipelines every call over one connection (its only
// mode); idlcall keeps one call per connection, as Kitex servers expect, with a pool of up
// to 64.
import { fork, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as net from 'node:net';

const here = dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------- echo server (child)
if (process.argv[2] === 'server') {
  // Framed binary only: answers EchoPingPong(args {1: Request}) with result {0: Response} — same bytes, field id 0.
  // Like Kitex and Apache's servers, each reply is flushed on its own (one write per reply);
  // BENCH_COALESCE=1 batches the replies to pipelined requests from one read into one write instead.
  const coalesce = process.env.BENCH_COALESCE === '1';
  const server = net.createServer((sock) => {
    sock.setNoDelay(true);
    let buf = Buffer.alloc(0);
    sock.on('error', () => {});
    sock.on('data', (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      const out = [];
      while (buf.length >= 4) {
        const len = buf.readUInt32BE(0);
        if (buf.length < 4 + len) break;
        const msg = Buffer.from(buf.subarray(0, 4 + len));
        buf = buf.subarray(4 + len);
        msg.writeUInt32BE(0x80010002, 4); // CALL -> REPLY
        const nameLen = msg.readUInt32BE(8);
        const body = 4 + 12 + nameLen;
        msg.writeInt16BE(0, body + 1); // args field 1 -> result field 0 (success)
        out.push(msg);
      }
      if (coalesce) {
        if (out.length) sock.write(out.length === 1 ? out[0] : Buffer.concat(out));
      } else {
        for (const m of out) sock.write(m);
      }
    });
  });
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('disconnect', () => process.exit(0));
} else {
  await main();
}

async function main() {
  const { measureAsync, formatRate } = await import('./lib/measure.mjs').catch(() => ({ measureAsync: localMeasure, formatRate: (r) => r.toFixed(0) }));
  const { PingPongClient } = await import('../dist/ttheader/index.js');

  const child = fork(fileURLToPath(import.meta.url), ['server'], { stdio: 'inherit' });
  // bench/run.mjs pins this process to CPU 0; the server goes to the other core (when taskset exists).
  try {
    execFileSync('taskset', ['-p', '-c', '1', String(child.pid)], { stdio: 'ignore' });
  } catch {
    // no taskset, or one core: unpinned
  }
  const port = await new Promise((r) => child.once('message', (m) => r(m.port)));

  // npm thrift: generated code in a temp dir, its requires pointed at our node_modules
  const gen = mkdtempSync(join(tmpdir(), 'idlcall-bench-js-'));
  execFileSync('thrift', ['--gen', 'js:node', '-out', gen, join(here, '../test/fixtures/ttheader/streaming.thrift')]);
  const req = createRequire(join(here, '../package.json'));
  for (const f of readdirSync(gen)) {
    const p = join(gen, f);
    writeFileSync(p, readFileSync(p, 'utf8')
      .replace(/require\('thrift'\)/g, `require(${JSON.stringify(req.resolve('thrift'))})`)
      .replace(/require\('node-int64'\)/g, `require(${JSON.stringify(req.resolve('node-int64'))})`));
  }
  const thrift = req('thrift');
  const genReq = createRequire(join(gen, 'x.js'));
  const TestService = genReq('./TestService.js');
  const { Request } = genReq('./streaming_types.js');

  const conn = thrift.createConnection('127.0.0.1', port, { transport: thrift.TFramedTransport, protocol: thrift.TBinaryProtocol });
  await new Promise((r) => conn.once('connect', r));
  const tc = thrift.createClient(TestService, conn);
  const thriftCall = (msg) => new Promise((resolve, reject) => tc.EchoPingPong(new Request({ message: msg }), (e, r) => (e ? reject(e) : resolve(r.message))));

  // idlcall's side of the codec work: the args and result structs of the same IDL function
  const { loadThriftFile } = await import('../dist/idl-parser/thrift/index.js');
  const { ThriftCodec } = await import('../dist/codec/thrift/index.js');
  const fn = (await loadThriftFile(join(here, '../test/fixtures/ttheader/streaming.thrift'))).findService('TestService').functions.get('EchoPingPong');
  const codec = new ThriftCodec();
  const encodeArgs = (msg) => codec.encodeObject(fn.argsStruct, { req: { message: msg } });
  const decodeResult = (b) => codec.decodeToObject(fn.resultStruct, b).success.message;

  const ours = {
    1: new PingPongClient({ hostPorts: [`127.0.0.1:${port}`], transport: 'framed', maxConnectionsPerHost: 1 }),
    64: new PingPongClient({ hostPorts: [`127.0.0.1:${port}`], transport: 'framed', maxConnectionsPerHost: 64 }),
  };
  const oursCall = (c, msg) => c.call({ method: 'EchoPingPong', body: encodeArgs(msg) }).then((r) => decodeResult(r.body));

  // The ceiling: a bare node:net client writing one pre-encoded request frame and waiting
  // for as many reply bytes (the echo server's reply has the request's length); no seq ids,
  // no checks, no codec. One connection per concurrent caller, like idlcall.
  const { encodeEnvelope } = await import('../dist/ttheader/index.js');
  const rawFrame = encodeEnvelope({ transport: 'framed', payloadProtocol: 'thrift-binary', name: 'EchoPingPong', type: 1, seqId: 1, body: encodeArgs('hello 0') });
  const rawReadBuffer = Buffer.alloc(64 * 1024);
  const rawConns = await Promise.all(Array.from({ length: 64 }, () => new Promise((resolve, reject) => {
    const c = { got: 0, done: undefined };
    const onread = {
      buffer: rawReadBuffer,
      callback: (n) => {
        c.got += n;
        if (c.got >= rawFrame.length) {
          c.got -= rawFrame.length;
          c.done();
        }
      },
    };
    c.sock = net.connect({ host: '127.0.0.1', port, onread });
    c.sock.setNoDelay(true);
    c.sock.once('connect', () => resolve(c)).once('error', reject);
  })));
  const rawCall = (c) => new Promise((resolve) => {
    c.done = resolve;
    c.sock.write(rawFrame);
  });

  // sanity: both get the echo
  if ((await thriftCall('hello')) !== 'hello' || (await oursCall(ours[1], 'hello')) !== 'hello') throw new Error('echo mismatch');

  const batch = (conc, fn) => async () => {
    const per = conc === 1 ? 200 : 8;
    await Promise.all(Array.from({ length: conc }, async (_, w) => {
      for (let i = 0; i < per; i++) await fn(`hello ${w}`, w);
    }));
    return conc * per;
  };
  // runs alternate between the two clients so that load drift on a shared machine hits both alike
  // --quick (bench/run.mjs): 3 shorter rounds; the default is unchanged.
  const quick = process.argv.includes('--quick');
  const ROUNDS = quick ? 3 : 7;
  const opts = quick ? { warmupMs: 150, runMs: 300, runs: 1 } : { warmupMs: 200, runMs: 700, runs: 1 };
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const rows = [];
  for (const conc of [1, 64]) {
    const t = [];
    const o = [];
    const raw = [];
    for (let r = 0; r < ROUNDS; r++) {
      t.push((await measureAsync(batch(conc, thriftCall), opts)).median);
      o.push((await measureAsync(batch(conc, (m) => oursCall(ours[conc], m)), opts)).median);
      raw.push((await measureAsync(batch(conc, (_m, w) => rawCall(rawConns[w])), opts)).median);
    }
    // client-side CPU per call (user+system of this process; the server runs in the child)
    const cpu = async (fn) => {
      const b = batch(conc, fn);
      const c0 = process.cpuUsage();
      let n = 0;
      for (let i = 0; i < 10; i++) n += await b();
      const d = process.cpuUsage(c0);
      return (d.user + d.system) / n;
    };
    const cpuT = await cpu(thriftCall);
    const cpuO = await cpu((m) => oursCall(ours[conc], m));
    rows.push({ conc, idlcall: median(o), thrift: median(t), raw: median(raw), ratio: median(o.map((x, i) => x / t[i])), rawRatio: median(raw.map((x, i) => x / t[i])), cpuO, cpuT, o, t, rawRuns: raw });
  }
  console.log(`Thrift ping-pong, Framed binary, calls/s (median of 7 alternating runs; ratio = median of per-run ratios; server ${process.env.BENCH_COALESCE === '1' ? 'coalesces' : 'writes each'} reply)`);
  for (const r of rows) {
    console.log(`  concurrency ${String(r.conc).padStart(2)}: idlcall ${formatRate(r.idlcall).padStart(7)}  npm thrift ${formatRate(r.thrift).padStart(7)}  ratio ${r.ratio.toFixed(2)}x   raw node:net ${formatRate(r.raw).padStart(7)} (${r.rawRatio.toFixed(2)}x npm thrift)   client CPU/call: idlcall ${r.cpuO.toFixed(1)} µs, npm thrift ${r.cpuT.toFixed(1)} µs`);
  }

  conn.end();
  for (const c of rawConns) c.sock.destroy();
  for (const c of Object.values(ours)) await c.close();
  child.disconnect();
  const { emitRows } = await import('./lib/report.mjs');
  const spread = (xs, m) => ({ median: m, min: Math.min(...xs), max: Math.max(...xs) });
  emitRows(rows.map((r) => ({
    group: 'Thrift ping-pong transport (Framed, idlcall Thrift object codec vs generated code, Node echo server)',
    workload: `EchoPingPong, concurrency ${r.conc}`,
    unit: 'calls/s',
    idlcall: spread(r.o, r.idlcall),
    peers: { 'npm thrift': { ...spread(r.t, r.thrift), ratio: r.ratio } },
    ceiling: { name: 'raw node:net (onread)', ...spread(r.rawRuns, r.raw) },
    extra: { cpuUsPerOp: r.cpuO },
    peerExtra: { 'npm thrift': { cpuUsPerOp: r.cpuT } },
  })));
  rmSync(gen, { recursive: true, force: true });
}

async function localMeasure(batch, { warmupMs = 500, runMs = 1000, runs = 5 } = {}) {
  const until = performance.now() + warmupMs;
  while (performance.now() < until) await batch();
  const rates = [];
  for (let r = 0; r < runs; r++) {
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < runMs) n += await batch();
    rates.push((n * 1000) / (performance.now() - start));
  }
  rates.sort((a, b) => a - b);
  return { median: rates[rates.length >> 1] };
}
