// A/B of the protobuf codec: this tree's dist against another build of idlcall (a
// baseline, e.g. main's), on the proto-codec bench messages (with and without
// well-known types), interleaved in one process so load drift hits both alike.
//   node bench/proto-codec-ab.mjs <baseline-dist-dir> [--quick] [--only <label part>]
// Prints per message and direction the median per-round ratio new ÷ baseline.
import { join, resolve } from 'node:path';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure } from './lib/measure.mjs';
import { kitchenMessages, kitchenWktMessages } from './lib/kitchen-messages.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '../test/fixtures/proto-codec');
const baseDir = resolve(process.argv[2] ?? '');
const quick = process.argv.includes('--quick');
const rounds = quick ? 5 : 11;
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt > 0 ? process.argv[onlyAt + 1] : undefined;
const opts = { warmupMs: 30, runMs: quick ? 120 : 250, runs: 1 };

async function load(dist) {
  const { ProtoCodec } = await import(join(dist, 'codec/proto/index.js'));
  const { loadProtoFile } = await import(join(dist, 'idl-parser/proto/index.js'));
  const reg = await loadProtoFile(join(fixtures, 'kitchen.proto'), { includeDirs: [fixtures] });
  return { codec: new ProtoCodec(reg), type: reg.findMessage('kitchen.Kitchen') };
}
const now = await load(join(here, '../dist'));
const base = await load(baseDir);
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

const rows = [];
for (const [label, obj] of [...kitchenMessages(), ...kitchenWktMessages()]) {
  if (only !== undefined && !label.includes(only)) continue;
  const json = JSON.stringify(obj);
  const bytes = now.codec.encodeJson(now.type, json);
  for (const [dir, op] of [
    ['JSON→binary', (s) => () => s.codec.encodeJson(s.type, json)],
    ['binary→JSON', (s) => () => s.codec.decodeToJson(s.type, bytes)],
  ]) {
    const a = op(now);
    const b = op(base);
    measure(a, { warmupMs: 300, runMs: 1, runs: 1 });
    measure(b, { warmupMs: 300, runMs: 1, runs: 1 });
    const ra = [];
    const rb = [];
    for (let r = 0; r < rounds; r++) {
      ra.push(measure(a, opts).median);
      rb.push(measure(b, opts).median);
    }
    const ratios = ra.map((v, i) => v / rb[i]);
    rows.push({ message: `${label} (${bytes.length} B)`, direction: dir, new: Math.round(median(ra)), baseline: Math.round(median(rb)), 'new ÷ baseline': median(ratios).toFixed(3) + '×', 'min–max': `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}` });
  }
}
console.log(`ops/s, median of ${rounds} interleaved rounds; ratio = median per-round new ÷ baseline`);
console.table(rows);
