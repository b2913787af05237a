// The adapter protocol of conformance/ADAPTERS.md, shared by every adapter in this folder: each
// adapter only maps its library's API onto `reporter.open/message/error`.
import { createInterface } from "node:readline";

// The stream URL is the last argument.
export const url = process.argv[process.argv.length - 1];

// Event types a listener is added for: the ones the case asks for, plus the three always listened to.
export const listenedTypes = new Set(["open", "error", "message", ...JSON.parse(process.env.SSESPEC_LISTEN || "[]")]);

// Prints the protocol's lines, calls close() where SSESPEC_CLOSE_AFTER says, and obeys stdin.
// `client` is {close(), readyState()}; attach it once the library's object exists.
export function createReporter() {
  const [closeKind, closeCount] = (process.env.SSESPEC_CLOSE_AFTER || ":0").split(":");
  const seen = {};
  let client = null;

  function write(line) {
    process.stdout.write(JSON.stringify(line) + "\n");
    const kind = Object.keys(line)[0];
    seen[kind] = (seen[kind] || 0) + 1;
    if (kind === closeKind && seen[kind] === Number(closeCount)) close();
  }
  function close() {
    client.close();
    write({ closed: { readyState: client.readyState() } });
  }
  const reporter = {
    attach(c) {
      client = c;
      const commands = createInterface({ input: process.stdin });
      commands.on("line", (line) => { if (line.trim() === "close") close(); });
      commands.on("close", () => { client.close(); process.exit(0); });
    },
    open: () => write({ open: {} }),
    // Reports a dispatched event if a listener for its type exists (undefined fields become "").
    message(type, data, lastEventId) {
      if (listenedTypes.has(type)) write({ message: { type, data: data ?? "", lastEventId: lastEventId ?? "" } });
    },
    error: (readyState) => write({ error: { readyState } }),
    // For EventTarget libraries with the WHATWG EventSource API: one listener per listened type.
    listenTo(es) {
      const onEvent = (event) => {
        if ("data" in event) reporter.message(event.type, event.data, event.lastEventId);
        else if (event.type === "open") reporter.open();
        else reporter.error(es.readyState);
      };
      for (const type of listenedTypes) es.addEventListener(type, onEvent);
      reporter.attach({ close: () => es.close(), readyState: () => es.readyState });
    },
  };
  return reporter;
}
