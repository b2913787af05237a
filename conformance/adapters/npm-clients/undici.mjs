// undici 7.30's EventSource (the implementation behind Node's global EventSource).
import { EventSource } from "undici";
import { run } from "./protocol.mjs";

run((url, reporter) => reporter.listenTo(new EventSource(url)));
