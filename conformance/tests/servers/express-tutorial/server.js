// The SSE endpoint as a widely copied Express tutorial writes it, bugs kept on purpose:
//  1. each update is `data: <ISO timestamp>` with no line break at all, so the whole stream is
//     one line that never ends and no client ever dispatches an event;
//  2. on client close it calls clearInterval() without the timer's id, so the timer keeps
//     writing to a closed response.
// Usage: node server.js PORT   (0 picks a free port; prints "listening PORT")
'use strict';
const express = require('express');

const app = express();

app.get('/events', (req, res) => {
  res.setHeader('Content-Type', 'text/event-stream');
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('Connection', 'keep-alive');
  res.flushHeaders();

  setInterval(() => {
    res.write(`data: ${new Date().toISOString()}`);
  }, 1000);

  req.on('close', () => {
    clearInterval();
  });
});

const port = Number(process.argv[2] || 0);
const server = app.listen(port, '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
