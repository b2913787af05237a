"""A correct SSE endpoint on aiohttp (Debian's python3-aiohttp): GET /events sends `id: n` +
`data: tick n` every 100 ms, resuming after a numeric Last-Event-ID.
Usage: python3 server.py PORT   (0 picks a free port; prints "listening PORT")"""
import asyncio
import socket
import sys

from aiohttp import web


async def events(request):
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"})
    await response.prepare(request)  # sends the head
    last = request.headers.get("Last-Event-ID", "")
    n = int(last) if last.isdigit() else 0
    while True:
        await asyncio.sleep(0.1)
        n += 1
        await response.write(f"id: {n}\ndata: tick {n}\n\n".encode())


def main():
    sock = socket.socket()
    sock.bind(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0))
    print(f"listening {sock.getsockname()[1]}", flush=True)
    app = web.Application()
    app.router.add_get("/events", events)
    web.run_app(app, sock=sock, print=None, handle_signals=True)


if __name__ == "__main__":
    main()
