#!/usr/bin/env python3
"""Hostile clients for bench/load_bench.sh, held until killed (or --max-seconds).

  attack.py PORT slowloris N PATH    N connections sending a request head one byte every 3 s
  attack.py PORT idle N              N connections that connect and send nothing
  attack.py PORT never-read PATH     one stream that is requested and never read
  attack.py PORT slow-read PATH      one stream read at 64 KiB per 100 ms

Prints one line per attacker when it is in place, and a summary when it ends.
"""
import argparse
import socket
import sys
import time


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.setblocking(False)
    return s


def request(path):
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("mode", choices=["slowloris", "idle", "never-read", "slow-read"])
    parser.add_argument("count_or_path")
    parser.add_argument("path", nargs="?", default="/demo/clock")
    parser.add_argument("--max-seconds", type=float, default=300)
    args = parser.parse_args()
    end = time.monotonic() + args.max_seconds
    closed_by_server = 0
    received = 0
    if args.mode in ("slowloris", "idle"):
        count = int(args.count_or_path)
        head = request(args.path)
        socks = [connect(args.port) for _ in range(count)]
        print(f"{args.mode}: {count} connections open", flush=True)
        sent = 0
        while time.monotonic() < end and socks:
            time.sleep(3)
            alive = []
            for s in socks:
                try:
                    if args.mode == "slowloris":
                        s.send(head[sent % len(head):sent % len(head) + 1])
                    else:
                        if s.recv(4096) == b"":
                            raise ConnectionError
                    alive.append(s)
                except BlockingIOError:
                    alive.append(s)
                except OSError:
                    closed_by_server += 1
                    # a real attacker comes back at once
                    try:
                        alive.append(connect(args.port))
                    except OSError:
                        pass
            socks = alive
            sent += 1
    else:
        s = socket.create_connection(("127.0.0.1", args.port), timeout=5)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        s.sendall(request(args.count_or_path))
        print(f"{args.mode}: requested {args.count_or_path}", flush=True)
        s.settimeout(1)
        while time.monotonic() < end:
            if args.mode == "never-read":
                time.sleep(1)
                continue
            try:
                chunk = s.recv(64 * 1024)
            except socket.timeout:
                continue
            except OSError:
                closed_by_server += 1
                break
            if not chunk:
                closed_by_server += 1
                break
            received += len(chunk)
            time.sleep(0.1)
    print(f"{args.mode}: ended; closed by the server {closed_by_server} times, {received} bytes read", flush=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
