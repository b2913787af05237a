#!/usr/bin/env node
// quotes.mjs can fail: run it on testdata/quotes-bad.{json,hpp,md} and require exactly the
// problems planted there (a changed word and a wrong anchor in each form, a spec and an anchor
// the project does not keep, spec words without an anchor, strings in a form the checker does not
// read), each message naming the file, the case or ref, and the anchor; the verbatim quotes beside
// them must pass.
//
// Usage: node quotes-selftest.mjs SPEC_TEXT_DIR. Exit 0 when the checker caught all, 1 otherwise.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const spec_text = process.argv[2];
if (!spec_text) {
  console.error("usage: node quotes-selftest.mjs SPEC_TEXT_DIR");
  process.exit(2);
}
const data = (name) => path.join(here, "testdata", name);
const run = spawnSync(process.execPath,
                      [path.join(here, "quotes.mjs"), spec_text, data("quotes-bad.json"), data("quotes-bad.hpp"), data("quotes-bad.md")],
                      { encoding: "utf8" });
const lines = run.stdout.split("\n").filter((l) => l !== "");
const expected = [
  ["a changed word (fixture)", /quotes-bad\.json: cases\[1\] \(quotes-bad\/changed-word\)\.spec\[0\] #dispatchMessage: not in the section "Interpreting an event stream": "Set the data buffer and the event name buffer/],
  ["a wrong anchor (fixture)", /quotes-bad\.json: cases\[2\] \(quotes-bad\/wrong-anchor\)\.spec\[0\] #authoring-notes: not in the section "Authoring notes".*the words are in #event-stream-interpretation/],
  ["a spec not kept", /quotes-bad\.json: cases\[3\] \(quotes-bad\/spec-not-kept\)\.spec\[0\]: https:\/\/streams\.spec\.whatwg\.org\/: the project keeps no text/],
  ["an anchor not kept", /quotes-bad\.json: cases\[4\] \(quotes-bad\/anchor-not-kept\)\.spec\[0\] #concept-request-mode: no such anchor in the kept text/],
  ["a changed word (spec_refs.hpp)", /quotes-bad\.hpp:9: changed_word\(\) #section-4\.2\.2: not in the section "4\.2\.2 Calculating Heuristic Freshness": "a cache MUST assign/],
  ["a URL in a form spec_refs.hpp does not use", /quotes-bad\.hpp:14: \(outside a SpecRef function\): "https:\/\/html\.spec\.whatwg\.org\/multipage\/: a string quotes\.mjs cannot read/],
  ["a quote in a form spec_refs.hpp does not use", /quotes-bad\.hpp:14: \(outside a SpecRef function\): "Field names": a string quotes\.mjs cannot read/],
  ["a wrong anchor (CHECKS.md)", /quotes-bad\.md:8: check\/wrong-anchor #processField: not in the section "Interpreting an event stream": "must always be encoded as UTF-8"; the words are in #parsing-an-event-stream/],
  ["spec words without an anchor (CHECKS.md)", /quotes-bad\.md:9: check\/no-anchor: "Event streams in this format must always be encoded as UTF-8" is https:\/\/html\.spec\.whatwg\.org\/multipage\/server-sent-events\.html text without an anchor/],
];
const failures = [];
if (run.status !== 1) failures.push(`quotes.mjs exited ${run.status}, not 1 (stderr: ${run.stderr.trim()})`);
for (const [what, pattern] of expected) {
  if (!lines.some((l) => pattern.test(l))) failures.push(`not reported: ${what} (${pattern})`);
}
const problems = lines.filter((l) => !l.startsWith("quotes: "));
if (problems.length !== expected.length) failures.push(`${problems.length} problems reported, ${expected.length} planted`);
for (const l of problems) if (/verbatim|a-message/.test(l)) failures.push(`a verbatim quote or a message was rejected: ${l}`);
if (failures.length > 0) {
  console.log(run.stdout);
  for (const f of failures) console.log(`quotes-selftest: FAIL: ${f}`);
  process.exit(1);
}
console.log(`quotes-selftest: OK: all ${expected.length} planted mistakes rejected, the verbatim quotes accepted`);
