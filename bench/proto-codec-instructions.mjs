// Instructions per message of the protobuf codec, this tree's dist against another build, counted
// by valgrind's callgrind (Debian `valgrind`) instead of timed: a 2-core machine under load moves
// timings of one build against itself by ±10–20% per round, but not instruction counts, so this
// is how a bound of a few percent between two builds is shown.
//
//   npm run build && node bench/proto-codec-instructions.mjs <baseline-dist-dir> [--filter text]
//
// Per row and build, node runs under callgrind twice: W messages (warm-up: everything hot is
// optimised by then), and W + n. (count₂ − count₁) / n is what one message costs once warm.
// Both runs give V8 128 MB semi-spaces so that no scavenge falls in the window (with the
// default young generation the count per message moves with n as GC work grows) and
// --single-threaded so that compilation is not spread over other threads.
//
//   node bench/proto-codec-instructions.mjs child <dist> <message> <enc|dec> <count>
//   (one run: the codec of <dist>, <count> messages; what callgrind counts)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kitchenMessages, kitchenWktMessages } from './lib/kitchen-messages.mjs';
import { VALGRIND } from './lib/oracles.mjs';

const SELF = fileURLToPath(import.meta.url);
const here = dirname(SELF);
const fixtures = join(here, '../test/fixtures/proto-codec');
/** Warm-up W and window n per message, sized so each window is ~250 M instructions (tiny: ~100 M). */
const SIZES = { tiny: [100000, 50000], small: [30000, 10000], medium: [3000, 1000], large: [60, 40] };

/**
 * The tiny row: a 64-byte pb.Response (examples/idl/streaming.proto) through jsonPbGeneric's
 * encodeResponse / decodeResponse, the generic server's per-message path (as proto-codec-tiny.mjs).
 */
async function tinyOp(dist, dir) {
  const { protoFileProvider } = await import(join(dist, 'generic/proto-provider.js'));
  const { jsonPbGeneric } = await import(join(dist, 'generic/proto-generic.js'));
  const method = jsonPbGeneric(await protoFileProvider(join(here, '../examples/idl/streaming.proto'))).method('StreamResponseEcho');
  const json = JSON.stringify({ message: 'x'.repeat(62) });
  const bytes = method.encodeResponse(json);
  return dir === 'enc' ? () => method.encodeResponse(json) : () => method.decodeResponse(bytes);
}

async function child(dist, name, dir, count) {
  if (name === 'tiny') {
    const op = await tinyOp(dist, dir);
    for (let i = 0; i < count; i++) op();
    return;
  }
  const { ProtoCodec } = await import(join(dist, 'codec/proto/index.js'));
  const { loadProtoFile } = await import(join(dist, 'idl-parser/proto/index.js'));
  const reg = await loadProtoFile(join(fixtures, 'kitchen.proto'), { includeDirs: [fixtures] });
  const codec = new ProtoCodec(reg);
  const type = reg.findMessage('kitchen.Kitchen');
  const obj = new Map([...kitchenMessages(), ...kitchenWktMessages()]).get(name);
  if (obj === undefined) throw new Error(`no bench message ${name}`);
  const json = JSON.stringify(obj);
  const bytes = codec.encodeJson(type, json);
  const op = dir === 'enc' ? () => codec.encodeJson(type, json) : () => codec.decodeToJson(type, bytes);
  for (let i = 0; i < count; i++) op();
}

/** Instructions callgrind counts for one run of `count` messages. */
function instructions(dist, name, dir, count) {
  const args = ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, '--single-threaded', '--min-semi-space-size=128', '--max-semi-space-size=128', SELF, 'child', dist, name, dir, String(count)];
  const run = spawnSync(VALGRIND, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  const m = /Collected : (\d+)/.exec(run.stderr ?? '');
  if (run.status !== 0 || m === null) throw new Error(`callgrind failed for ${name} ${dir}: ${run.stderr}`);
  return Number(m[1]);
}

async function main() {
  const baseDir = resolve(process.argv[2] ?? '');
  if (!existsSync(join(baseDir, 'codec/proto/index.js'))) throw new Error('usage: node bench/proto-codec-instructions.mjs <baseline-dist-dir> [--filter text]');
  if (!existsSync(VALGRIND)) {
    console.log('proto-codec-instructions: skipped (needs valgrind: Debian package valgrind)');
    return;
  }
  const fi = process.argv.indexOf('--filter');
  const filter = fi > 0 ? process.argv[fi + 1] : undefined;
  const builds = { now: join(here, '../dist'), baseline: baseDir };
  const rows = [];
  for (const name of Object.keys(SIZES)) {
    for (const dir of ['enc', 'dec']) {
      const label = `${name} ${dir === 'enc' ? 'JSON→binary' : 'binary→JSON'}`;
      if (filter && !label.includes(filter)) continue;
      const [warm, n] = SIZES[name];
      const per = {};
      for (const [build, dist] of Object.entries(builds)) {
        per[build] = (instructions(dist, name, dir, warm + n) - instructions(dist, name, dir, warm)) / n;
      }
      rows.push({ row: label, 'W / n': `${warm} / ${n}`, baseline: Math.round(per.baseline), now: Math.round(per.now), 'now ÷ baseline': `${((per.now / per.baseline - 1) * 100).toFixed(1)}%` });
      console.log(`  ${label}: ${rows.at(-1)['now ÷ baseline']}`);
    }
  }
  console.log('instructions per message (callgrind), this tree vs the baseline build');
  console.table(rows);
}

if (process.argv[2] === 'child') {
  const [dist, name, dir, n] = process.argv.slice(3);
  await child(dist, name, dir, Number(n));
} else await main();
