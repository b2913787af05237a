// The /demo page in headless Chromium: timestamps arrive a second apart, the close button calls
// close(), readyState shows 2 and nothing more arrives. Leaves a screenshot of the page after
// the click (its path is printed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../lib/chromium.mjs';
import { startServer } from '../lib/ssespec.mjs';

test('/demo: ticks a second apart, close() stops them, readyState 2', { timeout: 60_000 }, async () => {
  const server = await startServer(['--no-fixtures']);
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    // Arrival time of every timestamp the page lists, recorded by the page itself.
    await page.addInitScript(() => {
      window.arrivals = [];
      new MutationObserver((mutations) => {
        for (const m of mutations) {
          for (const node of m.addedNodes) {
            if (node.nodeName === 'LI' && node.parentElement && node.parentElement.id === 'times') {
              window.arrivals.push({ at: performance.now(), text: node.textContent });
            }
          }
        }
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(`${server.url}/demo`);
    // Three ticks take 2 s; a busy machine gets 30 s before the test says they did not come.
    await page.waitForFunction(() => window.arrivals.length >= 3, null, { timeout: 30_000 }).catch(async (e) => {
      const seen = await page.evaluate(() => window.arrivals.length);
      throw new Error(`/demo showed ${seen} of 3 ticks within 30 s: ${e.message}`);
    });
    const arrivals = await page.evaluate(() => window.arrivals);
    // The first event comes at once; later ones one period apart.
    const gap = arrivals[2].at - arrivals[1].at;
    assert.ok(gap > 800 && gap < 1200, `timestamps ${gap.toFixed(0)} ms apart, expected about 1000`);
    const stamps = arrivals.map((a) => Date.parse(a.text.split(/\s+/)[0]));
    assert.ok(stamps.every((s) => !Number.isNaN(s)), `timestamps: ${arrivals.map((a) => a.text).join(' | ')}`);
    assert.equal((stamps[2] - stamps[1]) / 1000, 1, 'consecutive timestamps are one second apart');
    assert.equal(await page.evaluate(() => source.readyState), 1);

    await page.click('#close');
    assert.equal(await page.evaluate(() => source.readyState), 2);
    assert.match(await page.textContent('#state'), /^2\b/);
    const countAtClose = await page.evaluate(() => window.arrivals.length);
    await page.waitForTimeout(1500);  // more than a period: a tick would have arrived by now
    assert.equal(await page.evaluate(() => window.arrivals.length), countAtClose, 'no timestamp after close()');
    assert.equal(await page.evaluate(() => document.querySelectorAll('#times li').length), countAtClose);

    const dir = process.env.SSESPEC_ARTIFACTS_DIR || join(tmpdir(), 'ssespec-artifacts');
    mkdirSync(dir, { recursive: true });
    const shot = join(dir, 'demo-after-close.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`screenshot of /demo after close(): ${shot}`);
  } finally {
    await browser.close();
    await server.stop();
  }
});
