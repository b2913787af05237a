// @fastify/sse: a { sse: true } route, reply.sse.send(message), through fastify.inject().
// It JSON-encodes data by default (--data json).
import Fastify from "fastify";
import fastifySSE from "@fastify/sse";
import { serve } from "./protocol.mjs";

let message;
const app = Fastify();
await app.register(fastifySSE);
app.get("/", { sse: true }, async (request, reply) => {
  await reply.sse.send(message);
  reply.sse.close();
});
await app.ready();

await serve(async (m) => {
  message = m;
  const response = await app.inject({ method: "GET", url: "/", headers: { accept: "text/event-stream" } });
  if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}: ${response.body}`);
  return response.rawPayload;
}, { unsupported: ["comment"] });
