// ssespec adapter for the npm `eventsource` package (conformance/ADAPTERS.md).
// argv: URL. env: SSESPEC_LISTEN (JSON array of event types), SSESPEC_CLOSE_AFTER ("message:2").
import { createInterface } from "node:readline";
import { EventSource } from "eventsource";

const url = process.argv[2];
const listen = JSON.parse(process.env.SSESPEC_LISTEN || "[]");
const [closeKind, closeCount] = (process.env.SSESPEC_CLOSE_AFTER || ":0").split(":");
const seen = {};
// Capabilities headers and post: eventsource takes a fetch wrapper (its documented option).
const headers = JSON.parse(process.env.SSESPEC_HEADERS || "{}");
const method = process.env.SSESPEC_METHOD;
const body = process.env.SSESPEC_BODY;
const es = new EventSource(url, {
  fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, ...headers }, method: method || init.method, body }),
});

function report(line) {
  process.stdout.write(JSON.stringify(line) + "\n");
  const kind = Object.keys(line)[0];
  seen[kind] = (seen[kind] || 0) + 1;
  if (kind === closeKind && seen[kind] === Number(closeCount)) close();
}
function close() {
  es.close();
  process.stdout.write(JSON.stringify({ closed: { readyState: es.readyState } }) + "\n");
}
function onEvent(event) {
  // A stream event named "open" or "error" reaches those listeners too: it carries data.
  if ("data" in event) report({ message: { type: event.type, data: event.data, lastEventId: event.lastEventId } });
  else if (event.type === "open") report({ open: {} });
  else report({ error: { readyState: es.readyState } });
}
for (const type of new Set(["open", "error", "message", ...listen])) es.addEventListener(type, onEvent);

const commands = createInterface({ input: process.stdin });
commands.on("line", (line) => { if (line.trim() === "close") close(); });
commands.on("close", () => { es.close(); process.exit(0); });
