// npm eventsource 4.1.1 (WHATWG EventSource API).
import { EventSource } from "eventsource-4";
import { run } from "./protocol.mjs";

run((url, reporter) => reporter.listenTo(new EventSource(url)));
