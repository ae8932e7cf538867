// Discovery and balancing, beside grpc-js's round_robin (driven through its real load balancer
// with stand-in subchannels that are always READY, so both sides measure balancing alone):
//   - pick time: one address chosen for one call, per balancer, at 10, 1,000 and 10,000 instances;
//   - one instance replaced in a 10,000-instance service (a leave and a join, then a pick);
//   - heap per instance of a client watching 10,000 instances (through etcd when it is
//     installed: a real watch of 10,000 keys in Kitex's layout), each side in its own process.
// Run `npm run build` first; then `node bench/discovery.mjs [--quick]`.
import { execFileSync, fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { EtcdClient, InstancePicker, encodeInstanceValue, serviceKey, staticResolver, KITEX_ETCD_PREFIX } from '../dist/discovery/index.js';
import { AddressPicker } from '../dist/generic/pick-address.js';
import { measure, formatRate } from './lib/measure.mjs';
import { benchArgs, emitRows, stat } from './lib/report.mjs';

const require = createRequire(import.meta.url);
const { quick } = benchArgs();
const GROUP = 'discovery and balancing';
const SIZES = [10, 1000, 10_000];
const BALANCERS = ['round_robin', 'weighted_round_robin', 'weighted_random', 'p2c', 'consistent_hash'];
const ROUNDS = quick ? 3 : 5;
const RUN = quick ? { warmupMs: 100, runMs: 150, runs: 1 } : { warmupMs: 200, runMs: 300, runs: 1 };

const address = (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:8888`;
/** Equal weights for round robin; 1…10 for the weighted policies, so their weighted paths run. */
const instances = (n, weighted) => Array.from({ length: n }, (_, i) => ({ address: address(i), weight: weighted ? 1 + (i % 10) : 10, tags: {} }));

// ---------------------------------------------------------------- grpc-js's round_robin

const grpc = require('@grpc/grpc-js');
const lbApi = require('@grpc/grpc-js/build/src/load-balancer.js');
const { ConnectivityState } = require('@grpc/grpc-js/build/src/connectivity-state.js');

/** A subchannel that is READY at once and never changes: only balancing is measured. */
class ReadySubchannel {
  constructor(a) {
    this.a = a;
  }
  getConnectivityState() {
    return ConnectivityState.READY;
  }
  addConnectivityStateListener() {}
  removeConnectivityStateListener() {}
  startConnecting() {}
  getAddress() {
    return this.a;
  }
  throttleKeepalive() {}
  ref() {}
  unref() {}
  getChannelzRef() {
    return { kind: 'subchannel', id: 0, name: this.a };
  }
  isHealthy() {
    return true;
  }
  addHealthStateWatcher() {}
  removeHealthStateWatcher() {}
  addDataWatcher() {}
  getRealSubchannel() {
    return this;
  }
  realSubchannelEquals(o) {
    return o === this;
  }
  getCallCredentials() {
    return null;
  }
  getChannel() {
    return null;
  }
}

/** grpc-js's round_robin load balancer over `list`; `picker()` is its current READY picker. */
function grpcRoundRobin(list) {
  let picker;
  const helper = {
    createSubchannel: (a) => new ReadySubchannel(`${a.host}:${a.port}`),
    updateState: (state, p) => {
      if (state === ConnectivityState.READY) picker = p;
    },
    requestReresolution() {},
    addChannelzChild() {},
    removeChannelzChild() {},
  };
  const config = lbApi.parseLoadBalancingConfig({ round_robin: {} });
  const lb = lbApi.createLoadBalancer(config, helper);
  const endpoints = (l) => l.map((i) => ({ addresses: [{ host: i.address.slice(0, i.address.lastIndexOf(':')), port: 8888 }] }));
  const update = (l) => lb.updateAddressList({ ok: true, value: endpoints(l) }, config, {}, '');
  update(list);
  return { lb, update, picker: () => picker };
}

const pickArgs = { metadata: new grpc.Metadata(), extraPickInfo: {} };

// ---------------------------------------------------------------- measuring

/** Interleaved runs of ours and theirs; medians with min–max. */
function sideBySide(ours, theirs) {
  const a = [];
  const b = [];
  for (let r = 0; r < ROUNDS; r++) {
    a.push(measure(ours, RUN).median);
    b.push(measure(theirs, RUN).median);
  }
  const s = (x) => {
    const sorted = [...x].sort((p, q) => p - q);
    return { median: sorted[sorted.length >> 1], min: sorted[0], max: sorted[sorted.length - 1] };
  };
  return [s(a), s(b)];
}

const rows = [];
const PEER = 'grpc-js round_robin';
const print = (row) => {
  const ours = row.idlcall.median;
  const theirs = row.peers[PEER].median;
  console.log(`${row.workload.padEnd(62)} ${formatRate(ours).padStart(8)} ${formatRate(theirs).padStart(8)} ${row.unit.padEnd(14)} ${(ours / theirs).toFixed(2)}×`);
};

function pickRows() {
  const keys = Array.from({ length: 1024 }, (_, i) => `user-${i}`);
  for (const n of SIZES) {
    const peer = grpcRoundRobin(instances(n, false));
    for (const balancer of BALANCERS) {
      const weighted = balancer !== 'round_robin';
      const picker = new AddressPicker('svc', { resolver: staticResolver(instances(n, weighted)), balancer }, () => undefined);
      const req = { method: 'Echo', hashKey: undefined };
      let k = 0;
      const ours =
        balancer === 'consistent_hash'
          ? () => {
              req.hashKey = keys[k++ & 1023];
              return picker.pickAddress(req);
            }
          : () => picker.pickAddress(req);
      ours(); // a consistent-hash ring is dealt in at its first pick: not part of the pick time
      const p = peer.picker();
      const [a, b] = sideBySide(ours, () => p.pick(pickArgs));
      const row = {
        group: GROUP,
        workload: `pick, ${balancer}, ${n.toLocaleString('en')} instances`,
        unit: 'picks/s',
        idlcall: stat(a),
        peers: { [PEER]: stat(b) },
        extra: { nsPerPick: Math.round(1e9 / a.median) },
        note:
          balancer === 'round_robin' || balancer === 'weighted_round_robin'
            ? balancer === 'round_robin'
              ? 'the same policy on both sides'
              : 'weights 1…10 here; grpc-js round_robin has no weights'
            : `grpc-js has no ${balancer}: its round_robin is the baseline${balancer === 'consistent_hash' ? '; keys from 1,024 strings, 100 virtual nodes per weight unit' : ''}`,
      };
      rows.push(row);
      print(row);
      void picker.close();
    }
  }
}

function updateRows() {
  const n = 10_000;
  const base = instances(n, false);
  const a = base;
  const b = [...base.slice(1), { address: address(n), weight: 10, tags: {} }];
  const peer = grpcRoundRobin(a);
  let flip = false;
  const theirs = () => {
    flip = !flip;
    peer.update(flip ? b : a);
    return peer.picker().pick(pickArgs);
  };
  for (const balancer of BALANCERS) {
    let push;
    const resolver = {
      resolve: () => Promise.resolve(instances(n, true)),
      watch(_s, l) {
        push = l;
        l({ full: true, upsert: instances(n, true) });
        return () => undefined;
      },
    };
    const p = new InstancePicker(resolver, 'svc', { balancer });
    p.start();
    p.pick('x', undefined);
    let i = 0;
    // One instance leaves and a new one joins (a rolling restart), then a call picks.
    const ours = () => {
      const out = i++;
      push({ remove: [address(out)], upsert: [{ address: address(n + out), weight: 1 + (out % 10), tags: {} }] });
      return p.pick('k', undefined);
    };
    const [x, y] = sideBySide(ours, theirs);
    const row = {
      group: GROUP,
      workload: `one instance replaced (leave + join + pick), ${balancer}, 10,000 instances`,
      unit: 'changes/s',
      idlcall: stat(x),
      peers: { [PEER]: stat(y) },
      extra: { usPerChange: Math.round(1e6 / x.median) },
      note: `grpc-js rebuilds its picker from the whole new address list${balancer === 'consistent_hash' ? '; idlcall moves the 100 × weight virtual nodes of two instances' : ''}`,
    };
    rows.push(row);
    print(row);
    p.close();
  }
}

// ---------------------------------------------------------------- memory (child processes)

const gc = (() => {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc');
})();

async function settledHeap() {
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(50);
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** In a child: builds one side, waits until it knows all 10,000 instances, reports the heap it added. */
async function memoryChild(kind, endpoint) {
  const { newStreamingClient, jsonPbGeneric, protoFileProvider } = await import('../dist/index.js');
  const generic = jsonPbGeneric(await protoFileProvider('examples/idl/streaming.proto'));
  const n = 10_000;
  const before = await settledHeap();
  let keep;
  if (kind === 'grpc-js') {
    keep = grpcRoundRobin(instances(n, false));
  } else {
    const balancer = kind.split(':')[1];
    const resolver = endpoint ? `etcd://${endpoint}/bench` : staticResolver(instances(n, balancer !== 'round_robin'));
    const c = newStreamingClient('bench', generic, { resolver, balancer });
    // Waits for the first resolution and deals the ring in (a pick), without calling anyone.
    for (let i = 0; c.instances().length < n && i < 600; i++) await sleep(50);
    if (c.instances().length < n) throw new Error(`the client saw ${c.instances().length} instances`);
    keep = c;
  }
  const after = await settledHeap();
  process.send({ bytes: after - before, keep: Boolean(keep) });
}

function runChild(kind, endpoint) {
  return new Promise((resolve, reject) => {
    const child = fork(new URL(import.meta.url).pathname, ['--memory-child', kind, endpoint ?? ''], { execArgv: ['--expose-gc'], stdio: 'inherit' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('message', (m) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(m.bytes);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`memory child ${kind} exited (${code})`));
    });
  });
}

/** A throw-away etcd with 10,000 instances in Kitex's layout, when etcd is installed. */
async function etcdWithInstances() {
  try {
    execFileSync('etcd', ['--version'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const free = async () => {
    const s = net.createServer();
    await new Promise((r) => s.listen(0, '127.0.0.1', r));
    const p = s.address().port;
    await new Promise((r) => s.close(r));
    return p;
  };
  const dir = mkdtempSync(join(os.tmpdir(), 'idlcall-bench-etcd-'));
  const [cp, pp] = [await free(), await free()];
  const endpoint = `127.0.0.1:${cp}`;
  const proc = spawn('etcd', ['--name', 'b', '--data-dir', join(dir, 'd'), '--listen-client-urls', `http://${endpoint}`, '--advertise-client-urls', `http://${endpoint}`, '--listen-peer-urls', `http://127.0.0.1:${pp}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${pp}`, '--initial-cluster', `b=http://127.0.0.1:${pp}`, '--log-level', 'error'], { stdio: 'ignore' });
  const stop = () => {
    proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  const client = new EtcdClient({ endpoints: [endpoint] });
  const enc = new TextEncoder();
  for (let i = 0; ; i++) {
    try {
      await client.range(enc.encode('x'), new Uint8Array(0));
      break;
    } catch (e) {
      if (i > 200) throw e;
      await sleep(100);
    }
  }
  const list = instances(10_000, true);
  // Writes in parallel batches: each put waits for etcd's fsync.
  for (let i = 0; i < list.length; i += 200) {
    await Promise.all(list.slice(i, i + 200).map((inst) => client.put(enc.encode(serviceKey(KITEX_ETCD_PREFIX, 'bench', inst.address)), enc.encode(encodeInstanceValue(inst)), 0n)));
  }
  await client.close();
  return { endpoint, stop };
}

async function memoryRows() {
  const etcd = await etcdWithInstances();
  const measureKind = async (kind, endpoint) => {
    const xs = [];
    for (let r = 0; r < (quick ? 1 : 3); r++) xs.push(await runChild(kind, endpoint));
    xs.sort((p, q) => p - q);
    return xs[xs.length >> 1];
  };
  const theirs = await measureKind('grpc-js');
  for (const balancer of ['weighted_round_robin', 'consistent_hash']) {
    const ours = await measureKind(`idlcall:${balancer}`, etcd?.endpoint);
    const perMiB = (bytes) => 10_000 / (bytes / 2 ** 20);
    const row = {
      group: GROUP,
      workload: `client watching 10,000 instances, ${balancer} (heap per instance)`,
      unit: 'instances/MiB',
      idlcall: { median: perMiB(ours), min: perMiB(ours), max: perMiB(ours) },
      peers: { [PEER]: { median: perMiB(theirs), min: perMiB(theirs), max: perMiB(theirs) } },
      extra: { bytesPerInstance: Math.round(ours / 10_000), peerBytesPerInstance: Math.round(theirs / 10_000) },
      note:
        `${etcd ? 'idlcall: a generic client watching 10,000 keys in etcd (Kitex layout), resolver included' : 'etcd not installed: idlcall with a static resolver'}; ` +
        `no connection opened (they are made per instance on first use). grpc-js: its round_robin's own state for the same addresses with stand-in subchannels (a real channel would also open 10,000 connections)` +
        (balancer === 'consistent_hash' ? '; idlcall here holds a ring of 100 virtual nodes per weight unit (5.5 million points)' : ''),
    };
    rows.push(row);
    console.log(`${row.workload.padEnd(62)} ${String(Math.round(ours / 10_000)).padStart(6)} B ${String(Math.round(theirs / 10_000)).padStart(6)} B per instance`);
  }
  etcd?.stop();
}

// ---------------------------------------------------------------- main

if (process.argv[2] === '--memory-child') {
  await memoryChild(process.argv[3], process.argv[4] || undefined);
} else {
  console.log(`${'workload'.padEnd(62)} ${'idlcall'.padStart(8)} ${'grpc-js'.padStart(8)} unit           ratio`);
  pickRows();
  updateRows();
  await memoryRows();
  emitRows(rows);
  process.exit(0);
}
