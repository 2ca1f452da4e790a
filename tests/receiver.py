"""A real HTTP endpoint for the webhook tests: a threading ``http.server`` on a loopback port the system
chose, answering each path as a robot, a webhook or a broken endpoint would, and keeping what it got."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)

    def json(self):
        return json.loads(self.body)


class Receiver:
    """Paths: ``/ok`` (200 ``{"errcode": 0}``, a robot that took the message), ``/wecom-refused``
    (200 ``{"errcode": 93000}``), ``/fail`` (500), ``/redirect`` (302 to ``/ok``), ``/slow`` (answers
    after ``slow_seconds``), ``/flaky`` (500 for the first ``flaky_failures`` hits, then 200)."""

    def __init__(self, *, slow_seconds: float = 3.0, flaky_failures: int = 2):
        self.hits: list[Hit] = []
        self.slow_seconds = slow_seconds
        self.flaky_failures = flaky_failures
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                path = self.path.split("?", 1)[0]
                with receiver._lock:
                    receiver.hits.append(Hit(path, dict(self.headers), body))
                    seen = sum(1 for h in receiver.hits if h.path == path)
                if path == "/slow":
                    time.sleep(receiver.slow_seconds)
                if path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", "/ok")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if path == "/fail" or (path == "/flaky" and seen <= receiver.flaky_failures):
                    return self._answer(500, b"internal error")
                if path == "/wecom-refused":
                    return self._answer(200, b'{"errcode": 93000, "errmsg": "invalid webhook url"}')
                if path in ("/ok", "/slow", "/flaky", "/hook"):
                    return self._answer(200, b'{"errcode": 0, "errmsg": "ok"}')
                return self._answer(404, b"no such path")

            def _answer(self, status: int, body: bytes):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:  # the client gave up (timeout)
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def to(self, path: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.path == path]
