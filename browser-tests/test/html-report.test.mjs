// The HTML report in a real browser: `ssespec report` merges runs of three implementations into
// one matrix; Chromium finds one column per implementation, cells coloured by verdict, and a
// failing cell that opens its expected/observed difference and spec link. Leaves a screenshot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium } from '../lib/chromium.mjs';
import { repoDir, runSsespec, ssespecBinary } from '../lib/ssespec.mjs';

test('HTML report: one column per implementation, failures open their diff', { timeout: 180_000 }, async () => {
  const work = mkdtempSync(join(tmpdir(), 'ssespec-report-'));
  const browser = await launchChromium();
  try {
    // The same cases through three implementations; npm eventsource strips a second BOM.
    const filter = ['--filter', 'parse/bom'];
    const runs = [
      ['reference.json', ['client', ...filter, '--name', 'ssespec reference client', '--', ssespecBinary(), 'connect']],
      ['eventsource.json', ['client', ...filter, '--name', 'npm eventsource', '--',
        'node', join(repoDir, 'conformance/adapters/node-eventsource/adapter.mjs')]],
      ['chromium.json', ['browser', '--browser', 'chromium', ...filter]],
    ];
    for (const [file, args] of runs) {
      // Report options go right after the subcommand: anything after `--` is the adapter's.
      const [command, ...rest] = args;
      const run = await runSsespec([command, '--quiet', '--json', join(work, file), ...rest]);
      assert.ok(run.status === 0 || run.status === 1, `ssespec ${args[0]} could not run:\n${run.stdout}${run.stderr}`);
    }
    const html = join(work, 'report.html');
    const merged = await runSsespec(['report', ...runs.map(([file]) => join(work, file)), '--html', html]);
    assert.ok(merged.status === 0 || merged.status === 1, merged.stderr);

    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(pathToFileURL(html).href);
    const columns = await page.$$eval('#matrix thead th.impl', (ths) => ths.map((th) => th.textContent));
    assert.equal(columns.length, 3, `columns: ${columns.join(' | ')}`);
    assert.match(columns[0], /reference client/);
    assert.match(columns[1], /npm eventsource/);
    assert.match(columns[2], /Chromium/);
    assert.equal(await page.locator('#summary .bar').count(), 3, 'a summary bar per implementation');

    const rows = await page.locator('#matrix tr.case-row').count();
    assert.ok(rows >= 10, `${rows} case rows`);
    // Every row has a cell per implementation (after the case's own cell).
    assert.equal(await page.locator('#matrix tr.case-row td:not(.case)').count(), rows * 3);

    // npm eventsource's known BOM deviation is a red cell that opens the diff and the spec.
    const cells = page.locator('#matrix tr[data-id="parse/bom/second-bom-makes-field-unknown"] td:not(.case)');
    const failing = cells.nth(1);
    assert.match(await failing.getAttribute('class'), /\bv-fail\b/);
    await failing.locator('summary').click();
    assert.ok(await failing.locator('pre').first().isVisible(), 'the expected/observed difference opens');
    // The row header links the rule once (the cells do not repeat it).
    const header = page.locator('#matrix tr[data-id="parse/bom/second-bom-makes-field-unknown"] td.case');
    assert.match(await header.locator('a.rule').first().getAttribute('href'), /^https:\/\/html\.spec\.whatwg\.org\//);
    // A passing cell is a few bytes: its class (td.p), the word from the style sheet.
    assert.match(await cells.nth(0).getAttribute('class'), /^p$/);
    // The summary (implementation x area) comes first; the filter box hides rows.
    assert.ok(await page.locator('table.areas').isVisible(), 'the implementation x area summary');
    await page.locator('#filter').fill('second-bom-makes-field-unknown');
    assert.equal(await page.locator('#matrix tr.case-row:visible').count(), 1, 'the filter leaves one row');

    const dir = process.env.SSESPEC_ARTIFACTS_DIR || join(tmpdir(), 'ssespec-artifacts');
    mkdirSync(dir, { recursive: true });
    const shot = join(dir, 'html-report.png');
    await page.screenshot({ path: shot, fullPage: false });
    console.log(`screenshot: ${shot}`);
  } finally {
    await browser.close();
    rmSync(work, { recursive: true, force: true });
  }
});
