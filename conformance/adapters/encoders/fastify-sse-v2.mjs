// fastify-sse-v2: reply.sse(async iterable of one message), through fastify.inject(). Each
// response starts with the plugin's `retry: 3000` block, which belongs to the connection: the
// bytes of an empty stream are cut off the front.
import Fastify from "fastify";
import { FastifySSEPlugin } from "fastify-sse-v2";
import { serve } from "./protocol.mjs";

let messages = [];
const app = Fastify();
await app.register(FastifySSEPlugin);
app.get("/", (request, reply) => {
  reply.sse((async function* () { yield* messages; })());
});
await app.ready();
const body = async () => (await app.inject({ method: "GET", url: "/" })).rawPayload;
const preamble = await body();

await serve(async (m) => {
  messages = [m];
  const bytes = await body();
  if (!bytes.subarray(0, preamble.length).equals(preamble)) throw new Error("the connection preamble changed");
  return bytes.subarray(preamble.length);
});
