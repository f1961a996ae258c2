"""Caches with an owner: values built once per key, safe when several page sessions compute at once.

`functools.lru_cache` lets two threads that miss the same key both build it (two models in memory);
here the second waits for the first. Each cache is a plain object held by whoever owns it: a module
function's decorator for what a process shares (models, extractors, traced objectives), or a
Comparison for what only its own runs share (the target features of its images)."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, ParamSpec, TypeVar

V = TypeVar("V")
P = ParamSpec("P")


class OnceCache(Generic[V]):
    """Key -> value, each built once; the least recently used beyond `size` (None: no bound) evicted."""

    def __init__(self, size: int | None = None) -> None:
        self.size = size
        self.hits = self.misses = 0
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()  # guards _values, _building and the counters
        self._building: dict[Hashable, threading.Lock] = {}  # key -> held while one thread builds it

    def get(self, key: Hashable, build: Callable[[], V]) -> V:
        """The value for `key`, built by `build()` if no one has (or is building) it."""
        value = self._lookup(key)
        if value is not _MISSING:
            return value
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        with building:  # a second thread asking for this key waits here, then finds the value
            value = self._lookup(key)
            if value is not _MISSING:
                return value
            value = build()
            with self._lock:
                self.misses += 1
                self._values[key] = value
                while self.size is not None and len(self._values) > self.size:
                    self._values.popitem(last=False)
                self._building.pop(key, None)
        return value

    def drop(self, keep: Callable[[Hashable], bool]) -> None:
        """Forgets every value whose key `keep` refuses (a later get builds it again)."""
        with self._lock:
            for key in [key for key in self._values if not keep(key)]:
                del self._values[key]

    def _lookup(self, key: Hashable) -> V | object:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                self.hits += 1
                return self._values[key]
        return _MISSING

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)


_MISSING = object()


def shared(size: int | None = None) -> Callable[[Callable[P, V]], Callable[P, V]]:
    """Decorator: one value per distinct (hashable) arguments, process-wide; `function.cache` is the cache."""

    def decorate(function: Callable[P, V]) -> Callable[P, V]:
        cache: OnceCache[V] = OnceCache(size)

        @functools.wraps(function)
        def cached(*args: P.args, **kwargs: P.kwargs) -> V:
            key = (args, tuple(sorted(kwargs.items())))
            return cache.get(key, lambda: function(*args, **kwargs))

        cached.cache = cache  # type: ignore[attr-defined]
        return cached

    return decorate
