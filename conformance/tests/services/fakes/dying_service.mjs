// A fake test service that dies (issue 18): it declares no capabilities, accepts the first
// stream (201 with a Location), then exits, so every later request is refused. Prints
// "listening on URL" once it accepts connections. Binds 127.0.0.1 only.
import http from 'node:http';

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ capabilities: [] }));
  } else if (req.method === 'POST' && req.url === '/') {
    res.writeHead(201, { Location: '/streams/1', Connection: 'close' });
    res.end(() => process.exit(0));
  } else {
    res.writeHead(404);
    res.end();
  }
});
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
