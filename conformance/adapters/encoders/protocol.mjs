// The encoder adapter protocol (conformance/ADAPTERS.md): one JSON message per stdin line, one
// answer per stdout line, in order. `encode(message)` returns what the library wrote (string or
// bytes) or throws when it refuses. Fields in `unsupported` are answered as such.
import { createServer } from "node:http";
import { createInterface } from "node:readline";

export async function serve(encode, { unsupported = [] } = {}) {
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    const message = JSON.parse(line);
    const missing = unsupported.filter((field) => field in message);
    let answer;
    if (missing.length > 0) {
      answer = { unsupported: missing };
    } else {
      try {
        answer = { bytes_b64: Buffer.from(await encode(message)).toString("base64") };
      } catch (e) {
        answer = { error: String(e?.message ?? e) };
      }
    }
    process.stdout.write(JSON.stringify(answer) + "\n");
  }
}

// For libraries that write to a real Node response: one server on 127.0.0.1, one request per
// message; the body is what the library wrote.
export async function http_body(listener) {
  const server = createServer(listener);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  const url = `http://127.0.0.1:${server.address().port}/`;
  return async () => Buffer.from(await (await fetch(url)).arrayBuffer());
}
