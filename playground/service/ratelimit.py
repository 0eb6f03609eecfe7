"""What one client address may make in any 60 s: at most `per_minute` new sessions
(API.md 6.1; shares, exercises, classes and loaded model files count as sessions), and
separately at most `per_minute` uploaded datasets, so that a script or another web page
cannot flood the store. Counted, not timed per request: a sliding window of the times."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from .config import Limits
from .errors import Refused

WINDOW = 60.0  # seconds


class CreationLimiter:
    """Admits a new thing for an address, or refuses it (429 `code`, by default
    too_many_sessions)."""

    def __init__(self, per_minute: int = Limits.sessions_per_minute,
                 clock: Callable[[], float] = time.monotonic, *,
                 what: str = "new sessions", code: str = "too_many_sessions") -> None:
        self.per_minute, self.clock = per_minute, clock
        self.what, self.code = what, code
        self._created: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def admit(self, address: str) -> None:
        """Count one new thing for `address`, or refuse it with the seconds to wait."""
        with self._lock:
            now = self.clock()
            if len(self._created) > 1024:  # forget addresses quiet for a minute
                self._created = {a: t for a, t in self._created.items()
                                 if t and now - t[-1] < WINDOW}
            times = self._created.setdefault(address, deque())
            while times and now - times[0] >= WINDOW:
                times.popleft()
            if len(times) >= self.per_minute:
                wait = max(1, math.ceil(WINDOW - (now - times[0])))
                raise Refused(f"{self.per_minute} {self.what} a minute are allowed from one "
                              f"address; try again in {wait} s", self.code,
                              {"max": self.per_minute, "retry_after": wait},
                              status=429, retry_after=wait)
            times.append(now)


def upload_limiter(clock: Callable[[], float] = time.monotonic) -> CreationLimiter:
    """Dataset uploads per address (429 too_many_uploads): a class of 30 behind one school
    NAT each uploading a file fits in a minute, as its sessions do, on a budget of its own."""
    return CreationLimiter(Limits.uploads_per_minute, clock, what="dataset uploads",
                           code="too_many_uploads")
