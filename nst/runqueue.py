"""A process-wide limit on concurrent runs: first come, first served; the waiting see their place.

On a 2-core machine two TensorFlow runs at once only share the cores, each half as fast, and double
the memory; queueing them finishes the first one sooner and keeps the machine within its limits."""

from __future__ import annotations

import threading


class RunQueue:
    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError("a run queue needs at least one slot")
        self.slots = slots
        self._lock = threading.Lock()
        self._running: set[str] = set()
        self._waiting: list[str] = []

    def join(self, ticket: str, front: bool = False) -> None:
        """Wait in line (at the front for a run that already held a slot and was interrupted)."""
        with self._lock:
            if ticket in self._running or ticket in self._waiting:
                return
            if front:
                self._waiting.insert(0, ticket)
            else:
                self._waiting.append(ticket)

    def try_start(self, ticket: str) -> bool:
        """True if `ticket` holds a slot now (taking one if it is its turn)."""
        with self._lock:
            if ticket in self._running:
                return True
            free = self.slots - len(self._running)
            if ticket in self._waiting[:free]:
                self._waiting.remove(ticket)
                self._running.add(ticket)
                return True
            return False

    def place(self, ticket: str) -> int:
        """1 for the next in line, 2 for the one after...; 0 when running or not queued."""
        with self._lock:
            return self._waiting.index(ticket) + 1 if ticket in self._waiting else 0

    def leave(self, ticket: str) -> None:
        with self._lock:
            self._running.discard(ticket)
            if ticket in self._waiting:
                self._waiting.remove(ticket)

    @property
    def running(self) -> int:
        with self._lock:
            return len(self._running)
