// Every applicable fixture in headless Chromium through the runner page; passes only if the
// failures are exactly Chromium's known deviations (expectations/chromium.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSsespec } from '../lib/ssespec.mjs';

test('every applicable fixture in headless Chromium matches its expectations', { timeout: 300_000 }, async () => {
  // Reports stay for a person to open: in $SSESPEC_ARTIFACTS_DIR (CTest: build/artifacts), else a temp folder.
  const out = process.env.SSESPEC_ARTIFACTS_DIR || mkdtempSync(join(tmpdir(), 'ssespec-chromium-report-'));
  mkdirSync(out, { recursive: true });
  const json = join(out, 'chromium.json');
  const run = await runSsespec(['browser', '--browser', 'chromium', '--quiet', '--json', json, '--html', join(out, 'chromium.html'), '--timeout', '240']);
  console.log(run.stdout.split('\n').filter((l) => !l.startsWith('PASS ')).join('\n'));
  if (run.stderr) console.log(run.stderr);
  console.log(`Chromium run: ${(run.ms / 1000).toFixed(1)} s wall time; report ${json}`);
  assert.equal(run.status, 0, 'ssespec browser --browser chromium must exit 0 (failures exactly the expectations)');
  const report = JSON.parse(readFileSync(json, 'utf8'));
  assert.equal(report.kind, 'browser');
  assert.equal(report.implementation, 'Chromium');
  assert.match(report.version, /^\d+\./, 'the report names the Chromium version');
  const ran = report.cases.filter((c) => c.verdict !== 'skip');
  assert.ok(ran.length >= 250, `expected the whole suite, ran ${ran.length}`);
  assert.ok(report.cases.some((c) => c.id.startsWith('browser/cors/')), 'the browser-only CORS cases ran');
  for (const c of report.cases) {
    assert.ok(!/never reported/.test(c.message || ''), `${c.id}: ${c.message}`);
    if (c.verdict === 'skip') assert.ok(c.message, `${c.id} is skipped without a reason`);
  }
});
