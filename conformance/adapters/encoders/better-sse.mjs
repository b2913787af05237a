// better-sse's EventBuffer, the serializer behind Session.push (JSON-encodes data: --data json).
// push(data, event, id) is what callers use: it names the type "message" and adds a random id.
import { createEventBuffer } from "better-sse";
import { serve } from "./protocol.mjs";

await serve((m) => {
  const buffer = createEventBuffer();
  if (m.comment !== undefined) buffer.comment(m.comment);
  if (m.retry !== undefined) buffer.retry(m.retry);
  if (m.data !== undefined) return buffer.push(m.data, m.event, m.id).read();
  if (m.event !== undefined) buffer.event(m.event);
  if (m.id !== undefined) buffer.id(m.id);
  return buffer.dispatch().read();
});
