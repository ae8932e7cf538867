// How late a process's timers fire: setTimeout(5) in a loop, each firing's lateness (actual −
// asked) into a histogram. Run inside a bench client it shows how long that client's event loop
// is held up; run alone, pinned beside a bench, it shows what the machine itself does to a
// process that does nothing else.
//
//   node bench/lib/timer-probe.mjs <seconds> | --until-stdin-ends
import { fileURLToPath } from 'node:url';
import { Histogram } from './histogram.mjs';

/** Starts probing into `hist`; `stop()` ends it and returns the lateness percentiles (ms) recorded there. */
export function startTimerProbe(periodMs = 5, hist = new Histogram()) {
  let max = 0;
  let timer;
  let asked = performance.now();
  const tick = () => {
    const late = performance.now() - asked - periodMs;
    hist.record(Math.max(0, late));
    if (late > max) max = late;
    asked = performance.now();
    timer = setTimeout(tick, periodMs);
  };
  timer = setTimeout(tick, periodMs);
  return {
    stop() {
      clearTimeout(timer);
      return { n: hist.total, p50Ms: hist.percentile(50), p99Ms: hist.percentile(99), p999Ms: hist.percentile(99.9), maxMs: max };
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // `<seconds>`: probe that long and print a line; `--until-stdin-ends`: probe until the parent
  // closes stdin, then print the figures as JSON (bench/governance.mjs runs one beside each row).
  const untilEnd = process.argv[2] === '--until-stdin-ends';
  const probe = startTimerProbe();
  const report = () => {
    const r = probe.stop();
    if (untilEnd) console.log(JSON.stringify(r));
    else console.log(`bare timer probe (setTimeout(5) in a loop): n ${r.n} lateness p50 ${r.p50Ms.toFixed(3)} p99 ${r.p99Ms.toFixed(3)} p99.9 ${r.p999Ms.toFixed(3)} max ${r.maxMs.toFixed(3)} ms`);
  };
  if (untilEnd) {
    process.stdin.resume();
    process.stdin.on('end', report);
    setTimeout(() => process.exit(0), 30 * 60 * 1000).unref(); // never outlives a run
  } else setTimeout(report, Number(process.argv[2] ?? 10) * 1000);
}
