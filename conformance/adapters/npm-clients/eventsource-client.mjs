// eventsource-client 1.2.0: a callback API, not EventSource. Mapping:
//   onConnect                          -> open (it runs for every response, before any check)
//   onMessage({event, data})           -> message; lastEventId is the client's lastEventId property
//   onScheduleReconnect                -> error, readyState 0 (the client waits, then reconnects)
//   onDisconnect with readyState closed -> error, readyState 2 (an HTTP 204 ends the client)
import { createEventSource } from "eventsource-client";
import { createReporter, url } from "./protocol.mjs";

const readyStates = { connecting: 0, open: 1, closed: 2 };
const reporter = createReporter();
const es = createEventSource({
  url,
  onConnect: () => reporter.open(),
  onMessage: ({ event, data }) => reporter.message(event || "message", data, es.lastEventId),
  onScheduleReconnect: () => reporter.error(0),
  onDisconnect: () => { if (es.readyState === "closed") reporter.error(2); },
});
reporter.attach({ close: () => es.close(), readyState: () => readyStates[es.readyState] });
