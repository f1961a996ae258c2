"""The parts of study.md that speak to the design's soundness: what is independent (photos and paintings,
and the smallest p they allow), the pre-declared primary question and its answer, equal weight against
matched content, convergence and whether the answer depends on the budget, and how it was computed."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nst.metrics import YARDSTICKS
from nst.study.analysis import Analysis, primary_question, sentence
from nst.study.crossed import smallest_p
from nst.study.design import Study
from nst.study.front_plots import plot_fronts
from nst.study.inference import ALPHA, BOOTSTRAP_RESAMPLES, MATCHED_CONTENT, PairedTest


def independence(study: Study) -> list[str]:
    """Design lines: the cross of photos and paintings, the smallest p it allows, the fronts' weights."""
    photos, paintings = len(study.contents), len(study.styles)
    lines = [
        f"- units: {photos} photos x {paintings} paintings, each photo with every painting; the units are not "
        "independent (a photo's units share it, a painting's share it), so every verdict comes from the crossed "
        "random-effects model (photo and painting as random effects); an exact sign-flip test over the "
        f"photos could not go below p = {smallest_p(photos):.2g}, over the paintings p = {smallest_p(paintings):.2g}",
    ]
    if study.style_weights:
        lines.append(
            f"- trade-off fronts: {', '.join(study.front_losses)} at style weights "
            f"{', '.join(f'{w:g}' for w in study.style_weights)} (every other loss at {study.settings.style_weight:g})"
        )
    if study.settings.tolerance > 0:
        lines.append(
            f"- each run stops once its objective fell by less than {study.settings.tolerance:g} of itself over 10 "
            f"iterations, or at {study.settings.iterations} iterations"
        )
    return lines


def primary(study: Study, analysis: Analysis) -> list[str]:
    """The pre-declared question, its answer, and the same tests on the all-converged units."""
    loss, baseline, comparison, judges = primary_question(study)
    labels = ", ".join(YARDSTICKS[y].label for y in judges)
    lines = [
        "## The primary question",
        "",
        f"Declared before the runs: is {loss} different from {baseline} ({comparison}) on the style-side judges "
        f"that no loss of this study optimises ({labels})? Holm's correction runs over these {len(judges)} tests "
        "alone; every other test below is exploratory, corrected together.",
        "",
        *[f"- {sentence(t)}" for t in analysis.primary()],
    ]
    if study.settings.tolerance > 0 and not analysis.budget_check:
        lines += [
            "",
            f"No unit had every run of {loss} and {baseline} converged: the answer above is the one at the cap of "
            f"{study.settings.iterations} iterations, and whether it holds at convergence is not measured here.",
        ]
    if analysis.budget_check:
        lines += [
            "",
            f"The same tests on the {analysis.converged_units} units where every run of {loss} and {baseline} "
            "converged (does the answer depend on the iterations' cap?):",
            "",
            *[f"- {sentence(t)}" for t in analysis.budget_check],
        ]
    return lines + ["", *convergence(analysis)]


def convergence(analysis: Analysis) -> list[str]:
    if not analysis.converged:
        return []
    cells = ", ".join(f"{loss} {c} of {n}" for loss, (c, n) in analysis.converged.items())
    return [f"Runs that converged before the cap: {cells}."]


def weight_against_matched(study: Study, analysis: Analysis) -> list[str]:
    """Which comparison answers which question, with the front losses' tests side by side."""
    if not study.style_weights:
        return []
    lines = [
        "## Equal weight or matched content",
        "",
        "At equal style weight each loss sits at its own point of its style-content trade-off, so a difference "
        "there mixes 'transfers more style' with 'weights style more': it answers what a user gets from the same "
        "setting. At matched content distance (each unit's fronts interpolated in log content distance, "
        "nst.study.fronts) the losses keep as much of the photo, and a difference is one of how well they use "
        "it: it answers which loss transfers style better. Units whose fronts do not overlap are left out.",
        "",
        "| yardstick | loss | vs | equal weight | matched content |",
        "|---|---|---|---|---|",
    ]
    equal = {(t.yardstick, t.loss, t.baseline): t for t in analysis.tests if t.comparison != MATCHED_CONTENT}
    for t in (t for t in analysis.tests if t.comparison == MATCHED_CONTENT):
        other = equal.get((t.yardstick, t.loss, t.baseline))
        cell = _cell(other) if other else ""
        lines.append(f"| {YARDSTICKS[t.yardstick].label} | {t.loss} | {t.baseline} | {cell} | {_cell(t)} |")
    return lines


def _cell(t: PairedTest) -> str:
    ratio = YARDSTICKS[t.yardstick].paired == "ratio"
    value = t.crossed_effect if np.isfinite(t.crossed_effect) else t.effect
    shown = f"{value:.2f}x" if ratio else f"{value:+.3g}"
    return f"{shown} (n {t.n}, Holm p {t.p_holm:.2g})" + (" **" if t.significant else "")


def front_plots(study: Study, analysis: Analysis, out: Path) -> list[Path]:
    """One fronts plot per yardstick (fronts-<yardstick>.png)."""
    return [plot_fronts(f, y, out / f"fronts-{y}.png", study.front_losses) for y, f in analysis.fronts.items() if f]


def method() -> list[str]:
    return [
        "- Crossed random-effects model per test (nst.study.crossed): the per-unit paired effect (log ratio, or "
        "difference) = mean + photo effect + painting effect + residual, fitted by REML (statsmodels MixedLM, "
        "variance components); its mean back-transformed (a geometric-mean ratio), a t interval and p with "
        "Satterthwaite degrees of freedom. This p, Holm-corrected within its family (primary, exploratory), "
        f"gives the verdict: significant when under {ALPHA}.",
        f"- Two-way bootstrap: photos and paintings resampled independently with replacement, every unit of "
        f"the drawn levels kept, {BOOTSTRAP_RESAMPLES} resamples, percentile interval of the mean.",
        "- Naive columns (units taken as independent): the median and its bootstrap interval, Wilcoxon's p; "
        "kept to show what ignoring the design would claim.",
    ]
