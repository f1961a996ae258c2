"""What a setting is, said once: its one-line help, its bounds or its choices, and where a user sets it
(a command-line flag; a widget with a link parameter on the page) or why not.

nst.settings declares every field with `setting(...)`. Settings' own checks, the CLI's flags
(nst.cli.flags) and the page's widgets and link parameters (views.settings_panel) are all built from
these descriptions, so a help text, a bound or a list of choices is written in one place."""

from __future__ import annotations

import dataclasses
import functools
import math
import typing
from dataclasses import dataclass
from typing import Any, NamedTuple

from nst.errors import SettingError
from nst.registry import Registry, unknown_name_message

ABOUT = "about"  # the key of a field's About in its dataclass metadata


@dataclass(frozen=True)
class About:
    """One setting, described."""

    help: str  # one line, lower case, no full stop: the CLI's help and the page's tooltip
    low: float | None = None  # a number's bounds, inclusive (each number's, for a list of them)
    high: float | None = None
    choices: Registry | tuple[str, ...] = ()  # the names allowed; a registry checks its own (did you mean)
    label: str = ""  # the page's widget label: the field has a widget and a link parameter named as it
    off_page: str = ""  # why the page has no widget and no link parameter for it (when there is no label)
    off_cli: str = ""  # why the CLI has no flag for it; without a reason it has one
    flag: str = ""  # the CLI's flag; "": --the-field-name
    metavar: str = ""  # the CLI's placeholder; "": NAME, N or X by the value's kind

    def __post_init__(self) -> None:
        if bool(self.label) == bool(self.off_page):
            raise ValueError(f"{self.help!r}: give a page label or the reason it has none, not both")
        if self.off_cli and (self.flag or self.metavar):
            raise ValueError(f"{self.help!r}: a flag and a reason for having none")

    @property
    def names(self) -> list[str]:
        """The choices' names ([] for a number or free text)."""
        return self.choices.names() if isinstance(self.choices, Registry) else list(self.choices)


def setting(default: Any, help: str, **about: Any) -> Any:
    """A dataclass field with its description: `size: int = setting(256, "px, ...", low=32, high=2048)`."""
    return dataclasses.field(default=default, metadata={ABOUT: About(help, **about)})


class Described(NamedTuple):
    """A dataclass field and its About, with the kind of value it holds (read from its annotation)."""

    name: str
    default: Any
    kind: type  # int, float or str: the value's, or each item's for a list
    several: bool  # a tuple of `kind` (the CLI takes it comma-separated)
    about: About

    @property
    def flag(self) -> str:
        return self.about.flag or f"--{self.name.replace('_', '-')}"

    @property
    def metavar(self) -> str:
        return self.about.metavar or {int: "N", float: "X"}.get(self.kind, "NAME")

    def check(self, value: Any) -> None:
        """A SettingError (UnknownNameError from a registry) unless `value` is one of the choices and
        within the bounds; for a list, each of its items."""
        name = f"each of {self.name}" if self.several else self.name
        for item in value if self.several else (value,):
            if isinstance(self.about.choices, Registry):
                self.about.choices.entry(item)
            elif self.about.choices and item not in self.about.choices:
                raise SettingError(unknown_name_message(self.name, item, self.about.names))
            if self.about.low is not None or self.about.high is not None:
                _in_range(name, item, self.kind, self.about.low, self.about.high)


@functools.cache
def described(cls: type) -> dict[str, Described]:
    """Every field of dataclass `cls` that has an About, by name, in declaration order."""
    hints = typing.get_type_hints(cls)
    found = {}
    for field in dataclasses.fields(cls):
        hint = hints[field.name]
        several = typing.get_origin(hint) is tuple
        kind = typing.get_args(hint)[0] if several else hint
        found[field.name] = Described(field.name, field.default, kind, several, field.metadata[ABOUT])
    return found


def _in_range(name: str, value: Any, kind: type, low: float | None, high: float | None) -> None:
    low = -math.inf if low is None else low
    high = math.inf if high is None else high
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise SettingError(f"{name} must be a whole number from {low} to {high}, got {value!r}")
        return
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or not low <= value <= high:
        raise SettingError(f"{name} must be a number from {low:g} to {high:g}, got {value!r}")
