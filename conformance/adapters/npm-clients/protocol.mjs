// The adapter protocol of conformance/ADAPTERS.md, shared by every adapter in this folder: each
// adapter only maps its library's API onto `reporter.open/message/error`, in the function it
// gives run(). Per process (one case: the URL is the last argument, settings in the environment)
// or, with SSESPEC_PERSISTENT=1 (`ssespec client --persistent`), every case in this one process:
// {"open":{"case":ID,...}} and {"close":ID} lines on stdin, each output line tagged with its case.
import { createInterface } from "node:readline";

// Runs `startCase(url, reporter)` for each case; it creates the client and calls reporter.attach()
// (or reporter.listenTo() for the WHATWG EventSource API).
export function run(startCase) {
  if (process.env.SSESPEC_PERSISTENT === "1") return runPersistent(startCase);
  const reporter = createReporter({
    listen: JSON.parse(process.env.SSESPEC_LISTEN || "[]"),
    closeAfter: process.env.SSESPEC_CLOSE_AFTER,
  });
  startCase(process.argv[process.argv.length - 1], reporter);
  const commands = createInterface({ input: process.stdin });
  commands.on("line", (line) => { if (line.trim() === "close") reporter.close(); });
  commands.on("close", () => { reporter.end(); process.exit(0); });
}

function runPersistent(startCase) {
  const cases = new Map();  // case id -> reporter
  const commands = createInterface({ input: process.stdin });
  commands.on("line", (line) => {
    if (!line.trim()) return;
    const command = JSON.parse(line);
    if (command.open) {
      const reporter = createReporter(command.open);
      cases.set(command.open.case, reporter);
      startCase(command.open.url, reporter);
    } else if ("close" in command) {
      const reporter = cases.get(command.close);
      cases.delete(command.close);
      reporter?.close();
    }
  });
  commands.on("close", () => {
    for (const reporter of cases.values()) reporter.end();
    process.exit(0);
  });
}

// Prints one case's lines, calls close() where closeAfter ("message:2") says. `client` is
// {close(), readyState()}; attach it once the library's object exists.
function createReporter({ case: caseId, listen = [], closeAfter }) {
  const [closeKind, closeCount] = (closeAfter || ":0").split(":");
  // Event types a listener is added for: the ones the case asks for, plus the three always listened to.
  const listenedTypes = new Set(["open", "error", "message", ...listen]);
  const seen = {};
  let client = null;

  function write(line) {
    const tagged = caseId === undefined ? line : { case: caseId, ...line };
    process.stdout.write(JSON.stringify(tagged) + "\n");
    const kind = Object.keys(line)[0];
    seen[kind] = (seen[kind] || 0) + 1;
    if (kind === closeKind && seen[kind] === Number(closeCount)) reporter.close();
  }
  const reporter = {
    listenedTypes,
    attach(c) { client = c; },
    // The "close" command: close() now, then the closed line.
    close() {
      client.close();
      write({ closed: { readyState: client.readyState() } });
    },
    // The case is over (stdin closed): close() without a line.
    end() { client?.close(); },
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
