// .thrift parsing: idlcall's front end beside @creditkarma/thrift-parser on the
// same files. Run `npm run build` first; then `node bench/thrift-parse.mjs`.
//
// Not like for like, in their favour: @creditkarma/thrift-parser only parses
// (tokens → syntax tree; no include loading, no name or typedef resolution, no
// constant evaluation). "idlcall resolve" does everything loadThriftFile does
// except disk reads: parse the file and each of its includes (again for every
// file that includes them), resolve names and typedefs, evaluate constants,
// build services with their args/result structs. "idlcall parse" is our
// lexer + parser alone, the step that matches theirs.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseThriftContent } from '../dist/idl-parser/thrift/index.js';
import { parseDocument } from '../dist/idl-parser/thrift/parser.js';
import { measure, formatRate, summarize } from './lib/measure.mjs';
import { benchArgs, emitRows, stat } from './lib/report.mjs';
import { THRIFT_EXAMPLES } from './lib/oracles.mjs';

const require = createRequire(import.meta.url);
const { parse: ckParse } = require('@creditkarma/thrift-parser');

const root = fileURLToPath(new URL('../test/fixtures/thrift/parity/', import.meta.url));
const examples = THRIFT_EXAMPLES;

/** Every .thrift file under `dir`, by path relative to it. */
function walk(dir, base = dir, out = {}) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, base, out);
    else if (e.name.endsWith('.thrift')) out[relative(base, p)] = readFileSync(p, 'utf8');
  }
  return out;
}

const all = walk(root);
if (existsSync(examples)) {
  for (const f of ['tutorial.thrift', 'shared.thrift']) all[f] = readFileSync(join(examples, f), 'utf8');
}

// Keep only files both parsers accept (theirs rejects `+15`, hex, `1.5E-5`,
// cpp_type, namespace annotations…); it logs its errors, so mute it while checking.
const log = console.log;
console.log = () => {};
const names = Object.keys(all).sort().filter((name) => {
  try {
    return ckParse(all[name], { organize: false }).type === 'ThriftDocument';
  } catch {
    return false;
  }
});
console.log = log;
const texts = names.map((n) => all[n]);
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
// The include search path of the corpus: shared files live in inc/.
const includeDirs = ['inc'];

const ops = {
  ours: () => {
    let n = 0;
    for (const name of names) n += parseThriftContent(all[name], { files: all, mainName: name, includeDirs }).files.length;
    return n;
  },
  oursParse: () => {
    let n = 0;
    for (let i = 0; i < texts.length; i++) n += parseDocument(texts[i], names[i]).definitions.length;
    return n;
  },
  theirs: () => {
    let n = 0;
    for (const t of texts) n += ckParse(t, { organize: false }).body.length;
    return n;
  },
};
// Rounds alternate between the three so that load drift on a shared machine
// hits all of them alike; each figure is the median over every timed run.
// --quick (bench/run.mjs): one round of 3 shorter runs; the default is unchanged.
const quick = benchArgs().quick;
const ROUNDS = quick ? 1 : 3;
const opts = quick ? { warmupMs: 150, runMs: 200, runs: 3 } : { warmupMs: 300, runMs: 300, runs: 5 };
const runs = { ours: [], oursParse: [], theirs: [] };
for (let r = 0; r < ROUNDS; r++) {
  for (const k of Object.keys(ops)) runs[k].push(...measure(ops[k], opts).runs);
}
const { ours, oursParse, theirs } = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, summarize(v)]));

const row = (label, r) =>
  `${label.padEnd(42)} ${formatRate(r.median).padStart(8)} ops/s  (min ${formatRate(r.min)}, max ${formatRate(r.max)})`;
const skipped = Object.keys(all).filter((n) => !names.includes(n));
console.log(`thrift-parse: ${names.length} files (${(bytes / 1024).toFixed(1)} KiB) per op, median of ${ROUNDS * opts.runs} runs`);
console.log(`(left out, @creditkarma/thrift-parser rejects them: ${skipped.join(', ') || 'none'})`);
console.log(row('idlcall resolve (parse+includes+resolve)', ours));
console.log(row('idlcall parse (lexer+parser only)', oursParse));
console.log(row('@creditkarma/thrift-parser (parse only)', theirs));
console.log(`ratio idlcall resolve ÷ creditkarma: ${(ours.median / theirs.median).toFixed(2)}×`);
console.log(`ratio idlcall parse   ÷ creditkarma: ${(oursParse.median / theirs.median).toFixed(2)}×`);
const what = `corpus (${names.length} files, ${(bytes / 1024).toFixed(1)} KiB)`;
emitRows([
  { group: 'thrift parse', workload: `${what}: lexer+parser`, unit: 'ops/s', idlcall: stat(oursParse), peers: { '@creditkarma/thrift-parser': stat(theirs) } },
  { group: 'thrift parse', workload: `${what}: parse + includes + resolve`, unit: 'ops/s', idlcall: stat(ours), peers: { '@creditkarma/thrift-parser': stat(theirs) }, note: 'idlcall does more here than thrift-parser (parse only)' },
]);
