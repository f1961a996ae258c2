import numpy as np
import pytest

from nst.cli import main
from nst.speed import bench
from nst.speed.race import race_nst
from nst.speed.tutorial import objective, run_tutorial

TINY = bench.Plan(
    weights="vgg16-hed", sizes=(48,), race_size=64, tutorial_steps=4, race_iterations=3, coarse_iterations=2,
    precision_size=48, precision_iterations=3, multiscale_size=64, multiscale_iterations=4,
    compare_losses=("mse", "mae"), compare_size=48, compare_iterations=2, loss_size=64, loss_iterations=2,
    losses=("swd", "mrf"),
)  # fmt: skip


def test_tutorial_loop_minimises_the_tutorial_objective(content_image, style_image):
    f = objective(content_image, style_image, "vgg16-hed")
    values = [step.value for step, _ in run_tutorial(content_image, style_image, "vgg16-hed", steps=5)]
    start, _ = f(content_image[None])
    assert values[0] == pytest.approx(start, rel=1e-4)  # the first step's value is the content image's
    assert values[-1] < values[0]


def test_nst_race_stops_at_the_target_and_reports_a_missed_one(content_image, style_image):
    images = (content_image, style_image)
    start, _ = objective(*images, "vgg16-hed")(content_image[None])
    won = race_nst(images, TINY, 0.9 * start, "float32")
    assert won.reached and won.value <= 0.9 * start and 1 <= won.iterations <= TINY.race_iterations
    assert won.evaluations >= won.iterations + 1 and won.seconds > 0
    lost = race_nst(images, TINY, 0.0, "float32", coarse=32)
    assert not lost.reached and lost.iterations == TINY.race_iterations and lost.value > 0
    assert lost.image.shape == content_image.shape


@pytest.mark.slow
def test_every_section_runs_and_renders_a_table(content_image, style_image, monkeypatch):
    monkeypatch.setattr("nst.schedule.SMALLEST_STAGE", 32)  # 64 px multiscale: stages 32 and 64
    sections = {s.name: s for s in bench.run((content_image, style_image), TINY)}
    assert list(sections) == list(bench.SECTIONS)
    for section in sections.values():
        text = bench.markdown(section)
        assert text.count("\n|") == len(section.rows) + 2  # header, separator, a line per row
        assert all(np.all((image >= 0) & (image <= 1)) for image in section.images.values())
    speed = sections["speed"].rows
    assert {row["preset"] for row in speed} == {"seed", "gatys"} and all(row["GFLOP/s"] > 0 for row in speed)
    multiscale = {row["schedule"]: row for row in sections["multiscale"].rows}
    assert multiscale["multiscale"]["stages"] == "32px x2 > 64px x2"
    compare = sections["compare"].rows
    assert [row["K"] for row in compare] == [1, 1, 2]
    alone = compare[0]["seconds"] + compare[1]["seconds"]
    assert compare[2]["/ sum alone"] == pytest.approx(compare[2]["seconds"] / alone)
    assert set(sections["race"].images) == {"tutorial", "nst"}
    losses = sections["losses"].rows
    assert [row["loss"] for row in losses] == ["mse", "swd", "mrf"] and losses[0]["/ mse"] == 1.0
    assert losses[2]["/ mse"] == pytest.approx(losses[2]["s/it"] / losses[0]["s/it"])


def test_an_unknown_section_is_one_line_and_status_2(capsys):
    assert main(["bench", "--sections", "sped"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "did you mean 'speed'" in err
