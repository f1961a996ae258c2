"""Paired statistics of a study: is one loss's yardstick better than another's over many image pairs?

A unit is one (content, style, seed): every loss ran on it under identical settings, so two losses'
values on a unit form a pair. Per yardstick and pair of losses (a, b), over the units where both ran:
- the paired effect: log(a / b) for positive, scale-dependent yardsticks (reported as the median
  ratio, "0.62x"), a - b for bounded ones (SSIM);
- a seeded bootstrap 95% confidence interval of its median (scipy.stats.bootstrap, percentile);
- the Wilcoxon signed-rank test (two-sided; zero differences dropped, as Wilcoxon's original);
- wins, ties and losses of a against b, by the yardstick's direction;
- the matched-pairs rank-biserial correlation (Kerby 2014): (sum of ranks where a is better - sum where
  b is better) / sum of all ranks, in [-1, 1], positive when a is better;
and, because the units are a cross of photos and paintings (each photo with every painting) and so not
independent, the crossed random-effects model of nst.study.crossed (photo and painting as random effects:
its mean, back-transformed, with a Satterthwaite t interval and p) and a two-way bootstrap that resamples
photos and paintings. The crossed p is the one Holm's step-down correction and the verdict use, within
each family of tests (the study's pre-declared primary question, and the exploratory rest).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

BOOTSTRAP_RESAMPLES = 9999
BOOTSTRAP_SEED = 0
TIE_TOLERANCE = 1e-9  # a relative difference below this is a tie (equal up to float rounding)
ALPHA = 0.05
EQUAL_WEIGHT, MATCHED_CONTENT = "equal weight", "matched content"  # PairedTest.comparison
PRIMARY, EXPLORATORY = "primary", "exploratory"  # PairedTest.family: Holm's correction runs within each


@dataclass(frozen=True)
class PairedTest:
    yardstick: str
    loss: str  # a
    baseline: str  # b
    n: int  # units where both ran
    effect: float  # median ratio a/b ("ratio") or median difference a - b ("difference")
    low: float  # 95% bootstrap interval of that median, same scale
    high: float
    p: float  # Wilcoxon signed-rank, two-sided
    wins: int  # units where a is better than b
    ties: int
    losses: int
    rank_biserial: float  # matched pairs, positive: a better
    p_holm: float = math.nan  # the crossed p after Holm's correction within its family
    comparison: str = EQUAL_WEIGHT  # or MATCHED_CONTENT: at matched content distance (nst.study.fronts)
    family: str = EXPLORATORY  # or PRIMARY: the study's pre-declared question
    crossed_effect: float = math.nan  # the crossed model's mean, back-transformed (geometric-mean ratio, or difference)
    crossed_low: float = math.nan  # its 95% t interval (Satterthwaite df)
    crossed_high: float = math.nan
    p_crossed: float = math.nan  # two-sided, the crossed model's t test
    twoway_low: float = math.nan  # 95% percentile interval of the mean, photos and paintings resampled
    twoway_high: float = math.nan
    p_twoway: float = math.nan
    photos: int = 0  # distinct photos and paintings among the n units
    paintings: int = 0

    @property
    def significant(self) -> bool:
        return self.p_holm < ALPHA

    @property
    def p_verdict(self) -> float:
        """The p that Holm's correction takes: the crossed model's, or the naive one where it has none."""
        return self.p_crossed if math.isfinite(self.p_crossed) else self.p


class Levels(NamedTuple):
    """Each unit's photo and painting (the crossed design's levels), in the units' order."""

    photos: np.ndarray
    paintings: np.ndarray


def paired_test(
    yardstick: str,
    loss: str,
    baseline: str,
    a: np.ndarray,
    b: np.ndarray,
    paired: str,
    better: str,
) -> PairedTest:
    """a, b: the two losses' values on the same units, in the same order: the naive statistics (the crossed
    ones: nst.study.crossed.crossed_test)."""
    return differences_test(yardstick, loss, baseline, differences(a, b, paired), paired, better)


def differences_test(
    yardstick: str,
    loss: str,
    baseline: str,
    d: np.ndarray,
    paired: str,
    better: str,
    comparison: str = EQUAL_WEIGHT,
) -> PairedTest:
    """The naive tests of per-unit paired differences d (log ratios for "ratio" yardsticks, else differences)."""
    d = np.asarray(d, np.float64)
    sign = -1.0 if better == "lower" else 1.0  # sign * d > 0: a is better
    ties = np.abs(d) <= TIE_TOLERANCE * np.maximum(1.0, np.abs(d).max(initial=0.0))
    wins, lost = int(np.sum((sign * d > 0) & ~ties)), int(np.sum((sign * d < 0) & ~ties))
    low, high = bootstrap_median_interval(d)
    back = np.exp if paired == "ratio" else (lambda x: x)
    test = PairedTest(
        yardstick,
        loss,
        baseline,
        len(d),
        float(back(np.median(d))),
        float(back(low)),
        float(back(high)),
        wilcoxon_p(np.where(ties, 0.0, d)),
        wins,
        int(ties.sum()),
        lost,
        rank_biserial(np.where(ties, 0.0, sign * d)),
        comparison=comparison,
    )
    return test


def differences(a: np.ndarray, b: np.ndarray, paired: str) -> np.ndarray:
    """Per-unit paired effects of a against b: log(a / b) for "ratio" yardsticks, a - b otherwise."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if paired == "ratio":
        return np.log(a) - np.log(b)
    return a - b


def bootstrap_median_interval(d: np.ndarray) -> tuple[float, float]:
    """95% percentile interval of the median of d, from BOOTSTRAP_RESAMPLES seeded resamples."""
    if len(d) < 2 or np.all(d == d[0]):
        return float(np.median(d)), float(np.median(d))
    from scipy.stats import bootstrap

    result = bootstrap(
        (d,),
        np.median,
        n_resamples=BOOTSTRAP_RESAMPLES,
        method="percentile",
        rng=np.random.default_rng(BOOTSTRAP_SEED),
        vectorized=True,
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def wilcoxon_p(d: np.ndarray) -> float:
    """Two-sided Wilcoxon signed-rank p of the paired differences d (zeros dropped); 1 if none remain."""
    nonzero = d[d != 0]
    if len(nonzero) == 0:
        return 1.0
    from scipy.stats import wilcoxon

    return float(wilcoxon(nonzero, zero_method="wilcox", alternative="two-sided").pvalue)


def rank_biserial(d: np.ndarray) -> float:
    """Matched-pairs rank-biserial correlation of d (positive: the first of the pair better); zeros dropped."""
    from scipy.stats import rankdata

    nonzero = d[d != 0]
    if len(nonzero) == 0:
        return 0.0
    ranks = rankdata(np.abs(nonzero))
    return float((ranks[nonzero > 0].sum() - ranks[nonzero < 0].sum()) / ranks.sum())


def holm(p_values: list[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the given order: the i-th smallest p times (m - i + 1),
    made monotone, capped at 1."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted, running = [1.0] * m, 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def variance_shares(values: np.ndarray, factors: dict[str, np.ndarray]) -> dict[str, float]:
    """Share of the total sum of squares of `values` explained by each factor's main effect
    (sum over its levels of count x (level mean - grand mean)^2), and the rest ("residual":
    interactions and noise). Exact for a balanced design, where the main effects are orthogonal."""
    grand = values.mean()
    total = float(np.sum((values - grand) ** 2))
    shares = {}
    for name, levels in factors.items():
        ss = sum(np.sum(levels == level) * (values[levels == level].mean() - grand) ** 2 for level in np.unique(levels))
        shares[name] = float(ss / total) if total > 0 else 0.0
    shares["residual"] = max(0.0, 1.0 - sum(shares.values()))
    return shares
