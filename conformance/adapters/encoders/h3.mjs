// h3 1.x createEventStream / push. Usage: node h3.mjs [h3|h3-old] (the installed alias).
import { http_body, serve } from "./protocol.mjs";

const { createApp, createEventStream, eventHandler, toNodeListener } = await import(process.argv[2] ?? "h3");
let message;
const app = createApp();
app.use(eventHandler((event) => {
  const stream = createEventStream(event);
  stream.push(message).then(() => stream.close());
  return stream.send();
}));
const request = await http_body(toNodeListener(app));

await serve(async (m) => {
  message = m;
  return request();
}, { unsupported: ["comment"] });
