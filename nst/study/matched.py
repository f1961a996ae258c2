"""A study's comparisons at matched content distance: the front losses, run at every style weight of the
study (nst.study.design), compared along each unit's trade-off fronts (nst.study.fronts) rather than at
one weight, with the same tests as the equal-weight comparison (nst.study.inference)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nst.metrics import IMAGE_YARDSTICKS, YARDSTICKS
from nst.study.design import Study
from nst.study.effects import crossed_test
from nst.study.fronts import Fronts, fronts_from_values, matched_effects
from nst.study.inference import MATCHED_CONTENT, Levels, PairedTest

AXIS = "content_distance"  # what the fronts are matched on: the yardstick of keeping the photo
Table = dict[str, dict[str, dict[float, float]]]  # loss -> unit -> style weight -> value


def front_tables(study: Study, rows: list[dict], units: list[str]) -> dict[str, Table]:
    """Yardstick -> loss -> unit -> weight -> value, for the front losses on `units`, every weight."""
    tables: dict[str, Table] = {y: {loss: {} for loss in study.front_losses} for y in IMAGE_YARDSTICKS}
    for row in rows:
        unit, loss = study.unit_of(row["run"]), row["loss"]
        if unit in units and loss in study.front_losses and row["loss_status"] == "complete":
            weight = float(row["style_weight"])
            for y in IMAGE_YARDSTICKS:
                tables[y][loss].setdefault(unit, {})[weight] = float(row[y])
    return tables


def study_fronts(tables: dict[str, Table]) -> dict[str, Fronts]:
    """Yardstick -> unit -> loss -> its front against content distance (every yardstick but the axis)."""
    return {y: fronts_from_values(tables[AXIS], tables[y]) for y in IMAGE_YARDSTICKS if y != AXIS}


def front_pairs(losses: tuple[str, ...]) -> list[tuple[str, str]]:
    """Each front loss against the first, then the others among themselves (as the equal-weight pairs)."""
    first = [(loss, losses[0]) for loss in losses[1:]]
    return first + [(a, b) for i, b in enumerate(losses[1:], 1) for a in losses[i + 1 :]]


def matched_tests(fronts: dict[str, Fronts], losses: tuple[str, ...], levels: Callable[[list[str]], Levels]):
    """Every yardstick x pair of front losses at matched content distance; `levels(units)`: their photos and
    paintings. Units whose two fronts do not overlap are left out of that test (its n says how many stay)."""
    tests: list[PairedTest] = []
    for y, by_unit in fronts.items():
        yardstick = YARDSTICKS[y]
        for a, b in front_pairs(losses):
            effects = matched_effects(by_unit, a, b, yardstick.paired)
            units = list(effects.by_unit)
            d = np.array([effects.by_unit[u].effect for u in units])
            if len(d):
                tests.append(
                    crossed_test(
                        y, a, b, d, yardstick.paired, yardstick.better, levels(units), comparison=MATCHED_CONTENT
                    )
                )
    return tests
