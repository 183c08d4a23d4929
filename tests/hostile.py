"""A small hostile HTTP/1.1 server on loopback whose answers each test scripts, byte by byte if needed.

Each connection runs in its own thread and may carry several requests (keep-alive). The test's
``respond(request, conn)`` writes whatever it wants to ``conn`` (slow bytes, gzip bombs, lies);
:func:`answer` builds an ordinary response. The server stops trickling when the client hangs up
or the server closes.
"""

from __future__ import annotations

import json
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    """One request as the server read it."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.target).query)

    def json(self) -> Any:
        return json.loads(self.body)


def answer(
    status: int,
    body: bytes | str | Any = b"",
    headers: Mapping[str, str] | None = None,
    *,
    close: bool = False,
) -> bytes:
    """Return a complete response: JSON for a dict/list, text or bytes as given."""
    if isinstance(body, dict | list):
        payload = json.dumps(body).encode()
        content_type = "application/json"
    elif isinstance(body, str):
        payload = body.encode()
        content_type = "application/json"
    else:
        payload = body
        content_type = "application/json"
    lines = [f"HTTP/1.1 {status} X", f"Content-Type: {content_type}", f"Content-Length: {len(payload)}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


Respond = Callable[[Request, "Conn"], None]


@dataclass
class Conn:
    """The server side of one connection, as a test writes to it."""

    sock: socket.socket
    stopping: threading.Event

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def trickle(self, data: bytes, *, every: float) -> None:
        """Send ``data`` one byte at a time, ``every`` seconds apart (until the client hangs up)."""
        for index in range(len(data)):
            if self.stopping.wait(every):
                return
            self.sock.sendall(data[index : index + 1])


@dataclass
class HostileServer:
    """The running server: its URL, and every request it read."""

    url: str
    requests: list[Request] = field(default_factory=list)

    def paths(self) -> list[str]:
        return [request.path for request in self.requests]


def _read_request(reader: Any) -> Request | None:
    line = reader.readline(65537)
    if not line:
        return None
    method, target, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while True:
        header = reader.readline(65537)
        if header in (b"\r\n", b"\n", b""):
            break
        name, _, value = header.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    body = reader.read(length) if length else b""
    return Request(method=method, target=target, headers=headers, body=body)


@contextmanager
def hostile_server(respond: Respond) -> Iterator[HostileServer]:
    """Run a server on 127.0.0.1 answering with ``respond``; stop it (and its trickles) on exit."""
    stopping = threading.Event()
    holder: dict[str, HostileServer] = {}

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            reader = self.request.makefile("rb")
            conn = Conn(sock=self.request, stopping=stopping)
            try:
                while not stopping.is_set():
                    request = _read_request(reader)
                    if request is None:
                        return
                    holder["server"].requests.append(request)
                    respond(request, conn)
            except (OSError, ValueError):
                return

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    with Server(("127.0.0.1", 0), Handler) as server:
        host, port = server.server_address[:2]
        holder["server"] = HostileServer(url=f"http://{host}:{port}")
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        try:
            yield holder["server"]
        finally:
            stopping.set()
            server.shutdown()
            thread.join(5)
            time.sleep(0)  # let handler threads see the stop


def connection_env(url: str, **extra: Any) -> str:
    """The JSON of a ``hubassoc`` connection to ``url`` (private-app token unless OAuth extras given)."""
    fields: dict[str, Any] = {"conn_type": "hubassoc", "host": url, "extra": extra}
    if "client_secret" not in extra:
        fields["password"] = "pat-na1-HOSTILE-TOKEN-0123"
    return json.dumps(fields)
