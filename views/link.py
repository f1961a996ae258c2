"""Shareable links: the Compare view's choices kept in the page's URL (st.query_params), so a copied link
opens the same comparison. Only bundled samples and settings travel in a link; uploads never do.

Each shareable widget is one Param: its URL name, its session-state key, its default and how a URL value
is read and checked. The widgets take their values from session state only (no `value=` of their own),
so a link's value and a default are set the same way, before the widget is drawn."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from nst.errors import NSTError


@dataclass(frozen=True)
class Param:
    name: str  # the URL parameter
    key: str  # the widget's session-state key
    default: Any  # the page's default: a link leaves it out
    parse: Callable[[list[str]], Any]  # the URL's values -> the widget's value; ValueError says what is allowed
    format: Callable[[Any], list[str]]  # the widget's value -> the URL's values


def one_of(options: Sequence) -> Callable[[str], str]:
    """A check that a URL value is one of `options`."""

    def check(value: str) -> str:
        if value not in options:
            raise ValueError(f"allowed: {', '.join(map(str, options))}")
        return value

    return check


def choice(name: str, key: str, default: Any, options: Sequence) -> Param:
    """One of `options`, written as itself."""
    check = one_of(options)
    return Param(name, key, default, lambda values: check(values[-1]), lambda value: [str(value)])


def number(name: str, key: str, default: float, low: float, high: float, step: float | None = None) -> Param:
    """A number from low to high (on the grid low + k * step when step is given); ints stay ints."""
    kind = type(default)

    def parse(values: list[str]) -> Any:
        try:
            value = kind(values[-1])
        except ValueError:
            raise ValueError(f"not a{'n integer' if kind is int else ' number'}") from None
        if not low <= value <= high or (step and (value - low) % step):
            raise ValueError(f"allowed: {_shown(low)} to {_shown(high)}" + (f" in steps of {step:g}" if step else ""))
        return value

    return Param(name, key, default, parse, lambda value: [f"{value:g}"])


def _shown(bound: float) -> str:
    """A bound as a person reads it: 2147483647 (not 2.14748e+09), 1e+12, 0.25."""
    return f"{bound:g}" if isinstance(bound, float) else str(bound)


def several(name: str, key: str, default: list, check: Callable[[str], Any], most: int) -> Param:
    """A list (the parameter repeats: ?loss=mse&loss=mae), each value checked by `check`; at most `most`."""

    def parse(values: list[str]) -> list:
        if len(values) > most:
            raise ValueError(f"at most {most}")
        try:
            return [check(value) for value in dict.fromkeys(values)]
        except NSTError as error:
            raise ValueError(str(error)) from None

    return Param(name, key, list(default), parse, lambda value: [str(v) for v in value])


def restore(params: Sequence[Param], query: dict[str, list[str]]) -> list[str]:
    """Give each param's widget its value: the link's where the link has a good one, else the current or
    default. Returns one line per bad value, which keeps the default (or the current value)."""
    state, problems = st.session_state, []
    for param in params:
        values = query.get(param.name)
        if values:
            try:
                state[param.key] = param.parse(values)
                continue
            except ValueError as error:
                problems.append(f"`{param.name}={'&'.join(values)}` ({error})")
        if param.key not in state:
            state[param.key] = param.default
    return problems


def link_query() -> dict[str, list[str]]:
    """The URL's parameters on this page session's first run of the view, else {}: a link is read once,
    so the URL the view writes afterwards is never read back over the user's changes."""
    state = st.session_state
    if state.get("link_read"):
        return {}
    state.link_read = True
    return {name: st.query_params.get_all(name) for name in st.query_params}


def current(params: Sequence[Param]) -> dict[str, list[str]]:
    """The URL's parameters for the widgets' values now: only those that differ from the default."""
    state = st.session_state
    return {p.name: p.format(state[p.key]) for p in params if p.key in state and state[p.key] != p.default}


def publish(query: dict[str, list[str]]) -> str:
    """Write `query` to the page's URL (the address bar follows) and return the full link."""
    st.query_params.from_dict(query)
    base = (st.context.url or "").split("?")[0]
    return f"{base}?{urlencode(query, doseq=True)}" if query else base
