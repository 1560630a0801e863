"""One throttle for everything that must not call too often: SSB's API, an SMTP server.

``Throttle(min_interval)`` spaces calls at least that many seconds apart;
``Throttle.per_minute(n)`` allows n a minute (``send --rate 30/min``).
The clock and sleep are injectable so tests record the waits instead of waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class Throttle:
    """Wait before a call until ``min_interval`` seconds have passed since the last one."""

    def __init__(self, min_interval: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.min_interval = max(min_interval, 0.0)
        self.clock, self.sleep = clock, sleep
        self.last: float | None = None

    @classmethod
    def per_minute(cls, calls: float | None, *, clock: Callable[[], float] = time.monotonic,
                   sleep: Callable[[float], None] = time.sleep) -> Throttle:
        """At most ``calls`` a minute; None or 0 means no limit."""
        return cls(60.0 / calls if calls else 0.0, clock=clock, sleep=sleep)

    def wait(self) -> float:
        """Sleep as long as needed, mark the call, and return how long it slept."""
        slept = 0.0
        if self.min_interval and self.last is not None:
            slept = self.last + self.min_interval - self.clock()
            if slept > 0:
                self.sleep(slept)
            else:
                slept = 0.0
        self.last = self.clock()
        return slept
