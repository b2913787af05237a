// The browser runner catches what is wrong: a fixture whose expectation the browser cannot meet
// fails, with the difference named; expectations turn it into a known deviation, and a listed
// case that passes is a change in behaviour that fails the run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSsespec } from '../lib/ssespec.mjs';

const spec = [{ url: 'https://html.spec.whatwg.org/multipage/server-sent-events.html#dispatchMessage', quote: 'test data' }];
const stream = (chunks, headers = [['Content-Type', 'text/event-stream']]) => ({ response: { headers, chunks, end: 'hang' } });

// A fixtures root of its own: cases that no browser can pass, and one that every browser does.
function brokenFixtures() {
  const root = mkdtempSync(join(tmpdir(), 'ssespec-broken-fixtures-'));
  mkdirSync(join(root, 'browser'));
  writeFileSync(join(root, 'browser', 'broken.json'), JSON.stringify({
    description: 'Deliberately wrong expectations',
    cases: [
      { id: 'wrong-data', description: 'expects data the stream does not carry', spec,
        connections: [stream(['data: a\n\n'])],
        expect: { trace: [{ open: {} }, { message: { data: 'b' } }] } },
      { id: 'wrong-origin', description: 'expects the second origin on a page-origin stream', spec,
        connections: [stream(['data: a\n\n'])],
        expect: { trace: [{ open: {} }, { message: { data: 'a', origin: '{{secondOrigin}}' } }] } },
      { id: 'cors-expected-to-open', description: 'expects a stream without ACAO to open', spec,
        stream: 'second', connections: [stream(['data: a\n\n'])],
        expect: { trace: [{ open: {} }, { message: { data: 'a' } }] } },
      { id: 'too-few-events', description: 'expects a second message that never comes', spec,
        connections: [stream(['data: a\n\n'])],
        expect: { trace: [{ open: {} }, { message: { data: 'a' } }, { message: { data: 'b' } }] } },
      { id: 'right', description: 'a case every browser passes', spec,
        connections: [stream(['data: a\n\n'])],
        expect: { trace: [{ open: {} }, { message: { data: 'a' } }] } },
    ],
  }));
  return root;
}

function expectations(dir, ids) {
  const file = join(dir, `expectations-${ids.length}.json`);
  writeFileSync(file, JSON.stringify({
    implementation: 'Chromium',
    failures: ids.map((id) => ({ id, reason: 'deliberately broken fixture', kind: 'fixture' })),
  }));
  return file;
}

test('wrong expectations fail, each with its difference', { timeout: 120_000 }, async (t) => {
  const root = brokenFixtures();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const json = join(root, 'report.json');
  const run = await runSsespec(['browser', '--no-expectations', '--quiet', '--json', json, '--case-timeout', '2'],
                               { env: { SSESPEC_FIXTURES: root } });
  assert.equal(run.status, 1, run.stdout + run.stderr);
  const byId = Object.fromEntries(JSON.parse(readFileSync(json, 'utf8')).cases.map((c) => [c.id.split('/').pop(), c]));
  assert.equal(byId['wrong-data'].verdict, 'fail');
  assert.match(byId['wrong-data'].message, /trace entry #2 differs/);
  assert.equal(byId['wrong-origin'].verdict, 'fail');
  assert.match(byId['wrong-origin'].message, /"origin":"http:\/\/127\.0\.0\.1:\d+"/);
  assert.equal(byId['cors-expected-to-open'].verdict, 'fail');
  assert.match(byId['cors-expected-to-open'].message, /trace entry #1 differs: expected \{"open":\{\}\}, observed \{"error"/);
  assert.equal(byId['too-few-events'].verdict, 'fail');
  assert.match(byId['too-few-events'].message, /timed out after 2\.0 s waiting for trace entry #3/);
  assert.equal(byId.right.verdict, 'pass');
});

test('expectations: known failures pass the run, a case that now passes fails it', { timeout: 120_000 }, async (t) => {
  const root = brokenFixtures();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const broken = ['wrong-data', 'wrong-origin', 'cors-expected-to-open', 'too-few-events'].map((id) => `browser/broken/${id}`);
  const args = ['browser', '--quiet', '--case-timeout', '2', '--filter', 'browser/broken'];
  const exact = await runSsespec([...args, '--expectations', expectations(root, broken)], { env: { SSESPEC_FIXTURES: root } });
  assert.equal(exact.status, 0, exact.stdout + exact.stderr);
  assert.match(exact.stdout, /4 known deviation\(s\) of Chromium/);
  const stale = await runSsespec([...args, '--expectations', expectations(root, [...broken, 'browser/broken/right'])],
                                 { env: { SSESPEC_FIXTURES: root } });
  assert.equal(stale.status, 1);
  assert.match(stale.stdout, /NOW PASSES\s+browser\/broken\/right/);
  const missing = await runSsespec([...args, '--expectations', expectations(root, broken.slice(1))], { env: { SSESPEC_FIXTURES: root } });
  assert.equal(missing.status, 1);
  assert.match(missing.stdout, /NEW FAILURE\s+browser\/broken\/wrong-data/);
});
