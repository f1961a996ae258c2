"""A study's units are a full cross of photos x paintings, not independent draws: statistics that say so.

- `crossed_model`: d_ij = mu + a_i + b_j + e_ij, a_i ~ N(0, s_photo^2), b_j ~ N(0, s_painting^2),
  e_ij ~ N(0, s_res^2), by REML (statsmodels' MixedLM, one group holding every unit, a variance component
  per factor). Var(mu-hat) ~ s_photo^2 / I + s_painting^2 / J + s_res^2 / (I J): with few photos the first
  term rules, however many units. Interval and p: Student's t with Satterthwaite's df for Var(mu-hat),
  2 Var^2 / Var(Var-hat), Var(Var-hat) by the delta method from the inverse expected REML information. A
  normal reference treats the components as known and undercovers with few levels (4 photos x 10
  paintings: df mostly 3-8, +-1.96 se covers ~87%; tested). On balanced data this df is the closed form of the
  ANOVA mean squares, (MS_p + MS_q - MS_e)^2 / (MS_p^2 / (I - 1) + MS_q^2 / (J - 1) + MS_e^2 / df_e)
  (`anova_estimate`; tested).
- `two_way_bootstrap`: photos and paintings resampled with replacement, independently (Owen's pigeonhole
  bootstrap); its variance of the mean is ~ s_photo^2 / I + s_painting^2 / J + 3 s_res^2 / (I J), a little
  conservative, and like every bootstrap too narrow with few levels.
- `smallest_p`: the floor under an exact sign-flip test over n levels, to state next to a study's p.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np

from nst.study.cross import PAINTING, PHOTO, Cross, cross
from nst.study.inference import ALPHA, BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, TIE_TOLERANCE

BOUNDARY = 1e-3  # a variance component under this share of var(d) is at 0: refitted without it
BOOTSTRAP_BLOCK = 2_000_000  # values gathered at once by the bootstrap (memory: 16 MB)


@dataclass(frozen=True)
class CrossedEstimate:
    mean: float  # mu-hat, on the scale of d
    se: float
    low: float  # 95% interval, t reference with df degrees of freedom
    high: float
    p: float  # two-sided, H0 mu = 0
    df: float  # Satterthwaite degrees of freedom of Var(mu-hat)
    var_photo: float  # 0 when estimated at 0; NaN when not estimable (one photo, or one unit a photo)
    var_painting: float
    var_residual: float
    n_photos: int
    n_paintings: int
    n: int  # units used (finite d)
    converged: bool  # statsmodels' verdict on the REML fit (False when another route gave the numbers)
    method: str  # how the numbers were obtained, in a few words


class BootstrapInterval(NamedTuple):
    estimate: float  # the statistic on the data
    low: float  # 95% percentile interval
    high: float
    p: float  # 2 x the smaller share of resamples on either side of 0, (count + 1) / (resamples + 1)
    sd: float  # standard deviation of the bootstrap distribution


class _Fit(NamedTuple):
    mean: float
    var: dict[str, float]  # factor -> variance, only the fitted factors
    var_residual: float
    converged: bool


def crossed_model(d: Sequence[float], photos: Sequence, paintings: Sequence) -> CrossedEstimate:
    """The crossed random-effects estimate of mean d; photos[u], paintings[u] label unit u (any labels).
    Never raises on what a study produces: non-finite d are left out; constant d has se 0; a factor with one
    level, or confounded with the residual, has variance NaN (inference conditional on it); a component under
    BOUNDARY x var(d) is at 0, refitted without; ConvergenceWarnings are silenced, statsmodels' verdict kept
    in `converged`; if REML does not converge, balanced data (every cell the same count) get the closed-form
    `anova_estimate`, unbalanced data (no closed form) the unconverged fit, marked. Repeated units of a cell
    (seeds) count as independent residuals."""
    design = cross(d, photos, paintings)
    mean = float(design.d.mean()) if design.n else math.nan
    if design.n < 2 or design.residual_df < 1:
        return _finish(design, _Fit(mean, {}, math.nan, False), "too few units")
    if np.ptp(design.d) <= TIE_TOLERANCE * max(1.0, float(np.abs(design.d).max())):
        fit = _Fit(mean, dict.fromkeys(design.factors, 0.0), 0.0, True)
        return _finish(design, fit, "constant d", variance=0.0, df=math.inf)
    fit = _reml(design, design.factors)
    if zero := _at_zero(design, fit):
        fit = _reml(design, tuple(k for k in fit.var if k not in zero))
    if not fit.converged and design.balanced:
        anova = anova_estimate(design.d, design.codes[PHOTO], design.codes[PAINTING])
        return replace(anova, converged=False, method="ANOVA moments (REML did not converge)")
    if not design.factors:
        return _finish(design, fit, "iid t (no separable photo or painting variance)")
    at_zero = "".join(f", {k} variance at 0" for k in design.factors if k not in fit.var)
    return _finish(design, fit, "REML" + at_zero + ("" if fit.converged else ", not converged"))


def _reml(design: Cross, factors: tuple[str, ...]) -> _Fit:
    """REML by MixedLM on d / sd(d) (statsmodels' optimiser works on absolute scales), from the moment
    estimates, by BFGS; when that fails away from the boundary, a derivative-free retry (Powell): the
    gradient methods often fail with a component near 0. No factor: the iid mean and variance."""
    if not factors:
        return _Fit(float(design.d.mean()), {}, float(design.d.var(ddof=1)), True)
    fit = _Fit(float(design.d.mean()), dict.fromkeys(factors, math.nan), math.nan, False)
    for methods in (["bfgs"], ["powell"]):
        attempt = _mixedlm(design, factors, methods)
        if attempt is not None:
            fit = attempt
            if attempt.converged or _at_zero(design, attempt):
                break
    return fit


def _at_zero(design: Cross, fit: _Fit) -> tuple[str, ...]:
    """The factors whose variance is under BOUNDARY x var(d) (NaN is not)."""
    return tuple(k for k, v in fit.var.items() if v < BOUNDARY * design.d.var())


def _mixedlm(design: Cross, factors: tuple[str, ...], methods: list[str]) -> _Fit | None:
    from statsmodels.regression.mixed_linear_model import MixedLM, MixedLMParams, VCSpec

    names, scale = sorted(factors), float(design.d.std())
    z = design.d / scale
    moments = _moments(z, design, names)
    residual = max(moments.mean_squares["residual"], 1e-6)
    relative = [max(moments.var[k], 0.05 * residual) / residual for k in names]
    start = MixedLMParams.from_components(np.array([z.mean()]), np.zeros((0, 0)), vcomp=np.array(relative))
    columns = [[[f"{k}{i}" for i in range(design.levels[k])]] for k in names]
    spec = VCSpec(names, columns, [[design.indicators(k)] for k in names])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarnings: result.converged and the boundary rule say it
        try:
            model = MixedLM(z, np.ones((design.n, 1)), np.zeros(design.n), exog_vc=spec)
            result = model.fit(reml=True, start_params=start, method=methods)
        except (np.linalg.LinAlgError, ValueError, ZeroDivisionError, FloatingPointError):
            return None
    values = [float(result.fe_params[0]) * scale, float(result.scale) * scale**2]
    var = {k: float(v) * scale**2 for k, v in zip(names, result.vcomp)}
    if not all(math.isfinite(v) for v in [*values, *var.values()]):
        return None
    return _Fit(values[0], var, values[1], bool(result.converged))


class _Moments(NamedTuple):
    var: dict[str, float]  # factor -> moment estimate (may be negative)
    mean_squares: dict[str, float]  # factor -> MS, and "residual"
    df: dict[str, int]


def _moments(d: np.ndarray, design: Cross, factors: Sequence[str]) -> _Moments:
    """ANOVA mean squares of the additive two-way fit (least squares; on balanced data the level means)
    and the moment estimates they give: E[MS_k] = s_res^2 + (n / levels_k) s_k^2, E[MS_res] = s_res^2.
    Exact on balanced data; a rough start for REML otherwise."""
    columns = [np.ones((design.n, 1))] + [design.indicators(k) for k in factors]
    coef, *_ = np.linalg.lstsq(np.hstack(columns), d, rcond=None)
    residual = d - np.hstack(columns) @ coef
    df = {k: design.levels[k] - 1 for k in factors}
    df["residual"] = design.n - 1 - sum(df.values())
    ms = {"residual": max(float(residual @ residual) / df["residual"], 0.0)}
    start = 1
    for k in factors:
        effects = coef[start : start + design.levels[k]]
        start += design.levels[k]
        ms[k] = design.n / design.levels[k] * float(np.var(effects, ddof=1))
    var = {k: (ms[k] - ms["residual"]) * design.levels[k] / design.n for k in factors}
    return _Moments(var, ms, df)


def anova_estimate(d: Sequence[float], photos: Sequence, paintings: Sequence) -> CrossedEstimate:
    """The closed-form ANOVA (method-of-moments) estimate, for balanced data only (ValueError otherwise):
    mean d, components from the mean squares truncated at 0, Var(mu-hat) = sum of the kept components'
    shares (MS_k - MS_res) / n + MS_res / n, and its Satterthwaite df over those mean squares."""
    design = cross(d, photos, paintings)
    if not design.balanced or design.residual_df < 1:
        raise ValueError("anova_estimate needs a balanced cross (every photo x painting cell the same count)")
    m = _moments(design.d, design, design.factors)
    var = {k: max(v, 0.0) for k, v in m.var.items()}
    kept = [k for k in var if var[k] > 0]
    weights = dict.fromkeys(kept, 1.0) | {"residual": 1.0 - len(kept)}  # Var(mu-hat) = sum w MS / n
    variance = sum(w * m.mean_squares[k] for k, w in weights.items()) / design.n
    spread = sum((w * m.mean_squares[k] / design.n) ** 2 / m.df[k] for k, w in weights.items())
    df = variance**2 / spread if spread > 0 else math.inf
    fit = _Fit(float(design.d.mean()), var, m.mean_squares["residual"], True)
    return _finish(design, fit, "ANOVA moments", variance=variance, df=df)


def _finish(
    design: Cross, fit: _Fit, method: str, variance: float | None = None, df: float | None = None
) -> CrossedEstimate:
    """The estimate with its t interval and p; Var(mu-hat) and df from the GLS formulas unless given."""
    from scipy.stats import t

    if variance is None and math.isfinite(fit.var_residual):
        variance, df = _gls_variance(design, fit)
    se = math.sqrt(variance) if variance is not None else math.nan
    if se > 0:
        half, p = float(t.ppf(1 - ALPHA / 2, df)) * se, float(2 * t.sf(abs(fit.mean) / se, df))
    else:  # se 0: exact, p 0 unless mu-hat is 0; se NaN (no estimate): never significant
        half, p = (0.0, float(fit.mean == 0)) if se == 0 else (math.nan, 1.0)
    var = [fit.var.get(k, 0.0) if k in design.factors else math.nan for k in (PHOTO, PAINTING)]
    counts = design.levels[PHOTO], design.levels[PAINTING], design.n
    df = df if df is not None else math.nan
    interval = fit.mean - half, fit.mean + half
    return CrossedEstimate(fit.mean, se, *interval, p, df, *var, fit.var_residual, *counts, fit.converged, method)


def _gls_variance(design: Cross, fit: _Fit) -> tuple[float, float]:
    """Var(mu-hat) = 1 / (1' V^-1 1), V = sum_k s_k^2 Z_k Z_k' + s_res^2 I, and Satterthwaite's df 2 Var^2 /
    (g' A g): g = dVar / ds^2, A the inverse expected REML information tr(P G_k P G_l) / 2 = |Z_k' P Z_l|^2 / 2,
    P = V^-1 - V^-1 1 1' V^-1 / (1' V^-1 1), G_k = dV / ds_k^2 = Z_k Z_k' (the residual's Z: the identity)."""
    zs = [design.indicators(k) for k in fit.var]
    residual = max(fit.var_residual, 1e-12 * float(design.d.var()))
    z = np.hstack([np.ones((design.n, 0)), *zs])  # every random effect's column
    dz = np.concatenate([np.zeros(0), *(np.full(design.levels[k], v) for k, v in fit.var.items())])[:, None] * z.T
    inner = np.linalg.solve(residual * np.eye(len(dz)) + dz @ z, dz)  # push-through: V^-1 from a small solve
    vi = (np.eye(design.n) - z @ inner) / residual
    w = vi.sum(axis=1)
    variance = 1.0 / float(w.sum())
    p = vi - np.outer(w, w) * variance
    pz = [p @ z for z in zs]
    rows = [[np.sum((zk.T @ pzl) ** 2) for pzl in pz] + [np.sum(pzk**2)] for zk, pzk in zip(zs, pz)]
    info = 0.5 * np.array(rows + [[np.sum(pzk**2) for pzk in pz] + [np.sum(p**2)]])
    g = variance**2 * np.array([np.sum((z.T @ w) ** 2) for z in zs] + [np.sum(w**2)])
    spread = float(g @ np.linalg.pinv(info) @ g)
    df = 2 * variance**2 / spread if spread > 0 else math.inf
    return variance, min(df, design.n - 1)


def two_way_bootstrap(
    d: Sequence[float],
    photos: Sequence,
    paintings: Sequence,
    statistic: Callable[..., np.ndarray] = np.mean,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> BootstrapInterval:
    """Photos and paintings resampled with replacement, independently: a resample is every unit of the cross
    of the drawn levels, with multiplicity. `statistic(x, axis=1)` gets a (resamples, units) array, NaN in
    missing cells of unbalanced data (np.mean, np.median become np.nanmean, np.nanmedian there). p (H0:
    statistic = 0) is the percentile interval's, 2 x the smaller share (count + 1) / (resamples + 1) of
    resamples at or beyond 0 on either side: approximate, at least 2 / (resamples + 1), too small with few
    levels (see smallest_p)."""
    design = cross(d, photos, paintings)
    estimate = float(statistic(design.d[None, :], axis=1)[0]) if design.n else math.nan
    if max(design.levels.values()) < 2:
        return BootstrapInterval(estimate, math.nan, math.nan, 1.0, math.nan)
    grid = design.grid()
    if np.isnan(grid).any():
        statistic = {np.mean: np.nanmean, np.median: np.nanmedian}.get(statistic, statistic)
    values = _resampled(grid, statistic, resamples, seed)
    if not len(values):
        return BootstrapInterval(estimate, math.nan, math.nan, 1.0, math.nan)
    low, high = np.percentile(values, [100 * ALPHA / 2, 100 * (1 - ALPHA / 2)])
    side = min(np.sum(values <= 0), np.sum(values >= 0))
    p = min(1.0, 2 * (side + 1) / (len(values) + 1))
    return BootstrapInterval(estimate, float(low), float(high), float(p), float(values.std()))


def _resampled(grid: np.ndarray, statistic: Callable[..., np.ndarray], resamples: int, seed: int) -> np.ndarray:
    """The statistic on each resample of rows and columns of grid (finite values only), in blocks."""
    rng = np.random.default_rng(seed)
    rows, cols, _ = grid.shape
    drawn_rows, drawn_cols = rng.integers(0, rows, (resamples, rows)), rng.integers(0, cols, (resamples, cols))
    block, values = max(1, BOOTSTRAP_BLOCK // grid.size), []
    for start in range(0, resamples, block):
        drawn = grid[drawn_rows[start : start + block, :, None], drawn_cols[start : start + block, None, :]]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a resample of only missing cells: NaN, dropped
            values.append(statistic(drawn.reshape(len(drawn), -1), axis=1))
    values = np.concatenate(values)
    return values[np.isfinite(values)]


def smallest_p(n_levels: int) -> float:
    """The smallest two-sided p an exact sign-flip test over n_levels independent levels can reach,
    2 / 2^n (4 photos: 0.125): no honest test of a study with that few photos (or paintings) goes lower."""
    return min(1.0, 2.0 / 2.0**n_levels)
