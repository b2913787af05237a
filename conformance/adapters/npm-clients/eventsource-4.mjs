// npm eventsource 4.1.1 (WHATWG EventSource API).
import { EventSource } from "eventsource-4";
import { createReporter, url } from "./protocol.mjs";

createReporter().listenTo(new EventSource(url));
