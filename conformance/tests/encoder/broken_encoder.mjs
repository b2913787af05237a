// A broken encoder adapter for the runner's own tests: node broken_encoder.mjs MODE, where MODE
// is hang (never answers), crash (exits on the first message), garbage (answers a non-protocol
// line), flood (answers with more bytes than the limit) or inject (writes every value raw).
import { createInterface } from "node:readline";

const mode = process.argv[2];
for await (const line of createInterface({ input: process.stdin })) {
  const m = JSON.parse(line);
  if (mode === "hang") continue;
  if (mode === "crash") process.exit(3);
  if (mode === "garbage") { process.stdout.write("hello\n"); continue; }
  if (mode === "flood") { process.stdout.write(`{"bytes_b64":"${"QUFB".repeat(6 << 20)}"}\n`); continue; }
  let out = "";
  if (m.event !== undefined) out += `event: ${m.event}\n`;
  if (m.id !== undefined) out += `id: ${m.id}\n`;
  if (m.data !== undefined) out += `data: ${m.data}\n`;
  process.stdout.write(JSON.stringify({ bytes_b64: Buffer.from(out + "\n").toString("base64") }) + "\n");
}
