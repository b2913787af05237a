// eventsource-client 1.2.0: a callback API, not EventSource. Mapping:
//   onConnect                 -> open (it runs for every response, before any check)
//   onMessage({event, data})  -> message; lastEventId is the client's lastEventId property
//   onScheduleReconnect       -> error, readyState 0 (the client waits, then reconnects)
//   onDisconnect, with no reconnection scheduled -> error with the readyState after it: an
//     HTTP 204 calls onDisconnect and then close() (src/client.ts:192-195). At the end of a body
//     onDisconnect follows onScheduleReconnect, already reported.
import { createEventSource } from "eventsource-client";
import { run } from "./protocol.mjs";

const readyStates = { connecting: 0, open: 1, closed: 2 };
run((url, reporter) => {
  let reconnectScheduled = false;
  const es = createEventSource({
    url,
    onConnect: () => { reconnectScheduled = false; reporter.open(); },
    onMessage: ({ event, data }) => reporter.message(event || "message", data, es.lastEventId),
    onScheduleReconnect: () => { reconnectScheduled = true; reporter.error(0); },
    onDisconnect: () => {
      if (!reconnectScheduled) queueMicrotask(() => reporter.error(readyStates[es.readyState]));
    },
  });
  reporter.attach({ close: () => es.close(), readyState: () => readyStates[es.readyState] });
});
