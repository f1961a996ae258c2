"""Style-vs-content fronts: two losses compared at matched content distance, not at equal style weight.

The same style weight buys each loss a different point on its trade-off between keeping the content and
taking the style, so a paired test at equal weight confounds "transfers more style" with "weights style
more". Running every unit and loss at several style weights gives, per unit and loss, a front: one
point (content distance, yardstick value) per weight. Two losses are then compared where their fronts
overlap, at the same content distance:

- each front is a curve y(x), piecewise linear in x = log(content distance), with y = log(value) for
  "ratio" yardsticks and y = value for "difference" ones (nst.metrics.Yardstick.paired); a power law
  value = c * content^-k is a straight line there, so it is interpolated exactly;
- over the overlap of the two curves' x ranges, the mean of ya(x) - yb(x) at `grid` evenly spaced x is
  the paired effect at matched content: a log ratio (or a difference), on the scale of
  nst.study.inference's paired differences, ready for its bootstrap and Wilcoxon test.

Points that are not monotone in content distance (content distance normally grows with the style
weight; noise or an unconverged run can break that) are sorted by content distance and interpolated as
they are: every point is a measurement, and the curve is a function of content distance whatever the
weights' order. Keeping only the non-dominated points instead would pick each loss's luckiest runs (a
minimum over noisy values is biased low, more so for the noisier loss) and would need the yardstick's
direction, which a content-side yardstick such as SSIM does not give against content distance.
`Front.monotone` says whether a front's content distance did grow with the weight. Points at exactly
the same content distance are one point of the curve, the mean of their y (for ratio yardsticks, the
geometric mean of the values).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

GRID = 9  # matched content distances averaged over, evenly spaced in log content distance


class FrontPoint(NamedTuple):
    weight: float  # the style weight of the run
    content: float  # its content distance (the yardstick content_distance, > 0)
    value: float  # the compared yardstick's value


@dataclass(frozen=True)
class Front:
    """One unit's and one loss's points, sorted by content distance (then weight). Points that cannot
    be placed are left out: a non-finite content distance or value (the style embedding is NaN without
    its model), or a content distance <= 0, which has no logarithm."""

    points: tuple[FrontPoint, ...]

    @property
    def monotone(self) -> bool:
        """True when the content distance does not fall as the style weight grows."""
        by_weight = sorted(self.points, key=lambda p: p.weight)
        return all(a.content <= b.content for a, b in zip(by_weight, by_weight[1:]))


def front(points: Iterable[FrontPoint]) -> Front:
    kept = [
        FrontPoint(float(p.weight), float(p.content), float(p.value))
        for p in points
        if math.isfinite(p.content) and math.isfinite(p.value) and p.content > 0
    ]
    return Front(tuple(sorted(kept, key=lambda p: (p.content, p.weight))))


Fronts = dict[str, dict[str, Front]]  # unit -> loss -> its front on that unit


def fronts_from_points(points: Mapping[str, Mapping[str, Iterable[FrontPoint]]]) -> Fronts:
    """unit -> loss -> points, as Fronts."""
    return {unit: {loss: front(p) for loss, p in by_loss.items()} for unit, by_loss in points.items()}


Table = Mapping[str, Mapping[str, Mapping[float, float]]]  # loss -> unit -> style weight -> number


def fronts_from_values(content: Table, values: Table) -> Fronts:
    """Fronts from two tables: the content distance and the compared yardstick (the shape of
    nst.study.analysis.Analysis.values[yardstick] with the style weight added). A weight with only one
    of the two numbers is left out."""
    points: dict[str, dict[str, list[FrontPoint]]] = {}
    for loss, by_unit in values.items():
        for unit, by_weight in by_unit.items():
            distances = content.get(loss, {}).get(unit, {})
            row = [FrontPoint(w, distances[w], v) for w, v in by_weight.items() if w in distances]
            points.setdefault(unit, {})[loss] = row
    return fronts_from_points(points)


class Curve(NamedTuple):
    x: np.ndarray  # log content distance, strictly increasing
    y: np.ndarray  # log value ("ratio") or value ("difference")

    def at(self, x: np.ndarray | float) -> np.ndarray:
        """Piecewise-linear y at x, inside [x[0], x[-1]] (outside: the end values, never asked for here)."""
        return np.interp(x, self.x, self.y)


def curve(front: Front, paired: str) -> Curve:
    """The front as a curve in (log content distance, log value or value); equal content distances
    averaged into one point; a value <= 0 of a ratio yardstick (no logarithm) left out."""
    x = np.log([p.content for p in front.points])
    values = np.array([p.value for p in front.points])
    if paired == "ratio":
        x, values = x[values > 0], values[values > 0]
        values = np.log(values)
    unique, index = np.unique(x, return_inverse=True)
    y = np.bincount(index, weights=values, minlength=len(unique)) / np.bincount(index, minlength=len(unique))
    return Curve(unique, y)


@dataclass(frozen=True)
class Matched:
    """Loss a against loss b on one unit, at matched content distance."""

    effect: float  # mean of ya - yb over the overlap: log(a / b) ("ratio") or a - b ("difference")
    low: float  # the overlap, in content distance
    high: float
    cover_a: float  # share of a's front (its span in log content distance) inside the overlap, in (0, 1]
    cover_b: float


def matched_difference(a: Front, b: Front, paired: str, grid: int = GRID) -> Matched | None:
    """a's yardstick against b's at matched content distance, the mean over `grid` evenly spaced log
    content distances of the overlap of their ranges; None when a front has fewer than 2 distinct
    content distances or the ranges do not overlap (touching at one point is no overlap)."""
    if grid < 2:
        raise ValueError(f"grid is {grid}: at least 2 matched content distances are needed")
    ca, cb = curve(a, paired), curve(b, paired)
    if len(ca.x) < 2 or len(cb.x) < 2:
        return None
    low, high = max(ca.x[0], cb.x[0]), min(ca.x[-1], cb.x[-1])
    if not high > low:
        return None
    x = np.linspace(low, high, grid)
    effect = float(np.mean(ca.at(x) - cb.at(x)))
    span = high - low
    return Matched(effect, math.exp(low), math.exp(high), span / (ca.x[-1] - ca.x[0]), span / (cb.x[-1] - cb.x[0]))


@dataclass(frozen=True)
class MatchedEffects:
    """Loss a against loss b over the units, at matched content distance."""

    loss: str  # a
    baseline: str  # b
    by_unit: dict[str, Matched]  # the units where both fronts overlap
    skipped: tuple[str, ...]  # the units where they do not, or a loss has no front

    @property
    def differences(self) -> np.ndarray:
        """The per-unit effects, in by_unit's order: the input of nst.study.inference's statistics."""
        return np.array([m.effect for m in self.by_unit.values()], np.float64)


def matched_effects(fronts: Fronts, loss: str, baseline: str, paired: str, grid: int = GRID) -> MatchedEffects:
    """Per unit (in the order of `fronts`), `loss` against `baseline` at matched content distance."""
    by_unit: dict[str, Matched] = {}
    skipped: list[str] = []
    for unit, by_loss in fronts.items():
        both = loss in by_loss and baseline in by_loss
        matched = matched_difference(by_loss[loss], by_loss[baseline], paired, grid) if both else None
        if matched is None:
            skipped.append(unit)
        else:
            by_unit[unit] = matched
    return MatchedEffects(loss, baseline, by_unit, tuple(skipped))
