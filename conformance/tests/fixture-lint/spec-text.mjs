// The project's kept spec text (fixtures/spec-text/) and the citations that quote it: where each
// anchor's section starts and ends in a source file, the section's words with the markup
// stripped, and every citation in fixtures/**/*.json, spec_refs.hpp and CHECKS.md.
// Used by quotes.mjs (the check) and spec-text-update.mjs (which regenerates the kept text).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

// ---------------------------------------------------------------------------------------------
// Sections

// An excerpt in a kept file starts with this line; excerpts never run into each other.
export const kExcerptMarker = /^<!-- ssespec-excerpt: lines (\d+)-(\d+)(?: section ([0-9A-Z.]+))? -->$/gm;

function attribute(attrs, name) {
  const m = new RegExp(`(?:^|\\s)${name}=("([^"]*)"|'([^']*)'|([^\\s>]+))`).exec(attrs ?? "");
  return m ? (m[2] ?? m[3] ?? m[4]) : undefined;
}
function has_attribute(attrs, name) {
  return new RegExp(`(?:^|\\s)${name}(?:[\\s=>]|$)`).test(attrs ?? "");
}

// The id a generator derives from words (wattsi for HTML, Bikeshed for .bs): lowercase, runs of
// whitespace become "-", characters other than letters, digits, "-", "_" and "." are dropped.
function generated_id(words) {
  return plain_text(words, "html").toLowerCase().trim().replace(/\s+/g, "-").replace(/[^a-z0-9_.-]/g, "");
}

// Blocks: the whole text, or the excerpts of a kept file, each [start, end, sectionNumber].
function blocks_of(text) {
  const markers = [...text.matchAll(kExcerptMarker)];
  if (markers.length === 0) return [{ start: 0, end: text.length, number: undefined }];
  return markers.map((m, i) => ({
    start: m.index,
    end: i + 1 < markers.length ? markers[i + 1].index : text.length,
    number: m[3],
  }));
}

// WHATWG sources (HTML "source" and Bikeshed .bs): headings <h1>..<h6> (HTML's w-dev headings
// belong to the developer edition only and are skipped), and every id: explicit id= attributes
// and the ids the generators give a <dfn> or heading without one.
function index_markup(text, format) {
  const headings = [];
  const ids = new Map();
  const add_id = (id, pos) => { if (id && !ids.has(id)) ids.set(id, pos); };
  for (const m of text.matchAll(/<h([1-6])(\s[^>]*)?>([\s\S]*?)<\/h\1>/g)) {
    if (format === "html" && has_attribute(m[2], "w-dev")) continue;
    headings.push({ pos: m.index, level: Number(m[1]), title: plain_text(m[3], format) });
    add_id(attribute(m[2], "id") ?? generated_id(m[3]), m.index);
  }
  for (const m of text.matchAll(/<([a-z][a-z0-9]*)(\s[^>]*?)\/?>/g)) {
    const id = attribute(m[2], "id");
    if (id !== undefined) add_id(id, m.index);
  }
  for (const m of text.matchAll(/<dfn(\s[^>]*)?>([\s\S]*?)<\/dfn>/g)) {
    if (attribute(m[1], "id") !== undefined) continue;
    let words;
    if (format === "html") {
      if (attribute(m[1], "data-x") === "") continue;  // data-x="": a definition without a term, and no id
      words = attribute(m[1], "data-x") || /data-x="([^"]+)"/.exec(m[2])?.[1] || m[2];
    } else {
      words = attribute(m[1], "lt")?.split("|")[0] || m[2];
    }
    add_id(generated_id(words), m.index);
  }
  headings.sort((a, b) => a.pos - b.pos);
  return { headings, ids };
}

// RFC XML (xml2rfc): <section> elements, numbered as the RFC numbers them (in <middle>; a kept
// excerpt's marker gives its first section's number), each an anchor "section-N.N".
function index_rfc(text) {
  const sections = new Map();
  for (const block of blocks_of(text)) {
    let body = text.slice(block.start, block.end);
    let offset = block.start;
    let base = [];
    if (block.number === undefined) {
      const middle = body.indexOf("<middle>");
      if (middle < 0) continue;
      const end = body.indexOf("</middle>");
      body = body.slice(middle, end < 0 ? undefined : end);
      offset += middle;
    } else {
      const parts = block.number.split(".").map(Number);
      base = parts.slice(0, -1);
      base.push(parts[parts.length - 1] - 1);  // the first section opened is this number
    }
    const counters = [...base];
    const stack = [];  // [number or null, open position, title]
    for (const m of body.matchAll(/<section\b([^>]*?)(\/?)>|<\/section>/g)) {
      if (m[0] === "</section>") {
        const [number, open, title] = stack.pop() ?? [];
        if (number) sections.set(`section-${number}`, { start: open, end: offset + m.index + m[0].length, title });
        continue;
      }
      const depth = base.length - 1 + stack.length + (block.number === undefined ? 1 : 0);
      const numbered = attribute(m[1], "numbered") !== "false";
      let number = null;
      if (numbered) {
        counters.length = depth + 1;
        counters[depth] = (counters[depth] ?? 0) + 1;
        number = counters.join(".");
      }
      const name = attribute(m[1], "title") ?? /^\s*<name>([\s\S]*?)<\/name>/.exec(body.slice(m.index + m[0].length))?.[1];
      stack.push([number, offset + m.index, `${number ?? ""} ${plain_text(name ?? "", "rfc")}`.trim()]);
    }
  }
  return sections;
}

// Every anchor of a source, in order of appearance.
export function anchors_of(text, format) {
  if (format === "rfc") return [...index_rfc(text).keys()];
  return [...index_markup(text, format).ids.entries()].sort((a, b) => a[1] - b[1]).map(([id]) => id);
}

// The [start, end) of the section an anchor names: the section whose heading carries the id, or
// the innermost section holding the element that carries it, up to the next heading of the same
// or higher level (or the end of the excerpt). Null when the id is not in the text.
export function section_of(text, format, anchor) {
  if (format === "rfc") {
    const s = index_rfc(text).get(anchor);
    return s ? { start: s.start, end: s.end, title: s.title } : null;
  }
  const { headings, ids } = index_markup(text, format);
  const pos = ids.get(anchor);
  if (pos === undefined) return null;
  const block = blocks_of(text).find((b) => pos >= b.start && pos < b.end);
  if (!block) return null;  // in a kept file's header, before its first excerpt
  const inside = headings.filter((h) => h.pos >= block.start && h.pos < block.end);
  const opening = [...inside].reverse().find((h) => h.pos <= pos);
  const start = opening ? opening.pos : block.start;
  const level = opening ? opening.level : 7;
  const next = inside.find((h) => h.pos > start && h.level <= level);
  return { start, end: next ? next.pos : block.end, title: opening ? opening.title : "(excerpt)" };
}

// ---------------------------------------------------------------------------------------------
// Words

const kEntities = {
  amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", hellip: "…", mdash: "—", ndash: "–",
  lsquo: "‘", rsquo: "’", ldquo: "“", rdquo: "”", times: "×", copy: "©", shy: "",
};

function decode_entities(text, extra = {}) {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z][A-Za-z0-9-]*);/g, (whole, name) => {
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return String.fromCodePoint(code);
    }
    if (name in extra) return extra[name];
    return kEntities[name] ?? whole;
  });
}

// <!ENTITY NAME "value"> declarations of an RFC XML document type (MAY -> <bcp14>MAY</bcp14>).
export function dtd_entities(text) {
  const entities = {};
  for (const m of text.matchAll(/<!ENTITY\s+([A-Za-z][A-Za-z0-9-]*)\s+"([^"]*)"\s*>/g)) entities[m[1]] = m[2];
  return entities;
}

// Bikeshed's shorthands as the rendered text shows them: [=term=], [=for/term=], [=term|text=],
// {{IDL}}, [$algorithm$], |var|, ''value'', [[REF]], and markdown list markers.
function render_bikeshed(text) {
  const shown = (inner) => {
    if (inner.includes("|")) return inner.slice(inner.lastIndexOf("|") + 1);
    if (inner.includes("/")) return inner.slice(inner.lastIndexOf("/") + 1);
    return inner;
  };
  return text
    .replace(/\[=([^\]]*?)=\]/g, (_, inner) => shown(inner))
    .replace(/\[\$([^\]]*?)\$\]/g, (_, inner) => shown(inner))
    .replace(/\{\{([^}]*?)\}\}/g, (_, inner) => shown(inner))
    .replace(/\[\[!?([^\]]*?)\]\]/g, "[$1]")
    .replace(/''([^']*?)''/g, "$1")
    .replace(/\|([A-Za-z][A-Za-z0-9_-]*)\|/g, "$1")
    .replace(/^[ \t]*(?:\d+\.|\*)[ \t]+/gm, " ");
}

const kBlockTags = new Set([
  "p", "li", "ol", "ul", "dl", "dt", "dd", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "td",
  "th", "thead", "tbody", "pre", "section", "blockquote", "br", "hr", "figure", "figcaption", "aside",
  "t", "name", "list", "artwork", "sourcecode", "middle", "back", "references",
]);

// The words a reader sees: comments and markup removed (block elements separate words, inline
// elements do not), entities decoded, whitespace collapsed.
export function plain_text(markup, format, entities = {}) {
  let text = markup.replace(/<!--[\s\S]*?-->/g, " ").replace(/<\?[\s\S]*?\?>/g, " ");
  if (format === "rfc") text = text.replace(/<!DOCTYPE[\s\S]*?\]>/, " ");
  for (let i = 0; i < 3 && format === "rfc" && /&[A-Za-z][A-Za-z0-9-]*;/.test(text); ++i) {
    text = text.replace(/&([A-Za-z][A-Za-z0-9-]*);/g, (whole, name) => entities[name] ?? whole);
  }
  if (format === "bikeshed") text = render_bikeshed(text);
  text = text.replace(/<\/?([A-Za-z][A-Za-z0-9:-]*)\b[^>]*>/g, (_, name) => (kBlockTags.has(name.toLowerCase()) ? " " : ""));
  return collapse(decode_entities(text));
}

export function collapse(text) {
  return text.replace(/[\s\u00a0]+/g, " ").trim();
}

// A quote's pieces: "a ... b" quotes a, then (later in the section) b.
export function quote_pieces(quote) {
  return collapse(decode_entities(quote)).split(/\s*(?:\.\.\.|…)\s*/).filter((p) => p !== "");
}

// Where the pieces stop matching in order: -1 when all are found, else the index of the first
// piece that is missing.
export function first_missing_piece(pieces, text) {
  let at = 0;
  for (let i = 0; i < pieces.length; ++i) {
    const found = text.indexOf(pieces[i], at);
    if (found < 0) return i;
    at = found + pieces[i].length;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// The manifest: which URL is kept in which file

export function load_manifest(spec_text_dir) {
  const manifest = JSON.parse(readFileSync(path.join(spec_text_dir, "manifest.json"), "utf8"));
  return manifest.specs;
}

// The kept spec a citation URL points into, and the anchor: {spec, anchor} or {error}.
export function resolve_url(specs, url) {
  const hash = url.indexOf("#");
  if (hash < 0) return { error: `${url}: no #anchor` };
  const document = url.slice(0, hash);
  const spec = specs.find((s) => s.url === document);
  if (!spec) return { error: `${document}: the project keeps no text of this spec (fixtures/spec-text/manifest.json)` };
  return { spec, anchor: decodeURIComponent(url.slice(hash + 1)) };
}

// ---------------------------------------------------------------------------------------------
// Citations: {file, line?, where, url, quote}

function walk_json(value, visit, where = "") {
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk_json(item, visit, `${where}[${i}]`));
  } else if (value !== null && typeof value === "object") {
    if (typeof value.url === "string" && typeof value.quote === "string") visit(value, where);
    for (const [key, item] of Object.entries(value)) walk_json(item, visit, where ? `${where}.${key}` : key);
  }
}

// Every {url, quote} object of a JSON file; a fixture case adds its full id to `where`.
export function citations_in_json(file, display, area_file) {
  const doc = JSON.parse(readFileSync(file, "utf8"));
  const out = [];
  const case_ids = new Map();
  if (Array.isArray(doc?.cases)) doc.cases.forEach((c, i) => case_ids.set(`cases[${i}]`, c?.id));
  walk_json(doc, (ref, where) => {
    const case_key = /^cases\[\d+\]/.exec(where)?.[0];
    const id = case_key ? case_ids.get(case_key) : undefined;
    const name = id !== undefined ? `${case_key} (${area_file}/${id})${where.slice(case_key.length)}` : where;
    out.push({ file: display, where: name, url: ref.url, quote: ref.quote });
  });
  return out;
}

// Every fixture file under a folder, recursively (fixtures/**/*.json), the kept spec text and the
// schemas aside.
export function fixture_files(root) {
  const out = [];
  const visit = (dir, rel) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) {
        if (rel === "" && (name === "schema" || name === "spec-text")) continue;
        if (name === "node_modules" || name.startsWith(".")) continue;
        visit(full, rel ? `${rel}/${name}` : name);
      } else if (name.endsWith(".json")) {
        out.push({ full, area_file: `${rel ? `${rel}/` : ""}${name.slice(0, -5)}` });
      }
    }
  };
  visit(root, "");
  return out;
}

// C++ string literals and commas of a call's arguments, adjacent literals joined:
// `ref("a", "b" "c")` -> ["a", "bc"].
function literal_arguments(body) {
  const args = [];
  let current = null;
  const re = /"((?:[^"\\]|\\.)*)"|,|\/\/[^\n]*/g;
  for (const m of body.matchAll(re)) {
    if (m[0] === ",") {
      if (current !== null) args.push(current);
      current = null;
    } else if (m[0].startsWith("//")) {
      continue;
    } else {
      const value = m[1].replace(/\\(["\\'?]|n|t|r)/g, (_, c) => ({ n: "\n", t: "\t", r: "\r" })[c] ?? c);
      current = (current ?? "") + value;
    }
  }
  if (current !== null) args.push(current);
  return args;
}

// spec_refs.hpp: `inline SpecRef name() { return ref("anchor", "quote"); }` (the anchor on the
// base URL that ref() itself returns) or `return {"https://...#x", "quote"};`.
export function citations_in_spec_refs(file, display) {
  const text = readFileSync(file, "utf8");
  const base = /inline SpecRef ref\([^)]*\)\s*\{[^}]*?"(https:\/\/[^"]*#)"/.exec(text)?.[1];
  const out = [];
  const understood = [];  // [start, end) of the functions read, and of ref() itself
  const helper = /inline SpecRef ref\([^)]*\)\s*\{[\s\S]*?\n\}/.exec(text);
  if (helper) understood.push([helper.index, helper.index + helper[0].length]);
  for (const m of text.matchAll(/inline SpecRef (\w+)\(\)\s*\{([\s\S]*?)\n\}/g)) {
    understood.push([m.index, m.index + m[0].length]);
    const line = text.slice(0, m.index).split("\n").length;
    const args = literal_arguments(m[2]);
    if (args.length !== 2) {
      out.push({ file: display, line, where: `${m[1]}()`, error: "expected an anchor (or URL) and a quote" });
      continue;
    }
    const url = args[0].startsWith("https://") ? args[0] : `${base}${args[0]}`;
    out.push({ file: display, line, where: `${m[1]}()`, url, quote: args[1] });
  }
  // A string literal anywhere else would be a quote this reader cannot check (a new form of the
  // file): say so rather than pass it over.
  for (const m of text.matchAll(/"(?:[^"\\\n]|\\.)*"|\/\/[^\n]*|^#include[^\n]*/gm)) {
    if (m[0][0] !== '"') continue;  // a comment or an #include
    if (understood.some(([start, end]) => m.index >= start && m.index < end)) continue;
    const line = text.slice(0, m.index).split("\n").length;
    out.push({ file: display, line, where: "(outside a SpecRef function)",
               error: `${m[0].slice(0, 40)}: a string quotes.mjs cannot read as a citation; write it as inline SpecRef name() { return ref("anchor", "quote"); }` });
  }
  return out;
}

// CHECKS.md writes a spec quote as "words" (#anchor), or "words" (RFC 9111 #section-4.2.2) for
// another spec; `where` is the table row's check id when the quote sits in a row.
export function citations_in_markdown(file, display, specs) {
  const text = readFileSync(file, "utf8");
  const base = /Spec anchors are in\s+`(https:\/\/[^`]+)`/.exec(text)?.[1];
  const others = Object.fromEntries(specs.filter((s) => s.name).map((s) => [s.name.toLowerCase(), s.url]));
  const out = [];
  const unanchored = [];
  const lines = text.split("\n");
  // A quote may wrap onto the next lines of a paragraph; it never holds a double quote itself.
  for (const m of text.matchAll(/"([^"]+)"(\s*\((?:([A-Za-z][A-Za-z0-9 ]*?) )?#([A-Za-z0-9_.:-]+)\))?/g)) {
    const line = text.slice(0, m.index).split("\n").length;
    const where = /^\| ([a-z0-9-]+\/[a-z0-9/-]+) \|/.exec(lines[line - 1])?.[1] ?? "(text)";
    const quote = m[1].replace(/\s+/g, " ");
    if (!m[2]) {
      unanchored.push({ file: display, line, where, quote });
      continue;
    }
    const spec = m[3] ? others[m[3].toLowerCase()] : base;
    if (!spec) {
      out.push({ file: display, line, where, error: `"${m[3]}": no kept spec has this name` });
      continue;
    }
    out.push({ file: display, line, where, url: `${spec}#${m[4]}`, quote });
  }
  return { citations: out, unanchored };
}

export function read_kept(spec_text_dir, spec) {
  const file = path.join(spec_text_dir, spec.file);
  if (!existsSync(file)) return null;
  return readFileSync(file, "utf8");
}

// Every citation in the given paths: a folder (its fixtures/**/*.json), a .json file, a
// spec_refs.hpp-style header or a CHECKS.md-style Markdown file. `display` names files in messages.
export function citations_in_paths(paths, specs, display) {
  const citations = [];
  const unanchored = [];
  for (const given of paths) {
    if (statSync(given).isDirectory()) {
      for (const { full, area_file } of fixture_files(given)) citations.push(...citations_in_json(full, display(full), area_file));
    } else if (given.endsWith(".json")) {
      citations.push(...citations_in_json(given, display(given), path.basename(given, ".json")));
    } else if (given.endsWith(".hpp")) {
      citations.push(...citations_in_spec_refs(given, display(given)));
    } else if (given.endsWith(".md")) {
      const found = citations_in_markdown(given, display(given), specs);
      citations.push(...found.citations);
      unanchored.push(...found.unanchored);
    } else {
      throw new Error(`${given}: not a folder, .json, .hpp or .md file`);
    }
    if (!citations.some((c) => c.file === display(given) || c.file.startsWith(`${display(given)}/`))) {
      citations.push({ file: display(given), where: "(whole file)", error: "no quotes found: a form of citation the checker does not read?" });
    }
  }
  return { citations, unanchored };
}

// The project's own citations: fixtures, the server checks' spec_refs.hpp and CHECKS.md.
export function project_paths(project_root) {
  return [
    path.join(project_root, "fixtures"),
    path.join(project_root, "conformance", "server_check", "spec_refs.hpp"),
    path.join(project_root, "conformance", "server_check", "CHECKS.md"),
  ];
}
