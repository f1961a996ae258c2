"""One pairwise effect of a study, as its verdict is made: the naive tests of nst.study.inference with the
crossed photo x painting model and the two-way bootstrap of nst.study.crossed beside them."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from nst.study.crossed import crossed_model, two_way_bootstrap
from nst.study.inference import EQUAL_WEIGHT, Levels, PairedTest, differences_test


def crossed_test(
    yardstick: str,
    loss: str,
    baseline: str,
    d: np.ndarray,
    paired: str,
    better: str,
    levels: Levels,
    comparison: str = EQUAL_WEIGHT,
) -> PairedTest:
    """The naive tests of the per-unit effects d (nst.study.inference) with the crossed model's mean, t interval
    and p and the two-way bootstrap's interval and p beside them, each back-transformed to the effect's scale
    (a geometric-mean ratio for "ratio" yardsticks); the units' photos and paintings are `levels`."""
    test = differences_test(yardstick, loss, baseline, d, paired, better, comparison)
    if len(d) < 2:
        return test
    back = np.exp if paired == "ratio" else (lambda x: x)
    model = crossed_model(d, levels.photos, levels.paintings)
    twoway = two_way_bootstrap(d, levels.photos, levels.paintings)
    return replace(
        test,
        crossed_effect=float(back(model.mean)),
        crossed_low=float(back(model.low)),
        crossed_high=float(back(model.high)),
        p_crossed=float(model.p),
        twoway_low=float(back(twoway.low)),
        twoway_high=float(back(twoway.high)),
        p_twoway=float(twoway.p),
        photos=model.n_photos,
        paintings=model.n_paintings,
    )
