import functools

import numpy as np
import pytest

from nst.budget import EMULATED_BFLOAT16_SPEEDUP, SPEEDUP
from nst.cli import main
from nst.speed import bench, estimate, tables
from nst.speed.plan import Plan
from nst.speed.race import race_nst
from nst.speed.tutorial import objective, run_tutorial

TINY = bench.Plan(
    weights="vgg16-hed",
    sizes=(48,),
    race_size=64,
    tutorial_steps=4,
    race_iterations=3,
    coarse_iterations=2,
    precision_size=48,
    precision_iterations=3,
    multiscale_size=64,
    multiscale_iterations=4,
    compare_losses=("mse", "mae"),
    compare_size=48,
    compare_iterations=2,
    loss_size=64,
    loss_iterations=2,
    losses=("swd", "mrf"),
)


@pytest.mark.slow  # the tutorial's Adam loop, many steps
def test_tutorial_loop_minimises_the_tutorial_objective(content_image, style_image):
    f = objective(content_image, style_image, "vgg16-hed")
    values = [step.value for step, _ in run_tutorial(content_image, style_image, "vgg16-hed", steps=5)]
    start, _ = f(content_image[None])
    assert values[0] == pytest.approx(start, rel=1e-4)  # the first step's value is the content image's
    assert values[-1] < values[0]


@pytest.mark.slow  # two races to a target
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
        text = tables.markdown(section)
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


def test_contenders_are_what_the_machine_computes_natively():
    assert Plan().for_machine(native_bfloat16=True).precisions == ("float32", "bfloat16")
    emulated = Plan().for_machine(native_bfloat16=False)
    assert emulated.precisions == ("float32",)
    for section in ("speed", "race"):  # no bfloat16 contender at all where it is emulated
        assert all(w.precision == "float32" for w in estimate.work(section, emulated)), section
    runs = estimate.work("precision", emulated)  # bfloat16 against float32, a few iterations each
    assert [w.precision for w in runs] == ["float32", "bfloat16"]
    assert all(w.evaluations < 0.1 * Plan().precision_iterations for w in runs)


def test_the_estimate_follows_the_flop_count_and_the_rate(content_image):
    one = estimate.Work("a", 256, 10, setups=0)
    two = estimate.Work("a", 256, 20, setups=0)
    at = functools.partial(estimate.seconds, content_shape=content_image.shape, native_bfloat16=True)
    assert at([two], float32_rate=1e11) == pytest.approx(2 * at([one], float32_rate=1e11))
    assert at([one], float32_rate=2e11) == pytest.approx(at([one], float32_rate=1e11) / 2)
    big = estimate.Work("a", 512, 10, setups=0)  # four times the pixels: about four times the work
    assert 3.5 < at([big], float32_rate=1e11) / at([one], float32_rate=1e11) < 4.5
    native = estimate.Work("a", 256, 10, "bfloat16", setups=0)
    emulated_ratio = estimate.seconds([native], content_image.shape, 1e11, False) / at([native], float32_rate=1e11)
    assert emulated_ratio == pytest.approx(SPEEDUP["bfloat16"] / EMULATED_BFLOAT16_SPEEDUP)


def test_a_section_reports_its_progress_up_to_its_planned_total(content_image, style_image):
    ticks = []
    [section] = bench.run((content_image, style_image), TINY, ("compare",), ticks.append)
    assert section.name == "compare" and section.seconds > 0
    assert {t.section for t in ticks} == {"compare"} and all(t.contender for t in ticks)
    done = [t.done for t in ticks]
    assert done == sorted(done) and done[-1] == pytest.approx(ticks[-1].total, rel=0.2)
    assert ticks[-1].total == sum(w.evaluations for w in estimate.work("compare", TINY))
    assert {"mse", "mae", "mse,mae"} <= {t.contender for t in ticks}


@pytest.mark.slow
def test_quick_bench_runs_every_section_with_an_estimate_and_progress(tmp_path, capsys):
    """`nst bench --quick`: the whole bench as a smoke check (about a minute on 2 cores)."""
    assert main(["bench", "--quick", "--weights", "vgg16-hed", "--quiet", "--out", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert "estimated here: speed" in out and out.count("- took ") == len(bench.SECTIONS)
    assert "bench: took" in out and "eval/s" not in err  # --quiet: no bars
    assert all(f"### {name}" in (tmp_path / "bench.md").read_text() for name in bench.SECTIONS)
    assert main(["bench", "--quick", "--weights", "vgg16-hed", "--sections", "speed"]) == 0
    err = capsys.readouterr().err
    assert "speed:" in err and "eval" in err and "64 px" in err  # the section's bar, with its contender
    assert (
        main(["bench", "--quick", "--weights", "vgg16-hed", "--sections", "race", "--contenders", "float32", "--quiet"])
        == 0
    )
    out = capsys.readouterr().out
    assert "nst: L-BFGS, float32, from 48 px" in out and "bfloat16" not in out.split("### race")[1]


@pytest.mark.slow  # a whole bench plan end to end
def test_where_bfloat16_is_emulated_the_race_has_no_bfloat16_contender_and_precision_says_so(
    content_image, style_image
):
    emulated = TINY.for_machine(native_bfloat16=False)
    race, precision = bench.run((content_image, style_image), emulated, ("race", "precision"))
    assert [row["recipe"].split(" (")[0] for row in race.rows[1:]] == [
        "nst: L-BFGS, float32",
        "nst: L-BFGS, float32, from 32 px",
    ]
    assert [row["run"] for row in precision.rows] == ["float32", "bfloat16"]
    assert any("bfloat16 is emulated here" in note and "not used by default" in note for note in precision.notes)
    assert f"{emulated.emulated_iterations} L-BFGS iterations" in precision.notes[0]
