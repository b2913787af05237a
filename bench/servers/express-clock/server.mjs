// The baseline of bench/load_bench.sh: the reference server's /demo/clock (reference/server/API.md)
// written as a careful Express 5 app would: one broadcast timer on whole seconds, the same bytes
// written to every stream, streams forgotten on 'close', resume after Last-Event-ID.
// Usage: node server.mjs [port]   (0: any free port; the first line printed says which)
import express from "express";

const app = express();
const streams = new Set();

const event = (second) =>
  `id: ${second}\ndata: ${new Date(second * 1000).toISOString().replace(".000Z", "Z")}\n\n`;

app.get("/demo/clock", (req, res) => {
  const last = req.get("Last-Event-ID");
  const now = Math.floor(Date.now() / 1000);
  let after = /^\d{1,18}$/.test(last ?? "") ? Number(last) : -1;
  if (after > now) after = -1; // not one of ours: start afresh
  res.writeHead(200, {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache",
    Connection: "keep-alive",
  });
  res.socket.setNoDelay(true);
  res.write("retry: 1000\n\n");
  const stream = { res, after };
  if (now > after) {
    res.write(event(now)); // the current time at once
    stream.after = now;
  }
  streams.add(stream);
  req.on("close", () => streams.delete(stream));
});

// One tick per whole second for every stream; rescheduled from the wall clock so it never drifts.
function tick() {
  const second = Math.round(Date.now() / 1000);
  const bytes = event(second);
  for (const stream of streams) {
    if (second > stream.after) {
      stream.res.write(bytes);
      stream.after = second;
    }
  }
  setTimeout(tick, 1000 - (Date.now() % 1000));
}
setTimeout(tick, 1000 - (Date.now() % 1000));

const server = app.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
server.maxConnections = Infinity;
server.requestTimeout = 0; // event streams are long requests
server.headersTimeout = 5000;
const stop = () => server.close(() => process.exit(0)) && setTimeout(() => process.exit(0), 500).unref();
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
