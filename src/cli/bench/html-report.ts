/**
 * `--format html`: the report as one self-contained page. The charts are
 * inline SVG drawn here (the latency histogram and calls over time), the
 * styles inline too: the page fetches nothing, runs no script, and opens
 * the same offline, in a CI artifact viewer or attached to a mail.
 */
import { ms, num } from '../format.js';
import type { BenchReport } from './report.js';

const WIDTH = 720;
const HEIGHT = 260;
const PAD = { left: 64, right: 16, top: 16, bottom: 48 };

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Rounded-up axis maximum and a few tick values. */
function ticks(max: number): number[] {
  if (max <= 0) return [0, 1];
  const step = 10 ** Math.floor(Math.log10(max));
  const nice = [1, 2, 5, 10].map((f) => f * step).find((s) => max / s <= 5) ?? step * 10;
  const out: number[] = [];
  for (let v = 0; v <= max + nice * 0.999; v += nice) out.push(Number(v.toPrecision(6)));
  return out;
}

function axes(yTicks: number[], yMax: number, yLabel: string, xLabel: string): string {
  const h = HEIGHT - PAD.top - PAD.bottom;
  const lines = yTicks.map((t) => {
    const y = PAD.top + h - (t / yMax) * h;
    return `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y}" y2="${y}" class="grid"/><text x="${PAD.left - 6}" y="${y + 4}" text-anchor="end">${num(t)}</text>`;
  });
  return (
    lines.join('') +
    `<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${HEIGHT - PAD.bottom}" class="axis"/>` +
    `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${HEIGHT - PAD.bottom}" y2="${HEIGHT - PAD.bottom}" class="axis"/>` +
    `<text x="14" y="${PAD.top + h / 2}" transform="rotate(-90 14 ${PAD.top + h / 2})" text-anchor="middle">${esc(yLabel)}</text>` +
    `<text x="${PAD.left + (WIDTH - PAD.left - PAD.right) / 2}" y="${HEIGHT - 8}" text-anchor="middle">${esc(xLabel)}</text>`
  );
}

/** Bars of the response time histogram, one per bin, labelled with its upper edge. */
function histogramSvg(r: BenchReport): string {
  const bins = r.histogram;
  if (!bins.length) return '<p>No latencies to draw.</p>';
  const yTicks = ticks(Math.max(...bins.map((b) => b.count)));
  const yMax = yTicks[yTicks.length - 1]!;
  const w = (WIDTH - PAD.left - PAD.right) / bins.length;
  const h = HEIGHT - PAD.top - PAD.bottom;
  const bars = bins.map((b, i) => {
    const bh = (b.count / yMax) * h;
    const x = PAD.left + i * w;
    return (
      `<rect class="bar" data-mark-ms="${b.markMs}" data-count="${b.count}" x="${x + 2}" y="${PAD.top + h - bh}" width="${w - 4}" height="${bh}">` +
      `<title>≤ ${esc(ms(b.markMs))}: ${num(b.count)} calls (${(b.frequency * 100).toFixed(1)}%)</title></rect>` +
      `<text x="${x + w / 2}" y="${HEIGHT - PAD.bottom + 14}" text-anchor="middle">${esc(b.markMs.toFixed(b.markMs >= 100 ? 0 : b.markMs >= 1 ? 2 : 3))}</text>`
    );
  });
  return `<svg id="histogram" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Response time histogram">${axes(yTicks, yMax, 'calls', 'latency (ms), upper edge of each bin')}${bars.join('')}</svg>`;
}

/** Calls per second over the run: OK and failed, one point per time slot. */
function throughputSvg(r: BenchReport): string {
  const { slotMs, ok, failed } = r.timeline;
  if (!ok.length) return '<p>No calls completed.</p>';
  const perSec = 1000 / slotMs;
  const okRate = ok.map((n) => n * perSec);
  const failedRate = failed.map((n) => n * perSec);
  const yTicks = ticks(Math.max(...okRate, ...failedRate));
  const yMax = yTicks[yTicks.length - 1]!;
  const h = HEIGHT - PAD.top - PAD.bottom;
  const spanSec = (ok.length * slotMs) / 1000;
  const x = (i: number): number => PAD.left + ((i + 0.5) / ok.length) * (WIDTH - PAD.left - PAD.right);
  const y = (v: number): number => PAD.top + h - (v / yMax) * h;
  const path = (rates: number[]): string => rates.map((v, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join('');
  const points = okRate
    .map((v, i) => `<circle class="point" r="2" cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" data-t-ms="${i * slotMs}" data-ok-per-sec="${v}" data-failed-per-sec="${failedRate[i]}"/>`)
    .join('');
  const xTicks = ticks(spanSec)
    .filter((t) => t <= spanSec)
    .map((t) => `<text x="${PAD.left + (t / spanSec) * (WIDTH - PAD.left - PAD.right)}" y="${HEIGHT - PAD.bottom + 14}" text-anchor="middle">${t}</text>`)
    .join('');
  const anyFailed = failed.some((n) => n > 0);
  const failedLine = anyFailed ? `<path class="failed" d="${path(failedRate)}"/>` : '';
  const legendX = WIDTH - PAD.right - 150;
  const legend =
    `<line class="ok" x1="${legendX}" x2="${legendX + 18}" y1="${PAD.top + 6}" y2="${PAD.top + 6}"/><text x="${legendX + 24}" y="${PAD.top + 10}">OK</text>` +
    (anyFailed ? `<line class="failed" x1="${legendX + 60}" x2="${legendX + 78}" y1="${PAD.top + 6}" y2="${PAD.top + 6}"/><text x="${legendX + 84}" y="${PAD.top + 10}">failed</text>` : '');
  return (
    `<svg id="throughput" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Calls per second over time">` +
    `${axes(yTicks, yMax, 'calls/s', `seconds from the start (${slotMs} ms slots)`)}${xTicks}` +
    `<path class="ok" d="${path(okRate)}"/>${failedLine}${points}${legend}</svg>`
  );
}

function table(rows: ReadonlyArray<readonly [string, string]>, id: string): string {
  return `<table id="${id}">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:780px;color:#1d2330;padding:0 1rem}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:2rem 0 .5rem;border-bottom:1px solid #dde2ea;padding-bottom:.25rem}
.sub{color:#5b6474;margin:0 0 1rem}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eef1f5;vertical-align:top}
th{font-weight:600;width:14rem}td.n{text-align:right;font-variant-numeric:tabular-nums}
svg{width:100%;height:auto;font-size:11px;fill:#5b6474}.grid{stroke:#eef1f5}.axis{stroke:#9aa3b2}
.bar{fill:#3a7bd5}.ok{fill:none;stroke:#2e9d5b;stroke-width:2}.failed{fill:none;stroke:#d64541;stroke-width:2}.point{fill:#2e9d5b}
.bad{color:#d64541}code{font-size:12px}
`;

/** The whole page. */
export function htmlReport(r: BenchReport): string {
  const l = r.latencyMs;
  const summary: Array<readonly [string, string]> = [
    ['Target', `${r.target} ${r.method} (${r.mode} over ${r.transport})`],
    ['Concurrency', `${r.concurrency} on ${r.workers} thread(s), ${r.clients} client(s), ${r.connections} connection(s) opened`],
    ['Calls', `${num(r.total)} (${num(r.ok)} OK, ${num(r.errors)} failed${r.skipped ? `; ${num(r.skipped)} more skipped` : ''})`],
    ['Total time', `${(r.durationMs / 1000).toFixed(3)} s`],
    ['Calls/sec', num(r.callsPerSec, 1)],
    ['Latency', `min ${ms(l.min)}, mean ${ms(l.mean)}, p50 ${ms(l.p50)}, p99 ${ms(l.p99)}, max ${ms(l.max)}${r.countErrors ? ' (every call)' : ' (OK calls)'}`],
    ['Client CPU', `${r.cpu.percent.toFixed(1)}% of one core, ${r.cpu.perCallUs.toFixed(1)} µs per call`],
  ];
  const distribution = `<table id="distribution">${r.latencyDistribution.map((d) => `<tr><th>${d.percentage} %</th><td class="n">${esc(ms(d.latencyMs))}</td></tr>`).join('')}</table>`;
  const statuses = `<table id="status">${Object.entries(r.statusCodes)
    .map(([c, n]) => `<tr><th${c === 'OK' ? '' : ' class="bad"'}>${esc(c)}</th><td class="n">${num(n)}</td></tr>`)
    .join('')}</table>`;
  const errors = Object.keys(r.errorMessages).length
    ? `<h2>Errors</h2><table id="errors">${Object.entries(r.errorMessages).map(([m, n]) => `<tr><td class="n">${num(n)}</td><td><code>${esc(m)}</code></td></tr>`).join('')}</table>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>idlcall bench${r.name ? ` — ${esc(r.name)}` : ''}</title><style>${STYLE}</style></head>
<body>
<h1>idlcall bench${r.name ? `: ${esc(r.name)}` : ''}</h1>
<p class="sub">${esc(r.date)}</p>
<h2>Summary</h2>${table(summary, 'summary')}
<h2>Response time histogram</h2>${histogramSvg(r)}
<h2>Calls over time</h2>${throughputSvg(r)}
<h2>Latency distribution</h2>${distribution}
<h2>Status codes</h2>${statuses}
${errors}
</body></html>
`;
}
