// h3 2.x createEventStream: pushComment(comment), then push(message), through app.fetch().
// Usage: node h3-v2.mjs [h3-v2|h3-v2-old] (the installed alias).
import { serve } from "./protocol.mjs";

const { H3, createEventStream } = await import(process.argv[2] ?? "h3-v2");
let message;
const app = new H3().get("/", (event) => {
  const stream = createEventStream(event);
  const { comment, ...fields } = message;
  (async () => {
    if (comment !== undefined) await stream.pushComment(comment);
    if (comment === undefined || Object.keys(fields).length > 0) await stream.push(fields);
    await stream.close();
  })();
  return stream.send();
});

await serve(async (m) => {
  message = m;
  return Buffer.from(await (await app.fetch(new Request("http://127.0.0.1/"))).arrayBuffer());
});
