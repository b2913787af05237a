#!/usr/bin/env node
// Quote check: every spec quote the project cites is the spec's own words, in the section its
// anchor names. Markup is stripped, entities decoded and whitespace collapsed on both sides; "..."
// in a quote skips words (the pieces must appear in order). The spec text is the project's kept
// copy (fixtures/spec-text/, README.md there); a quote of a spec or section not kept is an error.
//
// Usage: node quotes.mjs SPEC_TEXT_DIR PATH...
//   PATH: a fixtures folder (fixtures/**/*.json), a .json file, spec_refs.hpp, CHECKS.md.
// Prints "file[:line]: where #anchor: problem" for each problem. Exit 0 all verbatim, 1 problems,
// 2 could not run.
import { existsSync } from "node:fs";
import path from "node:path";

import {
  anchors_of, citations_in_paths, dtd_entities, first_missing_piece, load_manifest, plain_text, quote_pieces, read_kept,
  resolve_url, section_of,
} from "./spec-text.mjs";

const [spec_text_dir, ...paths] = process.argv.slice(2);
if (!spec_text_dir || paths.length === 0) {
  console.error("usage: node quotes.mjs SPEC_TEXT_DIR PATH...");
  process.exit(2);
}
for (const p of [spec_text_dir, ...paths]) {
  if (!existsSync(p)) {
    console.error(`quotes: ${p}: no such file or folder`);
    process.exit(2);
  }
}

const specs = load_manifest(spec_text_dir);
const cwd = process.cwd();
const display = (file) => path.relative(cwd, file).split(path.sep).join("/");
const { citations, unanchored } = citations_in_paths(paths, specs, display);

// Kept text per spec, read once: the raw file, its entities, its plain words as a whole.
const kept_cache = new Map();
function kept(spec) {
  if (!kept_cache.has(spec)) {
    const raw = read_kept(spec_text_dir, spec);
    const entities = raw === null ? {} : dtd_entities(raw);
    kept_cache.set(spec, raw === null ? null : { raw, entities, sections: new Map() });
  }
  return kept_cache.get(spec);
}
function section_words(spec, text, anchor) {
  if (!text.sections.has(anchor)) {
    const s = section_of(text.raw, spec.format, anchor);
    text.sections.set(anchor, s && { title: s.title, words: plain_text(text.raw.slice(s.start, s.end), spec.format, text.entities) });
  }
  return text.sections.get(anchor);
}
// The anchors of the kept sections of a spec that hold the quote (a hint when the anchor is
// wrong), at most three.
function anchors_holding(spec, text, pieces) {
  const found = [];
  for (const id of anchors_of(text.raw, spec.format)) {
    const s = section_words(spec, text, id);
    if (s && first_missing_piece(pieces, s.words) < 0) found.push(`#${id}`);
    if (found.length >= 3) break;
  }
  return found;
}

const problems = [];
let checked = 0;
for (const c of citations) {
  const at = `${c.file}${c.line ? `:${c.line}` : ""}: ${c.where}`;
  if (c.error) {
    problems.push(`${at}: ${c.error}`);
    continue;
  }
  ++checked;
  const resolved = resolve_url(specs, c.url);
  if (resolved.error) {
    problems.push(`${at}: ${resolved.error}`);
    continue;
  }
  const { spec, anchor } = resolved;
  const text = kept(spec);
  if (text === null) {
    problems.push(`${at} #${anchor}: ${spec.url} is not kept (${spec.file} is missing: run spec-text-update.mjs)`);
    continue;
  }
  const section = section_words(spec, text, anchor);
  if (!section) {
    problems.push(`${at} #${anchor}: no such anchor in the kept text of ${spec.url} (${spec.file}; a new section needs spec-text-update.mjs)`);
    continue;
  }
  const pieces = quote_pieces(c.quote);
  if (pieces.length === 0) {
    problems.push(`${at} #${anchor}: the quote is empty`);
    continue;
  }
  const missing = first_missing_piece(pieces, section.words);
  if (missing < 0) continue;
  const holders = anchors_holding(spec, text, pieces);
  const where_else = holders.length > 0 ? `; the words are in ${holders.join(", ")}` : "";
  const piece = pieces.length > 1 ? ` (piece ${missing + 1} of ${pieces.length}, in order)` : "";
  problems.push(`${at} #${anchor}: not in the section "${section.title}"${piece}: "${pieces[missing]}"${where_else}`);
}

// A quoted phrase of CHECKS.md without its (#anchor) is checked for being spec words anyway: if
// the kept text has it, it is a citation that names no section.
for (const u of unanchored) {
  const pieces = quote_pieces(u.quote);
  if (pieces.join(" ").split(" ").length < 4) continue;
  for (const spec of specs) {
    const text = kept(spec);
    if (text === null) continue;
    if (first_missing_piece(pieces, plain_text(text.raw, spec.format, text.entities)) < 0) {
      problems.push(`${u.file}:${u.line}: ${u.where}: "${u.quote}" is ${spec.url} text without an anchor: write "..." (#anchor)`);
      break;
    }
  }
}

for (const line of problems) console.log(line);
const summary = `${checked} quotes checked in ${paths.map(display).join(", ")}`;
if (problems.length > 0) {
  console.log(`quotes: FAIL: ${problems.length} problem(s); ${summary}`);
  process.exit(1);
}
console.log(`quotes: OK: ${summary}`);
