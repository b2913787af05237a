// Every applicable fixture in headless Firefox ESR (started directly on a fresh profile, no
// driver): passes only if the failures are exactly Firefox's known deviations
// (expectations/firefox.json). Skipped, saying so, where firefox-esr is not installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasProgram, runSsespec } from '../lib/ssespec.mjs';

const firefox = process.env.SSESPEC_FIREFOX || 'firefox-esr';
const skip = hasProgram(firefox) ? false : `${firefox} is not installed (apt-get install firefox-esr, or SSESPEC_WITH_FIREFOX=1 .ci/install-deps)`;

test('every applicable fixture in headless Firefox matches its expectations', { skip, timeout: 400_000 }, async () => {
  // Reports stay for a person to open: in $SSESPEC_ARTIFACTS_DIR (CTest: build/artifacts), else a temp folder.
  const out = process.env.SSESPEC_ARTIFACTS_DIR || mkdtempSync(join(tmpdir(), 'ssespec-firefox-report-'));
  mkdirSync(out, { recursive: true });
  const json = join(out, 'firefox.json');
  const args = ['browser', '--browser', 'firefox', '--quiet', '--json', json, '--timeout', '300'];
  if (process.env.SSESPEC_FIREFOX) args.push('--executable', firefox);
  const run = await runSsespec(args, { timeoutMs: 360_000 });
  console.log(run.stdout.split('\n').filter((l) => !l.startsWith('PASS ')).join('\n'));
  if (run.stderr) console.log(run.stderr);
  console.log(`Firefox run: ${(run.ms / 1000).toFixed(1)} s wall time; report ${json}`);
  assert.equal(run.status, 0, 'ssespec browser --browser firefox must exit 0 (failures exactly the expectations)');
  const report = JSON.parse(readFileSync(json, 'utf8'));
  assert.equal(report.implementation, 'Firefox');
  assert.ok(report.cases.filter((c) => c.verdict !== 'skip').length >= 250);
});
