// Test servers for the transport half of `ssespec server`: TLS (HTTP/1.1 only, or HTTP/2 with
// HTTP/1.1 allowed), compressed and flushed streams, and raw-socket responses whose HTTP
// framing is broken on purpose (or valid but beyond what POCO 1.11 reads).
// Usage: node transport_servers.js SCENARIO [CERT KEY] PORT   (port 0: a free one; prints
// "listening PORT"). Binds 127.0.0.1 only; every path serves the scenario.
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');
const http2 = require('http2');
const net = require('net');
const zlib = require('zlib');

const [scenario, ...rest] = process.argv.slice(2);
const port = Number(rest.pop());
const [certFile, keyFile] = rest;
const TICK_MS = 100;
const SSE_HEAD = 'Content-Type: text/event-stream\r\nCache-Control: no-store\r\n';

// A correct stream: an event with an id every TICK_MS, until the client goes.
function tick(write, onClose) {
  let n = 0;
  const timer = setInterval(() => write(`id: ${++n}\ndata: tick ${n}\n\n`), TICK_MS);
  onClose(() => clearInterval(timer));
}

function sse(req, res) {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
  tick((text) => res.write(text), (stop) => res.on('close', stop));
}

// Compressed, and flushed after every event, as a correct compressing server must.
function compressed(coding) {
  const make = { gzip: zlib.createGzip, deflate: zlib.createDeflate, br: zlib.createBrotliCompress }[coding];
  return (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', 'Content-Encoding': coding });
    const z = make();
    z.pipe(res);
    tick((text) => { z.write(text); z.flush(); }, (stop) => res.on('close', () => { stop(); z.destroy(); }));
  };
}

function hex(n, digits) { return n.toString(16).padStart(digits, '0'); }
function chunk(text, digits) { return hex(Buffer.byteLength(text), digits) + '\r\n' + text + '\r\n'; }

// Raw responses: each writes exact bytes and then keeps the connection open (as a stream
// would) unless it says otherwise.
const EVENT = 'id: 1\ndata: one\n\n';
const raw = {
  'chunk-zz': () => `HTTP/1.1 200 OK\r\n${SSE_HEAD}Transfer-Encoding: chunked\r\n\r\n${chunk(EVENT, 2)}zz\r\nabc\r\n`,
  'chunk-24-hex': () => `HTTP/1.1 200 OK\r\n${SSE_HEAD}Transfer-Encoding: chunked\r\n\r\n${chunk(EVENT, 2)}FFFFFFFFFFFFFFFFFFFFFFFF\r\ndata: x\n\n`,
  'chunk-negative': () => `HTTP/1.1 200 OK\r\n${SSE_HEAD}Transfer-Encoding: chunked\r\n\r\n${chunk(EVENT, 2)}-5\r\nabcde\r\n`,
  'chunk-size-mismatch': () => `HTTP/1.1 200 OK\r\n${SSE_HEAD}Transfer-Encoding: chunked\r\n\r\n5\r\n${EVENT}\r\n`,
  'content-length-negative': () => `HTTP/1.1 200 OK\r\n${SSE_HEAD}Content-Length: -1\r\n\r\n${EVENT}`,
  'content-length-abc': () => `HTTP/1.1 200 OK\r\n${SSE_HEAD}Content-Length: abc\r\n\r\n${EVENT}`,
  'length-and-chunked': () =>
    `HTTP/1.1 200 OK\r\n${SSE_HEAD}Content-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n${chunk(EVENT, 2)}${chunk('id: 2\ndata: two\n\n', 2)}`,
  'http-9.9': () => `HTTP/9.9 200 OK\r\n${SSE_HEAD}\r\n${EVENT}`,
  'redirect-loop': (path) =>
    `HTTP/1.1 302 Found\r\nLocation: ${path === '/a' ? '/b' : '/a'}\r\nContent-Length: 0\r\n\r\n`,
  // Valid: chunk sizes of 12 hex digits (leading zeros; POCO 1.11 reads 8), one of them a
  // 2 MiB chunk of 2,048 events, kept open.
  'chunk-12-hex': () =>
    `HTTP/1.1 200 OK\r\n${SSE_HEAD}Transfer-Encoding: chunked\r\n\r\n${chunk(EVENT, 12)}${chunk('id: 2\ndata: two\n\n', 12)}` +
    chunk(Array.from({ length: 2048 }, (_, i) => `data: ${'x'.repeat(1016)}\n\n`).join(''), 12) +
    chunk('id: 4\ndata: four\n\n', 12),
  // Valid and finished: the last chunk and a trailer end the response.
  'chunk-finished': () =>
    `HTTP/1.1 200 OK\r\n${SSE_HEAD}Transfer-Encoding: chunked\r\n\r\n${chunk(EVENT, 4)}0\r\nX-Trailer: yes\r\n\r\n`,
};

let server;
if (raw[scenario]) {
  server = net.createServer((socket) => {
    let head = '';
    socket.on('data', (data) => {
      if (head.includes('\r\n\r\n')) return;
      head += data.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      const path = head.split(' ')[1];
      socket.write(Buffer.from(raw[scenario](path), 'latin1'));
      if (scenario === 'chunk-finished' || scenario === 'redirect-loop') socket.end();
    });
    socket.on('error', () => {});
    socket.setTimeout(20000, () => socket.destroy());
  });
} else if (scenario.startsWith('compressed-')) {
  server = http.createServer(compressed(scenario.slice('compressed-'.length)));
} else if (scenario === 'tls-http1') {
  server = https.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) }, sse);
} else if (scenario === 'tls-h2') {
  server = http2.createSecureServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile), allowHTTP1: true }, sse);
} else if (scenario === 'plain') {
  server = http.createServer(sse);
} else {
  console.error(`unknown scenario ${scenario}`);
  process.exit(2);
}
server.listen(port, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
// Never outlive a test that forgot to stop us.
setTimeout(() => process.exit(0), 120000).unref();
