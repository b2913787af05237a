// SSE endpoints on real frameworks, each as its documentation shows, for `ssespec server`:
// the correct ones (every check passes) and the classic mistakes (each must FAIL).
// Usage: node servers.js NAME [PORT]   (port 0 picks a free one; prints "listening PORT")
// Every endpoint is GET /events on 127.0.0.1; correct ones send `id: n` + `data: tick n` every
// TICK_MS and resume after a numeric Last-Event-ID.
'use strict';
const http = require('http');

const TICK_MS = 100;

function lastId(value) {
  return typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : 0;
}

// express 5 writing the stream by hand, correctly: head flushed, blank line after each event.
function expressApp(useCompression, padding = 0, tickMs = TICK_MS, extraFields = {}) {
  const express = require('express');
  const app = express();
  // The classic mistake: compression() for the whole app, and no res.flush() per event.
  if (useCompression) app.use(require('compression')());
  app.get('/events', (req, res) => {
    res.set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', ...extraFields });
    res.flushHeaders();
    let n = lastId(req.get('Last-Event-ID'));
    const timer = setInterval(() => {
      n += 1;
      res.write(`id: ${n}\ndata: tick ${n}${' '.repeat(padding)}\n\n`);
    }, tickMs);
    req.on('close', () => clearInterval(timer));
  });
  return app;
}

const servers = {
  express5: (port, ready) => {
    const server = expressApp(false).listen(port, '127.0.0.1', () => ready(server.address().port));
  },
  // Events of about 1 KB: a proxy's buffer fills after a few of them.
  'express5-1k': (port, ready) => {
    const server = expressApp(false, 1000).listen(port, '127.0.0.1', () => ready(server.address().port));
  },
  // An event a second: a proxy that holds the head until the first bytes shows it (h2/h2_servers_test.sh).
  'express5-slow': (port, ready) => {
    const server = expressApp(false, 0, 1000).listen(port, '127.0.0.1', () => ready(server.address().port));
  },
  // HTTP/1.1 connection fields a proxy speaking HTTP/2 must drop (h2/h2_servers_test.sh, nginx).
  'express5-upgrade': (port, ready) => {
    const app = expressApp(false, 0, TICK_MS, { Upgrade: 'h2c', 'Proxy-Connection': 'keep-alive' });
    const server = app.listen(port, '127.0.0.1', () => ready(server.address().port));
  },
  'express5-compression': (port, ready) => {
    const server = expressApp(true).listen(port, '127.0.0.1', () => ready(server.address().port));
  },
  // The tutorial with the `\n` it lacks added, still without the blank line: `data: <time>\n`
  // once a second, so every line joins one event that never ends.
  'express5-single-newline': (port, ready) => {
    const app = require('express')();
    app.get('/events', (req, res) => {
      res.setHeader('Content-Type', 'text/event-stream');
      res.setHeader('Cache-Control', 'no-cache');
      res.setHeader('Connection', 'keep-alive');
      res.flushHeaders();
      const timer = setInterval(() => res.write(`data: ${new Date().toISOString()}\n`), 1000);
      req.on('close', () => clearInterval(timer));
    });
    const server = app.listen(port, '127.0.0.1', () => ready(server.address().port));
  },
  'better-sse': (port, ready) => {
    const { createSession } = require('better-sse');
    const server = http.createServer(async (req, res) => {
      const session = await createSession(req, res);
      let n = lastId(session.lastId);
      const timer = setInterval(() => {
        n += 1;
        session.push(`tick ${n}`, 'message', String(n));
      }, TICK_MS);
      session.on('disconnected', () => clearInterval(timer));
    });
    server.listen(port, '127.0.0.1', () => ready(server.address().port));
  },
  hono: (port, ready) => {
    const { Hono } = require('hono');
    const { streamSSE } = require('hono/streaming');
    const { serve } = require('@hono/node-server');
    const app = new Hono();
    app.get('/events', (c) =>
      streamSSE(c, async (stream) => {
        let n = lastId(c.req.header('Last-Event-ID'));
        let open = true;
        stream.onAbort(() => { open = false; });
        while (open) {
          n += 1;
          await stream.writeSSE({ id: String(n), data: `tick ${n}` });
          await stream.sleep(TICK_MS);
        }
      }));
    serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => ready(info.port));
  },
  'fastify-sse': async (port, ready) => {
    const fastify = require('fastify')();
    await fastify.register(require('@fastify/sse'));
    fastify.get('/events', { sse: true }, async (request, reply) => {
      // As the plugin's "Connection Management" example: keepAlive(), a first send (which
      // writes the head), then a timer.
      reply.sse.keepAlive();
      let n = lastId(reply.sse.lastEventId) + 1;
      await reply.sse.send({ id: String(n), data: `tick ${n}` });
      const timer = setInterval(() => {
        n += 1;
        if (reply.sse.isConnected) reply.sse.send({ id: String(n), data: `tick ${n}` });
      }, TICK_MS);
      reply.sse.onClose(() => clearInterval(timer));
    });
    await fastify.listen({ port, host: '127.0.0.1' });
    ready(fastify.server.address().port);
  },
};

const name = process.argv[2];
if (!servers[name]) {
  console.error(`servers.js: unknown server "${name}"; one of: ${Object.keys(servers).join(', ')}`);
  process.exit(2);
}
servers[name](Number(process.argv[3] || 0), (port) => console.log(`listening ${port}`));
