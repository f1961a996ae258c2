"""Named, described, interchangeable parts (losses, presets, optimizers) with a helpful lookup error."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from nst.errors import UnknownNameError

T = TypeVar("T")


@dataclass(frozen=True)
class Entry(Generic[T]):
    name: str
    description: str
    value: T  # with params: a factory, value(**params) -> the part itself
    params: tuple[Param, ...] = ()  # chosen in a name as `name:alpha=0.5`


@dataclass(frozen=True)
class Param:
    name: str
    meaning: str  # one line, shown where the entry is listed
    default: float | None = None  # None: it must be given
    allow: Callable[[float], bool] = lambda value: True  # noqa: E731
    allowed: str = "any number"  # what `allow` accepts, for the error message
    examples: tuple[float, ...] = ()  # values worth trying: the tests run each, the page offers them


class Registry(Generic[T]):
    """An ordered mapping name -> Entry, filled by the `register` decorator."""

    def __init__(self, kind: str) -> None:
        self.kind = kind  # "loss", "preset", ...: used in error messages
        self._entries: dict[str, Entry[T]] = {}

    def register(self, name: str, description: str, params: tuple[Param, ...] = ()) -> Callable[[T], T]:
        def decorate(value: T) -> T:
            self.add(name, description, value, params)
            return value

        return decorate

    def add(self, name: str, description: str, value: T, params: tuple[Param, ...] = ()) -> None:
        if name in self._entries:
            raise ValueError(f"{self.kind} {name!r} is registered twice")
        self._entries[name] = Entry(name, description, value, params)

    def entry(self, name: str) -> Entry[T]:
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownNameError(unknown_name_message(self.kind, name, self.names())) from None

    def get(self, name: str) -> T:
        return self.entry(name).value

    def names(self) -> list[str]:
        return list(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[Entry[T]]:
        return iter(self._entries.values())


def unknown_name_message(kind: str, name: str, allowed: list[str]) -> str:
    """'unknown loss 'mce' (did you mean 'mse'?); choose from: mse, mae'."""
    close = difflib.get_close_matches(str(name), allowed, n=1, cutoff=0.5)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown {kind} {name!r}{hint}; choose from: {', '.join(allowed)}"
