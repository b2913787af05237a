// A test service for npm eventsource, to LaunchDarkly's SSE test-service protocol
// (sse-contract-tests docs/service_spec.md) plus ssespec's extensions (conformance/ADAPTERS.md):
// one long-lived process runs every case's EventSource. Usage: node service.mjs [PORT] [--plain]
// (0 or none: any free port). Prints "listening on http://127.0.0.1:PORT" when ready; logs go
// to stderr only. --plain speaks LaunchDarkly's protocol only, as an SDK's own service would
// (no open callbacks, no readyState, no ssespec-* capabilities): to check the runner grades such
// a service on what it can observe.
import { EventSource } from "eventsource";

import { serveTestService } from "../test_service.mjs";

const plain = process.argv.includes("--plain");
const capabilities = ["event-type-listeners", "headers", "post"];
if (!plain) {
  capabilities.push(
    "ssespec-open",
    "ssespec-ready-state",
    "ssespec-last-event-id",
    "ssespec-listen",
    "ssespec-close",
    "ssespec-close-in-handler",
  );
}
const streams = new Map();
let nextId = 1;

function startStream(spec) {
  const id = String(nextId++);
  // headers and post: eventsource takes a fetch wrapper (its documented option).
  const es = new EventSource(spec.streamUrl, {
    fetch: (input, init) =>
      fetch(input, { ...init, headers: { ...init.headers, ...spec.headers }, method: spec.method || init.method, body: spec.body }),
  });
  const stream = { es, callbackUrl: spec.callbackUrl, counter: 0, seen: {}, sending: Promise.resolve() };
  const [closeKind, closeCount] = (spec.closeAfter || ":0").split(":");

  // Numbered callbacks, in order (the runner also reorders them by number).
  function callback(body) {
    const url = `${stream.callbackUrl}/${++stream.counter}`;
    stream.sending = stream.sending.then(() =>
      fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
        .then((r) => r.arrayBuffer())
        .catch((e) => console.error(`callback ${url}: ${e.message}`)),
    );
  }
  function close() {
    es.close();
    callback({ kind: "closed", readyState: es.readyState });
  }
  // SSESPEC_CLOSE_AFTER's rule: count the reports of that kind; close inside the N-th one's handler.
  function report(kind, body) {
    callback(body);
    stream.seen[kind] = (stream.seen[kind] || 0) + 1;
    if (kind === closeKind && stream.seen[kind] === Number(closeCount)) close();
  }
  function onEvent(event) {
    if ("data" in event) {
      report("message", { kind: "event", event: { type: event.type, data: event.data, id: event.lastEventId } });
    } else if (event.type === "open") {
      if (!plain) report("open", { kind: "open" });
    } else if (plain) {
      report("error", { kind: "error", comment: event.message || "error" });
    } else {
      report("error", { kind: "error", comment: event.message || "error", readyState: es.readyState });
    }
  }
  stream.listen = (type) => {
    if (!stream.types.has(type)) {
      stream.types.add(type);
      es.addEventListener(type, onEvent);
    }
  };
  stream.types = new Set();
  for (const type of ["open", "error", "message", ...(spec.listen || [])]) stream.listen(type);
  stream.close = close;
  streams.set(id, stream);
  return id;
}

serveTestService({
  port: Number(process.argv[2]) || 0,
  capabilities,
  streams,
  create: (spec, created) => created(startStream(spec)),
  command(stream, body) {
    if (body.command === "close") stream.close();
    else if (body.command === "listen" && body.listen && typeof body.listen.type === "string") stream.listen(body.listen.type);
    else return false;
    return true;
  },
  remove: (id, stream) => stream.es.close(),
  shutdown: () => {
    for (const s of streams.values()) s.es.close();
  },
  keepAliveTimeout: 60000,
});
