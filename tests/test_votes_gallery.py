"""The gallery: a comparison's files read back as outputs to vote on; the bundled study as shipped."""

import hashlib
import json

import pytest

from nst.artifacts import artifacts
from nst.compare import Comparison
from nst.errors import NSTError
from nst.settings import Settings
from nst.votes import gallery


@pytest.fixture(scope="module")
def files(content_image, style_image) -> dict[str, bytes]:
    comparison = Comparison(
        content_image, style_image, Settings(size=32, iterations=2, weights="vgg16-hed"), ["mse", "huber"]
    )
    for _ in comparison.events():
        pass
    inputs = {"content": {"name": "assets/content/chelsea.png"}, "style": {"name": "starry_night.jpg"}}
    return artifacts(comparison.results(), inputs)


def test_a_comparisons_files_give_one_output_per_loss(files):
    mse, huber = gallery.outputs_from_files(files)
    assert (mse.loss, huber.loss, mse.content, mse.style) == ("mse", "huber", "chelsea.png", "starry_night.jpg")
    assert mse.image == files["mse.png"] and mse.digest == hashlib.sha256(files["mse.png"]).hexdigest()
    metrics = json.loads(files["metrics.json"])["losses"]["huber"]
    assert huber.metrics["style_distance"] == pytest.approx(metrics["style_distance"])
    settings = json.loads(files["config.json"])["settings"]
    assert mse.unit == huber.unit and mse.settings_hash == gallery.settings_hash(settings)
    assert mse.weights == "vgg16-hed"


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


def test_export_keeps_what_the_gallery_reads(files, tmp_path):
    write_artifacts_files(files, tmp_path / "study" / "chelsea__starry_night")
    assert gallery.export(tmp_path / "study", tmp_path / "shipped") == 1
    shipped = tmp_path / "shipped" / "chelsea__starry_night"
    assert sorted(p.name for p in shipped.iterdir()) == [
        "config.json",
        "history.csv",
        "huber.jpg",
        "metrics.json",
        "mse.jpg",
    ]
    [unit] = gallery.read_units(tmp_path / "shipped")
    assert [o.loss for o in unit.outputs] == ["mse", "huber"]
    assert [p.iteration for p in unit.history["mse"]] == [0, 1, 2]
    assert unit.outputs[0].metrics == gallery.outputs_from_files(files)[0].metrics


def write_artifacts_files(files: dict[str, bytes], folder) -> None:
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


def test_the_bundled_gallery_is_the_whole_study():
    units = gallery.read_units()
    assert len(units) == 28
    assert all(
        [o.loss for o in u.outputs] == ["mse", "mae", "hellinger", "cross_entropy", "exponential", "huber"]
        for u in units
    )
    assert len({o.settings_hash for u in units for o in u.outputs}) == 1  # one study: one set of settings
    assert all(len(u.history[o.loss]) == 51 for u in units for o in u.outputs)  # iterations 0..50
    assert "## Conclusions" in gallery.conclusions() and "mae's style distance" in gallery.conclusions()


def test_the_study_table_reads_study_csv():
    import csv

    rows = {row["yardstick"]: row for row in gallery.study_table()}
    tests = list(csv.DictReader((gallery.GALLERY / "study.csv").open()))
    mae = next(t for t in tests if t["yardstick"] == "style_distance" and t["loss"] == "mae" and t["baseline"] == "mse")
    expected = f"{float(mae['effect']):.2f}x" + (" *" if mae["significant"] == "True" else "")
    assert rows["style distance (lower)"]["mae / mse"] == expected
    assert len(rows) == 6 and all(len(row) == 6 for row in rows.values())  # 5 losses against mse
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
