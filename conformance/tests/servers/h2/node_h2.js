// SSE endpoints on Node's `http2` module over TLS (ALPN h2 only), for h2_servers_test.sh.
// Usage: node node_h2.js MODE CERT KEY   (prints "listening PORT")
// Modes:
//   core           the core API: stream.respond() with lowercase fields, then an event each 100 ms
//   core-max-concurrent  the same with settings { maxConcurrentStreams: 2 }: a third stream waits
//   compat         the compatibility API running the Express-style handler of the tutorials
//                  (Content-Type, Cache-Control, Connection: keep-alive, flushHeaders, res.write);
//                  Node drops `Connection` with a warning
//   compat-te      the same handler also setting Transfer-Encoding: chunked
//   compat-keep-alive  the same handler also setting Keep-Alive: timeout=5
//   compat-tutorial  the compatibility API running the handler of ../express-tutorial/server.js
//                  as published, bugs kept: `data: <time>` each second with no line break, and
//                  clearInterval() without the timer's id
// compat-te and compat-keep-alive throw ERR_HTTP2_INVALID_CONNECTION_HEADERS in setHeader(): the
// handler dies and the stream is never answered (as published: the error is only logged here).
'use strict';
const http2 = require('http2');
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const [mode, certFile, keyFile] = process.argv.slice(2);
const options = { cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) };

function tick(write, start) {
  let n = start;
  return setInterval(() => { n += 1; write(`id: ${n}\ndata: tick ${n}\n\n`); }, 100);
}

const extra = { 'compat-te': ['Transfer-Encoding', 'chunked'], 'compat-keep-alive': ['Keep-Alive', 'timeout=5'] };

// The seed tutorial's handler, taken from ../express-tutorial/server.js as published (it is inline
// there): the file runs with an `express` whose app only records the GET handler, so the handler
// moved to http2 is exactly the published one, bugs included.
function publishedTutorialHandler() {
  const file = path.join(__dirname, '..', 'express-tutorial', 'server.js');
  let handler;
  const recordingExpress = () => ({ get: (route, h) => { handler = h; }, listen: () => ({}) });
  const run = vm.compileFunction(fs.readFileSync(file, 'utf8'), ['require'], { filename: file });
  run((name) => (name === 'express' ? recordingExpress : require(name)));
  if (typeof handler !== 'function') throw new Error(`${file}: no app.get() handler`);
  return handler;
}

let server;
if (mode === 'core' || mode === 'core-max-concurrent') {
  server = http2.createSecureServer(mode === 'core' ? options : { ...options, settings: { maxConcurrentStreams: 2 } });
  server.on('stream', (stream, headers) => {
    stream.respond({ ':status': 200, 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    const timer = tick((s) => stream.write(s), Number(headers['last-event-id']) || 0);
    stream.on('close', () => clearInterval(timer));
  });
} else if (mode === 'compat' || mode in extra) {
  server = http2.createSecureServer(options, (req, res) => {
    try {
      res.setHeader('Content-Type', 'text/event-stream');
      res.setHeader('Cache-Control', 'no-cache');
      res.setHeader('Connection', 'keep-alive');
      if (mode in extra) res.setHeader(...extra[mode]);
      res.flushHeaders();
    } catch (error) {
      console.error(`handler threw ${error.code}`);
      return;  // as an Express app without an error handler for it: the stream is left unanswered
    }
    const timer = tick((s) => res.write(s), Number(req.headers['last-event-id']) || 0);
    req.on('close', () => clearInterval(timer));
  });
} else if (mode === 'compat-tutorial') {
  server = http2.createSecureServer(options, publishedTutorialHandler());
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
