"""The study's statistics against hand-worked cases."""

import math

import numpy as np
import pytest

from nst.study.inference import (
    bootstrap_median_interval,
    holm,
    paired_test,
    rank_biserial,
    variance_shares,
    wilcoxon_p,
)


def test_a_loss_that_always_wins():
    """8 units, a's distance always half of b's: every difference has the same sign, so the exact
    two-sided Wilcoxon p is 2 / 2^8, and every rank favours a."""
    b = np.array([10.0, 3.0, 7.0, 100.0, 0.5, 2.0, 40.0, 9.0])
    test = paired_test("style_distance", "mae", "mse", b / 2, b, "ratio", "lower")
    assert (test.wins, test.ties, test.losses, test.n) == (8, 0, 0, 8)
    assert test.effect == pytest.approx(0.5) and test.low == pytest.approx(0.5) and test.high == pytest.approx(0.5)
    assert test.p == pytest.approx(2 / 2**8)
    assert test.rank_biserial == pytest.approx(1.0)


def test_no_difference_is_all_ties_p_one_and_no_effect():
    a = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    test = paired_test("ssim", "mae", "mse", a, a.copy(), "difference", "higher")
    assert (test.wins, test.ties, test.losses) == (0, 6, 0)
    assert test.p == 1.0 and test.rank_biserial == 0.0 and test.effect == 0.0


def test_ties_are_dropped_from_the_test_and_counted():
    """Higher is better; differences +0.1, +0.2, +0.3, -0.4 and two ties: ranks 1, 2, 3 for a, 4 for b."""
    a = np.array([0.6, 0.7, 0.8, 0.1, 0.5, 0.5])
    b = np.array([0.5, 0.5, 0.5, 0.5, 0.5, 0.5])
    test = paired_test("ssim", "mae", "mse", a, b, "difference", "higher")
    assert (test.wins, test.ties, test.losses) == (3, 2, 1)
    assert test.rank_biserial == pytest.approx((1 + 2 + 3 - 4) / 10)
    assert test.p == pytest.approx(wilcoxon_p(np.array([0.1, 0.2, 0.3, -0.4])))


def test_rank_biserial_by_hand():
    assert rank_biserial(np.array([1.0, 2.0, -3.0])) == pytest.approx(0.0)
    assert rank_biserial(np.array([1.0, 2.0, 3.0, -4.0])) == pytest.approx((6 - 4) / 10)
    assert rank_biserial(np.array([-5.0, -1.0])) == pytest.approx(-1.0)


def test_wilcoxon_matches_the_exact_distribution_by_enumeration():
    """Second route: all 2^6 sign patterns of the ranks 1..6; p = share at least as extreme, two-sided."""
    d = np.array([0.3, -0.1, 0.6, 0.2, 0.9, 0.45])
    ranks = np.argsort(np.argsort(np.abs(d))) + 1
    observed = ranks[d > 0].sum()
    totals = [sum(r for r, bit in zip(ranks, range(6)) if pattern >> bit & 1) for pattern in range(64)]
    mean = ranks.sum() / 2
    exact = sum(abs(t - mean) >= abs(observed - mean) for t in totals) / 64
    assert wilcoxon_p(d) == pytest.approx(exact)


def test_holm_against_a_worked_example():
    """p = 0.01, 0.04, 0.03, 0.005 (m = 4): sorted 0.005 x 4 = 0.02, 0.01 x 3 = 0.03, 0.03 x 2 = 0.06,
    0.04 x 1 = 0.04 -> 0.06 (monotone)."""
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])  # capped at 1
    assert holm([]) == []


def test_the_bootstrap_interval_holds_the_median_and_is_seeded():
    d = np.random.default_rng(5).normal(0.3, 1.0, 30)
    low, high = bootstrap_median_interval(d)
    assert low < np.median(d) < high and (low, high) == bootstrap_median_interval(d)
    assert high - low < 2.0


def test_variance_shares_of_a_balanced_design():
    """values = style effect + loss effect, no content effect and no noise: shares by hand."""
    style = np.repeat(["a", "b"], 4)  # 2 styles x 2 contents x 2 losses
    content = np.tile(np.repeat(["x", "y"], 2), 2)
    loss = np.tile(["mse", "mae"], 4)
    values = np.where(style == "a", 0.0, 2.0) + np.where(loss == "mse", 0.0, 1.0)
    shares = variance_shares(values, {"style": style, "content": content, "loss": loss})
    # style: 8 x 1^2 = 8, loss: 8 x 0.5^2 = 2, total 10
    assert shares["style"] == pytest.approx(0.8) and shares["loss"] == pytest.approx(0.2)
    assert shares["content"] == pytest.approx(0.0) and shares["residual"] == pytest.approx(0.0, abs=1e-12)
    assert math.isclose(sum(shares.values()), 1.0)
