"""The losses users choose by name: a style statistic (nst.losses.style_statistics) compared by a distance
(nst.losses.distances).

    NAME     = DISTANCE | STATISTIC | STATISTIC "+" DISTANCE
    a part   = its registered name, then any parameters as ":key=value"

- a distance alone keeps the meaning it always had: Gram matrices compared by it (`mse`, `mae`, `huber`,
  `robust:alpha=0.5`);
- a statistic alone is compared by `mse` (`mean_std`, `swd`, `hist`, `mmd_rbf`, `mrf`);
- both choose each (`mean_std+mae`, `swd+robust:alpha=1`).
The content term compares the content layers' features with the same distance (`mse` for a statistic
alone). Names are canonical: `gram+mae` is `mae`, `swd+mse` is `swd`, `robust:alpha=0.50` is
`robust:alpha=0.5`; every place (files, tables, the page) shows the canonical name.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from nst.errors import SettingError, UnknownNameError
from nst.losses.distances import DISTANCES, Distance
from nst.losses.style_statistics import STATISTICS
from nst.registry import Entry, Registry, unknown_name_message

DEFAULT_STATISTIC, DEFAULT_DISTANCE = "gram", "mse"
DEFAULT_LOSSES = ("mse", "mae")  # what a comparison compares unless told: the report's two losses
# What the page offers and `nst losses` lists first; any other combination is chosen by name.
FEATURED = (
    "mse",
    "mae",
    "huber",
    "log_cosh",
    "exponential",
    "hellinger",
    "cross_entropy",
    "cosine",
    "robust:alpha=1",
    "robust:alpha=0",
    "mean_std",
    "swd",
    "hist",
    "mmd_rbf",
    "mrf",
)
GRAMMAR = "DISTANCE, STATISTIC, or STATISTIC+DISTANCE (e.g. mean_std+mae); parameters as robust:alpha=0.5"


@dataclass(frozen=True)
class Loss:
    name: str  # canonical: "mse", "mean_std+mae", "robust:alpha=0.5"
    statistic_name: str  # "gram"
    distance_name: str  # canonical, with parameters: "robust:alpha=0.5"
    description: str  # one line
    distance: Distance  # compares content features, and each pair the statistic makes
    statistic: Any  # nst.losses.style_statistics: target(style, like, seed) and pair(generated, target)
    dial: tuple[str, str, float] | None = None  # (part's name, parameter, value) of its first parameter, if any

    def style(self, generated: Any, target: tuple) -> Any:
        """The style distance of one layer's generated features (1, h, w, C) to its target."""
        return self.distance(*self.statistic.pair(generated, target))

    def style_layers(self, names: tuple[str, ...]) -> tuple[int, ...]:
        """Which of the style layers this loss's statistic uses: its own (mrf) when present, else all."""
        own = [i for i, name in enumerate(names) if name in self.statistic.layers]
        return tuple(own) if own else tuple(range(len(names)))


class LossCatalogue:
    """Looks up any well-formed name (not only the featured ones); iterates over the featured."""

    def entry(self, name: str) -> Entry[Loss]:
        loss = parse(name)
        return Entry(loss.name, loss.description, loss)

    def get(self, name: str) -> Loss:
        return parse(name)

    def canonical(self, name: str) -> str:
        return parse(name).name

    def canonical_unique(self, names: Iterable[str]) -> list[str]:
        """Canonical names, each once, in order: `gram+mse` and `mse` are one loss."""
        return list(dict.fromkeys(self.canonical(name) for name in names))

    def names(self) -> list[str]:
        return list(FEATURED)

    def __contains__(self, name: object) -> bool:
        try:
            parse(str(name))
        except SettingError:
            return False
        return True

    def __iter__(self) -> Iterator[Entry[Loss]]:
        return (self.entry(name) for name in FEATURED)


LOSSES = LossCatalogue()


@functools.lru_cache(maxsize=256)  # pure: a name always means the same Loss, and gets the same object
def parse(name: str) -> Loss:
    """A name (see the module's grammar) -> its Loss; a specific SettingError for a bad one."""
    parts = [part.strip() for part in str(name).strip().split("+")]
    if len(parts) > 2 or not all(parts):
        raise SettingError(f"loss {name!r} is not {GRAMMAR}")
    first = _split(parts[0])[0]
    if len(parts) == 1 and first not in STATISTICS and first not in DISTANCES:
        known = DISTANCES.names() + STATISTICS.names()
        raise UnknownNameError(unknown_name_message("loss", first, known) + f"; or {GRAMMAR}")
    if len(parts) == 1:
        parts = [parts[0], DEFAULT_DISTANCE] if first in STATISTICS else [DEFAULT_STATISTIC, parts[0]]
    statistic_entry, statistic_params = _part(STATISTICS, parts[0], name)
    distance_entry, distance_params = _part(DISTANCES, parts[1], name)
    canonical, description = _canonical_name(statistic_entry, statistic_params, distance_entry, distance_params)
    if canonical != name:
        return parse(canonical)  # one Loss (one distance function, one traced objective) per canonical name
    parts_params = ((distance_entry, distance_params), (statistic_entry, statistic_params))
    dial = next(((e.name, e.params[0].name, ps[e.params[0].name]) for e, ps in parts_params if e.params), None)
    statistic_name, distance_name = (
        _canonical(statistic_entry, statistic_params),
        _canonical(distance_entry, distance_params),
    )
    distance, statistic = _build(distance_entry, distance_params), _build(statistic_entry, statistic_params)
    return Loss(canonical, statistic_name, distance_name, description, distance, statistic, dial)


def _canonical_name(
    statistic: Entry, statistic_params: dict, distance: Entry, distance_params: dict
) -> tuple[str, str]:
    """(canonical name, description): a default part is left out of the name (`gram+mae` is `mae`)."""
    statistic_name, distance_name = _canonical(statistic, statistic_params), _canonical(distance, distance_params)
    if statistic_name == DEFAULT_STATISTIC:
        return distance_name, distance.description
    if distance_name == DEFAULT_DISTANCE:
        return statistic_name, statistic.description
    return f"{statistic_name}+{distance_name}", f"{statistic.description}; compared by {distance_name}"


def _build(entry: Entry, params: dict[str, float]) -> Any:
    """A registered part itself, or what its factory makes of the parameters."""
    return entry.value(**params) if entry.params else entry.value


def _split(part: str) -> tuple[str, list[str]]:
    name, *assignments = part.split(":")
    return name.strip(), assignments


def _part(registry: Registry, part: str, whole: str) -> tuple[Entry, dict[str, float]]:
    """'robust:alpha=0.5' -> (robust's entry, {'alpha': 0.5, 'scale': 0.1}), every parameter checked."""
    name, assignments = _split(part)
    if name not in registry:
        other = STATISTICS if registry is DISTANCES else DISTANCES
        hint = f": {name} is a {other.kind}" if name in other else ""
        raise UnknownNameError(
            unknown_name_message(registry.kind, name, registry.names()) + f" (in loss {whole!r}{hint})"
        )
    entry = registry.entry(name)
    allowed = {p.name: p for p in entry.params}
    values: dict[str, float] = {}
    for assignment in assignments:
        key, _, text = (s.strip() for s in assignment.partition("="))
        if key not in allowed:
            raise UnknownNameError(_no_param(entry, key, whole))
        values[key] = _number(text, allowed[key], whole)
    for param in entry.params:
        if param.name not in values and param.default is None:
            raise SettingError(
                f"loss {whole!r}: {name} needs {param.name} ({param.meaning}), e.g. {name}:{param.name}=1"
            )
        values.setdefault(param.name, param.default)
    return entry, values


def _no_param(entry: Entry, key: str, whole: str) -> str:
    if not entry.params:
        return f"loss {whole!r}: {entry.name} takes no parameters (got {key!r})"
    return (
        unknown_name_message(f"parameter of {entry.name}", key, [p.name for p in entry.params])
        + f" (in loss {whole!r})"
    )


def _number(text: str, param, whole: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if math.isnan(value) or not param.allow(value):
        raise SettingError(f"loss {whole!r}: {param.name}={text!r} is not allowed; {param.name} is {param.allowed}")
    return value


def _canonical(entry: Entry, values: dict[str, float]) -> str:
    """The name with its required parameters, and the others where they differ from their default."""
    shown = [f"{p.name}={values[p.name]:g}" for p in entry.params if p.default is None or values[p.name] != p.default]
    return ":".join([entry.name, *shown])


def family(name: str) -> str:
    """A few words for a picker: what the loss matches, and how: 'Gram matrices, by mae'."""
    loss = parse(name)
    return f"{loss.statistic.family}, by {loss.distance_name}"


def examples(registry: Registry) -> list[str]:
    """Every entry's name, a parametrised one once per example of its first parameter: what the tests run."""
    names = []
    for entry in registry:
        if not entry.params:
            names.append(entry.name)
        else:
            names += [
                _canonical(entry, {**{p.name: p.default for p in entry.params}, entry.params[0].name: value})
                for value in entry.params[0].examples
            ]
    return names


def dial(names: list[str]) -> tuple[str, list[tuple[str, float]]] | None:
    """When three or more of the losses differ only in one parameter (robust at several alphas): its label
    ('robust alpha') and those losses with their values, in the order given; else None."""
    losses = [parse(name) for name in names]
    dialled = [loss for loss in losses if loss.dial]
    families = {loss.name.replace(f"{loss.dial[1]}={loss.dial[2]:g}", "*") for loss in dialled}  # all but the dial
    if len(dialled) < 3 or len(families) != 1:
        return None
    part, param = dialled[0].dial[:2]
    return f"{part} {param}", [(loss.name, loss.dial[2]) for loss in dialled]


def relative_cost(losses: Iterable[str | Loss]) -> float:
    """The losses' time per iteration together, in units of mse's (each statistic's measured ratio);
    names are parsed, Loss objects taken as they are."""
    return sum((loss if isinstance(loss, Loss) else parse(loss)).statistic.relative_cost for loss in losses)


def file_stem(loss: str) -> str:
    """A loss's canonical name as a file name on every system (':' is not allowed on Windows)."""
    return loss.replace(":", "_")


def describe() -> list[str]:
    """`nst losses`: the grammar, then the distances and the statistics with their parameters."""
    lines = [
        f"A loss is {GRAMMAR}.",
        "A distance alone compares Gram matrices; a statistic alone is compared by mse.",
        "",
    ]
    for registry in (DISTANCES, STATISTICS):
        lines.append(f"{registry.kind}s:")
        width = max(len(n) for n in registry.names())
        for entry in registry:
            lines.append(f"  {entry.name:<{width}}  {entry.description}")
            for p in entry.params:
                default = "" if p.default is None else f" (default {p.default:g})"
                lines.append(f"  {'':<{width}}    :{p.name}=  {p.meaning}{default}")
        lines.append("")
    return lines + ["featured: " + ", ".join(FEATURED)]
