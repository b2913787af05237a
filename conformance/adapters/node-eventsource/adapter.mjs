// ssespec adapter for the npm `eventsource` package (conformance/ADAPTERS.md), per process or
// --persistent, through the npm-clients adapters' shared protocol (../npm-clients/protocol.mjs).
import { EventSource } from "eventsource";
import { run } from "../npm-clients/protocol.mjs";

// Capabilities headers and post: eventsource takes a fetch wrapper (its documented option).
run((url, reporter, { headers, method, body }) => reporter.listenTo(new EventSource(url, {
  fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, ...headers }, method: method || init.method, body }),
})));
