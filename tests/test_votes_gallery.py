"""The gallery: a comparison's files read back as outputs to vote on; the bundled study as shipped."""

import dataclasses
import hashlib
import json
import random

import pytest

from nst import baseline
from nst.artifacts import artifacts
from nst.compare import Comparison, ComparisonResult, RunResult
from nst.errors import NSTError
from nst.metrics import IMAGE_YARDSTICKS
from nst.settings import Settings
from nst.study.design import WEIGHT_MARK
from nst.votes import gallery, ratings, store
from nst.votes.ballot import BallotBox, VoteLimits
from nst.votes.pool import Pool

INPUTS = {"content": {"name": "assets/content/chelsea.png"}, "style": {"name": "starry_night.jpg"}}


@pytest.fixture(scope="module")
def result(content_image, style_image) -> ComparisonResult:
    comparison = Comparison(
        content_image, style_image, Settings(size=32, iterations=2, weights="vgg16-hed"), ["mse", "huber"]
    )
    for _ in comparison.events():
        pass
    return comparison.results()


@pytest.fixture(scope="module")
def files(result) -> dict[str, bytes]:
    return artifacts(result, INPUTS)


@pytest.fixture(scope="module")
def with_baseline(result) -> dict[str, bytes]:
    """The same comparison's files with a feed-forward baseline beside the losses, as nst.job adds it (its
    image here: the content at the working size; its yardsticks: the mse run's, each plus one)."""
    scores = {name: value + 1 for name, value in result.runs["mse"].metrics.items()}
    run = RunResult(baseline.NAME, result.content_image, [], 0, 0.1, True, "", scores)
    return artifacts(dataclasses.replace(result, baseline=run, baseline_model={"name": baseline.NAME}), INPUTS)


def test_a_comparisons_files_give_one_output_per_loss(files):
    mse, huber = gallery.outputs_from_files(files)
    assert (mse.loss, huber.loss, mse.content, mse.style) == ("mse", "huber", "chelsea.png", "starry_night.jpg")
    assert mse.image == files["mse.png"] and mse.digest == hashlib.sha256(files["mse.png"]).hexdigest()
    metrics = json.loads(files["metrics.json"])["losses"]["huber"]
    assert huber.metrics["style_distance"] == pytest.approx(metrics["style_distance"])
    settings = json.loads(files["config.json"])["settings"]
    assert mse.unit == huber.unit and mse.settings_hash == gallery.settings_hash(settings)
    assert mse.weights == "vgg16-hed"


def test_the_feed_forward_baseline_is_one_more_output_of_the_unit(files, with_baseline):
    mse, huber, feedforward = gallery.outputs_from_files(with_baseline)
    assert (mse.loss, huber.loss, feedforward.loss) == ("mse", "huber", baseline.NAME)
    assert feedforward.image == with_baseline["feedforward.png"] and feedforward.unit == mse.unit
    assert feedforward.digest == hashlib.sha256(with_baseline["feedforward.png"]).hexdigest()
    recorded = json.loads(with_baseline["metrics.json"])["baseline"]
    assert feedforward.metrics["ssim"] == pytest.approx(recorded["ssim"]) == pytest.approx(mse.metrics["ssim"] + 1)
    assert set(feedforward.metrics) == set(mse.metrics)  # the yardsticks, not the model's record
    assert gallery.outputs_from_files(files) == [mse, huber]  # without the baseline's files: as before


def test_the_baseline_needs_both_its_image_and_its_yardsticks(with_baseline):
    no_image = {name: data for name, data in with_baseline.items() if name != "feedforward.png"}
    metrics = json.loads(with_baseline["metrics.json"])
    no_scores = {**with_baseline, "metrics.json": json.dumps({**metrics, "baseline": None}).encode()}
    for files in (no_image, no_scores):
        assert [o.loss for o in gallery.outputs_from_files(files)] == ["mse", "huber"]


def test_the_baseline_is_shown_by_its_label_and_losses_by_their_names():
    assert gallery.shown_name(baseline.NAME) == baseline.LABEL and gallery.shown_name("mse") == "mse"


def test_the_baseline_is_paired_voted_on_and_rated_beside_the_losses(with_baseline, tmp_path):
    """Files -> pool -> ballots -> votes in the database -> ratings: "feedforward" is no registered loss."""
    pool = Pool(gallery.outputs_from_files(with_baseline))
    assert sorted((a.loss, b.loss) for a, b in pool.pairs()) == [
        (baseline.NAME, "huber"),
        (baseline.NAME, "mse"),
        ("huber", "mse"),
    ]
    box = BallotBox(store.engine(f"sqlite:///{tmp_path / 'votes.sqlite3'}"), VoteLimits(min_interval_s=0))
    rng = random.Random(0)
    for k, (a, b) in enumerate(pool.pairs() * 2):
        ballot = box.issue(f"session-{k}", (a, b), rng)
        box.cast(f"session-{k}", ballot.ticket, "left" if ballot.left.loss == baseline.NAME else "right")
    votes = store.all_votes(box.engine)
    assert {v["loss_a"] for v in votes} | {v["loss_b"] for v in votes} == {baseline.NAME, "huber", "mse"}
    rows = ratings.ratings(votes, resamples=20)
    assert rows[0].loss == baseline.NAME and (rows[0].wins, rows[0].votes) == (4, 4)
    assert ratings.rating_rows(rows)[0][ratings.RATED] == baseline.LABEL


def test_the_baseline_settings_change_no_hash_so_older_outputs_still_pair():
    older = {"size": 64, "seed": 0}
    assert gallery.settings_hash(
        {**older, "baseline": "feedforward", "baseline_strength": 0.5}
    ) == gallery.settings_hash(older)


def test_other_settings_hash_differently():
    assert gallery.settings_hash({"size": 64, "seed": 0}) == gallery.settings_hash({"seed": 0, "size": 64})
    assert gallery.settings_hash({"size": 64}) != gallery.settings_hash({"size": 65})


def test_files_that_are_not_a_comparisons_are_refused():
    with pytest.raises(NSTError, match="config.json"):
        gallery.outputs_from_files({"mse.png": b""})


def test_a_stopped_loss_is_not_voted_on(files):
    metrics = json.loads(files["metrics.json"])
    metrics["losses"]["huber"]["complete"] = False
    changed = {**files, "metrics.json": json.dumps(metrics).encode()}
    assert [o.loss for o in gallery.outputs_from_files(changed)] == ["mse"]


@pytest.mark.parametrize("made", ["files", "with_baseline"])
def test_export_keeps_what_the_gallery_reads(made, request, tmp_path):
    made = request.getfixturevalue(made)
    write_artifacts_files(made, tmp_path / "study" / "chelsea__starry_night")
    write_artifacts_files(made, tmp_path / "study" / "chelsea__starry_night__w-100")  # a front's run: not shipped
    assert gallery.export(tmp_path / "study", tmp_path / "shipped") == 1
    assert [p.name for p in (tmp_path / "shipped").iterdir()] == ["chelsea__starry_night"]
    shipped = tmp_path / "shipped" / "chelsea__starry_night"
    extra = ["feedforward.jpg"] if "feedforward.png" in made else []  # the baseline's image, a JPEG too
    assert sorted(p.name for p in shipped.iterdir()) == sorted(
        ["config.json", "history.csv", "huber.jpg", "metrics.json", "mse.jpg", *extra]
    )
    [unit] = gallery.read_units(tmp_path / "shipped")
    assert [o.loss for o in unit.outputs] == ["mse", "huber"] + [baseline.NAME] * len(extra)
    assert [p.iteration for p in unit.history["mse"]] == [0, 1, 2]
    assert [o.metrics for o in unit.outputs] == [o.metrics for o in gallery.outputs_from_files(made)]
    assert all(o.image.startswith(b"\xff\xd8") for o in unit.outputs)  # JPEGs


def write_artifacts_files(files: dict[str, bytes], folder) -> None:
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


def test_the_bundled_gallery_is_the_whole_study():
    """docs/study: every unit of the study at its own style weight, each loss's output and the baseline's."""
    import csv

    units = gallery.read_units()
    rows = list(csv.DictReader((gallery.GALLERY / "results.csv").open()))
    assert len(units) == len({r["run"] for r in rows if WEIGHT_MARK not in r["run"]}) >= 120  # 12 photos x 10
    losses = list(dict.fromkeys(r["loss"] for r in rows))
    assert all([o.loss for o in u.outputs] == losses for u in units) and losses[-1] == "feedforward"
    assert len({o.settings_hash for u in units for o in u.outputs}) == 1  # one study: one set of settings
    cap = units[0].outputs[0].settings["iterations"]
    for unit in units:  # each run's history: iteration 0, then each it took (the cap, or fewer where it converged)
        for output in unit.outputs[:-1]:
            steps = [point.iteration for point in unit.history[output.loss]]
            assert steps == list(range(len(steps))) and 1 < len(steps) <= cap + 1
    assert "mae's style distance" in gallery.study_section("Conclusions")
    assert "matched content" in gallery.study_section("The primary question")
    assert gallery.study_section("No such section") == ""


def test_the_study_table_reads_study_csv():
    import csv

    rows = {row["yardstick"]: row for row in gallery.study_table()}
    tests = list(csv.DictReader((gallery.GALLERY / "study.csv").open()))
    wanted = ("style_distance", "mae", "mse", "equal weight")
    mae = next(t for t in tests if (t["yardstick"], t["loss"], t["baseline"], t["comparison"]) == wanted)
    expected = f"{float(mae['crossed_effect']):.2f}x" + (" *" if mae["significant"] == "True" else "")
    assert rows["style distance (lower)"]["mae / mse"] == expected
    losses = {t["loss"] for t in tests if t["baseline"] == "mse" and t["comparison"] == "equal weight"}
    assert len(rows) == len(IMAGE_YARDSTICKS) and all(len(row) == 1 + len(losses) for row in rows.values())
    assert gallery.study_table("/nonexistent") == []


def test_the_study_facts_are_its_units_and_their_settings(files, tmp_path):
    """A second route: the outputs the gallery reads (units, settings, weights) say the same."""
    units = gallery.read_units()
    first = units[0].outputs[0]
    facts = gallery.study_facts()
    assert facts == (len(units), first.loss, first.settings["size"], first.settings["iterations"], first.weights)
    write_artifacts_files(files, tmp_path / "study" / "chelsea__starry_night")
    assert gallery.study_facts(tmp_path / "study") == (1, "mse", 32, 2, "vgg16-hed")  # as the fixture made it
    assert gallery.study_facts(tmp_path / "nothing") is None


@pytest.mark.slow
def test_the_bundled_study_md_numbers_reproduce_from_its_results_csv():
    """A second route to docs/study/study.csv: the study designed again from what results.csv and a unit's
    config.json say, analysed from results.csv alone (the run folders shipped keep no run record)."""
    import csv

    from nst.study.analysis import analyse
    from nst.study.design import design

    folder = gallery.GALLERY
    rows = list(csv.DictReader((folder / "results.csv").open()))
    config = json.loads(next(folder.glob("*/config.json")).read_text())
    settings = Settings().replace(**{k: tuple(v) if isinstance(v, list) else v for k, v in config["settings"].items()})
    contents = list(dict.fromkeys(r["content"] for r in rows))
    styles = list(dict.fromkeys(r["style"] for r in rows))
    fronts = list(dict.fromkeys(r["loss"] for r in rows if WEIGHT_MARK in r["run"]))
    weights = sorted({float(r["style_weight"]) for r in rows} - {settings.style_weight})
    study = design(contents, styles, config["losses"], settings, 1, folder, (), weights, fronts)
    again = analyse(study, folder)
    shipped = list(csv.DictReader((folder / "study.csv").open()))
    assert [(t.yardstick, t.loss, t.baseline, t.comparison, t.n) for t in again.tests] == [
        (t["yardstick"], t["loss"], t["baseline"], t["comparison"], int(t["n"])) for t in shipped
    ]
    # results.csv keeps 6 significant digits of each value: the effects and p-values agree to about that
    assert [t.crossed_effect for t in again.tests] == pytest.approx(
        [float(t["crossed_effect"]) for t in shipped], rel=1e-3
    )
    assert [t.significant for t in again.tests] == [t["significant"] == "True" for t in shipped]
