// Protobuf codec benchmark: JSON text → protobuf binary and back, idlcall vs
// protobufjs (JSON.parse + fromObject + encode; decode + toObject + JSON.stringify)
// and @bufbuild/protobuf (fromJsonString + toBinary; fromBinary + toJsonString),
// with the JSON.parse + JSON.stringify floor. Run after `npm run build`:
//   node bench/proto-codec.mjs [--quick]
// Messages use kitchen.Kitchen (test/fixtures/proto-codec/kitchen.proto): small, medium
// and large without well-known types, and the same with them (+WKT rows; protobufjs,
// which lacks most of their JSON forms, gets its own toObject form of the same message).
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
import { compareInterleaved, measure, formatRate } from './lib/measure.mjs';
import { emitRows } from './lib/report.mjs';
import { PROTO_INCLUDE } from './lib/oracles.mjs';
import { kitchenMessages, kitchenWktMessages } from './lib/kitchen-messages.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '../test/fixtures/proto-codec');
const quick = process.argv.includes('--quick');
// The machines are shared and their load drifts, so implementations are measured
// in interleaved rounds (A B C D, A B C D, …) and each ratio is the median of the
// per-round ratios: a load change hits all of a round's rows alike.
const rounds = quick ? 5 : 11;
const roundOpts = { warmupMs: 30, runMs: quick ? 120 : 250, runs: 1 };

const compare = (ops) => compareInterleaved(ops, rounds, roundOpts);

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

// ---- the messages: every non-WKT field kind, and the same with well-known types ----
const sizes = kitchenMessages();
const wktSizes = kitchenWktMessages();

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

/** `obj` with its well-known-type fields (`w…`) in protobufjs's toObject form, taken from `pbObject`. */
function pbWktForm(obj, pbObject) {
  const out = { ...obj };
  for (const k of Object.keys(obj)) if (/^w[A-Z]/.test(k)) out[k] = pbObject[k];
  return out;
}

const rows = [];
const reportRows = []; // for bench/run.mjs (emitRows)
for (const [label, obj] of [...sizes, ...wktSizes]) {
  const withWkt = label.endsWith('+WKT');
  const json = JSON.stringify(obj);
  const bytes = codec.encodeJson(ours, json);
  // protobufjs has no proto3 JSON forms for most well-known types: it gets the same message
  // as its own toObject form (Timestamp as {seconds, nanos}, Struct as fields…).
  // (Only those fields: its toObject loses int64 map keys.)
  const pbJson = withWkt ? JSON.stringify(pbWktForm(obj, PbKitchen.toObject(PbKitchen.decode(bytes), toObjectOpts))) : json;
  // Sanity: all three read each other's output.
  const pbBytes = PbKitchen.encode(PbKitchen.fromObject(JSON.parse(pbJson))).finish();
  const bufBytes = toBinary(BufKitchen, fromJsonString(BufKitchen, json, { registry: bufReg }));
  const same = (a, b) => isDeepStrictEqual(JSON.parse(codec.decodeToJson(ours, a)), JSON.parse(codec.decodeToJson(ours, b)));
  if (!same(pbBytes, bytes)) throw new Error(`${label}: protobufjs bytes differ in meaning`);
  if (!same(bufBytes, bytes)) throw new Error(`${label}: bufbuild bytes differ in meaning`);
  console.log(`${label}: ${bytes.length} B binary, ${json.length} B JSON`);

  const enc = compare({
    idlcall: () => codec.encodeJson(ours, json),
    protobufjs: () => PbKitchen.encode(PbKitchen.fromObject(JSON.parse(pbJson))).finish(),
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
      group: withWkt ? 'proto codec (kitchen.Kitchen, every field kind and well-known types)' : 'proto codec (kitchen.Kitchen, every non-WKT field kind)',
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
