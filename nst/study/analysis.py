"""A study's numbers, from its runs' results: every paired test at equal weight and, with fronts, at matched
content distance (nst.study.matched), each with the crossed model's verdict, Holm-corrected within its family
(the pre-declared primary question, and the exploratory rest); how many runs converged and whether the
primary answer holds on the units where all of them did; the variance split per yardstick; and sentences
that say only what the numbers say."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from nst.metrics import IMAGE_YARDSTICKS, YARDSTICKS
from nst.study.design import Study, arm_loss
from nst.study.effects import crossed_test
from nst.study.inference import (
    EQUAL_WEIGHT,
    MATCHED_CONTENT,
    PRIMARY,
    Levels,
    PairedTest,
    differences,
    holm,
    variance_shares,
)
from nst.study.matched import front_tables, matched_tests, study_fronts
from nst.sweep.grid import stem
from nst.sweep.tables import result_rows, saved_rows


@dataclass(frozen=True)
class Analysis:
    tests: list[PairedTest]  # every yardstick x every pair of losses, Holm-corrected together
    variance: dict[str, dict[str, float]]  # yardstick -> {"style", "content", "loss", "residual"} shares
    units_used: int  # units where every loss completed
    failed_runs: list[str]  # units with a failed run or loss: left out of the statistics
    values: dict[str, dict[str, dict[str, float]]]  # yardstick -> loss -> unit -> value
    fronts: dict = field(default_factory=dict)  # yardstick -> unit -> loss -> Front (nst.study.fronts); {} none
    converged: dict[str, tuple[int, int]] = field(default_factory=dict)  # loss -> (runs converged, runs)
    budget_check: list[PairedTest] = field(default_factory=list)  # the primary tests on all-converged units
    converged_units: int = 0  # units where every run of the primary pair converged

    def primary(self) -> list[PairedTest]:
        return [t for t in self.tests if t.family == PRIMARY]

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
    """The study's numbers from its run folders in `out`, or from `out`/results.csv where the folders kept no
    run record (a bundled study: its numbers reproduce from results.csv alone)."""
    units = study.unit_specs
    cell = lambda row: (study.unit_of(row["run"]), study.arm_of(row["run"], row["loss"]))  # noqa: E731
    found = result_rows(study.grid, out) or saved_rows(study.grid, out)  # run folders, else results.csv
    every = [row for row in found if cell(row)[1] in study.arms]  # a baseline not an arm: out
    rows = [row for row in every if study.at_default_weight(row["run"])]  # the equal-weight comparison's
    ok = {cell(row) for row in every if row["loss_status"] == "complete"}
    ok_fronts = {(study.unit_of(r["run"]), r["run"], r["loss"]) for r in every if r["loss_status"] == "complete"}
    complete = [
        name
        for name in units
        if all((name, arm) in ok for arm in study.arms) and _fronts_complete(study, name, ok_fronts)
    ]
    failed = [name for name in units if name not in complete]
    values = {y: {arm: {} for arm in study.arms} for y in IMAGE_YARDSTICKS}
    for row in rows:
        unit, arm = cell(row)
        if unit in complete:
            for y in IMAGE_YARDSTICKS:
                values[y][arm][unit] = float(row[y])
    levels = lambda names: unit_levels(study, names)  # noqa: E731
    tests = [_test(values[y], y, a, b, complete, levels) for y in IMAGE_YARDSTICKS for a, b in _pairs(study.arms)]
    fronts = study_fronts(front_tables(study, every, complete)) if study.style_weights else {}
    tests = _corrected(study, tests + (matched_tests(fronts, study.front_losses, levels) if fronts else []))
    variance = {y: _variance(values[y], y, complete, units) for y in IMAGE_YARDSTICKS} if complete else {}
    analysis = Analysis(tests, variance, len(complete), failed, values, fronts, _convergence(study, every))
    return _budget_check(analysis, study, every, values, levels)


def unit_levels(study: Study, names: list[str]) -> Levels:
    """The photo and painting of each named unit."""
    specs = [study.unit_specs[name] for name in names]
    return Levels(np.array([s.content.stem for s in specs]), np.array([stem(s.style_paths) for s in specs]))


def _fronts_complete(study: Study, unit: str, ok: set) -> bool:
    """Every front loss completed at every weight of the unit (trivially true without fronts)."""
    runs = [run.name for run in study.grid.runs if study.unit_of(run.name) == unit]
    return all((unit, run, loss) in ok for run in runs for loss in study.front_losses)


PRIMARY_YARDSTICKS = ("style_swd", "color_swd", "style_embedding")  # the style-side judges no usual loss optimises


def primary_question(study: Study) -> tuple[str, str, str, tuple[str, ...]]:
    """The pre-declared question: (loss, against, comparison, yardsticks): the study's second loss against its
    first, at matched content distance when both have fronts (else at equal weight), on the style-side
    yardsticks that no arm of the study optimises."""
    loss, baseline = study.arms[1], study.arms[0]
    fronts = loss in study.front_losses and baseline in study.front_losses
    optimised = {arm_loss(arm) for arm in study.arms}
    judges = tuple(y for y in PRIMARY_YARDSTICKS if not optimised & set(YARDSTICKS[y].optimised_by))
    return loss, baseline, MATCHED_CONTENT if fronts else EQUAL_WEIGHT, judges


def _corrected(study: Study, tests: list[PairedTest]) -> list[PairedTest]:
    """Each test's family, and Holm's correction of the crossed p (the naive p without levels) within it."""
    loss, baseline, comparison, judges = primary_question(study)
    marked = [
        replace(t, family=PRIMARY)
        if (t.loss, t.baseline, t.comparison) == (loss, baseline, comparison) and t.yardstick in judges
        else t
        for t in tests
    ]
    p = [t.p_verdict for t in marked]
    adjusted = list(p)
    for family in {t.family for t in marked}:
        members = [i for i, t in enumerate(marked) if t.family == family]
        for i, q in zip(members, holm([p[i] for i in members])):
            adjusted[i] = q
    return [replace(t, p_holm=q) for t, q in zip(marked, adjusted)]


def _convergence(study: Study, rows: list[dict]) -> dict[str, tuple[int, int]]:
    counts: dict[str, list[int]] = {}
    for row in (r for r in rows if r["loss"] in study.losses):  # the baseline takes no iterations
        tally = counts.setdefault(row["loss"], [0, 0])
        tally[0] += str(row.get("converged")) == "True"
        tally[1] += 1
    return {loss: (c, n) for loss, (c, n) in counts.items()}


def _budget_check(analysis: Analysis, study: Study, rows, values, levels) -> Analysis:
    """The primary tests again on the units where every run of the primary pair converged: does the answer
    depend on the iterations' cap? (Nothing to check when no tolerance was set.)"""
    loss, baseline, comparison, judges = primary_question(study)
    if study.settings.tolerance <= 0:
        return analysis
    stopped = {study.unit_of(r["run"]) for r in rows if r["loss"] in (loss, baseline) and str(r["converged"]) != "True"}
    units = [u for u in study.unit_specs if u not in stopped and u not in analysis.failed_runs]
    if comparison == MATCHED_CONTENT:
        kept = {y: {u: f for u, f in by_unit.items() if u in units} for y, by_unit in analysis.fronts.items()}
        tests = [t for t in matched_tests(kept, (baseline, loss), levels) if t.loss == loss]
    else:
        tests = [_test(values[y], y, loss, baseline, units, levels) for y in judges]
    tests = [t for t in tests if t.yardstick in judges]
    p = [t.p_verdict for t in tests]
    tests = [replace(t, family=PRIMARY, p_holm=q) for t, q in zip(tests, holm(p))]
    return replace(analysis, budget_check=tests, converged_units=len(units))


def _pairs(losses: tuple[str, ...]) -> list[tuple[str, str]]:
    """Every pair once: each loss against the first (the baseline) first, then the others among themselves."""
    first = [(loss, losses[0]) for loss in losses[1:]]
    rest = [(a, b) for i, b in enumerate(losses[1:], 1) for a in losses[i + 1 :]]
    return first + rest


def _test(values: dict[str, dict[str, float]], yardstick: str, a: str, b: str, units: list[str], levels) -> PairedTest:
    y = YARDSTICKS[yardstick]
    first, second = (np.array([values[loss][u] for u in units]) for loss in (a, b))
    return crossed_test(yardstick, a, b, differences(first, second, y.paired), y.paired, y.better, levels(units))


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
    """One line a reader can check against the table, e.g. "mae's style SWD at matched content is lower than
    mse's on 80 of 120 units (higher on 40), crossed-model mean 0.91x (95% CI 0.85-0.97x; photos and paintings
    resampled 0.84-0.98x), Holm p = 0.004: significant". Without levels, the median and its bootstrap CI."""
    y = YARDSTICKS[test.yardstick]
    worse = "higher" if y.better == "lower" else "lower"
    ahead = test.rank_biserial >= 0  # the direction the ranks lean: say that one first
    direction, other = (y.better, worse) if ahead else (worse, y.better)
    count, rest = (test.wins, test.losses) if ahead else (test.losses, test.wins)
    where = " at matched content" if test.comparison == MATCHED_CONTENT else ""
    verdict = "significant" if test.significant else "not significant"
    ties = f", {test.ties} tied" if test.ties else ""
    return (
        f"{test.loss}'s {y.label}{where} is {direction} than {test.baseline}'s on {count} of {test.n} units ({other} "
        f"on {rest}{ties}), {_middle(test, y.paired == 'ratio')}, Holm p = {_p(test.p_holm)}: {verdict}"
    )


def _middle(test: PairedTest, ratio: bool) -> str:
    show = (lambda v: f"{v:.2f}x") if ratio else (lambda v: f"{v:+.3g}")  # noqa: E731
    span = (lambda lo, hi: f"{show(lo)[:-1]}-{show(hi)}") if ratio else (lambda lo, hi: f"{show(lo)} to {show(hi)}")  # noqa: E731
    if not np.isfinite(test.crossed_effect):
        what = "median" if ratio else "median difference"
        return f"{what} {show(test.effect)} (95% CI {span(test.low, test.high)})"
    what = "crossed-model mean" if ratio else "crossed-model mean difference"
    if not np.isfinite(test.crossed_low):
        return f"{what} {show(test.crossed_effect)} (no interval: the crossed model is not estimable on these units)"
    return (
        f"{what} {show(test.crossed_effect)} (95% CI {span(test.crossed_low, test.crossed_high)}; photos and "
        f"paintings resampled {span(test.twoway_low, test.twoway_high)})"
    )


def _p(p: float) -> str:
    return f"{p:.2g}" if p >= 0.001 else f"{p:.1e}"
