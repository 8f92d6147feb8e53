"""Sliding-window counters that slow down password guessing and mass registration."""

from __future__ import annotations

import threading
import time
from collections import deque


class SlidingWindowLimiter:
    """Counts events per key over a window; an in-process limiter (one per worker process)."""

    def __init__(self, limit: int, window_seconds: int):
        self.limit = limit
        self.window = window_seconds
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _prune(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def retry_after(self, key: str) -> int:
        """Returns seconds until key may try again, or 0 when it may try now."""
        now = time.monotonic()
        with self._lock:
            hits = self._prune(key, now)
            if len(hits) < self.limit:
                if not hits:
                    self._hits.pop(key, None)
                return 0
            return int(hits[0] + self.window - now) + 1

    def hit(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._prune(key, now).append(now)
            if len(self._hits) > 100_000:  # bound memory under a flood of distinct keys
                for stale in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
                    del self._hits[stale]

    def reset(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)
