// Soak: memory of servers and clients under heavy but legal load, idlcall beside @grpc/grpc-js
// and npm `thrift` on the same load. Bounded and loopback only; heavy, so opt-in:
//
//   npm run build && node bench/soak.mjs [--quick] [--json-out file]
//   npm run bench -- --soak        (bench/run.mjs runs it after the other scripts)
//
// Phases (each implementation in its own processes; servers on CPU 1, clients on CPU 0; the
// parent samples every process's RSS from /proc/<pid>/status every 20 ms and keeps the peak):
//  1. gRPC server streaming: 1 GiB (16,384 messages of 64 KiB, pre-encoded: transport, not
//     codec) to a slow consumer that pauses 10 ms after every MiB. idlcall server + client
//     (binaryPbGeneric, the handler an async generator) vs @grpc/grpc-js server + client
//     (identity serializers; the handler waits for 'drain' as a careful grpc-js user would).
//     The same volume over ttstream (idlcall only: JSON handler and client; no other Node
//     implementation speaks it, so its peer figures are grpc-js's over gRPC).
//  2. Thrift ping-pong: 1 GiB of 64 KiB EchoPingPong requests pipelined on one connection by a
//     raw node:net client that reads the replies slowly (10 ms pause per MiB). idlcall
//     newGenericServer (JSON handler) over Framed and over TTHeader vs the npm `thrift` server
//     (Framed, TBinaryProtocol, code from `thrift --gen js:node`). The same client for all.
//  3. 10,000 idle connections held, then dropped: HTTP/2 sessions (raw sockets that send the
//     preface and SETTINGS) against idlcall and grpc-js; ping-pong connections that made one
//     call each against idlcall and npm thrift. Server RSS while held and after the drop.
// --quick: 128 MiB and 1,000 connections. Each figure is one run (peak RSS is not a rate: a
// median of runs says little more), so rows carry no noise range. Ratio = idlcall ÷ peer:
// for memory, below 1× means idlcall holds less.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateNodeThrift, startNpmThriftEchoServer } from './lib/npm-thrift.mjs';
import { benchArgs, emitRows, renderMarkdown } from './lib/report.mjs';
import { hasTaskset, pinSelf, startServer } from './lib/rpc-harness.mjs';

const SELF = fileURLToPath(import.meta.url);
const ROOT = join(dirname(SELF), '..');
const PROTO = join(ROOT, 'examples/idl/streaming.proto');
const THRIFT = join(ROOT, 'test/fixtures/ttheader/streaming.thrift');
const STREAM_PATH = '/pb.StreamingService/StreamResponseEcho';
const MESSAGE_BYTES = 64 * 1024;
const SLOW_PAUSE_MS = 10; // per MiB read: the consumer is slower than the producer
const [mode, kind, ...rest] = process.argv.slice(2);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------ servers (children)
async function runServer() {
  const [genDir] = rest;
  let port;
  if (kind === 'idlcall-grpc' || kind === 'idlcall-thrift' || kind === 'idlcall-ttstream') {
    const api = await import('../dist/index.js');
    let server;
    if (kind === 'idlcall-grpc') {
      const provider = await api.protoFileProvider(PROTO);
      const payload = provider.encodeJson('pb.Response', JSON.stringify({ message: 'x'.repeat(MESSAGE_BYTES - 4) }));
      server = api.newGenericServer(api.binaryPbGeneric(provider), {
        async *StreamResponseEcho(req) {
          const n = Number(JSON.parse(provider.decodeToJson('pb.Request', req)).message);
          for (let i = 0; i < n; i++) yield payload;
        },
      });
    } else if (kind === 'idlcall-ttstream') {
      const payload = JSON.stringify({ message: 'x'.repeat(MESSAGE_BYTES - 16) });
      server = api.newGenericServer(api.jsonThriftGeneric(await api.thriftFileProvider(THRIFT)), {
        async *EchoServer(req) {
          const n = Number(JSON.parse(req).message);
          for (let i = 0; i < n; i++) yield payload;
        },
      }, { transports: ['ttstream'] });
    } else {
      server = api.newGenericServer(api.jsonThriftGeneric(await api.thriftFileProvider(THRIFT)), { EchoPingPong: (req) => req }, { transports: ['ttheader', 'framed'] });
    }
    ({ port } = await server.start());
  } else if (kind === 'grpcjs-grpc') {
    const grpc = await import('@grpc/grpc-js');
    const id = (b) => b;
    const payload = protoResponse(MESSAGE_BYTES - 4);
    const server = new grpc.Server();
    const def = { path: STREAM_PATH, requestStream: false, responseStream: true, requestSerialize: id, requestDeserialize: id, responseSerialize: id, responseDeserialize: id };
    server.addService({ StreamResponseEcho: def }, {
      StreamResponseEcho: async (call) => {
        const n = Number(call.request.subarray(2).toString());
        for (let i = 0; i < n; i++) if (!call.write(payload)) await once(call, 'drain');
        call.end();
      },
    });
    port = await new Promise((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  } else if (kind === 'npm-thrift') {
    port = await startNpmThriftEchoServer(genDir);
  } else throw new Error(`unknown server ${kind}`);
  process.stdout.write(`${port}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
  setTimeout(() => process.exit(0), 30 * 60 * 1000).unref();
}

/** pb.Response / pb.Request { message } by hand: field 1, length-delimited. */
function protoResponse(n, fill = 0x78) {
  const len = [];
  for (let v = n; ; v >>>= 7) {
    if (v < 0x80) {
      len.push(v);
      break;
    }
    len.push((v & 0x7f) | 0x80);
  }
  const out = Buffer.alloc(1 + len.length + n, fill);
  out[0] = 0x0a;
  out.set(len, 1);
  return out;
}

// ------------------------------------------------------------------ clients (children)
function done(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Reads `total` bytes of stream messages, pausing SLOW_PAUSE_MS after every MiB. */
async function runStreamClient() {
  const [port, countText] = rest;
  const n = Number(countText);
  const request = protoResponse(String(n).length);
  request.write(String(n), 2);
  let bytes = 0;
  let nextPause = 1 << 20;
  const t0 = performance.now();
  if (kind === 'idlcall-stream' || kind === 'idlcall-ttstream-stream') {
    const api = await import('../dist/index.js');
    const ttstream = kind === 'idlcall-ttstream-stream';
    const cli = ttstream
      ? api.newStreamingClient('TestService', api.jsonThriftGeneric(await api.thriftFileProvider(THRIFT)), { hostPorts: [`127.0.0.1:${port}`], transport: 'ttstream' })
      : api.newStreamingClient('streaming', api.binaryPbGeneric(await api.protoFileProvider(PROTO)), { hostPorts: [`127.0.0.1:${port}`] });
    const ss = ttstream ? await cli.serverStreaming('EchoServer', JSON.stringify({ message: String(n) })) : await cli.serverStreaming('StreamResponseEcho', request);
    for await (const m of ss) {
      bytes += m.length;
      if (bytes >= nextPause) {
        nextPause += 1 << 20;
        await sleep(SLOW_PAUSE_MS);
      }
    }
    await cli.close();
  } else {
    const grpc = await import('@grpc/grpc-js');
    const id = (b) => b;
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const call = client.makeServerStreamRequest(STREAM_PATH, id, id, request);
    await new Promise((resolve, reject) => {
      call.on('data', (m) => {
        bytes += m.length;
        if (bytes >= nextPause) {
          nextPause += 1 << 20;
          call.pause();
          setTimeout(() => call.resume(), SLOW_PAUSE_MS);
        }
      });
      call.on('end', resolve);
      call.on('error', reject);
    });
    client.close();
  }
  done({ bytes, seconds: (performance.now() - t0) / 1000 });
}

/** One EchoPingPong request frame with a 64 KiB message (Framed or TTHeader). */
async function pingPongFrame(transport, message) {
  const api = await import('../dist/index.js');
  const tt = await import('../dist/ttheader/index.js');
  const g = api.jsonThriftGeneric(await api.thriftFileProvider(THRIFT));
  return Buffer.from(tt.encodeEnvelope({
    transport,
    payloadProtocol: 'thrift-binary',
    name: 'EchoPingPong',
    type: 1,
    seqId: 1,
    body: g.method('EchoPingPong').encodeRequest(JSON.stringify({ message })),
    ...(transport === 'ttheader' ? { intInfo: new Map([[1, 'framed']]) } : {}),
  }));
}

/** Counts length-prefixed replies on a socket without keeping them. */
function countReplies(sock, onReply) {
  let head = Buffer.alloc(0);
  let left = 0;
  sock.on('data', (c) => {
    let p = 0;
    while (p < c.length) {
      if (left === 0) {
        const take = Math.min(4 - head.length, c.length - p);
        head = Buffer.concat([head, c.subarray(p, p + take)]);
        p += take;
        if (head.length < 4) break;
        left = head.readUInt32BE(0);
        head = Buffer.alloc(0);
        if (left === 0) onReply();
        continue;
      }
      const take = Math.min(left, c.length - p);
      left -= take;
      p += take;
      if (left === 0) onReply();
    }
  });
}

/** Pipelines `n` 64 KiB requests on one connection, reading the replies slowly. */
async function runPipelineClient() {
  const [port, transport, countText] = rest;
  const n = Number(countText);
  const frame = await pingPongFrame(transport, 'p'.repeat(MESSAGE_BYTES - 40));
  const sock = net.connect(Number(port), '127.0.0.1');
  await once(sock, 'connect');
  let replies = 0;
  let bytes = 0;
  let nextPause = 1 << 20;
  const t0 = performance.now();
  const finished = new Promise((resolve, reject) => {
    sock.on('error', reject);
    sock.on('close', () => reject(new Error(`connection closed after ${replies} of ${n} replies`)));
    countReplies(sock, () => {
      if (++replies === n) resolve();
    });
    sock.on('data', (c) => {
      bytes += c.length;
      if (bytes >= nextPause) {
        nextPause += 1 << 20;
        sock.pause();
        setTimeout(() => sock.resume(), SLOW_PAUSE_MS);
      }
    });
  });
  for (let i = 0; i < n; i++) if (!sock.write(frame)) await once(sock, 'drain');
  await finished;
  sock.removeAllListeners('close');
  sock.destroy();
  done({ bytes: n * frame.length, seconds: (performance.now() - t0) / 1000 });
}

const H2_PREFACE = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);

/** Opens `n` connections that each do their handshake (and one call), holds them until told, then drops them. */
async function runIdleClient() {
  const [port, countText] = rest;
  const n = Number(countText);
  const first = kind === 'idle-h2' ? H2_PREFACE : await pingPongFrame('framed', 'hello');
  const socks = [];
  const openOne = () =>
    new Promise((resolve, reject) => {
      const s = net.connect(Number(port), '127.0.0.1');
      s.on('error', reject);
      s.once('connect', () => s.write(first));
      // ready once the server answered: its SETTINGS (HTTP/2) or the reply (ping-pong)
      s.once('data', () => {
        s.on('data', () => undefined);
        resolve(s);
      });
    });
  for (let i = 0; i < n; i += 200) {
    const batch = await Promise.all(Array.from({ length: Math.min(200, n - i) }, openOne));
    socks.push(...batch);
  }
  const closedEarly = () => socks.filter((s) => s.destroyed).length;
  done({ held: socks.length });
  for await (const line of (await import('node:readline')).createInterface({ input: process.stdin })) {
    if (line === 'drop') {
      const early = closedEarly();
      for (const s of socks) s.destroy();
      done({ dropped: socks.length, closedByServerMeanwhile: early });
    }
  }
}

// ------------------------------------------------------------------ parent
/** Samples a process's RSS (kB from /proc) every 20 ms; peak() since the last reset. */
function rssSampler(pid) {
  const read = () => {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : undefined;
    } catch {
      return undefined;
    }
  };
  let peak = read() ?? 0;
  const timer = setInterval(() => {
    const v = read();
    if (v !== undefined && v > peak) peak = v;
  }, 20);
  return {
    now: () => read() ?? 0,
    peak: () => Math.max(peak, read() ?? 0),
    reset: () => (peak = read() ?? 0),
    stop: () => clearInterval(timer),
  };
}

/** The file-descriptor limits: [soft, hard]. */
function fdLimits() {
  const ask = (flag) => Number(execFileSync('sh', ['-c', `ulimit ${flag}`], { encoding: 'utf8' }).trim()) || Infinity;
  return [ask('-Sn'), ask('-Hn')];
}

/** Spawns a client child (on CPU 0, like the parent), with the soft fd limit raised to `fds` when asked. */
function spawnClient(args, fds) {
  const cmd = [process.execPath, SELF, 'client', ...args].map((a) => `'${String(a).replace(/'/g, "'\\''")}'`).join(' ');
  const child = spawn('sh', ['-c', fds ? `ulimit -n ${fds} && exec ${cmd}` : `exec ${cmd}`], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = [];
  const waiters = [];
  let buf = '';
  child.stdout.on('data', (d) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiters.shift();
      if (w) w.resolve(JSON.parse(line));
      else lines.push(JSON.parse(line));
    }
  });
  child.once('exit', (code) => {
    for (const w of waiters.splice(0)) w.reject(new Error(`client ${args[0]} exited (${code}) early`));
  });
  return {
    child,
    next: (timeoutMs = 10 * 60 * 1000) =>
      new Promise((resolve, reject) => {
        if (lines.length) return resolve(lines.shift());
        if (child.exitCode !== null) return reject(new Error(`client ${args[0]} exited (${child.exitCode})`));
        const t = setTimeout(() => reject(new Error(`client ${args[0]}: no answer within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ resolve: (v) => (clearTimeout(t), resolve(v)), reject: (e) => (clearTimeout(t), reject(e)) });
      }),
    send: (line) => child.stdin.write(`${line}\n`),
    end: async () => {
      if (child.exitCode === null) {
        child.stdin.end();
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await once(child, 'exit');
        clearTimeout(t);
      }
    },
  };
}

/** One server with its RSS sampler; the environment raises its fd limit when `fds` is set. */
async function server(kindName, genDir, fds) {
  const args = [SELF, 'server', kindName, genDir ?? ''];
  const s = fds
    ? await startServer('sh', ['-c', `ulimit -n ${fds} && exec '${process.execPath}' ${args.map((a) => `'${a}'`).join(' ')}`])
    : await startServer(process.execPath, args);
  await sleep(500);
  const rss = rssSampler(s.pid);
  return { ...s, rss, stop: async () => (rss.stop(), s.stop()) };
}

const row = (group, workload, ours, peers, note) => ({
  group,
  workload,
  unit: 'MB',
  idlcall: { median: ours, min: ours, max: ours },
  peers: Object.fromEntries(Object.entries(peers).map(([k, v]) => [k, { median: v, min: v, max: v }])),
  ...(note ? { note } : {}),
});

async function main() {
  const { quick } = benchArgs();
  pinSelf(0);
  const streamMessages = quick ? 2048 : 16_384; // × 64 KiB
  const [soft, hard] = fdLimits();
  let idleN = quick ? 1000 : 10_000;
  let fdNote = '';
  const need = idleN + 256;
  const fds = soft >= need ? undefined : Math.min(hard, need);
  if (hard < need) {
    idleN = Math.max(100, hard - 256);
    fdNote = `scaled to ${idleN} connections: the hard limit on open files is ${hard}`;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'idlcall-soak-'));
  const rows = [];
  const G_STREAM = 'soak: 1 GiB to a slow consumer, peak RSS (MB; lower is better; ratio below 1× = idlcall holds less)';
  const G_IDLE = `soak: ${idleN.toLocaleString('en')} idle connections held, then dropped, server RSS (MB; lower is better)`;
  try {
    const genDir = join(tmp, 'gen');
    mkdirSync(genDir);
    generateNodeThrift(THRIFT, genDir);
    const gib = ((streamMessages * MESSAGE_BYTES) / 2 ** 30).toFixed(streamMessages * MESSAGE_BYTES >= 2 ** 30 ? 0 : 3);

    // 1. gRPC server streaming to a slow consumer
    const stream = {};
    for (const [impl, srvKind, cliKind] of [['idlcall', 'idlcall-grpc', 'idlcall-stream'], ['@grpc/grpc-js', 'grpcjs-grpc', 'grpcjs-stream']]) {
      const srv = await server(srvKind);
      const cli = spawnClient([cliKind, srv.port, streamMessages]);
      const cliRss = rssSampler(cli.child.pid);
      const base = srv.rss.now();
      const r = await cli.next();
      stream[impl] = { server: srv.rss.peak() - base, serverPeak: srv.rss.peak(), client: cliRss.peak(), seconds: r.seconds, bytes: r.bytes };
      cliRss.stop();
      await cli.end();
      await srv.stop();
      console.log(`gRPC stream ${impl}: ${(r.bytes / 2 ** 20).toFixed(0)} MiB in ${r.seconds.toFixed(1)} s; server peak RSS ${stream[impl].serverPeak.toFixed(0)} MB (+${stream[impl].server.toFixed(0)}), client ${stream[impl].client.toFixed(0)} MB`);
    }
    rows.push(row(G_STREAM, `gRPC server streaming, ${gib} GiB in 64 KiB messages: server process`, stream.idlcall.serverPeak, { '@grpc/grpc-js': stream['@grpc/grpc-js'].serverPeak }, `growth over idle: idlcall +${stream.idlcall.server.toFixed(0)} MB, grpc-js +${stream['@grpc/grpc-js'].server.toFixed(0)} MB; consumer time idlcall ${stream.idlcall.seconds.toFixed(1)} s, grpc-js ${stream['@grpc/grpc-js'].seconds.toFixed(1)} s`));
    rows.push(row(G_STREAM, `gRPC server streaming, ${gib} GiB in 64 KiB messages: client process (pauses 10 ms per MiB)`, stream.idlcall.client, { '@grpc/grpc-js': stream['@grpc/grpc-js'].client }));

    // 1b. the same over TTHeader Streaming (Thrift, JSON handler): no other Node implementation
    // speaks it, so the peer figures are grpc-js's on the same volume over gRPC (phase 1)
    {
      const srv = await server('idlcall-ttstream');
      const cli = spawnClient(['idlcall-ttstream-stream', srv.port, streamMessages]);
      const cliRss = rssSampler(cli.child.pid);
      const base = srv.rss.now();
      const r = await cli.next();
      const t = { server: srv.rss.peak() - base, serverPeak: srv.rss.peak(), client: cliRss.peak(), seconds: r.seconds };
      cliRss.stop();
      await cli.end();
      await srv.stop();
      console.log(`ttstream stream idlcall: ${(r.bytes / 2 ** 20).toFixed(0)} MiB in ${r.seconds.toFixed(1)} s; server peak RSS ${t.serverPeak.toFixed(0)} MB (+${t.server.toFixed(0)}), client ${t.client.toFixed(0)} MB`);
      const peer = '@grpc/grpc-js over gRPC';
      rows.push(row(G_STREAM, `ttstream server streaming (JSON handler), ${gib} GiB in 64 KiB messages: server process`, t.serverPeak, { [peer]: stream['@grpc/grpc-js'].serverPeak }, `growth over idle: idlcall +${t.server.toFixed(0)} MB; consumer time ${t.seconds.toFixed(1)} s; no other Node implementation speaks ttstream: the peer is grpc-js on the same volume over gRPC`));
      rows.push(row(G_STREAM, `ttstream server streaming, ${gib} GiB in 64 KiB messages: client process (pauses 10 ms per MiB)`, t.client, { [peer]: stream['@grpc/grpc-js'].client }));
    }

    // 2. Thrift ping-pong, pipelined, read slowly
    const pipe = {};
    for (const [impl, srvKind, transport] of [['idlcall Framed', 'idlcall-thrift', 'framed'], ['idlcall TTHeader', 'idlcall-thrift', 'ttheader'], ['npm thrift', 'npm-thrift', 'framed']]) {
      const srv = await server(srvKind, genDir);
      const base = srv.rss.now();
      const cli = spawnClient(['pipeline', srv.port, transport, streamMessages]);
      let r;
      try {
        r = await cli.next();
      } catch (e) {
        r = { error: String(e.message) };
      }
      pipe[impl] = { peak: srv.rss.peak(), growth: srv.rss.peak() - base, ...r };
      await cli.end();
      await srv.stop();
      console.log(`ping-pong ${impl}: ${r.error ?? `${(r.bytes / 2 ** 20).toFixed(0)} MiB in ${r.seconds.toFixed(1)} s`}; server peak RSS ${pipe[impl].peak.toFixed(0)} MB (+${pipe[impl].growth.toFixed(0)})`);
    }
    for (const t of ['Framed', 'TTHeader']) {
      const ours = pipe[`idlcall ${t}`];
      rows.push(row(G_STREAM, `Thrift ping-pong, ${gib} GiB of 64 KiB requests pipelined on one connection, replies read slowly: server process, idlcall ${t} vs npm thrift Framed`, ours.peak, { 'npm thrift': pipe['npm thrift'].peak }, `growth over idle: idlcall +${ours.growth.toFixed(0)} MB, npm thrift +${pipe['npm thrift'].growth.toFixed(0)} MB${ours.error ? `; idlcall: ${ours.error}` : ''}${pipe['npm thrift'].error ? `; npm thrift: ${pipe['npm thrift'].error}` : ''}`));
    }

    // 3. idle connections, held then dropped
    for (const [label, pairs] of [
      ['HTTP/2 sessions (preface + SETTINGS, no streams)', [['idlcall', 'idlcall-grpc', 'idle-h2'], ['@grpc/grpc-js', 'grpcjs-grpc', 'idle-h2']]],
      ['ping-pong connections (one Framed call each)', [['idlcall', 'idlcall-thrift', 'idle-pingpong'], ['npm thrift', 'npm-thrift', 'idle-pingpong']]],
    ]) {
      const out = {};
      for (const [impl, srvKind, cliKind] of pairs) {
        const srv = await server(srvKind, genDir, fds);
        const base = srv.rss.now();
        const cli = spawnClient([cliKind, srv.port, idleN], fds);
        const held = await cli.next();
        await sleep(1000);
        const heldRss = srv.rss.now();
        cli.send('drop');
        const dropped = await cli.next();
        await sleep(2000);
        out[impl] = { base, held: heldRss, after: srv.rss.now(), n: held.held, closedMeanwhile: dropped.closedByServerMeanwhile };
        await cli.end();
        await srv.stop();
        console.log(`idle ${label} ${impl}: ${held.held} held; server RSS idle ${base.toFixed(0)} MB, held ${heldRss.toFixed(0)} MB, after drop ${out[impl].after.toFixed(0)} MB`);
      }
      const [ours, peer] = pairs.map((p) => p[0]);
      const perConn = (o) => (((o.held - o.base) * 1024) / o.n).toFixed(1);
      rows.push(row(G_IDLE, `${label}: held`, out[ours].held, { [peer]: out[peer].held }, `per connection: idlcall ${perConn(out[ours])} kB, ${peer} ${perConn(out[peer])} kB (over the idle server's RSS)${fdNote ? `; ${fdNote}` : ''}`));
      rows.push(row(G_IDLE, `${label}: after the drop`, out[ours].after, { [peer]: out[peer].after }, `idle server before: idlcall ${out[ours].base.toFixed(0)} MB, ${peer} ${out[peer].base.toFixed(0)} MB`));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`\n${renderMarkdown(rows)}\n${hasTaskset ? 'servers on CPU 1, clients on CPU 0' : 'not pinned (no taskset)'}`);
  emitRows(rows);
  process.exit(0);
}

if (mode === 'server') await runServer();
else if (mode === 'client') {
  if (kind === 'idlcall-stream' || kind === 'idlcall-ttstream-stream' || kind === 'grpcjs-stream') await runStreamClient();
  else if (kind === 'pipeline') await runPipelineClient();
  else await runIdleClient();
  if (kind !== 'idle-h2' && kind !== 'idle-pingpong') process.exit(0);
} else await main();
