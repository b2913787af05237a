// undici 7.30's EventSource (the implementation behind Node's global EventSource).
import { EventSource } from "undici";
import { createReporter, url } from "./protocol.mjs";

createReporter().listenTo(new EventSource(url));
