#!/usr/bin/python3
# ssespec adapter (conformance/ADAPTERS.md) for Mastodon.py's streaming reader, Debian
# python3-mastodon 1.8: `python3 adapter.py URL`, one process per case. Written from its
# documentation: a StreamListener subclass whose on_<event> methods the reader calls, fed a
# `requests` response by StreamListener.handle_stream() (what Mastodon.stream_*() do on their
# own fixed URLs). Its API has no open event, no readyState and no event id: run with
# --cannot-report open,ready-state,last-event-id.
import json
import os
import sys
import threading

import requests
from mastodon.streaming import StreamListener

url = sys.argv[-1]
listened = {"message", "open", "error", *json.loads(os.environ.get("SSESPEC_LISTEN", "[]"))}
close_kind, _, close_count = (os.environ.get("SSESPEC_CLOSE_AFTER") or ":0").partition(":")
headers = json.loads(os.environ.get("SSESPEC_HEADERS", "{}"))  # capability headers: requests' own option

lock = threading.Lock()  # one line at a time: the reader thread and the stdin thread both print
seen = {}
closed = False
aborted = False  # the library reported a fatal error (on_abort)
response = None


def exit_now():
    # Exit at once, status 0: closing a response mid-read makes requests raise in the reader
    # thread, and interpreter shutdown must not turn that into a crash.
    sys.stdout.flush()
    os._exit(0)


def report(line):
    with lock:
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        kind = next(iter(line))
        seen[kind] = seen.get(kind, 0) + 1
        if kind == close_kind and seen[kind] == int(close_count):
            close()


def close():
    global closed
    closed = True
    if response is not None:
        response.close()  # the stream's end; the library has no close of its own
    sys.stdout.write(json.dumps({"closed": {"readyState": 2}}) + "\n")
    sys.stdout.flush()


class Reporter(StreamListener):
    # The reader calls on_<event name> with the event's data decoded as JSON (Mastodon's
    # events carry JSON); names it has no method for go to on_unknown_event. The data is
    # reported as the library hands it over: JSON text of the decoded value.
    def on_unknown_event(self, name, unknown_event=None):
        self.event(name, unknown_event)

    def event(self, name, payload):
        if not closed and name in listened:
            text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False, default=str)
            report({"message": {"type": name, "data": text, "lastEventId": ""}})

    def on_abort(self, err):
        # A fatal error: the reader raises it next and is done.
        global aborted
        aborted = True
        print(f"on_abort: {err!r}", file=sys.stderr)
        if not closed:
            report({"error": {"readyState": 2}})


# The event types Mastodon names have their own methods; report them like the rest.
for _name in ("update", "delete", "notification", "conversation", "announcement", "announcement_reaction",
              "announcement_delete", "status_update", "encrypted_message"):
    setattr(Reporter, "on_" + _name, lambda self, payload, _type=_name.replace("_", "."): self.event(_type, payload))
Reporter.on_filters_changed = lambda self: self.event("filters_changed", None)


def read():
    global response
    try:
        response = requests.get(url, headers=headers, stream=True, timeout=300)
        response.raise_for_status()
        Reporter().handle_stream(response)
    except Exception as err:  # noqa: BLE001 - the library's errors are reported, not crashed on
        # After close() the read fails as the response went away: not an error of the stream.
        print(f"the reader ended: {err!r}", file=sys.stderr)
        if not closed and not aborted:
            report({"error": {"readyState": 2}})


threading.Thread(target=read, daemon=True).start()
for command in sys.stdin:
    if command.strip() == "close" and not closed:
        with lock:
            close()
exit_now()
