// Result rows for bench/: one shape for every benchmark, so that bench/run.mjs can
// collect them from each script and print one table.
//
// A row:
//   {
//     group:    'proto codec',                       // section of the table
//     workload: 'JSON→binary, small (96 B)',
//     unit:     'ops/s',                              // rates: higher is better
//     idlcall:  { median, min, max },                 // across the timed runs
//     peers:    { protobufjs: { median, min, max, ratio? }, … },
//     ceiling?: { name, median, min, max },           // what no client can beat (raw frames, JSON.parse+stringify)
//     extra?:   { p50Ms, p99Ms, peakRssMb, cpuUsPerOp, serverCpuPct, … }, // idlcall's side
//     peerExtra?: { [peer]: { p50Ms, p99Ms, peakRssMb, cpuUsPerOp, … } },
//     note?:    'why a peer is missing, which server bounds the row, …',
//   }
// Ratio = idlcall ÷ peer (for rates, higher is better). A peer entry may carry its own
// `ratio` when the script measured it better (e.g. the median of per-round ratios of
// alternating runs); otherwise the ratio of medians is used.
//
// A script calls `emitRows(rows)`: with `--json-out <file>` on its command line the rows
// are appended to that file (a JSON array); the script keeps printing its own table.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { formatRate } from './measure.mjs';

export { formatRate };

/** `--quick` and `--json-out <file>` from a bench script's command line. */
export function benchArgs(argv = process.argv.slice(2)) {
  const i = argv.indexOf('--json-out');
  return { quick: argv.includes('--quick'), jsonOut: i >= 0 ? argv[i + 1] : undefined };
}

/** `{median,min,max}` of a measure()/measureAsync() result or any object that has them. */
export function stat(m, more = {}) {
  return { median: m.median, min: m.min ?? m.median, max: m.max ?? m.median, ...more };
}

/**
 * Hands rows to bench/run.mjs: appended to the `--json-out` file when the script got one
 * (nothing happens otherwise). Returns the rows.
 */
export function emitRows(rows, { jsonOut = benchArgs().jsonOut } = {}) {
  for (const r of rows) {
    if (!r.group || !r.workload || !r.idlcall) throw new Error(`bench row needs group, workload and idlcall: ${JSON.stringify(r)}`);
  }
  if (jsonOut) {
    let prior = [];
    if (existsSync(jsonOut)) {
      try {
        const parsed = JSON.parse(readFileSync(jsonOut, 'utf8') || '[]');
        if (Array.isArray(parsed)) prior = parsed;
      } catch {
        // a half-written file from a crashed run: start over
      }
    }
    writeFileSync(jsonOut, JSON.stringify([...prior, ...rows], null, 1));
  }
  return rows;
}

/** idlcall ÷ peer for one row (undefined when either side is missing). */
export function ratioOf(row, peer) {
  const p = row.peers?.[peer];
  if (!p) return undefined;
  if (typeof p.ratio === 'number') return p.ratio;
  if (!row.idlcall?.median || !p.median) return undefined;
  return row.idlcall.median / p.median;
}

const fmtRatio = (x) => (x === undefined || !Number.isFinite(x) ? '–' : `${x.toFixed(2)}×`);
const fmtMs = (x) => (x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
const range = (m) => (m?.median && Number.isFinite(m.min) ? `${formatRate(m.min)}–${formatRate(m.max)}` : '');
const cell = (s) => String(s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Details column: latency percentiles, client peak RSS, CPU per op, server CPU. */
function details(row) {
  const parts = [];
  const peerNames = Object.keys(row.peerExtra ?? {});
  const each = (key, fmt) => {
    const ours = row.extra?.[key];
    if (ours === undefined) return undefined;
    const theirs = peerNames.filter((p) => row.peerExtra[p]?.[key] !== undefined).map((p) => `${p} ${fmt(row.peerExtra[p][key])}`);
    return `${fmt(ours)}${theirs.length ? ` (${theirs.join(', ')})` : ''}`;
  };
  if (row.extra?.p50Ms !== undefined) {
    const ours = `${fmtMs(row.extra.p50Ms)}/${fmtMs(row.extra.p99Ms)}`;
    const theirs = peerNames.filter((p) => row.peerExtra[p]?.p50Ms !== undefined).map((p) => `${p} ${fmtMs(row.peerExtra[p].p50Ms)}/${fmtMs(row.peerExtra[p].p99Ms)}`);
    parts.push(`p50/p99 ms ${ours}${theirs.length ? ` (${theirs.join(', ')})` : ''}`);
  }
  const rss = each('peakRssMb', (x) => x.toFixed(0));
  if (rss) parts.push(`client RSS MB ${rss}`);
  const cpu = each('cpuUsPerOp', (x) => x.toFixed(1));
  if (cpu) parts.push(`client CPU µs/op ${cpu}`);
  if (row.extra?.serverCpuPct !== undefined) {
    // near a full core the server, not the client, sets the pace: ratios understate the client gap
    const bound = row.extra.serverCpuPct >= 85 ? ' (server-bound)' : '';
    parts.push(`server CPU ${row.extra.serverCpuPct.toFixed(0)}%${bound}`);
  }
  if (row.note) parts.push(row.note);
  return parts.join('; ');
}

/**
 * One Markdown table for many rows, grouped by `group` (a bold row opens each section, in
 * first-seen order). Columns: workload, unit, idlcall, then for each peer slot its name and
 * rate and the ratio idlcall ÷ peer, the ceiling (with idlcall's share of it), the noise
 * (min–max across runs, idlcall first), and details.
 */
export function renderMarkdown(rows) {
  const slots = Math.max(1, ...rows.map((r) => Object.keys(r.peers ?? {}).length));
  const head = ['workload', 'unit', 'idlcall'];
  for (let i = 1; i <= slots; i++) head.push(slots === 1 ? 'peer' : `peer ${i}`, 'idlcall ÷ peer');
  head.push('ceiling (idlcall share)', 'noise min–max (idlcall; peers)', 'details');
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i >= 2 && i < 3 + 2 * slots ? '---:' : '---')).join('|')}|`];
  const groups = [];
  for (const r of rows) if (!groups.includes(r.group)) groups.push(r.group);
  for (const g of groups) {
    lines.push(`| **${cell(g)}** |${' |'.repeat(head.length - 1)}`);
    for (const r of rows.filter((x) => x.group === g)) {
      const peers = Object.keys(r.peers ?? {});
      const c = [cell(r.workload), cell(r.unit ?? 'ops/s'), r.idlcall?.median ? formatRate(r.idlcall.median) : '–'];
      for (let i = 0; i < slots; i++) {
        const p = peers[i];
        if (p === undefined) c.push('', '');
        else c.push(`${cell(p)} ${r.peers[p].median ? formatRate(r.peers[p].median) : '–'}`, fmtRatio(ratioOf(r, p)));
      }
      c.push(r.ceiling ? `${cell(r.ceiling.name)} ${formatRate(r.ceiling.median)} (${((100 * r.idlcall.median) / r.ceiling.median).toFixed(0)}%)` : '');
      c.push([range(r.idlcall), ...peers.map((p) => range(r.peers[p]))].filter(Boolean).join('; '));
      c.push(cell(details(r)));
      lines.push(`| ${c.join(' | ')} |`);
    }
  }
  return lines.join('\n');
}
