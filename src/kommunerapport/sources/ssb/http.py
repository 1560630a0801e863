"""One HTTP call, bounded: an overall deadline, a cap on the answer's size, redirects only
within the host asked.

urllib alone times out only a silent socket: a server that sends a byte every five
seconds is never stopped, an answer of 3 GB is read whole into memory, and a
redirect to another host is followed (a POST turned into a GET on the way, which
for PxWebApi means the table's default selection instead of the one asked for).
Here a timer closes the socket when the deadline passes, the body is read in
chunks against the cap (after the declared Content-Length is checked), and a
redirect is followed only to the same scheme, host and port (or http → https on
the same host), keeping a POST a POST (307/308) and refusing the rest.

The caller (``client.Client``) turns these exceptions into its own messages.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from email.message import Message
from typing import IO

ERROR_BODY_BYTES = 65_536  # an error answer is read this far, for SSB's own words
CHUNK = 65_536


class Status(Exception):
    """An HTTP error status with (the start of) its body."""

    def __init__(self, code: int, headers: Message, text: str) -> None:
        super().__init__(f"HTTP {code}")
        self.code, self.headers, self.text = code, headers, text


class ResponseTooLarge(Exception):
    """The answer passed the cap; ``declared`` when its Content-Length said so up front."""

    def __init__(self, size: int, declared: bool) -> None:
        super().__init__(f"{size} bytes")
        self.size, self.declared = size, declared


class DeadlineExceeded(Exception):
    """The call took longer than its deadline, whatever the server was sending."""


class Redirect(Exception):
    """A redirect that is not followed: off the host asked, or one that would make a
    POST a GET."""

    def __init__(self, code: int, url: str, reason: str) -> None:
        super().__init__(f"HTTP {code} → {url}")
        self.code, self.url, self.reason = code, url, reason


def origin(url: str) -> tuple[str, str, int]:
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, (parts.hostname or "").lower(), port


def same_host(old: str, new: str) -> bool:
    """The same scheme, host and port, or the same host moved from http to https."""
    a, b = origin(old), origin(new)
    return a == b or (a[1] == b[1] and a[:1] + a[2:] == ("http", 80)
                      and b[:1] + b[2:] == ("https", 443))


class _SameHost(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str,
                         headers: http.client.HTTPMessage,
                         newurl: str) -> urllib.request.Request | None:
        newurl = urllib.parse.urljoin(req.full_url, newurl)
        if not same_host(req.full_url, newurl):
            fp.close()
            raise Redirect(code, newurl, "off-host")
        if req.get_method() == "POST":
            if code not in (307, 308):
                fp.close()
                raise Redirect(code, newurl, "post-to-get")
            return urllib.request.Request(newurl, data=req.data, headers=dict(req.headers),
                                          method="POST", origin_req_host=req.origin_req_host,
                                          unverifiable=True)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class _Watch:
    """Closes every socket of one call when its deadline passes."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            self._socks.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._socks:
                _shut(sock)

    def __enter__(self) -> _Watch:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


def _opener(watch: _Watch) -> urllib.request.OpenerDirector:
    class Connection(http.client.HTTPConnection):
        def connect(self) -> None:
            super().connect()
            watch.add(self.sock)

    class SecureConnection(http.client.HTTPSConnection):
        def connect(self) -> None:
            super().connect()
            watch.add(self.sock)

    class Plain(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(Connection, req)

    class Secure(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            # HTTPSHandler keeps its SSL context in _context, which typeshed does not declare
            return self.do_open(SecureConnection, req,
                                context=self._context)  # type: ignore[attr-defined]

    return urllib.request.build_opener(Plain(), Secure(), _SameHost())


def call(request: urllib.request.Request, *, timeout: float, deadline: float,
         max_bytes: int) -> bytes:
    """The body of a 2xx answer to ``request``, within ``deadline`` seconds and ``max_bytes``.

    Raises ``Status`` (an error status), ``ResponseTooLarge``, ``DeadlineExceeded``,
    ``Redirect``, or what urllib and http.client raise for a failed connection
    (``TimeoutError`` when the socket is silent for ``timeout`` seconds).
    """
    with _Watch(deadline) as watch:
        try:
            with _opener(watch).open(request, timeout=timeout) as resp:
                declared = resp.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise ResponseTooLarge(int(declared), declared=True)
                chunks, total = [], 0
                while chunk := resp.read(CHUNK):
                    total += len(chunk)
                    if total > max_bytes:
                        raise ResponseTooLarge(total, declared=False)
                    chunks.append(chunk)
                if declared.isdigit() and total < int(declared) and not watch.expired:
                    # read(n) returns what came before the line dropped; read() would
                    # have raised, so do the same
                    raise http.client.IncompleteRead(b"".join(chunks), int(declared) - total)
        except urllib.error.HTTPError as exc:
            try:
                text = exc.read(ERROR_BODY_BYTES).decode("utf-8", "replace")
            except (OSError, http.client.HTTPException):
                text = ""
            if watch.expired:
                raise DeadlineExceeded from None
            raise Status(exc.code, exc.headers, text) from None
        except (OSError, http.client.HTTPException):
            if watch.expired:  # the timer closed the socket
                raise DeadlineExceeded from None
            raise
        if watch.expired:  # the socket was closed before the answer was whole
            raise DeadlineExceeded
        return b"".join(chunks)
