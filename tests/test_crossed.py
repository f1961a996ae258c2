"""The crossed photos x paintings statistics against simulations with known truth and plain maths."""

import functools
import itertools
import math

import numpy as np
import pytest

from nst.study import crossed
from nst.study.crossed import anova_estimate, crossed_model, smallest_p, two_way_bootstrap

MU, S_PHOTO, S_PAINTING, S_RES = 0.2, 0.5, 0.4, 0.3


def simulate(seed, photos=12, paintings=10, mu=MU, s_photo=S_PHOTO, s_painting=S_PAINTING, s_res=S_RES):
    """d_ij = mu + a_i + b_j + e_ij over the full cross, with labels as a study has them (names)."""
    rng = np.random.default_rng(seed)
    i, j = np.repeat(np.arange(photos), paintings), np.tile(np.arange(paintings), photos)
    a, b = rng.normal(0, s_photo, photos), rng.normal(0, s_painting, paintings)
    d = mu + a[i] + b[j] + rng.normal(0, s_res, photos * paintings)
    return d, np.array([f"photo{k:02d}" for k in i]), np.array([f"painting{k:02d}" for k in j])


def true_var_of_mean(photos=12, paintings=10, s_photo=S_PHOTO, s_painting=S_PAINTING, s_res=S_RES):
    return s_photo**2 / photos + s_painting**2 / paintings + s_res**2 / (photos * paintings)


@functools.lru_cache
def fits(seeds, photos=12, paintings=10):
    return [(crossed_model(*simulate(s, photos, paintings)), simulate(s, photos, paintings)[0]) for s in range(seeds)]


def test_the_model_recovers_known_variance_components_and_the_effect():
    """Over 200 simulated 12 x 10 crosses the estimates average to the truth (REML is unbiased here up to
    its truncation at 0, rare with these components); tolerances are about 5 standard errors of the average."""
    estimates = [e for e, _ in fits(200)]
    assert all(e.method == "REML" and e.converged for e in estimates)
    assert np.mean([e.var_photo for e in estimates]) == pytest.approx(S_PHOTO**2, abs=0.04)
    assert np.mean([e.var_painting for e in estimates]) == pytest.approx(S_PAINTING**2, abs=0.035)
    assert np.mean([e.var_residual for e in estimates]) == pytest.approx(S_RES**2, abs=0.005)
    assert np.mean([e.mean for e in estimates]) == pytest.approx(MU, abs=0.07)
    assert np.mean([e.se**2 for e in estimates]) == pytest.approx(true_var_of_mean(), rel=0.15)


@pytest.mark.parametrize("seed", range(5))
def test_reml_agrees_with_the_closed_form_anova_on_balanced_data(seed):
    """Balanced, components away from 0: REML = the ANOVA moments, and the general Satterthwaite df (from
    the REML information) = the closed form over the mean squares; se^2 = s_p^2 / I + s_q^2 / J + s_e^2 / n."""
    d, photos, paintings = simulate(seed)
    reml, anova = crossed_model(d, photos, paintings), anova_estimate(d, photos, paintings)
    assert reml.method == "REML" and anova.method == "ANOVA moments"
    for field in ("mean", "se", "df", "low", "high", "p", "var_photo", "var_painting", "var_residual"):
        assert getattr(reml, field) == pytest.approx(getattr(anova, field), rel=1e-4), field
    assert anova.mean == pytest.approx(d.mean())
    assert reml.se**2 == pytest.approx(reml.var_photo / 12 + reml.var_painting / 10 + reml.var_residual / 120)
    assert (reml.n, reml.n_photos, reml.n_paintings) == (120, 12, 10)


def test_the_interval_and_p_follow_t_with_the_reported_df():
    from scipy.stats import t

    e = crossed_model(*simulate(3, mu=0.5))
    half = t.ppf(0.975, e.df) * e.se
    assert (e.low, e.high) == pytest.approx((e.mean - half, e.mean + half))
    assert e.p == pytest.approx(2 * t.sf(abs(e.mean) / e.se, e.df))
    assert 9 < e.df < 119  # between the fewest levels and the units


def test_the_interval_covers_mu_about_95_percent_and_the_iid_one_does_not():
    """200 simulated crosses: the model's 95% interval covers the true mu within a binomial tolerance; the
    naive iid interval (mean +- 1.96 sd / sqrt(n)) ignores the shared photos and paintings and undercovers
    (its se is about a third of the true one here, so it covers about half the time)."""
    covered, naive = 0, 0
    for e, d in fits(200):
        covered += e.low <= MU <= e.high
        naive += abs(d.mean() - MU) <= 1.96 * d.std(ddof=1) / math.sqrt(len(d))
    assert 0.90 <= covered / 200 <= 0.99
    assert naive / 200 < 0.75


@pytest.mark.slow
def test_with_four_photos_the_t_reference_covers_and_a_normal_one_undercovers():
    """4 photos x 10 paintings: df mostly 3-8, so mean +- 1.96 se (a normal reference) covers well under
    95% while the Satterthwaite t interval holds it. 400 simulations."""
    covered, normal = 0, 0
    for e, _ in fits(400, photos=4):
        covered += e.low <= MU <= e.high
        normal += abs(e.mean - MU) <= 1.96 * e.se
    assert 0.91 <= covered / 400 <= 0.98
    assert normal / 400 < 0.92 and normal < covered


def conditional_bootstrap_variance(d, photos, paintings):
    """The pigeonhole bootstrap's exact variance of the mean given the data (balanced, one unit a cell):
    with d = m + alpha_i + beta_j + gamma_ij (sample ANOVA split), sum alpha^2 / I^2 + sum beta^2 / J^2
    + sum gamma^2 / (I J)^2 (multinomial counts: E[c c'] = (1 - 1/I) 1 1' + identity)."""
    grid = d.reshape(len(set(photos)), len(set(paintings)))
    rows, cols = grid.shape
    alpha, beta = grid.mean(axis=1) - grid.mean(), grid.mean(axis=0) - grid.mean()
    gamma = grid - grid.mean() - alpha[:, None] - beta[None, :]
    return np.sum(alpha**2) / rows**2 + np.sum(beta**2) / cols**2 + np.sum(gamma**2) / (rows * cols) ** 2


@pytest.mark.parametrize("seed", range(3))
def test_the_bootstrap_variance_matches_its_exact_conditional_value(seed):
    """9999 resamples: Monte Carlo error of the variance about 1.4%."""
    d, photos, paintings = simulate(seed)
    boot = two_way_bootstrap(d, photos, paintings)
    assert boot.sd**2 == pytest.approx(conditional_bootstrap_variance(d, photos, paintings), rel=0.06)
    assert boot.estimate == pytest.approx(d.mean())
    assert boot.low < d.mean() < boot.high


def test_the_bootstrap_sd_is_close_to_the_analytical_sd_of_the_mean():
    """Averaged over 20 crosses (loosely: the bootstrap counts the residual about three times, and one
    cross's 12 photos say little about s_photo)."""
    variances = [two_way_bootstrap(*simulate(seed), resamples=2000, seed=seed).sd ** 2 for seed in range(20)]
    assert np.mean(variances) == pytest.approx(true_var_of_mean(), rel=0.3)


def test_the_two_way_bootstrap_is_wider_than_the_iid_one_when_photos_and_paintings_matter():
    d, photos, paintings = simulate(0)
    rng = np.random.default_rng(0)
    iid = d[rng.integers(0, len(d), (9999, len(d)))].mean(axis=1)
    boot = two_way_bootstrap(d, photos, paintings)
    assert boot.sd > 2 * iid.std()
    assert boot.high - boot.low > 2 * (np.percentile(iid, 97.5) - np.percentile(iid, 2.5))


def test_the_bootstrap_is_seeded():
    data = simulate(1)
    assert two_way_bootstrap(*data, seed=3) == two_way_bootstrap(*data, seed=3)
    assert two_way_bootstrap(*data, seed=3) != two_way_bootstrap(*data, seed=4)


def test_the_bootstrap_p_is_small_for_a_clear_effect_and_large_for_none():
    clear = two_way_bootstrap(*simulate(2, mu=3.0))
    assert clear.p == pytest.approx(2 / 10000)
    d, photos, paintings = simulate(2)
    none = two_way_bootstrap(d - d.mean(), photos, paintings)  # a sample mean of exactly 0
    assert none.p > 0.5
    assert two_way_bootstrap(d - d.mean(), photos, paintings, statistic=np.median).p > 0.2


def test_the_bootstrap_keeps_repeated_units_of_a_cell_together():
    """Every unit twice (two seeds, same value): each resample's mean is unchanged, so the same draws give
    the same distribution."""
    d, photos, paintings = simulate(4)
    twice = two_way_bootstrap(np.r_[d, d], np.r_[photos, photos], np.r_[paintings, paintings])
    assert tuple(twice) == pytest.approx(tuple(two_way_bootstrap(d, photos, paintings)))


def test_the_bootstrap_handles_a_missing_unit_and_the_median():
    d, photos, paintings = simulate(5)
    boot = two_way_bootstrap(d[1:], photos[1:], paintings[1:])
    assert boot.estimate == pytest.approx(d[1:].mean()) and boot.low < boot.estimate < boot.high
    median = two_way_bootstrap(d[1:], photos[1:], paintings[1:], statistic=np.median, resamples=999)
    assert median.estimate == pytest.approx(np.median(d[1:])) and median.low < median.high


@pytest.mark.parametrize("n", range(1, 9))
def test_smallest_p_is_the_exact_sign_flip_floor(n):
    """Every level's effect positive: the exact sign-flip test's p is the share of the 2^n sign patterns
    whose |sum| reaches the observed one, the all-plus and the all-minus."""
    values = np.arange(1.0, n + 1)
    sums = [abs(np.dot(signs, values)) for signs in itertools.product((1, -1), repeat=n)]
    assert smallest_p(n) == pytest.approx(np.mean(np.array(sums) >= values.sum() - 1e-12))
    assert smallest_p(4) == 0.125 and smallest_p(0) == 1.0


def test_constant_d_does_not_raise():
    _, photos, paintings = simulate(0)
    zero = crossed_model(np.zeros(120), photos, paintings)
    assert (zero.mean, zero.se, zero.p, zero.low, zero.high) == (0.0, 0.0, 1.0, 0.0, 0.0)
    same = crossed_model(np.full(120, 0.3), photos, paintings)
    assert same.mean == pytest.approx(0.3) and same.se == 0.0 and same.var_photo == 0.0
    assert two_way_bootstrap(np.zeros(120), photos, paintings).p == 1.0


@pytest.mark.parametrize("seed", range(4))
def test_a_zero_variance_component_is_refitted_without_it(seed):
    """No painting effect: REML puts it at (or near) 0; the answer stays close to the ANOVA moments."""
    d, photos, paintings = simulate(seed, s_painting=0.0)
    reml, anova = crossed_model(d, photos, paintings), anova_estimate(d, photos, paintings)
    assert reml.var_painting < 0.01 * np.var(d) and math.isfinite(reml.se)
    assert reml.se == pytest.approx(anova.se, rel=0.02) and reml.mean == pytest.approx(anova.mean, abs=1e-3)
    assert reml.method in ("REML", "REML, painting variance at 0")
    none = crossed_model(*simulate(seed, s_photo=0.0, s_painting=0.0))  # chance gives them a little
    assert none.var_photo < 0.02 and none.var_painting < 0.02 and none.low < MU < none.high


def test_a_missing_unit_fits_unbalanced():
    d, photos, paintings = simulate(6)
    full, missing = crossed_model(d, photos, paintings), crossed_model(d[1:], photos[1:], paintings[1:])
    assert missing.n == 119 and missing.converged and missing.method.startswith("REML")
    assert missing.mean == pytest.approx(full.mean, abs=0.1 * full.se)
    assert missing.se == pytest.approx(full.se, rel=0.05)
    with pytest.raises(ValueError, match="balanced"):
        anova_estimate(d[1:], photos[1:], paintings[1:])


def test_non_finite_units_are_left_out():
    d, photos, paintings = simulate(7)
    spoiled = d.copy()
    spoiled[[0, 5]] = [np.inf, np.nan]
    e = crossed_model(spoiled, photos, paintings)
    kept = crossed_model(np.delete(d, [0, 5]), np.delete(photos, [0, 5]), np.delete(paintings, [0, 5]))
    assert e.n == 118 and e.mean == pytest.approx(kept.mean) and e.se == pytest.approx(kept.se)
    keep = np.isfinite(spoiled)
    assert two_way_bootstrap(spoiled, photos, paintings).estimate == pytest.approx(d[keep].mean())


def test_tiny_and_one_sided_designs_do_not_raise():
    one = crossed_model([0.4], ["a"], ["x"])
    assert one.mean == 0.4 and math.isnan(one.se) and one.p == 1.0
    repeats = crossed_model([1.0, 2.0, 3.0], ["a"] * 3, ["x"] * 3)  # one cell, three seeds: iid
    assert repeats.se == pytest.approx(np.std([1.0, 2.0, 3.0], ddof=1) / np.sqrt(3)) and repeats.df == 2
    d, photos, paintings = simulate(8, photos=1)
    single = crossed_model(d, photos, paintings)  # one photo: painting and residual not separable, iid t
    assert math.isnan(single.var_photo) and math.isnan(single.var_painting) and single.n_photos == 1
    assert single.se == pytest.approx(np.std(d, ddof=1) / np.sqrt(10)) and single.df == pytest.approx(9)
    assert two_way_bootstrap(d, photos, paintings).low < d.mean()  # resamples the paintings only
    twice = np.r_[d, d + 0.1]  # two seeds a cell: the painting variance is separable again
    cells = crossed_model(twice, np.r_[photos, photos], np.r_[paintings, paintings])
    assert math.isnan(cells.var_photo) and cells.var_painting > 0 and cells.method.startswith("REML")
    assert math.isnan(two_way_bootstrap([0.4], ["a"], ["x"]).low)
    assert crossed_model([], [], []).n == 0


def test_when_reml_fails_balanced_data_get_the_anova_estimate(monkeypatch):
    monkeypatch.setattr(crossed, "_mixedlm", lambda *args: None)
    d, photos, paintings = simulate(9)
    fallback, anova = crossed_model(d, photos, paintings), anova_estimate(d, photos, paintings)
    assert not fallback.converged and fallback.method.startswith("ANOVA moments")
    assert (fallback.mean, fallback.se, fallback.df) == (anova.mean, anova.se, anova.df)
    unbalanced = crossed_model(d[1:], photos[1:], paintings[1:])  # no closed form: marked, never significant
    assert not unbalanced.converged and unbalanced.p == 1.0 and "not converged" in unbalanced.method
