// reconnecting-eventsource 1.6.5 wraps an EventSource class; Node has no global one (v20), so it
// wraps npm eventsource 5.1.5 through `eventSourceClass`, as its README shows for Node.
import ReconnectingEventSource from "reconnecting-eventsource";
import { EventSource } from "eventsource-5";
import { run } from "./protocol.mjs";

run((url, reporter) => reporter.listenTo(new ReconnectingEventSource(url, { eventSourceClass: EventSource })));
