// Descriptor sets in and out: building a provider from a protoset and from a server's
// reflection, beside protobufjs's Root.fromDescriptor and @bufbuild/protobuf's
// createFileRegistry on the same bytes; and writing a descriptor set back out. Run
// `npm run build` first; then `node bench/descriptors.mjs`.
//
// What each side does per operation:
//   idlcall      protoDescriptorSetProvider(bytes): decode every file, resolve every type,
//                derive packing/presence/map entries/closed enums, decode options (custom ones
//                too), build the ProtoProvider (codec and service) — ready to encode.
//   protobufjs   Root.fromDescriptor(bytes) then root.resolveAll() (types linked, as ours are).
//   bufbuild     createFileRegistry(fromBinary(FileDescriptorSetSchema, bytes)).
// The reflection rows fetch the files from an idlcall server on CPU 1 (over loopback, with
// idlcall's reflection client for every side: neither peer library has one), then build.
// Retained heap per provider is measured by keeping 40 of them alive.
//
// The corpus is idlcall's parser test corpus (test/fixtures/proto, without editions) and the
// google/protobuf files, compiled by idlcall into one descriptor set (the same bytes protoc
// writes; test/reflection/descriptor-set.test.ts checks that).
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFileRegistry, fromBinary, toBinary, create } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { newGenericServer, jsonPbGeneric, protoContentProvider, protoDescriptorSetProvider, protoReflectionProvider } from '../dist/index.js';
import { buildRegistry, splitDescriptorSet } from '../dist/reflection/descriptor-decode.js';
import { encodeFileDescriptor } from '../dist/reflection/descriptor-encode.js';
import { fetchReflection } from '../dist/reflection/reflection-client.js';
import { measure, measureAsync, formatRate } from './lib/measure.mjs';
import { benchArgs, emitRows, stat } from './lib/report.mjs';
import { PROTO_INCLUDE } from './lib/oracles.mjs';
import { startServer } from './lib/rpc-harness.mjs';

const require = createRequire(import.meta.url);
const protobuf = require('protobufjs');
const descriptorExt = require('protobufjs/ext/descriptor');

const FIXTURES = fileURLToPath(new URL('../test/fixtures/proto/', import.meta.url));

/** The corpus as one .proto importing every file, with a service so reflection serves it all. */
function corpusSource() {
  const names = [];
  const walk = (dir, base) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'editions') walk(p, base);
      } else if (e.name.endsWith('.proto')) names.push(relative(base, p));
    }
  };
  walk(FIXTURES, FIXTURES);
  return `syntax = "proto3";\npackage bench.corpus;\n${names.sort().map((n) => `import "${n}";`).join('\n')}\n` +
    'import "google/protobuf/empty.proto";\nservice Corpus { rpc Nothing (google.protobuf.Empty) returns (google.protobuf.Empty); }\n';
}

function corpusSet() {
  const p = protoContentProvider(corpusSource(), { mainName: 'bench/corpus.proto', includeDirs: [FIXTURES, PROTO_INCLUDE] });
  return p.descriptorSet();
}

/** Heap retained by one built object: 40 kept alive, measured after full GCs (needs --expose-gc for precision). */
function retainedKb(build) {
  const gc = globalThis.gc ?? (() => undefined);
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const keep = [];
  for (let i = 0; i < 40; i++) keep.push(build());
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  globalThis.__keep = keep;
  const kb = (after - before) / 40 / 1024;
  globalThis.__keep = undefined;
  return kb;
}

const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

/**
 * Interleaved rounds (A B C, A B C, …): the machines are shared and their load drifts, so each
 * ratio is the median of the per-round ratios, as bench/proto-codec.mjs does.
 */
async function compare(ops, { rounds, runMs }) {
  const names = Object.keys(ops);
  const timed = async (op, ms) => {
    const r = op.length === 0 && op.constructor.name === 'AsyncFunction' ? await measureAsync(op, { warmupMs: 0, runMs: ms, runs: 1 }) : measure(op, { warmupMs: 0, runMs: ms, runs: 1 });
    return r.median;
  };
  for (const n of names) await timed(ops[n], 300); // warm-up
  const rates = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) for (const n of names) rates[n].push(await timed(ops[n], runMs));
  const out = {};
  for (const n of names) {
    out[n] = { median: median(rates[n]), min: Math.min(...rates[n]), max: Math.max(...rates[n]), ratio: median(rates[names[0]].map((v, i) => v / rates[n][i])) };
  }
  return out;
}

function row(workload, m, labels, note) {
  const [ours, ...peers] = Object.keys(m);
  return {
    group: 'descriptor sets and reflection',
    workload,
    unit: 'ops/s',
    idlcall: stat(m[ours]),
    peers: Object.fromEntries(peers.map((p, i) => [labels[i], stat(m[p], { ratio: m[p].ratio })])),
    note,
  };
}

async function main() {
  const { quick } = benchArgs();
  const plan = { rounds: quick ? 3 : 9, runMs: quick ? 200 : 400 };
  const rows = [];
  const set = corpusSet();
  const fileCount = splitDescriptorSet(set, { label: 'corpus' }).length;
  const what = `corpus (${fileCount} files, ${(set.length / 1024).toFixed(1)} KiB)`;

  // The same work, synchronous (protoDescriptorSetProvider only adds an await around it).
  const ours = () => buildRegistry(splitDescriptorSet(set, { label: 'corpus' }), { label: 'corpus' });
  const jsOnce = () => {
    const root = protobuf.Root.fromDescriptor(set);
    root.resolveAll();
    return root;
  };
  const bufOnce = () => createFileRegistry(fromBinary(FileDescriptorSetSchema, set));

  const fromSet = await compare({ idlcall: ours, protobufjs: jsOnce, bufbuild: bufOnce }, plan);
  const mem = { idlcall: retainedKb(ours), protobufjs: retainedKb(jsOnce), bufbuild: retainedKb(bufOnce) };
  rows.push(row(`protoset → provider, ${what}`, fromSet, ['protobufjs Root.fromDescriptor+resolveAll', '@bufbuild/protobuf createFileRegistry'],
    `retained heap per built schema: idlcall ${mem.idlcall.toFixed(0)} KB, protobufjs ${mem.protobufjs.toFixed(0)} KB, bufbuild ${mem.bufbuild.toFixed(0)} KB${globalThis.gc ? '' : ' (no --expose-gc: rough)'}`));

  // Descriptors out: encoding every file again (ours uncached) beside the peers' writers.
  const registry = ours();
  const jsRoot = jsOnce();
  const bufFiles = [...bufOnce().files].map((f) => f.proto);
  const out = await compare({
    idlcall: () => {
      let n = 0;
      for (const f of registry.files) n += encodeFileDescriptor(f, registry).length;
      return n;
    },
    protobufjs: () => descriptorExt.FileDescriptorSet.encode(jsRoot.toDescriptor('proto3')).finish(),
    bufbuild: () => toBinary(FileDescriptorSetSchema, create(FileDescriptorSetSchema, { file: bufFiles })),
  }, plan);
  rows.push(row(`descriptors → FileDescriptorSet bytes, ${what}`, out, ['protobufjs toDescriptor+encode', '@bufbuild/protobuf toBinary'],
    'idlcall encodes from its descriptors (options included, protoc-identical bytes); bufbuild re-encodes the FileDescriptorProto objects it kept; protobufjs rebuilds them from its Root first'));

  // Reflection: an idlcall server on CPU 1 serving the corpus.
  const server = await startServer(process.execPath, [fileURLToPath(import.meta.url), 'server']);
  try {
    const target = `127.0.0.1:${server.port}`;
    const fetched = (await fetchReflection(target)).files;
    const viaReflection = await compare({
      idlcall: async () => {
        await protoReflectionProvider(target);
        return 1;
      },
      protobufjs: async () => {
        const files = (await fetchReflection(target)).files;
        const root = protobuf.Root.fromDescriptor({ file: files.map((f) => descriptorExt.FileDescriptorProto.decode(f)) });
        root.resolveAll();
        return 1;
      },
      bufbuild: async () => {
        const files = (await fetchReflection(target)).files;
        // Reflection answers come main file first; bufbuild wants dependencies first (its own
        // resolve-by-name path trips over diamond imports), so they are ordered here.
        const byName = new Map(files.map((f) => fromBinary(FileDescriptorProtoSchema, f)).map((f) => [f.name, f]));
        const ordered = [];
        const done = new Set();
        const visit = (f) => {
          if (done.has(f.name)) return;
          done.add(f.name);
          for (const d of f.dependency) visit(byName.get(d));
          ordered.push(f);
        };
        for (const f of byName.values()) visit(f);
        createFileRegistry(create(FileDescriptorSetSchema, { file: ordered }));
        return 1;
      },
    }, { ...plan, runMs: plan.runMs * 2 });
    rows.push(row(`reflection → provider, ${what} from an idlcall server (loopback, server on CPU 1)`, viaReflection,
      ['fetch + protobufjs Root.fromDescriptor+resolveAll', 'fetch + @bufbuild/protobuf createFileRegistry'],
      `every side fetches with idlcall's reflection client (v1, ${fetched.length} files: one list, one symbol and one dependency round); the build differs`));
  } finally {
    await server.stop();
  }

  console.log(`ops/s, median of ${plan.rounds} interleaved rounds; ratios = median per-round idlcall ÷ peer (higher is better)`);
  for (const r of rows) {
    console.log(r.workload);
    console.log(`  idlcall ${formatRate(r.idlcall.median).padStart(62)}`);
    for (const [name, p] of Object.entries(r.peers)) console.log(`  ${name.padEnd(52)} ${formatRate(p.median).padStart(8)}   ${p.ratio.toFixed(2)}×`);
    if (r.note) console.log(`  (${r.note})`);
  }
  emitRows(rows);
}

// ---- server mode: `node bench/descriptors.mjs server` (run on CPU 1 by startServer)
if (process.argv[2] === 'server') {
  const provider = await protoDescriptorSetProvider(corpusSet());
  const server = newGenericServer(jsonPbGeneric(provider), {});
  const { port } = await server.start();
  process.stdout.write(`${port}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => server.close().then(() => process.exit(0)));
  process.stdin.on('close', () => server.close().then(() => process.exit(0)));
} else {
  await main();
}
