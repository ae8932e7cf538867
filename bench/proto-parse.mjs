// .proto parsing: idlcall's front end beside protobufjs's parse() on the same
// files. Run `npm run build` first; then `node bench/proto-parse.mjs`.
//
// Not like for like, in their favour: protobufjs's parse() only builds an
// unresolved tree of one file (no imports, no name resolution, no json names,
// map entries or validation). "idlcall parse" is our lexer + parser alone,
// the step that matches theirs; "idlcall resolve" is parseProtoContent: the
// file and each of its imports parsed, resolved and validated like protoc.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseProtoContent } from '../dist/idl-parser/proto/index.js';
import { parseProto } from '../dist/idl-parser/proto/parser.js';
import { measure, formatRate } from './lib/measure.mjs';
import { benchArgs, emitRows, stat } from './lib/report.mjs';
import { PROTO_INCLUDE } from './lib/oracles.mjs';

const require = createRequire(import.meta.url);
const protobuf = require('protobufjs');

const fixtures = fileURLToPath(new URL('../test/fixtures/proto/', import.meta.url));
const system = PROTO_INCLUDE;

/** Every .proto file under `dir`, by path relative to `base`. */
function walk(dir, base, out) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'editions') walk(p, base, out);
    } else if (e.name.endsWith('.proto')) out[relative(base, p)] = readFileSync(p, 'utf8');
  }
  return out;
}

const all = walk(fixtures, fixtures, {});
walk(join(system, 'google/protobuf'), system, all);

// Keep files both sides accept (protobufjs rejects a few edge cases we cover).
const names = Object.keys(all).filter((name) => {
  try {
    protobuf.parse(all[name], { keepCase: true });
    parseProtoContent(all[name], { files: all, mainName: name });
    return true;
  } catch {
    return false;
  }
});

// --quick (bench/run.mjs): fewer, shorter runs; the default is unchanged.
const mopts = benchArgs().quick ? { warmupMs: 150, runMs: 200, runs: 3 } : {};
const reportRows = []; // for bench/run.mjs (emitRows)

function compare(label, texts) {
  const list = texts.map((n) => [n, all[n]]);
  const theirs = measure(() => {
    for (const [, t] of list) protobuf.parse(t, { keepCase: true });
  }, mopts);
  const parse = measure(() => {
    for (const [n, t] of list) parseProto(t, n);
  }, mopts);
  const resolve = measure(() => {
    for (const [n, t] of list) parseProtoContent(t, { files: all, mainName: n });
  }, mopts);
  console.log(`${label} (${list.length} file${list.length === 1 ? '' : 's'})`);
  const what = `${label} (${list.length} file${list.length === 1 ? '' : 's'})`;
  reportRows.push({ group: 'proto parse', workload: `${what}: lexer+parser`, unit: 'ops/s', idlcall: stat(parse), peers: { 'protobufjs parse()': stat(theirs) } });
  reportRows.push({ group: 'proto parse', workload: `${what}: parse + imports + resolve + validate`, unit: 'ops/s', idlcall: stat(resolve), peers: { 'protobufjs parse()': stat(theirs) }, note: 'idlcall does more here than protobufjs parse() (one file, unresolved)' });
  console.log(`  protobufjs parse()   ${formatRate(theirs.median).padStart(8)} ops/s`);
  console.log(`  idlcall parse        ${formatRate(parse.median).padStart(8)} ops/s   ratio ${(parse.median / theirs.median).toFixed(2)}x`);
  console.log(`  idlcall resolve      ${formatRate(resolve.median).padStart(8)} ops/s   ratio ${(resolve.median / theirs.median).toFixed(2)}x`);
}

compare('descriptor.proto', ['google/protobuf/descriptor.proto']);
compare('corpus', names);
emitRows(reportRows);
console.log(`skipped (rejected by protobufjs): ${Object.keys(all).filter((n) => !names.includes(n)).join(', ') || 'none'}`);
