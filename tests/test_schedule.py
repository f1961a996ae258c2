import itertools

import pytest

from nst.schedule import MAX_STAGES, SMALLEST_STAGE, stage_plan
from nst.settings import Settings


@pytest.mark.parametrize("size", [128, 256, 300, 512, 1024])
@pytest.mark.parametrize("iterations", [1, 2, 3, 7, 100])
def test_stage_plan_halves_down_to_the_smallest_stage_and_spends_exactly_the_budget(size, iterations):
    plan = stage_plan(size, iterations, "multiscale")
    sizes = [s for s, _ in plan]
    assert sizes[-1] == size and all(b == 2 * a for a, b in itertools.pairwise(sizes))
    assert sizes[0] >= SMALLEST_STAGE and len(plan) <= MAX_STAGES
    assert sizes[0] // 2 < SMALLEST_STAGE or len(plan) in (iterations, MAX_STAGES)
    assert sum(n for _, n in plan) == iterations and all(n >= 1 for _, n in plan)
    assert stage_plan(size, iterations, "direct") == [(size, iterations)]


def test_settings_read_their_stages_from_the_plan():
    settings = Settings(size=512, iterations=10, schedule="multiscale")
    assert settings.stages == stage_plan(512, 10, "multiscale") == [(128, 3), (256, 3), (512, 4)]
