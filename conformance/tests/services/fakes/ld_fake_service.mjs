// A fake test service for the service-mode fault tests (issue 18; service_faults_test.sh). It
// speaks LaunchDarkly's SSE test-service protocol (sse-contract-tests docs/service_spec.md) plus
// ssespec's extensions (conformance/ADAPTERS.md), and parses no SSE itself: each stream runs the
// reference client, `ssespec connect`, through its per-process adapter protocol (the case's
// settings in SSESPEC_* variables, one JSON line per observation on its stdout, `close` on its
// stdin) and turns each line into a numbered callback. With no fault it passes every case the
// reference client passes. One fault at a time:
//
//   node ld_fake_service.mjs SSESPEC [FAULT]
//     keep-alive       each stream posts its callbacks through a keep-alive agent of its own,
//                      never closed (what a Node service does with http.Agent({keepAlive}))
//     single-threaded  one stream at a time: a create is answered only once the previous stream
//                      is deleted, so with --jobs 4 a slow case holds the others' creates
//     comments         declares LaunchDarkly's `comments`: one callback per comment line
//     ld-listen        LaunchDarkly's `event-type-listeners` instead of ssespec-listen: reports
//                      message events and the types it is told to `listen` for, nothing else
//                      (the client takes its listeners when it starts, before any `listen`
//                      command, so only cases without named types can pass through it)
//     restart          declares LaunchDarkly's `restart` (not a fault): the command drops the
//                      stream's client and starts a new one on the same URL, sending the last
//                      event ID it reported, as a reconnection would
//
// Prints "listening on http://127.0.0.1:PORT" when ready; logs go to stderr. Binds 127.0.0.1 only.
import { spawn } from "node:child_process";
import http from "node:http";
import { createInterface } from "node:readline";

import { serveTestService } from "../../../adapters/test_service.mjs";

const [ssespec, fault = "none"] = process.argv.slice(2);
const faults = ["none", "keep-alive", "single-threaded", "comments", "ld-listen", "restart"];
if (!ssespec || !faults.includes(fault)) {
  console.error(`usage: node ld_fake_service.mjs SSESPEC [${faults.join("|")}]`);
  process.exit(2);
}
const capabilities = ["ssespec-open", "ssespec-ready-state", "ssespec-close", "ssespec-close-in-handler",
                      "headers", "last-event-id", "post", "read-timeout"];
capabilities.push(fault === "ld-listen" ? "event-type-listeners" : "ssespec-listen");
if (fault === "comments") capabilities.push("comments");
if (fault === "restart") capabilities.push("restart");

// Without the keep-alive fault every callback has a connection of its own.
const closingAgent = new http.Agent({ keepAlive: false });

const streams = new Map();
let nextId = 1;
const waitingCreates = [];  // single-threaded: creates not answered yet, oldest first

// POSTs one JSON body; resolves when the answer has been read (or the request failed).
function post(url, body, agent) {
  return new Promise((resolve) => {
    const text = JSON.stringify(body);
    const req = http.request(url, { method: "POST", agent, headers: { "content-type": "application/json",
                                                                     "content-length": Buffer.byteLength(text) } }, (res) => {
      res.resume();
      res.on("end", resolve);
    });
    req.on("error", (e) => {
      console.error(`callback ${url}: ${e.message}`);
      resolve();
    });
    req.end(text);
  });
}

function startStream(spec) {
  const id = String(nextId++);
  const stream = {
    spec,
    counter: 0,
    sending: Promise.resolve(),
    agent: fault === "keep-alive" ? new http.Agent({ keepAlive: true }) : closingAgent,
    types: new Set(["message"]),  // ld-listen: what the `listen` commands added
    lastEventId: spec.lastEventId,
    client: null,
    deleted: false,
  };
  // Numbered callbacks, posted one after another (the runner also reorders them by number).
  stream.callback = (body) => {
    if (stream.deleted) return;
    const url = `${spec.callbackUrl}/${++stream.counter}`;
    stream.sending = stream.sending.then(() => post(url, body, stream.agent));
  };
  stream.client = startClient(stream);
  streams.set(id, stream);
  return id;
}

// Runs `ssespec connect` on the stream's URL with the case's settings, and reports its lines.
function startClient(stream) {
  const { spec } = stream;
  const env = { ...process.env };
  const settings = {
    SSESPEC_LISTEN: fault !== "ld-listen" && spec.listen && JSON.stringify(spec.listen),
    SSESPEC_CLOSE_AFTER: spec.closeAfter,
    SSESPEC_HEADERS: spec.headers && JSON.stringify(spec.headers),
    SSESPEC_LAST_EVENT_ID: stream.lastEventId,
    SSESPEC_METHOD: spec.method,
    SSESPEC_BODY: spec.body,
    SSESPEC_READ_TIMEOUT_MS: spec.readTimeoutMs && String(spec.readTimeoutMs),
  };
  for (const [name, value] of Object.entries(settings)) {
    if (typeof value === "string") env[name] = value;
    else delete env[name];
  }
  const child = spawn(ssespec, ["connect", spec.streamUrl], { env, stdio: ["pipe", "pipe", "inherit"] });
  child.stdin.on("error", () => {});  // the client may be gone when it is told to stop
  child.on("error", (e) => console.error(`[${spec.tag}] ssespec connect: ${e.message}`));
  const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
  lines.on("line", (line) => {
    if (stream.client !== child) return;  // a client left behind by a restart
    let observed;
    try {
      observed = JSON.parse(line);
    } catch (e) {
      console.error(`[${spec.tag}] not a protocol line: ${line.slice(0, 200)}`);
      return;
    }
    if (observed.open) {
      stream.callback({ kind: "open" });
    } else if (observed.message) {
      const { type, data, lastEventId } = observed.message;
      stream.lastEventId = lastEventId;
      if (fault !== "ld-listen" || stream.types.has(type)) stream.callback({ kind: "event", event: { type, data, id: lastEventId } });
    } else if (observed.error) {
      stream.callback({ kind: "error", comment: "error", readyState: observed.error.readyState });
    } else if (observed.closed) {
      stream.callback({ kind: "closed", readyState: observed.closed.readyState });
    } else if (observed.comment) {
      if (fault === "comments") stream.callback({ kind: "comment", comment: observed.comment.text });
    } else {
      console.error(`[${spec.tag}] unknown line: ${line.slice(0, 200)}`);
    }
  });
  return child;
}

// Ends a client: stdin closed means close() and exit; a client that does not exit is killed.
function stopClient(child) {
  child.stdin.end();
  const timer = setTimeout(() => child.kill("SIGKILL"), 2000);
  child.on("exit", () => clearTimeout(timer));
}

// single-threaded: answers the oldest waiting create once no stream is open.
function answerWaitingCreate() {
  if (streams.size > 0 || waitingCreates.length === 0) return;
  const { spec, created } = waitingCreates.shift();
  created(startStream(spec));
}

function create(spec, created, res) {
  if (fault !== "single-threaded") return created(startStream(spec));
  const waiting = { spec, created };
  waitingCreates.push(waiting);
  res.on("close", () => {  // the runner gave up on it: no stream
    const i = waitingCreates.indexOf(waiting);
    if (i >= 0) waitingCreates.splice(i, 1);
  });
  return answerWaitingCreate();
}

function remove(id, stream) {
  stream.deleted = true;
  if (stream.client) stopClient(stream.client);
  setImmediate(answerWaitingCreate);  // after the 204
}

function command(stream, body) {
  if (body.command === "close") {
    if (stream.client) stream.client.stdin.write("close\n");
  } else if (fault === "ld-listen" && body.command === "listen" && typeof body.listen?.type === "string") {
    stream.types.add(body.listen.type);
  } else if (fault === "restart" && body.command === "restart") {
    // Drop the connection first, then reconnect: the old client's lines are no longer reported.
    const old = stream.client;
    stream.client = null;
    const reconnect = () => {
      if (!stream.deleted) stream.client = startClient(stream);
    };
    if (old.exitCode !== null || old.signalCode !== null) reconnect();
    else old.on("exit", reconnect);
    stopClient(old);
  } else {
    return false;
  }
  return true;
}

serveTestService({ capabilities, streams, create, command, remove });
