// Tiny protobuf messages, the per-call cost of the codec: a 64-byte pb.Response
// (examples/idl/streaming.proto, {"message":"x…"}) JSON → binary through the path the
// generic server takes (jsonPbGeneric → the method's encodeResponse), beside protobufjs
// (JSON.parse + fromObject + encode) and @bufbuild/protobuf (fromJsonString + toBinary),
// the reverse direction (decodeResponse), and both in turn (a JSON echo handler's round trip).
// Run after `npm run build`:
//   node bench/proto-codec-tiny.mjs [--quick] [--base <other-dist>]
// With --base, the same calls through another build of idlcall (e.g. main's) are measured
// in the same interleaved rounds.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { createFileRegistry, fromBinary, fromJsonString, toBinary, toJsonString } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { compareInterleaved } from './lib/measure.mjs';
import { emitRows } from './lib/report.mjs';
import { PROTO_INCLUDE } from './lib/oracles.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const idlDir = join(here, '../examples/idl');
const quick = process.argv.includes('--quick');
const baseAt = process.argv.indexOf('--base');
const rounds = quick ? 5 : 11;
const roundOpts = { warmupMs: 20, runMs: quick ? 100 : 200, runs: 1 };

/** The streaming example's response codec of one idlcall build (`dist`). */
async function idlcallMethod(dist) {
  const { protoFileProvider } = await import(join(dist, 'generic/proto-provider.js'));
  const { jsonPbGeneric } = await import(join(dist, 'generic/proto-generic.js'));
  const provider = await protoFileProvider(join(idlDir, 'streaming.proto'));
  return jsonPbGeneric(provider).method('StreamResponseEcho');
}
const ours = await idlcallMethod(join(here, '../dist'));
const base = baseAt > 0 ? await idlcallMethod(resolve(process.argv[baseAt + 1])) : undefined;

const pbResponse = protobuf.loadSync(join(idlDir, 'streaming.proto')).lookupType('pb.Response');
const setPath = join(mkdtempSync(join(tmpdir(), 'idlcall-bench-')), 'set.pb');
execFileSync('protoc', ['-I', idlDir, '-I', PROTO_INCLUDE, `--descriptor_set_out=${setPath}`, 'streaming.proto']);
const bufResponse = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(setPath))).getMessage('pb.Response');

const json = JSON.stringify({ message: 'x'.repeat(62) });
const bytes = ours.encodeResponse(json);
if (json.length !== 76 || bytes.length !== 64) throw new Error(`unexpected sizes: ${json.length} B JSON, ${bytes.length} B binary`);
if (Buffer.compare(Buffer.from(pbResponse.encode(pbResponse.fromObject(JSON.parse(json))).finish()), Buffer.from(bytes)) !== 0) throw new Error('protobufjs bytes differ');
if (Buffer.compare(Buffer.from(toBinary(bufResponse, fromJsonString(bufResponse, json))), Buffer.from(bytes)) !== 0) throw new Error('bufbuild bytes differ');

const compare = (ops) => compareInterleaved(ops, rounds, roundOpts);

const directions = [
  ['JSON→binary', {
    idlcall: () => ours.encodeResponse(json),
    ...(base ? { base: () => base.encodeResponse(json) } : {}),
    protobufjs: () => pbResponse.encode(pbResponse.fromObject(JSON.parse(json))).finish(),
    bufbuild: () => toBinary(bufResponse, fromJsonString(bufResponse, json)),
  }],
  ['binary→JSON', {
    idlcall: () => ours.decodeResponse(bytes),
    ...(base ? { base: () => base.decodeResponse(bytes) } : {}),
    protobufjs: () => JSON.stringify(pbResponse.toObject(pbResponse.decode(bytes))),
    bufbuild: () => toJsonString(bufResponse, fromBinary(bufResponse, bytes)),
  }],
  // What a JSON echo handler costs the server per bidi round trip: the request decoded
  // to JSON text, that text encoded as the reply.
  ['binary→JSON→binary', {
    idlcall: () => ours.encodeResponse(ours.decodeResponse(bytes)),
    ...(base ? { base: () => base.encodeResponse(base.decodeResponse(bytes)) } : {}),
    protobufjs: () => pbResponse.encode(pbResponse.fromObject(JSON.parse(JSON.stringify(pbResponse.toObject(pbResponse.decode(bytes)))))).finish(),
    bufbuild: () => toBinary(bufResponse, fromJsonString(bufResponse, toJsonString(bufResponse, fromBinary(bufResponse, bytes)))),
  }],
];
const rows = [];
const reportRows = [];
for (const [dir, ops] of directions) {
  const m = compare(ops);
  const row = { direction: dir, 'idlcall µs/msg': (1e6 / m.idlcall.median).toFixed(3) };
  if (base) Object.assign(row, { 'base µs/msg': (1e6 / m.base.median).toFixed(3), '÷base': m.base.ratio.toFixed(2) + '×' });
  Object.assign(row, {
    'protobufjs µs/msg': (1e6 / m.protobufjs.median).toFixed(3), '÷protobufjs': m.protobufjs.ratio.toFixed(2) + '×',
    'bufbuild µs/msg': (1e6 / m.bufbuild.median).toFixed(3), '÷bufbuild': m.bufbuild.ratio.toFixed(2) + '×',
  });
  rows.push(row);
  const r = (x, ratio) => ({ median: x.median, min: x.min, max: x.max, ...(ratio ? { ratio: x.ratio } : {}) });
  reportRows.push({
    group: 'proto codec, tiny message (pb.Response, 64 B, through jsonPbGeneric)',
    workload: `${dir}, 64 B`,
    unit: 'ops/s',
    idlcall: r(m.idlcall),
    peers: { protobufjs: r(m.protobufjs, true), '@bufbuild/protobuf': r(m.bufbuild, true) },
  });
}
console.log(`median of ${rounds} interleaved rounds; ratios = median per-round idlcall ÷ other (higher is better)`);
console.table(rows);
emitRows(reportRows);
