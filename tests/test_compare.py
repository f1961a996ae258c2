import csv
import io
import json

import numpy as np
import pytest
from PIL import Image

from nst.compare import Comparison, parse_losses
from nst.errors import SettingError, UnknownNameError
from nst.metrics import score
from nst.report import HISTORY_COLUMNS, artifacts, write_artifacts, zip_bytes
from nst.settings import Settings

SETTINGS = Settings(weights="vgg16-hed", size=64, iterations=8, preview_every=4, precision="float32")


@pytest.fixture(scope="module")
def result(content_image, style_image):
    comparison = Comparison(content_image, style_image, SETTINGS, "mse,mae")
    events = list(comparison.events())
    # Interleaved: one step of each loss in turn, so a stop leaves both with the same budget.
    assert [e.loss for e in events[:4]] == ["mse", "mae", "mse", "mae"]
    return comparison.results()


def test_each_loss_ran_under_identical_conditions(result):
    assert list(result.runs) == ["mse", "mae"] and result.complete
    for run in result.runs.values():
        assert run.iterations == 8 and run.complete and run.image.shape == result.content_image.shape
        assert run.history[0].style == pytest.approx(1.0, rel=1e-4)  # same start, same normalisation
    assert result.weights.name == "vgg16-hed"


def test_style_distance_drops_below_the_content_images(result):
    start = score(result.content_image, result.content_image, result.style_image, "vgg16-hed", "max")
    for run in result.runs.values():
        assert run.metrics["style_distance"] < 0.8 * start["style_distance"]
        assert run.metrics["seconds"] > 0 and 0 < run.metrics["seconds_per_iteration"] < run.metrics["seconds"]


def test_every_artifact_is_written_and_readable(result, tmp_path):
    paths = write_artifacts(result, tmp_path, {"content": {"name": "cat.png"}, "style": {"name": "starry.jpg"}})
    assert sorted(p.name for p in paths) == sorted(
        ["mse.png", "mae.png", "comparison.png", "history.csv", "metrics.json", "config.json"]
    )
    for loss in ("mse", "mae"):
        image = np.asarray(Image.open(tmp_path / f"{loss}.png"))
        assert image.shape == result.runs[loss].image.shape
    sheet = Image.open(tmp_path / "comparison.png")
    assert sheet.width > 4 * 64 and sheet.height > 256
    rows = list(csv.DictReader(io.StringIO((tmp_path / "history.csv").read_text())))
    assert tuple(rows[0]) == HISTORY_COLUMNS and len(rows) == 2 * 9
    assert {r["loss"] for r in rows} == {"mse", "mae"}
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["losses"]["mae"]["style_distance"] == pytest.approx(result.runs["mae"].metrics["style_distance"])
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["weights"]["sha256"] == result.weights.sha256 and config["seed"] == 0
    assert config["losses"] == ["mse", "mae"] and config["settings"]["size"] == 64
    assert config["versions"]["tensorflow"] and config["inputs"]["style"] == {"name": "starry.jpg"}
    assert config["layers"]["content"] == ["block4_conv2"] and len(config["layers"]["style"]) == 5


def test_zip_holds_the_same_artifacts(result):
    import zipfile

    files = artifacts(result)
    with zipfile.ZipFile(io.BytesIO(zip_bytes(files))) as archive:
        assert sorted(archive.namelist()) == sorted(files)
        assert archive.read("metrics.json") == files["metrics.json"]


def test_stopped_comparison_keeps_partial_results(content_image, style_image):
    comparison = Comparison(content_image, style_image, SETTINGS.replace(iterations=20), ["mse", "huber"])
    for event in comparison.events():
        if event.loss == "huber" and event.iteration == 2:
            break
    result = comparison.results()
    assert not result.complete
    assert [run.iterations for run in result.runs.values()] == [2, 2]
    assert json.loads(artifacts(result)["config.json"])["complete"] is False


@pytest.mark.parametrize(
    "losses, error, message",
    [
        ("", SettingError, "at least one loss"),
        ("mse,msee", UnknownNameError, "did you mean 'mse'"),
        (",".join(["mse"] * 3), None, None),
    ],
)
def test_parse_losses(losses, error, message):
    if error is None:
        assert parse_losses(losses) == ["mse"]
    else:
        with pytest.raises(error, match=message):
            parse_losses(losses)


def test_curve_rows_start_at_one_for_total_and_style(result):
    from nst.report import curve_rows

    histories = {loss: run.history for loss, run in result.runs.items()}
    for term in ("total", "style"):
        rows = curve_rows(histories, term)
        starts = [r["value"] for r in rows if r["iteration"] == 0]
        assert starts == pytest.approx([1.0, 1.0])
        assert len(rows) == 2 * 9
    content = curve_rows(histories, "content")
    assert content[-1]["value"] == pytest.approx(result.runs["mae"].history[-1].content)


def test_two_comparisons_at_once_equal_each_made_alone(content_image, style_image):
    """Sessions share the model read-only: running together changes no number."""
    import threading

    settings = [SETTINGS.replace(iterations=5, init="noise", seed=1), SETTINGS.replace(iterations=5, seed=2)]
    pairs = [(content_image, style_image), (style_image[:, ::-1].copy(), content_image)]

    def outputs(i: int) -> dict:
        comparison = Comparison(*pairs[i], settings[i], ["mse", "huber"])
        list(comparison.events())
        return {loss: run.image for loss, run in comparison.results().runs.items()}

    alone = [outputs(0), outputs(1)]
    together: list = [None, None]
    threads = [threading.Thread(target=lambda i=i: together.__setitem__(i, outputs(i))) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    for i in range(2):
        for loss in ("mse", "huber"):
            np.testing.assert_array_equal(together[i][loss], alone[i][loss])
