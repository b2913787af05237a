// eventsource-encoder's encode(): a comment is a chunk of its own, written before the message.
import { encode } from "eventsource-encoder";
import { serve } from "./protocol.mjs";

await serve(({ comment, ...message }) =>
  (comment === undefined ? "" : encode({ comment })) + (Object.keys(message).length ? encode(message) : ""));
