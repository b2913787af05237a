#!/usr/bin/python3
# ssespec adapter (conformance/ADAPTERS.md) for Mastodon.py's streaming reader, Debian
# python3-mastodon 1.8. Written from its documentation: a StreamListener subclass whose
# on_<event> methods the reader calls, fed a `requests` response by StreamListener.handle_stream()
# (what Mastodon.stream_*() do on their own fixed URLs). Its API has no open event, no readyState
# and no event id: run with --cannot-report open,ready-state,last-event-id.
#
# Two modes, one per-case code (Case below):
# - per process: `python3 adapter.py URL`, one case, its settings in the SSESPEC_* environment;
# - SSESPEC_PERSISTENT=1 (`ssespec client --persistent`): every case in this one process, each on
#   a thread of its own, started by {"open":{"case":ID,...}} and closed by {"close":ID} on stdin;
#   each output line carries its case's id.
import json
import os
import sys
import threading
import traceback

import requests
from mastodon.streaming import StreamListener

lock = threading.Lock()  # one line at a time, and one case's state changed at a time: every thread prints


def exit_now(status=0):
    # Exit at once, with `status`: closing a response mid-read makes requests raise in the reader
    # thread, and interpreter shutdown must not turn that into a crash.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def write(line):
    sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
    sys.stdout.flush()


class Case:
    """One case: its client on `url`, its lines tagged with `case_id` (None per process)."""

    def __init__(self, case_id, url, listen, close_after, headers):
        self.case_id = case_id
        self.url = url
        self.listened = {"message", "open", "error", *listen}
        kind, _, count = (close_after or ":0").partition(":")
        self.close_kind, self.close_count = kind, int(count)
        self.headers = headers  # capability headers: requests' own option
        self.seen = {}
        self.closed = False
        self.aborted = False  # the library reported a fatal error (on_abort)
        self.response = None

    def log(self, text):
        prefix = "" if self.case_id is None else f"case {self.case_id}: "
        print(prefix + text, file=sys.stderr, flush=True)

    def report(self, line):
        with lock:
            write(line if self.case_id is None else {"case": self.case_id, **line})
            kind = next(iter(line))
            self.seen[kind] = self.seen.get(kind, 0) + 1
            if kind == self.close_kind and self.seen[kind] == self.close_count:
                self.close()

    def close(self, line=True):
        # Under `lock`. The stream's end; the library has no close of its own.
        self.closed = True
        if self.response is not None:
            self.response.close()
        if line:
            closed = {"closed": {"readyState": 2}}
            write(closed if self.case_id is None else {"case": self.case_id, **closed})

    def read(self):
        try:
            response = requests.get(self.url, headers=self.headers, stream=True, timeout=300)
            with lock:
                self.response = response
                if self.closed:  # closed while connecting
                    response.close()
                    return
            response.raise_for_status()
            Reporter(self).handle_stream(response)
        except Exception as err:  # noqa: BLE001 - the library's errors are reported, not crashed on
            # After close() the read fails as the response went away: not an error of the stream.
            self.log(f"the reader ended: {err!r}")
            if not self.closed and not self.aborted:
                self.report({"error": {"readyState": 2}})


class Reporter(StreamListener):
    # The reader calls on_<event name> with the event's data decoded as JSON (Mastodon's
    # events carry JSON); names it has no method for go to on_unknown_event. The data is
    # reported as the library hands it over: JSON text of the decoded value.
    def __init__(self, case):
        super().__init__()
        self.case = case

    def on_unknown_event(self, name, unknown_event=None):
        self.event(name, unknown_event)

    def event(self, name, payload):
        if not self.case.closed and name in self.case.listened:
            text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False, default=str)
            self.case.report({"message": {"type": name, "data": text, "lastEventId": ""}})

    def on_abort(self, err):
        # A fatal error: the reader raises it next and is done.
        self.case.aborted = True
        self.case.log(f"on_abort: {err!r}")
        if not self.case.closed:
            self.case.report({"error": {"readyState": 2}})


# The event types Mastodon names have their own methods; report them like the rest.
for _name in ("update", "delete", "notification", "conversation", "announcement", "announcement_reaction",
              "announcement_delete", "status_update", "encrypted_message"):
    setattr(Reporter, "on_" + _name, lambda self, payload, _type=_name.replace("_", "."): self.event(_type, payload))
Reporter.on_filters_changed = lambda self: self.event("filters_changed", None)


def start(case, on_crash):
    # The case's reader on a thread of its own; what escapes Case.read (not the library's
    # errors, which it reports) goes to on_crash with its traceback.
    def run():
        try:
            case.read()
        except BaseException:  # noqa: BLE001 - the thread's end, reported as the case's crash
            on_crash(traceback.format_exc())
    threading.Thread(target=run, daemon=True).start()


def per_process():
    case = Case(None, sys.argv[-1], json.loads(os.environ.get("SSESPEC_LISTEN", "[]")),
                os.environ.get("SSESPEC_CLOSE_AFTER"), json.loads(os.environ.get("SSESPEC_HEADERS", "{}")))

    def crash(text):
        sys.stderr.write(text)
        exit_now(1)
    start(case, crash)
    for command in sys.stdin:
        if command.strip() == "close":
            with lock:
                if not case.closed:
                    case.close()
    exit_now()


def persistent():
    cases = {}  # case id -> Case, until its {"close":ID}

    def crash_of(case):
        def crash(text):
            case.log(text)
            with lock:
                if cases.get(case.case_id) is case:  # a case already closed is over: nothing to say
                    del cases[case.case_id]
                    write({"case": case.case_id, "crashed": {"stderr": text}})
        return crash
    for line in sys.stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        if "open" in command:
            o = command["open"]
            case = Case(o["case"], o["url"], o.get("listen", []), o.get("closeAfter"), o.get("headers", {}))
            with lock:
                cases[case.case_id] = case
            start(case, crash_of(case))
        elif "close" in command:
            with lock:
                case = cases.pop(command["close"], None)
                if case is not None and not case.closed:
                    case.close()
    with lock:  # stdin closed: every case is over
        for case in cases.values():
            case.close(line=False)
    exit_now()


if __name__ == "__main__":
    persistent() if os.environ.get("SSESPEC_PERSISTENT") == "1" else per_process()
