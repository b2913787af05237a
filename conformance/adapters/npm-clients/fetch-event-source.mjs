// @microsoft/fetch-event-source 2.0.1: a callback API for browsers, not EventSource. It reads
// `window.fetch`, `window.setTimeout` and `document` (visibility), so the adapter gives it the
// globals of an always-visible browser tab. Mapping:
//   onopen            -> open, after the library's own default check (below)
//   onmessage(msg)    -> message; lastEventId is msg.id: messages carry no last event ID
//   onerror           -> error, readyState 0 (returning nothing makes it retry)
//   onclose           -> error, readyState 2 (the body ended and the library does not reconnect)
//   close()           -> abort the signal
import { fetchEventSource, EventStreamContentType } from "@microsoft/fetch-event-source";
import { run } from "./protocol.mjs";

globalThis.window = globalThis;
globalThis.document = Object.assign(new EventTarget(), { hidden: false });

run((url, reporter) => {
  const controller = new AbortController();
  fetchEventSource(url, {
    signal: controller.signal,
    // Passing onopen replaces the library's defaultOnOpen (lib/esm/fetch.js:83-88), so its check
    // is repeated here word for word: only the Content-Type prefix is checked, not the status.
    async onopen(response) {
      const contentType = response.headers.get("content-type");
      if (!contentType?.startsWith(EventStreamContentType)) {
        throw new Error(`Expected content-type to be ${EventStreamContentType}, Actual: ${contentType}`);
      }
      reporter.open();
    },
    onmessage: (msg) => reporter.message(msg.event || "message", msg.data, msg.id),
    onerror: (err) => { console.error("onerror:", err?.message ?? err); reporter.error(0); },
    onclose: () => reporter.error(2),
  }).catch((err) => console.error("fetchEventSource rejected:", err));
  reporter.attach({ close: () => controller.abort(), readyState: () => 2 });
});
