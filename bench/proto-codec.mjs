// Protobuf codec benchmark: JSON text → protobuf binary and back, idlcall vs
// protobufjs (JSON.parse + fromObject + encode; decode + toObject + JSON.stringify)
// and @bufbuild/protobuf (fromJsonString + toBinary; fromBinary + toJsonString),
// with the JSON.parse + JSON.stringify floor. Run after `npm run build`:
//   node bench/proto-codec.mjs [--quick]
// Messages use kitchen.Kitchen (test/fixtures/proto-codec/kitchen.proto) without
// the well-known types, whose JSON forms protobufjs does not implement.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import protobuf from 'protobufjs';
import { createFileRegistry, fromBinary, fromJsonString, toBinary, toJsonString } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { ProtoCodec } from '../dist/codec/proto/index.js';
import { loadProtoFile } from '../dist/idl-parser/proto/index.js';
import { measure, formatRate } from './lib/measure.mjs';
import { emitRows } from './lib/report.mjs';
import { PROTO_INCLUDE } from './lib/oracles.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '../test/fixtures/proto-codec');
const quick = process.argv.includes('--quick');
// The machines are shared and their load drifts, so implementations are measured
// in interleaved rounds (A B C D, A B C D, …) and each ratio is the median of the
// per-round ratios: a load change hits all of a round's rows alike.
const rounds = quick ? 5 : 11;
const roundOpts = { warmupMs: 30, runMs: quick ? 120 : 250, runs: 1 };

/** Interleaved measurement of named ops: median rate of each and median per-round ratio to `idlcall`. */
function compare(ops) {
  const names = Object.keys(ops);
  for (const n of names) measure(ops[n], { warmupMs: 300, runMs: 1, runs: 1 });
  const rates = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) for (const n of names) rates[n].push(measure(ops[n], roundOpts).median);
  const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  const out = {};
  for (const n of names) {
    out[n] = { median: median(rates[n]), ratio: median(rates.idlcall.map((v, i) => v / rates[n][i])), min: Math.min(...rates[n]), max: Math.max(...rates[n]) };
  }
  return out;
}

// ---- the three implementations, loaded from the same .proto ----
const reg = await loadProtoFile(join(fixtures, 'kitchen.proto'), { includeDirs: [fixtures] });
const ours = reg.findMessage('kitchen.Kitchen');
const codec = new ProtoCodec(reg);

const pbRoot = protobuf.loadSync(join(fixtures, 'kitchen.proto'));
const PbKitchen = pbRoot.lookupType('kitchen.Kitchen');
const toObjectOpts = { longs: String, enums: String, bytes: String, json: true };

const setPath = join(mkdtempSync(join(tmpdir(), 'idlcall-bench-')), 'set.pb');
execFileSync('protoc', ['-I', fixtures, '-I', PROTO_INCLUDE, `--descriptor_set_out=${setPath}`, '--include_imports', 'kitchen.proto']);
const bufReg = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(setPath)));
const BufKitchen = bufReg.getMessage('kitchen.Kitchen');

// ---- deterministic messages with every non-WKT field kind ----
function inner(i, depth) {
  const o = { name: `inner-${i}`, id: String(1000000000000 + i * 7919), color: ['RED', 'GREEN', 'BLUE'][i % 3] };
  if (depth > 0) o.children = [inner(i * 3 + 1, depth - 1), inner(i * 3 + 2, depth - 1)];
  o.counts = { a: i, b: -i };
  return o;
}
function kitchen(scale) {
  const n = Math.max(1, scale);
  const m = {
    fDouble: 3.141592653589793, fFloat: 1.5, fInt64: '-9007199254740993', fUint64: '18446744073709551615',
    fInt32: -123456, fFixed64: '1234567890123', fFixed32: 4000000000, fBool: true,
    fString: 'hello, wörld ✓ "quoted"', fBytes: 'AAECAwQFBgcICQ==', fUint32: 4294967295, fSfixed32: -5,
    fSfixed64: '-42', fSint32: -77, fSint64: '-9223372036854775808', fEnum: 'GREEN',
    inner: inner(1, 1),
  };
  if (scale > 0) {
    const r = (f) => Array.from({ length: 4 * n }, (_, i) => f(i));
    Object.assign(m, {
      rDouble: r((i) => i * 1.25), rFloat: r((i) => i * 0.5), rInt64: r((i) => String(i * 1e12)), rUint64: r((i) => String(i * 3)),
      rInt32: r((i) => i - 5), rFixed64: r((i) => String(i)), rFixed32: r((i) => i * 1000), rBool: r((i) => i % 2 === 0),
      rString: r((i) => `item ${i}`), rBytes: r(() => 'aGVsbG8='), rUint32: r((i) => i), rSfixed32: r((i) => -i),
      rSfixed64: r((i) => String(-i)), rSint32: r((i) => -i * 100), rSint64: r((i) => String(-i * 1e10)), rEnum: r((i) => ['RED', 'BLUE'][i % 2]),
      inners: Array.from({ length: n }, (_, i) => inner(i, scale > 4 ? 3 : 1)),
      uInt32: r((i) => i), uSint64: r((i) => String(i * -7)), uEnum: r(() => 'RED'),
      mString: Object.fromEntries(r((i) => [`k${i}`, `v${i}`])),
      mInt32: Object.fromEntries(Array.from({ length: Math.min(n, 20) }, (_, i) => [String(i), inner(i, 0)])),
      mInt64: Object.fromEntries(r((i) => [String(i * 1e12), 'BLUE'])),
      mBool: { true: inner(9, 0) },
      choiceStr: 'picked', oInt32: 0, oString: 'opt', renamed: 'custom',
    });
  }
  return m;
}
const sizes = [
  ['small', { fInt32: 150, fString: 'hello world', fInt64: '1234567890123', fBool: true, fEnum: 'RED', fDouble: 2.5, inner: { name: 'inner', id: '42', color: 'BLUE' }, rInt32: [1, 2, 3, 300, -1], mString: { a: 'b' } }],
  ['medium', kitchen(2)],
  ['large', kitchen(120)],
];

// `--fresh <impl>` (a child of this script): decodes the large message to JSON and nothing
// else, from a fresh process, and prints its rate. How a JIT settles depends on what a process
// ran first; a service or harness that only ever decodes one big message type starts so.
const fresh = process.argv.indexOf('--fresh');
if (fresh > 0) {
  const bytes = codec.encodeJson(ours, JSON.stringify(sizes[2][1]));
  const decoders = {
    idlcall: () => codec.decodeToJson(ours, bytes),
    protobufjs: () => JSON.stringify(PbKitchen.toObject(PbKitchen.decode(bytes), toObjectOpts)),
    bufbuild: () => toJsonString(BufKitchen, fromBinary(BufKitchen, bytes), { registry: bufReg }),
  };
  const m = measure(decoders[process.argv[fresh + 1]], { warmupMs: 500, runMs: quick ? 150 : 250, runs: 5 });
  process.stdout.write(`${JSON.stringify(m.median)}\n`);
  process.exit(0);
}

const rows = [];
const reportRows = []; // for bench/run.mjs (emitRows)
for (const [label, obj] of sizes) {
  const json = JSON.stringify(obj);
  const bytes = codec.encodeJson(ours, json);
  // Sanity: all three read each other's output.
  const pbBytes = PbKitchen.encode(PbKitchen.fromObject(JSON.parse(json))).finish();
  const bufBytes = toBinary(BufKitchen, fromJsonString(BufKitchen, json, { registry: bufReg }));
  const same = (a, b) => isDeepStrictEqual(JSON.parse(codec.decodeToJson(ours, a)), JSON.parse(codec.decodeToJson(ours, b)));
  if (!same(pbBytes, bytes)) throw new Error(`${label}: protobufjs bytes differ in meaning`);
  if (!same(bufBytes, bytes)) throw new Error(`${label}: bufbuild bytes differ in meaning`);
  console.log(`${label}: ${bytes.length} B binary, ${json.length} B JSON`);

  const enc = compare({
    idlcall: () => codec.encodeJson(ours, json),
    protobufjs: () => PbKitchen.encode(PbKitchen.fromObject(JSON.parse(json))).finish(),
    bufbuild: () => toBinary(BufKitchen, fromJsonString(BufKitchen, json, { registry: bufReg })),
    floor: () => JSON.stringify(JSON.parse(json)),
  });
  const dec = compare({
    idlcall: () => codec.decodeToJson(ours, bytes),
    protobufjs: () => JSON.stringify(PbKitchen.toObject(PbKitchen.decode(bytes), toObjectOpts)),
    bufbuild: () => toJsonString(BufKitchen, fromBinary(BufKitchen, bytes), { registry: bufReg }),
    floor: () => JSON.stringify(JSON.parse(json)),
  });
  for (const [dir, m] of [['JSON→binary', enc], ['binary→JSON', dec]]) {
    const r = (x, ratio) => ({ median: x.median, min: x.min ?? x.median, max: x.max ?? x.median, ...(ratio ? { ratio: x.ratio } : {}) });
    reportRows.push({
      group: 'proto codec (kitchen.Kitchen, every non-WKT field kind)',
      workload: `${dir}, ${label} (${bytes.length} B)`,
      unit: 'ops/s',
      idlcall: r(m.idlcall),
      peers: { protobufjs: r(m.protobufjs, true), '@bufbuild/protobuf': r(m.bufbuild, true) },
      ceiling: { name: 'JSON.parse+stringify', ...r(m.floor) },
    });
    rows.push({
      size: `${label} (${bytes.length} B)`,
      direction: dir,
      idlcall: formatRate(m.idlcall.median),
      protobufjs: formatRate(m.protobufjs.median),
      bufbuild: formatRate(m.bufbuild.median),
      'JSON.parse+stringify': formatRate(m.floor.median),
      '÷protobufjs': m.protobufjs.ratio.toFixed(2) + '×',
      '÷bufbuild': m.bufbuild.ratio.toFixed(2) + '×',
      '÷floor': m.floor.ratio.toFixed(2) + '×',
    });
  }
}
console.log(`ops/s, median of ${rounds} interleaved rounds; ratios = median per-round idlcall ÷ peer (higher is better)`);
console.table(rows);

// binary→JSON of the large message, each implementation alone in fresh processes (interleaved)
{
  const impls = ['idlcall', 'protobufjs', 'bufbuild'];
  const rates = Object.fromEntries(impls.map((n) => [n, []]));
  const processes = quick ? 2 : 5;
  for (let k = 0; k < processes; k++) {
    for (const n of impls) rates[n].push(Number(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--fresh', n, ...(quick ? ['--quick'] : [])], { encoding: 'utf8' })));
  }
  const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  const spread = (n, ratio) => ({
    median: median(rates[n]), min: Math.min(...rates[n]), max: Math.max(...rates[n]),
    ...(ratio ? { ratio: median(rates.idlcall.map((v, i) => v / rates[n][i])) } : {}),
  });
  const large = codec.encodeJson(ours, JSON.stringify(sizes[2][1])).length;
  console.log(`binary→JSON, large, alone in ${processes} fresh processes each: idlcall ${formatRate(spread('idlcall').median)}, ` +
    `protobufjs ${formatRate(spread('protobufjs').median)} (${spread('protobufjs', true).ratio.toFixed(2)}×), bufbuild ${formatRate(spread('bufbuild').median)} (${spread('bufbuild', true).ratio.toFixed(2)}×)`);
  reportRows.push({
    group: 'proto codec (kitchen.Kitchen, every non-WKT field kind)',
    workload: `binary→JSON, large (${large} B), alone in a fresh process`,
    unit: 'ops/s',
    idlcall: spread('idlcall'),
    peers: { protobufjs: spread('protobufjs', true), '@bufbuild/protobuf': spread('bufbuild', true) },
    note: `median of ${processes} processes per implementation, each decoding only this message`,
  });
}
emitRows(reportRows);
