// The HTTP side of a test service written in Node, to LaunchDarkly's SSE test-service protocol
// (sse-contract-tests docs/service_spec.md) plus ssespec's extensions (conformance/ADAPTERS.md):
// `GET /` lists the capabilities, `POST /` creates a stream (201 with its Location), a POST to
// the stream's resource is a command, `DELETE` on it ends the stream, `DELETE /` stops the
// service. What a stream is belongs to the caller; this module only routes and answers. Used by
// conformance/adapters/node-eventsource/service.mjs and conformance/tests/services/fakes/ld_fake_service.mjs.
import { createServer } from "node:http";

// A request's JSON body ({} when empty); rejects on malformed JSON.
function readJson(req) {
  return new Promise((resolve, reject) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (text += c));
    req.on("end", () => {
      try {
        resolve(text ? JSON.parse(text) : {});
      } catch (e) {
        reject(e);
      }
    });
    req.on("error", reject);
  });
}

// Starts the service on 127.0.0.1:port (0: any free port) and prints "listening on URL" when ready.
//   capabilities       what `GET /` lists
//   streams            Map of stream id -> the caller's stream object
//   create(spec, created, res)
//                      a valid create body; call created(id) once the stream exists (at once, or
//                      later: res is the waiting request, whose "close" tells that the runner gave up)
//   command(stream, body)  a command; returns false for one it does not know (answered 400)
//   remove(id, stream) DELETE on the stream, before the 204 (the caller ends it; the id is forgotten here)
//   shutdown()         DELETE /, before the 204 and the exit
//   keepAliveTimeout   the server's keep-alive timeout in ms (Node's default when undefined)
export function serveTestService({ port = 0, capabilities, streams, create, command, remove, shutdown, keepAliveTimeout }) {
  const server = createServer(async (req, res) => {
    const send = (status, body, headers = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(body === undefined ? "" : JSON.stringify(body));
    };
    try {
      const path = new URL(req.url, "http://x").pathname;
      if (path === "/" && req.method === "GET") return send(200, { capabilities });
      if (path === "/" && req.method === "DELETE") {
        if (shutdown) shutdown();
        send(204);
        return server.close(() => process.exit(0));
      }
      if (path === "/" && req.method === "POST") {
        const spec = await readJson(req);
        if (typeof spec.streamUrl !== "string" || typeof spec.callbackUrl !== "string") {
          return send(400, { error: "streamUrl and callbackUrl are required" });
        }
        return create(spec, (id) => send(201, undefined, { location: `/streams/${id}` }), res);
      }
      const match = /^\/streams\/(\d+)$/.exec(path);
      const stream = match && streams.get(match[1]);
      if (!stream) return send(404, { error: `no such stream: ${path}` });
      if (req.method === "DELETE") {
        streams.delete(match[1]);
        remove(match[1], stream);
        return send(204);
      }
      if (req.method === "POST") {
        const body = await readJson(req);
        if (!command(stream, body)) return send(400, { error: `unknown command: ${JSON.stringify(body)}` });
        return send(202);
      }
      return send(405, { error: `${req.method} ${path}` });
    } catch (e) {
      return send(400, { error: e.message });
    }
  });
  if (keepAliveTimeout !== undefined) server.keepAliveTimeout = keepAliveTimeout;
  server.listen(port, "127.0.0.1", () => {
    process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
  });
  return server;
}
