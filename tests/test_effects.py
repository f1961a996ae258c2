"""nst.study.effects: a pairwise effect's naive tests with the crossed model's and the two-way bootstrap's
figures beside them, back-transformed alike (second routes: the two modules called directly)."""

import numpy as np
import pytest

from nst.study.crossed import crossed_model, two_way_bootstrap
from nst.study.effects import crossed_test
from nst.study.inference import Levels, differences_test


def test_the_crossed_figures_are_the_models_back_transformed_beside_the_naive_tests():
    rng = np.random.default_rng(0)
    photos, paintings = np.repeat(np.arange(6), 5).astype(str), np.tile(np.arange(5), 6).astype(str)
    d = -0.2 + rng.normal(0, 0.1, 6)[photos.astype(int)] + rng.normal(0, 0.05, 30)
    test = crossed_test("style_swd", "mae", "mse", d, "ratio", "lower", Levels(photos, paintings))
    naive = differences_test("style_swd", "mae", "mse", d, "ratio", "lower")
    model, twoway = crossed_model(d, photos, paintings), two_way_bootstrap(d, photos, paintings)
    assert (test.effect, test.p, test.wins) == (naive.effect, naive.p, naive.wins)
    assert test.crossed_effect == pytest.approx(np.exp(model.mean)) and test.p_crossed == pytest.approx(model.p)
    assert (test.crossed_low, test.crossed_high) == pytest.approx((np.exp(model.low), np.exp(model.high)))
    assert (test.twoway_low, test.twoway_high) == pytest.approx((np.exp(twoway.low), np.exp(twoway.high)))
    assert (test.photos, test.paintings) == (6, 5)
    difference = crossed_test("ssim", "mae", "mse", d, "difference", "higher", Levels(photos, paintings))
    assert difference.crossed_effect == pytest.approx(model.mean)  # a difference stays as it is
