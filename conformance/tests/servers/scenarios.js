// Small SSE servers for the `ssespec server` tests: one well-behaved, the rest each broken in
// one way a check must catch. No parsing here: each scenario writes fixed bytes on a timer.
// Usage: node scenarios.js SCENARIO [PORT]   (port 0 picks a free one; prints "listening PORT")
// Binds 127.0.0.1 only. Every endpoint path serves the scenario.
'use strict';
const http = require('http');
const zlib = require('zlib');

const TICK_MS = 100;
const SSE_HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-store',
  'X-Accel-Buffering': 'no',
};

// Writes `id: n` + `data: tick n` events every TICK_MS, starting after `from`, with a comment
// between them; stops with the response.
function tickFrom(res, from) {
  let n = from;
  const timer = setInterval(() => {
    n += 1;
    res.write(`: keep-alive\n\nid: ${n}\ndata: tick ${n}\n\n`);
  }, TICK_MS);
  res.on('close', () => clearInterval(timer));
}

function lastId(req) {
  const value = req.headers['last-event-id'];
  return value !== undefined && /^[0-9]+$/.test(value) ? Number(value) : 0;
}

let leaked = 0;  // leaks-clients: slots never released
let answered = 0;  // answers-once: requests seen

const scenarios = {
  // Well-behaved: headers right, events flushed with ids, resumes after Last-Event-ID.
  good(req, res) {
    res.writeHead(200, SSE_HEADERS);
    res.flushHeaders();
    tickFrom(res, lastId(req));
  },
  // Ignores Last-Event-ID: every connection starts again at id 1 (a replay).
  replay(req, res) {
    res.writeHead(200, SSE_HEADERS);
    res.flushHeaders();
    tickFrom(res, 0);
  },
  'wrong-content-type'(req, res) {
    res.writeHead(200, { ...SSE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
    tickFrom(res, 0);
  },
  // Two Content-Type field lines: Fetch's "extract a MIME type" takes the last that parses, so
  // browsers see an event stream.
  'plain-then-event-stream'(req, res) {
    res.writeHead(200, ['Content-Type', 'text/plain', 'Content-Type', 'text/event-stream',
                        'Cache-Control', 'no-store']);
    tickFrom(res, lastId(req));
  },
  // The same two lines the other way round: the last is text/plain, so no client interprets it.
  'event-stream-then-plain'(req, res) {
    res.writeHead(200, ['Content-Type', 'text/event-stream', 'Content-Type', 'text/plain',
                        'Cache-Control', 'no-store']);
    tickFrom(res, lastId(req));
  },
  'latin1-charset'(req, res) {
    res.writeHead(200, { ...SSE_HEADERS, 'Content-Type': 'text/event-stream; charset=ISO-8859-1' });
    tickFrom(res, 0);
  },
  'status-500'(req, res) {
    res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end('internal error\n');
  },
  // The stream framed by Content-Length: a fixed body that ends.
  'content-length'(req, res) {
    const body = 'id: 1\ndata: one\n\nid: 2\ndata: two\n\n';
    res.writeHead(200, { ...SSE_HEADERS, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  },
  // No caching headers at all.
  'no-cache-control'(req, res) {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    tickFrom(res, 0);
  },
  // Two events, then a last one without its blank line, then the end.
  'unterminated-last'(req, res) {
    res.writeHead(200, SSE_HEADERS);
    res.write('data: one\n\n');
    setTimeout(() => res.write('data: two\n\n'), TICK_MS);
    setTimeout(() => res.end('data: three\n'), 2 * TICK_MS);
  },
  // Everything held back and sent at once when the response ends, 0.8 s later.
  buffered(req, res) {
    const parts = [];
    for (let n = 1; n <= 3; n += 1) parts.push(`id: ${n}\ndata: tick ${n}\n\n`);
    setTimeout(() => {
      res.writeHead(200, SSE_HEADERS);
      res.end(parts.join(''));
    }, 800);
  },
  'invalid-utf8'(req, res) {
    res.writeHead(200, SSE_HEADERS);
    res.flushHeaders();
    const timer = setInterval(() => res.write(Buffer.from([0x64, 0x61, 0x74, 0x61, 0x3a, 0x20, 0xc3, 0x28, 0xff, 0x0a, 0x0a])), TICK_MS);
    res.on('close', () => clearInterval(timer));
  },
  // Accepts the connection and the request, and never answers.
  'never-sends'() {},
  // Answers with the head, then stays silent.
  'silent-after-head'(req, res) {
    res.writeHead(200, SSE_HEADERS);
    res.flushHeaders();
  },
  // One endless line: "data: xxxx..." without a line break, as fast as the client reads.
  'huge-line'(req, res) {
    res.writeHead(200, SSE_HEADERS);
    res.write('data: ');
    const block = Buffer.alloc(64 * 1024, 'x');
    let open = true;
    res.on('close', () => { open = false; });
    const pump = () => {
      while (open && res.write(block)) { /* until backpressure */ }
      if (open) res.once('drain', pump);
    };
    pump();
  },
  // Fine until a client reconnects with Last-Event-ID: then a 500.
  'crash-on-last-event-id'(req, res) {
    if (req.headers['last-event-id'] !== undefined) {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('TypeError: Cannot read properties of undefined\n');
      return;
    }
    scenarios.good(req, res);
  },
  // Forgets to release a client's slot when it leaves (like a timer never cleared): after 15
  // connections, every new client gets 503.
  'leaks-clients'(req, res) {
    leaked += 1;
    if (leaked > 15) {
      res.writeHead(503, { 'Content-Type': 'text/plain' });
      res.end('too many clients\n');
      return;
    }
    scenarios.good(req, res);
  },
  // gzip from compression that is never flushed: nothing arrives until its buffer fills.
  'gzip-buffered'(req, res) {
    res.writeHead(200, { ...SSE_HEADERS, 'Content-Encoding': 'gzip' });
    res.flushHeaders();
    const gzip = zlib.createGzip();
    gzip.pipe(res);
    let n = 0;
    const timer = setInterval(() => { n += 1; gzip.write(`id: ${n}\ndata: tick ${n}\n\n`); }, TICK_MS);
    res.on('close', () => clearInterval(timer));
  },
  // Compresses only when the client accepts gzip, as compression middleware does.
  'gzip-for-browsers'(req, res) {
    if (!/gzip/.test(req.headers['accept-encoding'] || '')) return scenarios.good(req, res);
    return scenarios['gzip-buffered'](req, res);
  },
  // Greets each connection with an event without an id, then resumes correctly.
  'greeting-then-resume'(req, res) {
    res.writeHead(200, SSE_HEADERS);
    res.write('data: hello\n\n');
    tickFrom(res, lastId(req));
  },
  // Slow and honest: `: ping` every TICK_MS, an event only every 30 s.
  'slow-honest'(req, res) {
    res.writeHead(200, SSE_HEADERS);
    res.write(': ping\n\n');
    const ping = setInterval(() => res.write(': ping\n\n'), TICK_MS);
    const event = setInterval(() => res.write('data: slow\n\n'), 30000);
    res.on('close', () => { clearInterval(ping); clearInterval(event); });
  },
  // One event, then a line that never ends: `data: ` and a character every TICK_MS.
  'endless-line'(req, res) {
    res.writeHead(200, SSE_HEADERS);
    res.write('data: one\n\ndata: ');
    const timer = setInterval(() => res.write('x'), TICK_MS);
    res.on('close', () => clearInterval(timer));
  },
  // A 2 MiB line (past ssespec's 1 MiB line limit) that ends; then a tick every TICK_MS.
  'huge-line-that-ends'(req, res) {
    res.writeHead(200, SSE_HEADERS);
    res.write('data: ' + 'x'.repeat(2 << 20) + '\n\n');
    const timer = setInterval(() => res.write('data: tick\n\n'), TICK_MS);
    res.on('close', () => clearInterval(timer));
  },
  // Pretty-printed JSON: only the first line carries `data:`.
  'pretty-json'(req, res) {
    res.writeHead(200, SSE_HEADERS);
    res.flushHeaders();
    const timer = setInterval(() => res.write(`data: ${JSON.stringify({ tick: 1, ok: true }, null, 2)}\n\n`), TICK_MS);
    res.on('close', () => clearInterval(timer));
  },
  // Answers its first request with a good stream and never answers another.
  'answers-once'(req, res) {
    answered += 1;
    if (answered === 1) scenarios.good(req, res);
  },
  // Serves one response, then stops listening: later connections are refused.
  'stops-accepting'(req, res) {
    server.close();
    scenarios.good(req, res);
  },
  // Field lines clients ignore: a typo, a retry with a unit, an id with U+0000.
  'lint-fields'(req, res) {
    res.writeHead(200, SSE_HEADERS);
    res.flushHeaders();
    res.write('retry: 3s\n\n');
    let n = 0;
    const timer = setInterval(() => { n += 1; res.write(`id: ${n}\ndate: ${n}\ndata: tick ${n}\n\n`); }, TICK_MS);
    res.on('close', () => clearInterval(timer));
  },
};

const name = process.argv[2];
const handler = scenarios[name];
if (!handler) {
  console.error(`scenarios.js: unknown scenario "${name}"; one of: ${Object.keys(scenarios).join(', ')}`);
  process.exit(2);
}
const server = http.createServer((req, res) => {
  res.on('error', () => {});
  handler(req, res);
});
server.listen(Number(process.argv[3] || 0), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
