#!/usr/bin/env node
// Checks fixtures/COVERAGE.md: every case id it names (`area/file/id` in backticks) exists in
// the fixtures, and every table row names at least one case or says "not covered" / "none".
// Usage: node coverage.mjs [COVERAGE.md] [FIXTURES_DIR]. Exit 1 with each problem on stderr.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = process.argv[3] || join(here, '..', '..', '..', 'fixtures');
const mapFile = process.argv[2] || join(fixtures, 'COVERAGE.md');

// Every full case id: <area>/<file without .json>/<id>.
function knownIds(root) {
  const ids = new Set();
  for (const area of ['parse', 'client', 'browser']) {
    const dir = join(root, area);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      const { cases } = JSON.parse(readFileSync(join(dir, name), 'utf8'));
      for (const c of cases) ids.add(`${area}/${basename(name, '.json')}/${c.id}`);
    }
  }
  return ids;
}

const ids = knownIds(fixtures);
const problems = [];
let rows = 0;
let named = 0;
readFileSync(mapFile, 'utf8').split('\n').forEach((line, index) => {
  if (!line.startsWith('| `')) return;  // table rows about a test file or group
  rows += 1;
  const cited = [...line.matchAll(/`((?:parse|client|browser)\/[a-z0-9-]+\/[a-z0-9-]+)`/g)].map((m) => m[1]);
  for (const id of cited) {
    named += 1;
    if (!ids.has(id)) problems.push(`${mapFile}:${index + 1}: no such case: ${id}`);
  }
  if (cited.length === 0 && !/not covered|none needed/.test(line)) {
    problems.push(`${mapFile}:${index + 1}: names no case and does not say why (write "not covered: <reason>")`);
  }
});
if (rows === 0) problems.push(`${mapFile}: no table rows found`);
for (const p of problems) console.error(p);
console.log(`coverage map: ${rows} rows, ${named} case ids named, ${problems.length} problem(s)`);
process.exit(problems.length ? 1 : 0);
