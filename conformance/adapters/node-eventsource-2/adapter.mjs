// Debian's node-eventsource 2.0.2 (WHATWG EventSource API, /usr/share/nodejs/eventsource), through
// the npm-clients adapters' shared protocol (per process or --persistent). Debian's copy, not
// npm's: conformance/adapters/node-eventsource is npm eventsource 5.1.5, npm-clients has 4.1.1.
import { createRequire } from "node:module";
import { run } from "../npm-clients/protocol.mjs";

const EventSource = createRequire(import.meta.url)("/usr/share/nodejs/eventsource");
// Capability headers: eventsource 2 takes them as a constructor option.
const headers = JSON.parse(process.env.SSESPEC_HEADERS || "{}");

run((url, reporter) => reporter.listenTo(new EventSource(url, { headers })));
