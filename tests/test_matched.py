"""nst.study.matched: a study's rows at several style weights become fronts, and the matched-content tests
recover an effect known by construction (power-law fronts, a second route: plain maths)."""

import math

import numpy as np
import pytest

from nst.metrics import IMAGE_YARDSTICKS
from nst.settings import Settings
from nst.study.design import design
from nst.study.inference import MATCHED_CONTENT
from nst.study.matched import AXIS, front_pairs, front_tables, matched_tests, study_fronts

from .conftest import ASSETS

CONTENTS = [str(ASSETS / "content" / name) for name in ("chelsea.png", "coffee.png", "astronaut.png")]
STYLES = [str(ASSETS / "style" / name) for name in ("starry_night.jpg", "the_scream.jpg", "shipwreck.jpg")]


def synthetic_rows(study, ratio: float) -> list[dict]:
    """Per run and loss: content distance grows with the weight, each yardstick = c * content^-0.5, with mae's
    c `ratio` times mse's (and a unit-specific scale, which the paired log ratio removes)."""
    rows, units = [], list(study.unit_specs)
    for i, run in enumerate(study.grid.runs):
        w = run.settings.style_weight
        for loss in run.losses:
            content = (0.3 if loss == "mse" else 0.6) * w**0.3 * (1 + 0.1 * (i % 5))
            scale = (ratio if loss == "mae" else 1.0) * (1 + units.index(study.unit_of(run.name)))
            row = {"run": run.name, "loss": loss, "loss_status": "complete", "style_weight": w}
            row |= {y: scale * content**-0.5 for y in IMAGE_YARDSTICKS} | {AXIS: content}
            rows.append(row)
    return rows


def test_matched_tests_recover_a_known_ratio_at_matched_content():
    study = design(CONTENTS, STYLES, "mse,mae", Settings(), out="x", style_weights=[1, 100])
    rows = synthetic_rows(study, ratio=0.8)
    units = list(study.unit_specs)
    fronts = study_fronts(front_tables(study, rows, units))
    assert set(fronts) == set(IMAGE_YARDSTICKS) - {AXIS}
    assert all(len(front.points) == 3 for by_loss in fronts["style_swd"].values() for front in by_loss.values())
    from nst.study.analysis import unit_levels

    tests = matched_tests(fronts, study.front_losses, lambda names: unit_levels(study, names))
    swd = next(t for t in tests if t.yardstick == "style_swd")
    assert swd.comparison == MATCHED_CONTENT and (swd.loss, swd.baseline) == ("mae", "mse") and swd.n == 9
    assert swd.effect == pytest.approx(0.8, rel=1e-9)  # every unit's matched log ratio is log 0.8
    assert swd.crossed_effect == pytest.approx(0.8, rel=1e-6) and swd.photos == 3 and swd.paintings == 3


def test_front_pairs_are_each_against_the_first_then_among_the_rest():
    assert front_pairs(("mse", "mae", "huber")) == [("mae", "mse"), ("huber", "mse"), ("huber", "mae")]


def test_only_complete_rows_of_front_losses_on_the_given_units_count():
    study = design(
        CONTENTS, STYLES, "mse,mae,hellinger", Settings(), out="x", style_weights=[1, 100], front_losses="mse,mae"
    )
    rows = synthetic_rows(study, ratio=1.0)
    rows[0]["loss_status"] = "failed"
    tables = front_tables(study, rows, list(study.unit_specs)[1:])
    assert set(tables[AXIS]) == {"mse", "mae"}  # hellinger has no front
    first = list(study.unit_specs)[0]
    assert all(first not in by_unit for by_unit in tables[AXIS].values())
    assert all(math.isfinite(v) for by_unit in tables[AXIS].values() for w in by_unit.values() for v in w.values())
    assert np.all([len(w) == 3 for by_unit in tables[AXIS].values() for w in by_unit.values()])
