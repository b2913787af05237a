// The adapter protocol of conformance/ADAPTERS.md, shared by every adapter in this folder: each
// adapter only maps its library's API onto `reporter.open/message/error`, in the function it
// gives run(). Per process (one case: the URL is the last argument, settings in the environment)
// or, with SSESPEC_PERSISTENT=1 (`ssespec client --persistent`), every case in this one process:
// {"open":{"case":ID,...}} and {"close":ID} lines on stdin, each output line tagged with its case.
import { createInterface } from "node:readline";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

// How long a case's worker lives after {"close":ID}: the runner still watches that long for
// events a library dispatches after close() (a deviation), and a library busy past it (parsing
// what it holds) is stopped, so it no longer takes a core from the other cases.
const kCloseGraceMs = 2000;

// Runs `startCase(url, reporter, settings)` for each case; it creates the client and calls
// reporter.attach() (or reporter.listenTo() for the WHATWG EventSource API). `settings` holds the
// case's capability options, the same in both modes: `headers` (an object, {} if none),
// `lastEventId`, `method`, `body`, `readTimeoutMs` (undefined if the case sets none).
// `caseWorkers`: in persistent mode, each case in a worker thread of its own, for a library that
// can keep a thread busy after close() or throw from its own callbacks; it costs a worker start
// (and the library's import) per case, so it is opt-in.
export function run(startCase, { caseWorkers = false } = {}) {
  if (!isMainThread) return runCaseInWorker(startCase);
  if (process.env.SSESPEC_PERSISTENT === "1") return runPersistent(caseWorkers ? casesInWorkers() : casesInThisThread(startCase));
  const env = process.env;
  const settings = {
    listen: JSON.parse(env.SSESPEC_LISTEN || "[]"),
    closeAfter: env.SSESPEC_CLOSE_AFTER,
    headers: env.SSESPEC_HEADERS === undefined ? undefined : JSON.parse(env.SSESPEC_HEADERS),
    lastEventId: env.SSESPEC_LAST_EVENT_ID,
    method: env.SSESPEC_METHOD,
    body: env.SSESPEC_BODY,
    readTimeoutMs: env.SSESPEC_READ_TIMEOUT_MS === undefined ? undefined : Number(env.SSESPEC_READ_TIMEOUT_MS),
  };
  const reporter = createReporter(settings, (text) => process.stdout.write(text));
  startCase(process.argv[process.argv.length - 1], reporter, caseOptions(settings));
  const commands = createInterface({ input: process.stdin });
  commands.on("line", (line) => { if (line.trim() === "close") reporter.close(); });
  commands.on("close", () => { reporter.end(); process.exit(0); });
}

// Persistent mode: one loop over the stdin commands, whichever way the cases run.
function runPersistent(cases) {
  const commands = createInterface({ input: process.stdin });
  commands.on("line", (line) => {
    if (!line.trim()) return;
    const command = JSON.parse(line);
    if (command.open) cases.open(command.open);
    else if ("close" in command) cases.close(command.close);
  });
  commands.on("close", () => {
    cases.endAll();
    process.exit(0);
  });
}

// Every case on this one thread.
function casesInThisThread(startCase) {
  const reporters = new Map();  // case id -> reporter
  return {
    open(settings) {
      const reporter = createReporter(settings, (text) => process.stdout.write(text));
      reporters.set(settings.case, reporter);
      startCase(settings.url, reporter, caseOptions(settings));
    },
    close(id) {
      const reporter = reporters.get(id);
      reporters.delete(id);
      reporter?.close();
    },
    endAll() { for (const reporter of reporters.values()) reporter.end(); },
  };
}

// Each case in a worker thread of its own (this same adapter module, started again), so a
// library that keeps a thread busy after close() (extended-eventsource parsing 100,000 blank
// lines for over 15 s) is stopped with its worker instead of holding up every later case.
function casesInWorkers() {
  const workers = new Map();  // case id -> Worker
  const stop = (id) => {
    const worker = workers.get(id);
    workers.delete(id);
    worker?.terminate();
  };
  return {
    open(settings) {
      const worker = new Worker(process.argv[1], { workerData: settings });
      worker.on("message", (text) => process.stdout.write(text));
      // An exception the library throws from its own callbacks ends its case's worker, as it
      // would end a per-process adapter: that case alone is reported crashed (stderr gets the
      // stack too) and the other cases go on. The runner ignores the line of a case it closed
      // already, as it ignores what a per-process adapter does once told to stop.
      worker.on("error", (error) => {
        const text = `${error?.stack ?? error}`;
        console.error(`case ${settings.case}: ${text}`);
        if (workers.get(settings.case) !== worker) return;
        workers.delete(settings.case);
        process.stdout.write(JSON.stringify({ case: settings.case, crashed: { stderr: text } }) + "\n");
      });
      workers.set(settings.case, worker);
    },
    close(id) {
      const worker = workers.get(id);
      if (!worker) return;
      worker.postMessage("close");
      setTimeout(() => stop(id), kCloseGraceMs).unref();
    },
    endAll() { for (const worker of workers.values()) worker.terminate(); },
  };
}

// One case inside its worker: lines go to the main thread, which writes them in order.
function runCaseInWorker(startCase) {
  const reporter = createReporter(workerData, (text) => parentPort.postMessage(text));
  parentPort.on("message", () => reporter.close());  // the {"close":ID} command
  startCase(workerData.url, reporter, caseOptions(workerData));
}

// The capability options of one case's settings (an {"open":...} command or the environment).
function caseOptions({ headers, lastEventId, method, body, readTimeoutMs }) {
  return { headers: headers ?? {}, lastEventId, method, body, readTimeoutMs };
}

// Prints one case's lines, calls close() where closeAfter ("message:2") says. `client` is
// {close(), readyState()}; attach it once the library's object exists.
function createReporter({ case: caseId, listen = [], closeAfter }, print) {
  const [closeKind, closeCount] = (closeAfter || ":0").split(":");
  // Event types a listener is added for: the ones the case asks for, plus the three always listened to.
  const listenedTypes = new Set(["open", "error", "message", ...listen]);
  const seen = {};
  let client = null;

  function write(line) {
    const tagged = caseId === undefined ? line : { case: caseId, ...line };
    print(JSON.stringify(tagged) + "\n");
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
