"""Fronts compared at matched content distance (nst.study.fronts), against curves whose answer is known,
and their plot (nst.study.front_plots)."""

import math

import numpy as np
import pytest
from PIL import Image

from nst.study import front_plots
from nst.study.fronts import (
    FrontPoint,
    front,
    fronts_from_points,
    fronts_from_values,
    matched_difference,
    matched_effects,
)

WEIGHTS = (1.0, 3.0, 10.0, 30.0, 100.0)


def power_front(c: float, k: float, contents) -> object:
    """A front on value = c * content^-k, one point per content distance (weights in the same order)."""
    return front(FrontPoint(w, x, c * x**-k) for w, x in zip(WEIGHTS, contents))


def test_power_laws_with_the_same_exponent_differ_by_the_log_ratio_of_their_constants():
    rng = np.random.default_rng(1)
    for _ in range(20):
        ca, cb, k = rng.uniform(0.1, 10), rng.uniform(0.1, 10), rng.uniform(0.2, 3)
        xa = np.sort(rng.uniform(0.5, 20, 5))  # sampled anywhere, not at shared positions
        xb = np.sort(rng.uniform(0.5, 20, 5))
        matched = matched_difference(power_front(ca, k, xa), power_front(cb, k, xb), "ratio")
        if max(xa[0], xb[0]) >= min(xa[-1], xb[-1]):
            assert matched is None
            continue
        assert matched.effect == pytest.approx(math.log(ca / cb), abs=1e-9)


def test_partial_overlap_is_the_shared_range_and_its_share_of_each_front():
    xa, xb = [1.0, 2.0, 4.0, 8.0], [4.0, 16.0, 64.0]
    matched = matched_difference(power_front(3.0, 1.5, xa), power_front(0.5, 1.5, xb), "ratio")
    assert matched.effect == pytest.approx(math.log(6.0), abs=1e-9)
    assert (matched.low, matched.high) == pytest.approx((4.0, 8.0))
    # in log content distance a spans log 8 = 3 log 2, b spans 4 log 2; the overlap is log 2
    assert matched.cover_a == pytest.approx(1 / 3) and matched.cover_b == pytest.approx(1 / 4)


def test_difference_yardsticks_compare_values_linear_in_log_content():
    # a: value = 0.9 - 0.1 log x, b: value = 0.7 - 0.3 log x; a - b = 0.2 + 0.2 log x, whose mean over an
    # evenly spaced grid in log x from log 2 to log 10 is 0.2 + 0.2 (log 2 + log 10) / 2
    a = front(FrontPoint(w, x, 0.9 - 0.1 * math.log(x)) for w, x in zip(WEIGHTS, [1.0, 3.0, 10.0]))
    b = front(FrontPoint(w, x, 0.7 - 0.3 * math.log(x)) for w, x in zip(WEIGHTS, [2.0, 5.0, 20.0]))
    matched = matched_difference(a, b, "difference")
    assert matched.effect == pytest.approx(0.2 + 0.1 * (math.log(2) + math.log(10)), abs=1e-12)
    parallel = front(FrontPoint(w, x, 0.5 - 0.1 * math.log(x)) for w, x in zip(WEIGHTS, [2.0, 5.0, 20.0]))
    assert matched_difference(a, parallel, "difference").effect == pytest.approx(0.4, abs=1e-12)


def test_the_same_curve_at_different_content_distances_differs_at_equal_weight_but_not_when_matched():
    # Both losses trace value = 2 content^-1.5; at each style weight a keeps twice b's content distance
    # (it weights style more), so at equal weight it looks 2^-1.5 = 0.35x better than b.
    xa, xb = [2 * w**0.5 for w in WEIGHTS], [w**0.5 for w in WEIGHTS]
    a, b = power_front(2.0, 1.5, xa), power_front(2.0, 1.5, xb)
    equal_weight = np.log([p.value for p in a.points]) - np.log([p.value for p in b.points])
    assert equal_weight == pytest.approx(np.full(5, -1.5 * math.log(2)))
    assert matched_difference(a, b, "ratio").effect == pytest.approx(0.0, abs=1e-9)


def test_fronts_that_do_not_overlap_or_have_one_point_are_not_compared():
    a = power_front(1.0, 1.0, [1.0, 2.0])
    assert matched_difference(a, power_front(1.0, 1.0, [3.0, 4.0]), "ratio") is None
    assert matched_difference(a, power_front(1.0, 1.0, [2.0, 4.0]), "ratio") is None  # touching at one point
    assert matched_difference(a, power_front(1.0, 1.0, [1.5]), "ratio") is None
    assert matched_difference(power_front(1.0, 1.0, [1.5]), a, "ratio") is None
    twice = front([FrontPoint(1.0, 1.5, 1.0), FrontPoint(3.0, 1.5, 2.0)])  # two points, one content distance
    assert matched_difference(a, twice, "ratio") is None


def test_a_front_not_monotone_in_weight_is_interpolated_in_order_of_content_distance():
    # weights 1, 3, 10 land at content distances 1, 4, 2: sorted by content, still on the power law
    a = front(FrontPoint(w, x, 5.0 * x**-2) for w, x in [(1.0, 1.0), (3.0, 4.0), (10.0, 2.0)])
    assert [p.content for p in a.points] == [1.0, 2.0, 4.0]
    assert not a.monotone and power_front(1.0, 1.0, [1.0, 2.0]).monotone
    b = power_front(1.25, 2.0, [1.0, 3.0, 4.0])
    assert matched_difference(a, b, "ratio").effect == pytest.approx(math.log(4.0), abs=1e-9)


def test_a_bump_in_value_is_kept_not_dropped_as_dominated():
    # a rises to 1 at content 2 between 0 at 1 and 4: a tent in log content; on 9 evenly spaced points
    # from log 1 to log 4 its heights are 0, 1/4, ..., 1, ..., 0, mean 4/9
    a = front([FrontPoint(1.0, 1.0, 0.0), FrontPoint(3.0, 2.0, 1.0), FrontPoint(10.0, 4.0, 0.0)])
    b = front([FrontPoint(1.0, 1.0, 0.0), FrontPoint(3.0, 4.0, 0.0)])
    assert matched_difference(a, b, "difference").effect == pytest.approx(4 / 9, abs=1e-12)


def test_points_at_the_same_content_distance_are_their_mean_on_the_compared_scale():
    # at content 1, a has values 1 and 4: geometric mean 2 for a ratio yardstick, mean 2.5 for a difference one
    a = front([FrontPoint(1.0, 1.0, 1.0), FrontPoint(3.0, 1.0, 4.0), FrontPoint(10.0, 10.0, 2.0)])
    b = front([FrontPoint(1.0, 1.0, 1.0), FrontPoint(3.0, 10.0, 1.0)])
    assert matched_difference(a, b, "ratio").effect == pytest.approx(math.log(2.0), abs=1e-12)
    # difference: a - b runs linearly from 1.5 at content 1 to 1 at content 10, mean 1.25
    assert matched_difference(a, b, "difference").effect == pytest.approx(1.25, abs=1e-12)


def test_points_without_a_place_are_left_out():
    a = front([FrontPoint(1.0, 1.0, 1.0), FrontPoint(3.0, 2.0, math.nan), FrontPoint(10.0, 0.0, 1.0)])
    assert a.points == (FrontPoint(1.0, 1.0, 1.0),)


def test_matched_effects_over_units_skip_those_without_overlap():
    fronts = {
        "u1": {"mae": power_front(2.0, 1.0, [1.0, 4.0]), "mse": power_front(1.0, 1.0, [2.0, 8.0])},
        "u2": {"mae": power_front(1.0, 1.0, [1.0, 2.0]), "mse": power_front(1.0, 1.0, [4.0, 8.0])},
        "u3": {"mae": power_front(3.0, 1.0, [1.0, 4.0])},
        "u4": {"mae": power_front(1.0, 0.5, [1.0, 9.0]), "mse": power_front(4.0, 0.5, [2.0, 3.0])},
    }
    effects = matched_effects(fronts, "mae", "mse", "ratio")
    assert (effects.loss, effects.baseline) == ("mae", "mse")
    assert list(effects.by_unit) == ["u1", "u4"] and effects.skipped == ("u2", "u3")
    assert effects.differences == pytest.approx([math.log(2.0), math.log(0.25)], abs=1e-9)


def test_fronts_from_tables_of_weights_and_points_agree():
    content = {"mse": {"u": {1.0: 2.0, 10.0: 1.0, 100.0: 3.0}}}
    values = {"mse": {"u": {1.0: 5.0, 10.0: 6.0, 30.0: 7.0}}}  # 100 lacks a value, 30 a content distance
    expected = fronts_from_points({"u": {"mse": [FrontPoint(1.0, 2.0, 5.0), FrontPoint(10.0, 1.0, 6.0)]}})
    assert fronts_from_values(content, values) == expected
    assert [p.weight for p in expected["u"]["mse"].points] == [10.0, 1.0]


def synthetic(units: int) -> dict:
    rng = np.random.default_rng(units)
    return fronts_from_points(
        {
            f"unit{u}": {
                loss: [FrontPoint(w, s * w**0.4, (1 + j) * (s * w**0.4) ** -1.5) for w in WEIGHTS]
                for j, (loss, s) in enumerate(zip(("mse", "mae"), rng.uniform(0.5, 2.0, 2)))
            }
            for u in range(units)
        }
    )


def test_the_layout_has_a_panel_per_unit_up_to_the_limit():
    for units in (1, 5, 12, 13, 50, 120, 300):
        grid = front_plots.layout(units)
        shown = min(units, front_plots.MAX_PANELS)
        assert grid.columns * grid.rows >= shown > grid.columns * (grid.rows - 1)
    assert front_plots.layout(300) == front_plots.layout(front_plots.MAX_PANELS)
    assert front_plots.layout(13).height - front_plots.layout(12).height == pytest.approx(
        sum((front_plots.PANEL[1], front_plots.GAP[1]))
    )


@pytest.mark.parametrize("yardstick", ["style_distance", "ssim"])
def test_plot_fronts_writes_a_png_that_grows_with_the_units(tmp_path, yardstick):
    sizes = []
    for units in (3, 14):
        path = front_plots.plot_fronts(synthetic(units), yardstick, tmp_path / f"{units}.png", ("mse", "mae"))
        with Image.open(path) as image:
            pixels = np.asarray(image.convert("RGB"))
        grid = front_plots.layout(units)
        assert pixels.shape[:2] == (round(grid.height * front_plots.DPI), round(grid.width * front_plots.DPI))
        blue = np.abs(pixels.astype(int) - (31, 119, 180)).sum(axis=-1) < 30  # tab10's first colour: mse
        assert blue[-int(front_plots.PANEL[1] * front_plots.DPI) :].any()  # drawn in the lowest row of panels
        sizes.append(pixels.shape[0])
    assert sizes[1] > sizes[0]


def test_plot_fronts_draws_units_missing_a_loss_or_points(tmp_path):
    fronts = synthetic(2)
    fronts["unit1"] = {"mse": front([])}
    path = front_plots.plot_fronts(fronts, "style_distance", tmp_path / "f.png", ("mse", "mae", "huber"))
    assert path.stat().st_size > 0
