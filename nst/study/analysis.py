"""A study's numbers, from its runs' results: every paired test, Holm-corrected together, the variance
split per yardstick, and sentences that say only what the numbers say."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from nst.metrics import IMAGE_YARDSTICKS, YARDSTICKS
from nst.study.design import Study, arm_loss
from nst.study.inference import PairedTest, holm, paired_test, variance_shares
from nst.sweep.grid import stem
from nst.sweep.tables import result_rows


@dataclass(frozen=True)
class Analysis:
    tests: list[PairedTest]  # every yardstick x every pair of losses, Holm-corrected together
    variance: dict[str, dict[str, float]]  # yardstick -> {"style", "content", "loss", "residual"} shares
    units_used: int  # units where every loss completed
    failed_runs: list[str]  # units with a failed run or loss: left out of the statistics
    values: dict[str, dict[str, dict[str, float]]]  # yardstick -> loss -> unit -> value

    def own_measure_only(self, loss: str, other: str) -> bool:
        """True when `loss` is significantly better than `other` somewhere, and only on yardsticks it
        optimises itself (its "own measures"); tests of the pair in either order count."""
        better = [
            t
            for t in self.tests
            if t.significant and {t.loss, t.baseline} == {loss, other} and (t.rank_biserial > 0) == (t.loss == loss)
        ]
        return bool(better) and all(arm_loss(loss) in YARDSTICKS[t.yardstick].optimised_by for t in better)


def analyse(study: Study, out: Path) -> Analysis:
    units = study.unit_specs
    cell = lambda row: (study.unit_of(row["run"]), study.arm_of(row["run"], row["loss"]))  # noqa: E731
    rows = [  # the equal-weight comparison's runs; a baseline not an arm: out
        row for row in result_rows(study.grid, out) if cell(row)[1] in study.arms and study.at_default_weight(row["run"])
    ]
    ok = {cell(row) for row in rows if row["loss_status"] == "complete"}
    complete = [name for name in units if all((name, arm) in ok for arm in study.arms)]
    failed = [name for name in units if name not in complete]
    values = {y: {arm: {} for arm in study.arms} for y in IMAGE_YARDSTICKS}
    for row in rows:
        unit, arm = cell(row)
        if unit in complete:
            for y in IMAGE_YARDSTICKS:
                values[y][arm][unit] = float(row[y])
    tests = [_test(values[y], y, a, b, complete) for y in IMAGE_YARDSTICKS for a, b in _pairs(study.arms)]
    adjusted = holm([t.p for t in tests])
    tests = [replace(t, p_holm=p) for t, p in zip(tests, adjusted)]
    variance = {y: _variance(values[y], y, complete, units) for y in IMAGE_YARDSTICKS} if complete else {}
    return Analysis(tests, variance, len(complete), failed, values)


def _pairs(losses: tuple[str, ...]) -> list[tuple[str, str]]:
    """Every pair once: each loss against the first (the baseline) first, then the others among themselves."""
    first = [(loss, losses[0]) for loss in losses[1:]]
    rest = [(a, b) for i, b in enumerate(losses[1:], 1) for a in losses[i + 1 :]]
    return first + rest


def _test(values: dict[str, dict[str, float]], yardstick: str, a: str, b: str, units: list[str]) -> PairedTest:
    y = YARDSTICKS[yardstick]
    first, second = (np.array([values[loss][u] for u in units]) for loss in (a, b))
    return paired_test(yardstick, a, b, first, second, y.paired, y.better)


def _variance(values: dict[str, dict[str, float]], yardstick: str, complete: list[str], units: dict) -> dict:
    """Sum-of-squares shares of style, content and loss (main effects) in the yardstick, on a log scale
    for ratio yardsticks (so that a loss halving a distance counts alike on every image pair)."""
    cells = [
        (stem(units[u].style_paths), units[u].content.stem, loss, v)
        for loss, by_unit in values.items()
        for u, v in by_unit.items()
        if u in complete
    ]
    measured = np.array([c[3] for c in cells])
    if YARDSTICKS[yardstick].paired == "ratio":
        measured = np.log(measured)
    factors = {name: np.array([c[i] for c in cells]) for i, name in enumerate(("style", "content", "loss"))}
    return variance_shares(measured, factors)


def sentence(test: PairedTest) -> str:
    """One line a reader can check against the table, e.g. "mae's style distance is lower than mse's on
    22 of 24 units (higher on 2), median 0.62x (95% CI 0.55-0.70x), Holm p = 0.0004: significant"."""
    y = YARDSTICKS[test.yardstick]
    worse = "higher" if y.better == "lower" else "lower"
    ahead = test.rank_biserial >= 0  # the direction the ranks lean: say that one first
    direction, other = (y.better, worse) if ahead else (worse, y.better)
    count, rest = (test.wins, test.losses) if ahead else (test.losses, test.wins)
    if y.paired == "ratio":
        middle = f"median {test.effect:.2f}x (95% CI {test.low:.2f}-{test.high:.2f}x)"
    else:
        middle = f"median difference {test.effect:+.3g} (95% CI {test.low:+.3g} to {test.high:+.3g})"
    verdict = "significant" if test.significant else "not significant"
    ties = f", {test.ties} tied" if test.ties else ""
    return (
        f"{test.loss}'s {y.label} is {direction} than {test.baseline}'s on {count} of {test.n} units ({other} "
        f"on {rest}{ties}), {middle}, Holm p = {_p(test.p_holm)}: {verdict}"
    )


def _p(p: float) -> str:
    return f"{p:.2g}" if p >= 0.001 else f"{p:.1e}"
