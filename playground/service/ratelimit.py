"""Session creation per client address: at most `per_minute` new sessions in any 60 s
from one address (API.md 6.1), so that a script or another web page cannot flood the
store. Counted, not timed per request: a sliding window of the creation times."""

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
    """Admits a new session for an address, or refuses it (429 too_many_sessions)."""

    def __init__(self, per_minute: int = Limits.sessions_per_minute,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute, self.clock = per_minute, clock
        self._created: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def admit(self, address: str) -> None:
        """Count one new session for `address`, or refuse it with the seconds to wait."""
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
                raise Refused(f"{self.per_minute} new sessions a minute are allowed from one "
                              f"address; try again in {wait} s", "too_many_sessions",
                              {"max": self.per_minute, "retry_after": wait},
                              status=429, retry_after=wait)
            times.append(now)
