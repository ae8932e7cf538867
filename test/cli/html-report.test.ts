/**
 * `idlcall bench -O html`: the report is one self-contained page. Opened in headless Chromium
 * (Debian's, driven by playwright-core): its charts render as SVG carrying the run's numbers,
 * the page logs no console error and makes no network request. A screenshot is saved in the
 * test's temp directory.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, oracles } from '../support/oracles.js';
import { FIXTURES, runCli } from './helpers.js';
import { startServers, type TestServers } from './servers.js';

const ready = oracles('chromium');
const ITEMS_PROTO = join(FIXTURES, 'cli_test.proto');

let servers: TestServers;
let tmp = '';

beforeAll(async () => {
  servers = await startServers();
  tmp = mkdtempSync(join(tmpdir(), 'idlcall-html-'));
});

afterAll(async () => {
  await servers?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!ready)('bench -O html in headless Chromium', () => {
  it('renders both charts from the run\'s data, offline, without console errors', async () => {
    const file = join(tmp, 'report.html');
    // One second of calls (ten 100 ms slots), a share of them failing, on two threads.
    const r = await runCli(
      ['bench', servers.items, 'Fail', '--idl', ITEMS_PROTO, '-d', '[{"id":"0"},{"id":"0"},{"id":"0"},{"id":"5"}]', '-z', '1s', '-c', '4', '--cpus', '2', '--max-error-rate', '1', '--name', 'html <check>', '-O', 'html', '-o', file],
      { timeoutMs: 60_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).not.toMatch(/<script|<link|src=|href=|@import|url\(/); // nothing to fetch, nothing to run
    expect(html).toContain('html &#60;check&#62;');

    const { chromium } = await import('playwright-core');
    const profile = join(tmp, 'profile');
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await context.newPage();
      const consoleErrors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text());
      });
      page.on('pageerror', (e) => consoleErrors.push(e.message));
      page.on('request', (req) => requests.push(req.url()));
      const url = pathToFileURL(file).href;
      await page.goto(url, { waitUntil: 'load' });

      // The histogram: ten bars whose counts add up to the OK calls in the summary.
      const bars = page.locator('#histogram rect.bar');
      expect(await bars.count()).toBe(10);
      const counts = (await bars.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))))) as number[];
      const heights = (await bars.evaluateAll((els) => els.map((e) => (e as unknown as { getBBox(): { height: number } }).getBBox().height))) as number[];
      const summary = await page.locator('#summary').innerText();
      const ok = Number(/Calls\s+[\d,]+ \(([\d,]+) OK, ([\d,]+) failed/.exec(summary)![1]!.replaceAll(',', ''));
      const failed = Number(/Calls\s+[\d,]+ \([\d,]+ OK, ([\d,]+) failed/.exec(summary)![1]!.replaceAll(',', ''));
      expect(ok).toBeGreaterThan(0);
      expect(failed).toBeGreaterThan(0);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(ok);
      // Rendered with height where there is data, none where there is none.
      counts.forEach((c, i) => (c > 0 ? expect(heights[i]).toBeGreaterThan(0) : expect(heights[i]).toBe(0)));

      // Calls over time: a point per slot, OK and failed rates, and a line for each.
      const points = page.locator('#throughput circle.point');
      const n = await points.count();
      expect(n).toBeGreaterThanOrEqual(8);
      const rates = (await points.evaluateAll((els) =>
        els.map((e) => [Number(e.getAttribute('data-ok-per-sec')), Number(e.getAttribute('data-failed-per-sec'))]),
      )) as Array<[number, number]>;
      // Slots are 100 ms: calls per slot = rate / 10; they add up to the calls made.
      expect(Math.round(rates.reduce((s, [o]) => s + o / 10, 0))).toBe(ok);
      expect(Math.round(rates.reduce((s, [, f]) => s + f / 10, 0))).toBe(failed);
      for (const cls of ['ok', 'failed']) {
        const box = await page.locator(`#throughput path.${cls}`).boundingBox();
        expect(box!.width).toBeGreaterThan(100);
      }
      expect(await page.locator('#status th.bad').innerText()).toBe('NOT_FOUND');

      const shot = join(tmp, 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(existsSync(shot) && statSync(shot).size).toBeGreaterThan(10_000);
      expect(consoleErrors).toEqual([]);
      expect(requests).toEqual([url]);
    } finally {
      await context.close();
    }
  });
});
