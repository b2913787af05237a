// hono's streamSSE / writeSSE. Usage: node hono.mjs [hono|hono-old] (the installed alias).
import { serve } from "./protocol.mjs";

const pkg = process.argv[2] ?? "hono";
const { Hono } = await import(pkg);
const { streamSSE } = await import(`${pkg}/streaming`);

await serve(async (message) => {
  let refused;
  const app = new Hono();
  app.get("/", (c) => streamSSE(c, (stream) => stream.writeSSE(message), async (e) => { refused = e; }));
  const body = Buffer.from(await (await app.request("/")).arrayBuffer());
  if (refused) throw refused;
  return body;
}, { unsupported: ["comment"] });
