"""The client for SSB's APIs (PxWebApi v2 and Klass): one call at a time, spaced, retried,
bounded, and cached on disk.

SSB's limits shape it: calls are spaced to about 30 a minute, and 429, 5xx and
timeouts are retried with backoff. A 4xx is not retried: it stops with SSB's own
message, the table and the codes asked for. Each call is bounded (``http``):
``limits.DEADLINE`` seconds from start to last byte, ``limits.MAX_RESPONSE_BYTES`` of
answer, redirects only within SSB's host. Every response is cached on disk
(``store.cache_dir``), keyed by the query, so a second ``fetch`` asks nothing unless
``refresh``.

Settings: ``KOMMUNERAPPORT_SSB_URL`` (PxWebApi v2 base) and ``KOMMUNERAPPORT_KLASS_URL``
(Klass base).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kommunerapport import files
from kommunerapport.errors import FetchError
from kommunerapport.sources import guard, limits
from kommunerapport.sources.ssb import http as transport
from kommunerapport.sources.ssb.store import cache_dir, unwritable
from kommunerapport.sources.throttle import Throttle

BASE_URL = "https://data.ssb.no/api/pxwebapi/v2"


KLASS_URL = "https://data.ssb.no/api/klass/v1"


USER_AGENT = "kommunerapport (KS; https://www.ks.no)"


MIN_INTERVAL = 2.0  # seconds between calls: SSB allows about 30 a minute


RETRIES = 5  # attempts per call on 429, 5xx and timeouts


BACKOFF = 2.0  # first wait; doubles on each retry


MAX_WAIT = 60.0


TIMEOUT = 30.0


def base_url() -> str:
    return os.environ.get("KOMMUNERAPPORT_SSB_URL", BASE_URL).rstrip("/")


def klass_url() -> str:
    return os.environ.get("KOMMUNERAPPORT_KLASS_URL", KLASS_URL).rstrip("/")


@dataclass
class Request:
    url: str
    method: str = "GET"
    body: dict[str, Any] | None = None  # a JSON query
    table: str = ""  # for messages: «tabell 12134», «Klass 131»
    asked: str = ""  # for messages: the codes asked for

    def key(self) -> str:
        text = json.dumps([self.method, self.url, self.body], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:20]


class Client:
    """PxWebApi and Klass calls: throttled, retried, cached.

    ``sleep`` and ``clock`` are injectable so tests need not wait.
    """

    def __init__(self, cache: Path | None = None, *, refresh: bool = False,
                 offline: bool = False, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic,
                 min_interval: float | None = None, retries: int | None = None,
                 backoff: float | None = None, timeout: float | None = None,
                 deadline: float | None = None, max_bytes: int | None = None) -> None:
        self.cache = (cache or cache_dir()) / "ssb"
        self.refresh, self.offline = refresh, offline
        self.sleep, self.clock = sleep, clock
        self.min_interval = MIN_INTERVAL if min_interval is None else min_interval
        self.retries = RETRIES if retries is None else retries
        self.backoff = BACKOFF if backoff is None else backoff
        self.timeout = TIMEOUT if timeout is None else timeout
        self.deadline = limits.DEADLINE if deadline is None else deadline
        self.max_bytes = limits.MAX_RESPONSE_BYTES if max_bytes is None else max_bytes
        self.calls = 0  # HTTP requests actually sent
        self.throttle = Throttle(self.min_interval, clock=clock, sleep=sleep)

    # -- cache
    def cache_path(self, req: Request) -> Path:
        name = re.sub(r"[^0-9A-Za-z]+", "-", req.table).strip("-") or "ssb"
        return self.cache / f"{name}-{req.key()}.json"

    def cached(self, req: Request) -> Any | None:
        path = self.cache_path(req)
        if self.refresh or not path.exists():
            return None
        try:  # within the limits: a cache entry is a file anyone could have replaced
            data = limits.read_bytes(path, limits.MAX_RESPONSE_BYTES * 2, ValueError)
            guard.check_json(data, ValueError)
            return json.loads(data.decode("utf-8"))["response"]
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            return None  # a damaged entry is fetched again

    def _store(self, req: Request, response: Any) -> None:
        path = self.cache_path(req)
        entry = {"url": req.url, "method": req.method, "body": req.body,
                 "fetched": datetime.now(UTC).isoformat(timespec="seconds"),
                 "updated": response.get("updated") if isinstance(response, dict) else None,
                 "response": response}
        try:
            files.write_text(path, json.dumps(entry, ensure_ascii=False))
        except OSError as exc:
            raise FetchError(unwritable(path.parent, exc)) from None

    def get_json(self, req: Request) -> Any:
        """The response to ``req``, from the cache or from SSB."""
        hit = self.cached(req)
        if hit is not None:
            return hit
        if self.offline:
            raise FetchError(f"{req.table}: ikke hentet ennå, og --offline hindrer nedlasting. "
                             "Kjør «kommunerapport fetch» uten --offline.")
        response = self._send(req)
        self._store(req, response)
        return response

    # -- network
    def _throttle(self) -> None:
        self.throttle.wait()

    def _json(self, req: Request, body: bytes) -> Any:
        """The answer as JSON, its nesting and size checked before it is parsed."""
        def fail(problem: str) -> FetchError:
            return FetchError(f"{req.table}: SSBs svar: {problem}")

        guard.check_json(body, fail)
        try:
            return json.loads(body.decode("utf-8-sig"))
        except ValueError:
            raise FetchError(f"{req.table}: SSB svarte med noe som ikke er JSON "
                             f"({req.url}).") from None

    def _send(self, req: Request) -> Any:
        data = None
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if req.body is not None:
            data = json.dumps(req.body).encode()
            headers["Content-Type"] = "application/json"
        problem = ""
        asked_wait = 0.0  # what SSB's Retry-After asked for, if anything
        for attempt in range(self.retries):
            if attempt:  # one wait: the backoff, or longer if SSB asked for it
                self.sleep(max(asked_wait, min(self.backoff * 2 ** (attempt - 1), MAX_WAIT)))
            asked_wait = 0.0
            self._throttle()
            self.calls += 1
            request = urllib.request.Request(req.url, data=data, headers=headers,
                                             method=req.method)
            try:
                body = transport.call(request, timeout=self.timeout, deadline=self.deadline,
                                      max_bytes=self.max_bytes)
            except transport.Status as exc:
                if exc.code == 429 or exc.code >= 500:
                    problem = f"HTTP {exc.code}"
                    retry_after = exc.headers.get("Retry-After", "")
                    if retry_after.isdigit():
                        asked_wait = min(float(retry_after), MAX_WAIT)
                    continue
                raise FetchError(refusal(req, exc.code, exc.text)) from None
            except transport.ResponseTooLarge as exc:
                said = "sier det skal bli" if exc.declared else "var allerede"
                raise FetchError(f"{req.table}: svaret fra SSB {said} {limits.size(exc.size)}, "
                                 f"over grensen for svar fra SSB på "
                                 f"{limits.size(self.max_bytes)}; avbrutt ({req.url}).") from None
            except transport.DeadlineExceeded:
                raise FetchError(f"{req.table}: SSB brukte over {self.deadline:g} s på svaret, "
                                 f"grensen for ett kall; avbrutt ({req.url}). Prøv igjen "
                                 "senere; det som er hentet, er lagret.") from None
            except transport.Redirect as exc:
                why = (f"til en annen adresse ({transport.origin(exc.url)[1]}:"
                       f"{transport.origin(exc.url)[2]}), som kommunerapport ikke følger"
                       if exc.reason == "off-host" else
                       "på en POST-spørring, som ville blitt gjort om til GET og gitt et annet "
                       "utvalg")
                raise FetchError(f"{req.table}: SSB viste videre (HTTP {exc.code}) {why}; "
                                 f"avbrutt ({req.url}).") from None
            except TimeoutError as exc:
                problem = f"tidsavbrudd etter {self.timeout:g} s ({exc})"
                continue
            except urllib.error.URLError as exc:
                if isinstance(exc.reason, TimeoutError):
                    problem = f"tidsavbrudd etter {self.timeout:g} s"
                elif local_network(exc.reason, req.url):
                    raise FetchError(f"{req.table}: {local_network(exc.reason, req.url)}; sjekk "
                                     "nettverket (og en eventuell proxy) på denne maskinen – "
                                     "feilen er ikke hos SSB. Det som er hentet, er "
                                     "lagret.") from None
                else:
                    problem = f"ingen forbindelse ({exc.reason})"
                continue
            except (http.client.HTTPException, ConnectionError) as exc:
                # RemoteDisconnected, ConnectionResetError, IncompleteRead: the line
                # dropped mid-answer, which the next attempt usually survives.
                problem = f"forbindelsen ble brutt ({type(exc).__name__})"
                continue
            return self._json(req, body)
        raise FetchError(f"{req.table}: SSB svarte ikke etter {self.retries} forsøk "
                         f"(siste feil: {problem}). Prøv igjen senere; det som er hentet, "
                         "er lagret.")


def local_network(reason: object, url: str) -> str:
    """What is wrong on this machine's side when a call cannot start: no name lookup, no
    route, no network; "" when it may be SSB (a refused or dropped connection)."""
    import errno
    import socket

    if isinstance(reason, socket.gaierror):
        return (f"navnet {urllib.parse.urlsplit(url).hostname or 'SSB'} kan ikke slås "
                f"opp (ingen navnetjener eller ingen nettverksforbindelse: {reason.strerror})")
    if isinstance(reason, OSError) and reason.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH,
                                                         errno.ENETDOWN):
        return f"maskinen har ingen vei ut på nettet ({reason.strerror})"
    return ""


def refusal(req: Request, status: int, body: str) -> str:
    """One line from SSB's error: its own title, the table, the codes asked for."""
    title = ""
    try:
        doc = json.loads(body)
        title = str(doc.get("title") or doc.get("detail") or doc.get("type") or "")
    except (ValueError, AttributeError):
        pass
    asked = f" ({req.asked})" if req.asked else ""
    if title:
        return f"SSB avviste spørringen mot {req.table}{asked}: «{title}» (HTTP {status})."
    if body.lstrip().startswith("<"):
        return (f"SSB svarte HTTP {status} med en HTML-side for {req.table}{asked}; "
                f"adressen er trolig for lang ({len(req.url)} tegn).")
    return f"SSB avviste spørringen mot {req.table}{asked} (HTTP {status})."
