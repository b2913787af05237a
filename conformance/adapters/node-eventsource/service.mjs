// A test service for npm eventsource, to LaunchDarkly's SSE test-service protocol
// (sse-contract-tests docs/service_spec.md) plus ssespec's extensions (conformance/ADAPTERS.md):
// one long-lived process runs every case's EventSource. Usage: node service.mjs [PORT] [--plain]
// (0 or none: any free port). Prints "listening on http://127.0.0.1:PORT" when ready; logs go
// to stderr only. --plain speaks LaunchDarkly's protocol only, as an SDK's own service would
// (no open callbacks, no readyState, no ssespec-* capabilities): to check the runner grades such
// a service on what it can observe.
import { createServer } from "node:http";
import { EventSource } from "eventsource";

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

function readJson(req) {
  return new Promise((resolve, reject) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (text += c));
    req.on("end", () => {
      try {
        resolve(text ? JSON.parse(text) : {});
      } catch (e) {
        reject(e);
      }
    });
  });
}

const server = createServer(async (req, res) => {
  const send = (status, body, headers = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(body === undefined ? "" : JSON.stringify(body));
  };
  try {
    const path = new URL(req.url, "http://x").pathname;
    if (path === "/" && req.method === "GET") return send(200, { capabilities });
    if (path === "/" && req.method === "DELETE") {
      send(204);
      for (const s of streams.values()) s.es.close();
      return server.close(() => process.exit(0));
    }
    if (path === "/" && req.method === "POST") {
      const spec = await readJson(req);
      if (typeof spec.streamUrl !== "string" || typeof spec.callbackUrl !== "string") {
        return send(400, { error: "streamUrl and callbackUrl are required" });
      }
      return send(201, undefined, { location: `/streams/${startStream(spec)}` });
    }
    const match = /^\/streams\/(\d+)$/.exec(path);
    const stream = match && streams.get(match[1]);
    if (!stream) return send(404, { error: `no such stream: ${path}` });
    if (req.method === "DELETE") {
      stream.es.close();
      streams.delete(match[1]);
      return send(204);
    }
    if (req.method === "POST") {
      const command = await readJson(req);
      if (command.command === "close") stream.close();
      else if (command.command === "listen" && command.listen && typeof command.listen.type === "string") {
        stream.listen(command.listen.type);
      } else return send(400, { error: `unknown command: ${command.command}` });
      return send(202);
    }
    return send(405, { error: `${req.method} ${path}` });
  } catch (e) {
    return send(400, { error: e.message });
  }
});
server.keepAliveTimeout = 60000;
server.listen(Number(process.argv[2]) || 0, "127.0.0.1", () => {
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
});
