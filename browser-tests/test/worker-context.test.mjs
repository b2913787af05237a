// The worker contexts' representative: a subset (browser-only cases, status codes, Last-Event-ID)
// runs in a dedicated worker of headless Chromium and matches expectations/chromium.worker.json.
// The main job (.ci/main-job) runs every case in all three contexts of both browsers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSsespec } from '../lib/ssespec.mjs';

test('a dedicated worker in headless Chromium runs the cases and matches its expectations', { timeout: 200_000 }, async () => {
  const out = process.env.SSESPEC_ARTIFACTS_DIR || mkdtempSync(join(tmpdir(), 'ssespec-worker-report-'));
  mkdirSync(out, { recursive: true });
  const json = join(out, 'chromium-worker.json');
  const run = await runSsespec(['browser', '--browser', 'chromium', '--context', 'worker', '--quiet', '--json', json, '--timeout', '150',
                                '--filter', 'browser/*', '--filter', 'client/status/*', '--filter', 'client/last-event-id/*']);
  console.log(run.stdout.split('\n').filter((l) => !l.startsWith('PASS ')).join('\n'));
  if (run.stderr) console.log(run.stderr);
  console.log(`Chromium dedicated-worker subset: ${(run.ms / 1000).toFixed(1)} s wall time; report ${json}`);
  assert.equal(run.status, 0, 'ssespec browser --context worker must exit 0 (failures exactly expectations/chromium.worker.json)');
  const report = JSON.parse(readFileSync(json, 'utf8'));
  assert.equal(report.implementation, 'Chromium (dedicated worker)');
  const byId = new Map(report.cases.map((c) => [c.id, c]));
  // Window-only cases are skipped, saying why; the rest ran in the worker.
  assert.equal(byId.get('browser/cancel/window-stop-fails-the-connection').verdict, 'skip');
  assert.match(byId.get('browser/cancel/window-stop-fails-the-connection').message, /worker/);
  for (const id of ['browser/handlers/handler-between-listeners', 'browser/events/open-is-plain-trusted-event',
                    'browser/cors/with-credentials-reconnect-sends-cookies', 'client/status/status-205-fails',
                    'client/last-event-id/first-id-with-nul-sends-no-header']) {
    assert.notEqual(byId.get(id)?.verdict, 'skip', `${id} must run in a worker`);
  }
  assert.ok(report.cases.filter((c) => c.verdict !== 'skip').length >= 60, 'the subset ran');
});
