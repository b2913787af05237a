// extended-eventsource 2.1.0 (WHATWG EventSource API plus request options).
import { EventSource } from "extended-eventsource";
import { run } from "./protocol.mjs";

// Its default logger is the console, whose log() writes to stdout: keep stdout for the protocol.
const toStderr = (...args) => console.error(...args);
const logger = { trace: toStderr, debug: toStderr, info: toStderr, warn: toStderr, error: toStderr };
// caseWorkers: after close() it goes on parsing what it holds, quadratically (100,000 blank
// lines keep a thread busy over 15 s), which in one shared thread stalls the next cases.
run((url, reporter) => reporter.listenTo(new EventSource(url, { logger })), { caseWorkers: true });
