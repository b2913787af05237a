// Debian's node-eventsource 2.0.2 (WHATWG EventSource API, /usr/share/nodejs/eventsource), through
// the npm-clients adapters' shared protocol (per process or --persistent). Debian's copy, not
// npm's: conformance/adapters/node-eventsource is npm eventsource 5.1.5, npm-clients has 4.1.1.
import { createRequire } from "node:module";
import { run } from "../npm-clients/protocol.mjs";

const EventSource = createRequire(import.meta.url)("/usr/share/nodejs/eventsource");
// Capability headers: eventsource 2 takes them as a constructor option. caseWorkers: it throws
// from its own response callbacks (a relative redirect, a non-ASCII Last-Event-ID: the
// expectations file), which ends the thread; in a worker per case that crash is the case's own.
run((url, reporter, { headers }) => reporter.listenTo(new EventSource(url, { headers })), { caseWorkers: true });
