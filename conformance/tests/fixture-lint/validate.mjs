#!/usr/bin/env node
// Fixture lint: every fixtures/<area>/*.json must be valid against fixtures/schema/<area>.schema.json
// and follow the sanity rules of fixtures/README.md (the JSON-Schema-Test-Suite SanityTests idea).
//
// Usage: node validate.mjs <fixtures dir>
// Prints "file: json.path: problem" for each problem. Exit 0 clean, 1 problems found, 2 could not run.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const kMaxDescription = 70;    // descriptions must be shorter than this, in characters
const kMaxScanBytes = 4096;    // a longer stream must say "noScan": true
const kSchemaDir = "schema";
const kSpecTextDir = "spec-text";  // the kept spec text (quotes.mjs), not a fixture area

function fail_setup(message) {
  console.error(`fixture-lint: ${message}`);
  process.exit(2);
}

async function load_ajv() {
  if (!existsSync(path.join(here, "node_modules", "ajv"))) {
    fail_setup(`node_modules is missing in ${here}\n` +
               "  install the locked dependencies first: npm ci --prefix conformance/tests/fixture-lint");
  }
  const module = await import("ajv/dist/2020.js");
  const Ajv2020 = module.default.default ?? module.default;
  // strictRequired is off: if/then/else name properties that the enclosing schema defines.
  return new Ajv2020({ allErrors: true, allowUnionTypes: true, strict: true, strictRequired: false });
}

// "/cases/3/spec/0/url" -> "cases[3].spec[0].url", the loader's way of naming a field.
function json_path(pointer, extra) {
  const parts = pointer.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (extra !== undefined) parts.push(extra);
  let out = "";
  for (const part of parts) {
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += (out ? "." : "") + part;
  }
  return out || "(top level)";
}

function describe_schema_error(error) {
  switch (error.keyword) {
    case "additionalProperties":
      return [json_path(error.instancePath, error.params.additionalProperty), "unknown field"];
    case "required":
      return [json_path(error.instancePath, error.params.missingProperty), "missing"];
    case "pattern":
      return [json_path(error.instancePath), `does not match ${error.params.pattern}`];
    default:
      return [json_path(error.instancePath), error.message];
  }
}

// Byte length of a schema-valid "bytes" value (fixtures/README.md, "Bytes").
function byte_length(value) {
  if (typeof value === "string") return Buffer.byteLength(value, "utf8");
  if (Array.isArray(value)) return value.reduce((sum, piece) => sum + byte_length(piece), 0);
  if ("hex" in value) return value.hex.replace(/ /g, "").length / 2;
  if ("base64" in value) return Buffer.from(value.base64, "base64").length;
  return byte_length(value.repeat) * value.times;
}

// The sanity rules: what a schema cannot say, or says less clearly.
function sanity_problems(doc, area, schema_valid) {
  const problems = [];
  const add = (where, message) => problems.push([where, message]);
  if (doc === null || typeof doc !== "object" || !Array.isArray(doc.cases)) return problems;
  const expected_schema = `../${kSchemaDir}/${area}.schema.json`;
  if ("$schema" in doc && doc.$schema !== expected_schema) add("$schema", `must be "${expected_schema}"`);
  const first_seen = new Map();
  doc.cases.forEach((c, i) => {
    if (c === null || typeof c !== "object") return;
    const at = (suffix) => `cases[${i}].${suffix}`;
    if (typeof c.id === "string") {
      if (first_seen.has(c.id)) add(at("id"), `duplicate id "${c.id}" (first at cases[${first_seen.get(c.id)}])`);
      else first_seen.set(c.id, i);
    }
    if (typeof c.description === "string") {
      const length = [...c.description].length;
      if (length >= kMaxDescription) add(at("description"), `${length} characters; keep it under ${kMaxDescription}`);
      if (/\bshould\b/i.test(c.description)) add(at("description"), `say what happens, without "should"`);
      if (/\btest that\b/i.test(c.description)) add(at("description"), `say what happens, without "test that"`);
      if (c.description.trim() === "") add(at("description"), "is empty");
    }
    if (Array.isArray(c.spec)) {
      c.spec.forEach((ref, k) => {
        if (ref === null || typeof ref !== "object") return;
        if (typeof ref.url === "string") {
          const hash = ref.url.indexOf("#");
          if (hash < 0 || hash === ref.url.length - 1) add(at(`spec[${k}].url`), "must end in a #anchor");
        }
        if (typeof ref.quote !== "string" || ref.quote.trim() === "") {
          add(at(`spec[${k}].quote`), "quote the rule's own words");
        }
      });
    }
    if (schema_valid && Array.isArray(c.chunks)) {
      const size = byte_length(c.chunks);
      if (size > kMaxScanBytes && c.noScan !== true) {
        add(at("noScan"), `the stream is ${size} bytes: set "noScan": true (over ${kMaxScanBytes})`);
      }
    }
  });
  return problems;
}

function list(dir, predicate) {
  return readdirSync(dir).filter((name) => predicate(path.join(dir, name), name)).sort();
}

async function main() {
  const root_arg = process.argv[2];
  if (!root_arg || process.argv.length > 3) fail_setup("usage: node validate.mjs <fixtures dir>");
  const root = path.resolve(root_arg);
  if (!existsSync(root) || !statSync(root).isDirectory()) fail_setup(`${root_arg}: no such fixtures folder`);
  const display = (file) => path.relative(path.dirname(root), file).split(path.sep).join("/");

  const ajv = await load_ajv();
  const problems = [];
  const report = (file, where, message) => problems.push(`${display(file)}: ${where}: ${message}`);
  const parse_json = (file) => {
    try {
      return JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      report(file, "(top level)", `not valid JSON: ${e.message}`);
      return undefined;
    }
  };

  // Every schema is registered under its file name, so "common.schema.json#/$defs/x" resolves
  // the same way here as it does for an editor reading the file next to its neighbours.
  const schema_dir = path.join(root, kSchemaDir);
  const schema_files = existsSync(schema_dir)
    ? list(schema_dir, (full, name) => name.endsWith(".schema.json") && statSync(full).isFile())
    : [];
  for (const name of schema_files) {
    const file = path.join(schema_dir, name);
    const schema = parse_json(file);
    if (schema === undefined) continue;
    try {
      ajv.addSchema(schema, name);
    } catch (e) {
      report(file, "(top level)", `not a valid schema: ${e.message}`);
    }
  }

  const areas = list(root, (full, name) => statSync(full).isDirectory() && name !== kSchemaDir && name !== kSpecTextDir && !name.startsWith("."));
  if (areas.length === 0) fail_setup(`${display(root)}: holds no fixture areas`);
  let file_count = 0;
  let case_count = 0;
  for (const area of areas) {
    const area_dir = path.join(root, area);
    const schema_name = `${area}.schema.json`;
    let validate;
    if (!schema_files.includes(schema_name)) {
      report(area_dir, "(folder)", `no schema: add ${display(path.join(schema_dir, schema_name))}`);
    } else {
      try {
        validate = ajv.getSchema(schema_name);
      } catch (e) {
        report(path.join(schema_dir, schema_name), "(top level)", `does not compile: ${e.message}`);
      }
    }
    const files = list(area_dir, (full, name) => name.endsWith(".json") && statSync(full).isFile());
    if (files.length === 0) report(area_dir, "(folder)", "holds no .json fixture files");
    for (const name of files) {
      const file = path.join(area_dir, name);
      ++file_count;
      if (!/^[a-z0-9]+(-[a-z0-9]+)*\.json$/.test(name)) report(file, "(file name)", "must be kebab-case, like line-endings.json");
      const doc = parse_json(file);
      if (doc === undefined) continue;
      if (Array.isArray(doc?.cases)) case_count += doc.cases.length;
      let schema_valid = false;
      if (validate) {
        schema_valid = validate(doc);
        const seen = new Set();
        for (const error of validate.errors ?? []) {
          if (error.keyword === "if") continue;  // a summary of the then/else errors listed anyway
          const [where, message] = describe_schema_error(error);
          const line = `${where}: ${message}`;
          if (!seen.has(line)) {
            seen.add(line);
            report(file, where, message);
          }
        }
      }
      for (const [where, message] of sanity_problems(doc, area, schema_valid)) report(file, where, message);
    }
  }

  for (const line of problems) console.log(line);
  const summary = `${file_count} files in ${areas.length} area(s) (${areas.join(", ")}), ${case_count} cases`;
  if (problems.length > 0) {
    console.log(`fixture-lint: FAIL: ${problems.length} problem(s) in ${summary}`);
    process.exit(1);
  }
  console.log(`fixture-lint: OK: ${summary}`);
}

await main();
