"""Sweeps on a private local Ray with 2 workers, at 32 px and a few iterations."""

import csv
import json
import shutil

import pytest
from PIL import Image

from nst.cli import main
from nst.sweep.grid import load_grid
from nst.sweep.runner import Sweep, is_complete

from .conftest import CONTENT, STYLE

pytestmark = pytest.mark.ray

GRID = """content = {content}
style = "starry.jpg"
losses = ["mse", "mae"]
style_weight = [1.0, 10.0]
size = 32
iterations = 3
weights = "vgg16-hed"
"""


def make_grid(folder, content='"cat.png"'):
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(CONTENT, folder / "cat.png")
    shutil.copy(STYLE, folder / "starry.jpg")
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really a PNG")
    path = folder / "grid.toml"
    path.write_text(GRID.format(content=content))
    return path


def read_results(out):
    with open(out / "results.csv") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """One sweep with a broken image among the contents: 4 runs, 2 of them failing."""
    folder = tmp_path_factory.mktemp("sweep")
    grid = load_grid(make_grid(folder, '["cat.png", "broken.png"]'))
    out = folder / "out"
    job = Sweep(grid, out, workers=2)
    events = list(job.events())
    return grid, out, events, job


def test_every_run_writes_its_artifacts_and_the_tables(swept):
    grid, out, events, job = swept
    assert len(grid.runs) == 4 and events[-1].done == 4 and events[-1].failed == 2 and events[-1].running == 0
    good = [spec for spec in grid.runs if spec.content.name == "cat.png"]
    for spec in good:
        assert is_complete(out / spec.name)
        names = {p.name for p in (out / spec.name).iterdir()}
        assert {"mse.png", "mae.png", "comparison.png", "history.csv", "metrics.json", "config.json"} <= names
    rows = read_results(out)  # a row per run and loss, and the feed-forward baseline's per completed run
    assert len(rows) == 10 and {r["loss"] for r in rows} == {"mse", "mae", "feedforward"}
    assert {r["loss"] for r in rows if r["content"].endswith("broken.png")} == {"mse", "mae"}
    complete = [r for r in rows if r["status"] == "complete"]
    assert len(complete) == 6 and all(float(r["style_distance"]) > 0 and r["size"] == "32" for r in complete)
    assert {r["style_weight"] for r in complete} == {"1", "10"}
    for name in ("summary.png", "contact.png"):
        with Image.open(out / name) as image:
            assert image.width > 200 and image.height > 100


def test_a_broken_image_is_recorded_as_failed_and_the_rest_complete(swept):
    grid, out, events, _ = swept
    failed = [r for r in read_results(out) if r["status"] == "failed"]
    assert len(failed) == 4 and all("broken.png" in r["error"] and r["content"].endswith("broken.png") for r in failed)
    assert all(not is_complete(out / spec.name) for spec in grid.runs if spec.content.name == "broken.png")


def test_two_workers_ran_at_the_same_time_and_each_loaded_the_model_once(swept):
    _, out, _, _ = swept
    records = [json.loads(p.read_text()) for p in out.glob("*/run.json")]
    records = [r for r in records if r["status"] == "complete"]
    first, second = sorted(records, key=lambda r: r["started"])[:2]
    assert first["worker"] != second["worker"] and second["started"] < first["finished"]  # overlapping
    by_worker = {}
    for record in records:
        by_worker.setdefault(record["worker"], set()).add(record["model_loads"])
    assert all(len(loads) == 1 for loads in by_worker.values())  # a worker's later runs loaded nothing
    # each run asked for one CPU: TensorFlow computed on one thread, so two workers do not fight for cores
    assert {record["threads"] for record in records} == {1}


def test_a_second_call_skips_what_is_complete_and_redoes_the_rest(swept):
    grid, out, _, _ = swept
    good = [spec for spec in grid.runs if spec.content.name == "cat.png"]
    before = {spec.name: (out / spec.name / "run.json").stat().st_mtime_ns for spec in good}
    shutil.rmtree(out / good[1].name / "mse.png", ignore_errors=True)
    (out / good[1].name / "run.json").unlink()  # a run cut short: no run.json
    job = Sweep(grid, out, workers=2)
    assert job.skipped == 1 and {spec.name for spec in job.pending} == {good[1].name} | {
        spec.name for spec in grid.runs if spec.content.name == "broken.png"
    }
    list(job.events())
    assert (out / good[0].name / "run.json").stat().st_mtime_ns == before[good[0].name]
    assert is_complete(out / good[1].name) and (out / good[1].name / "mse.png").exists()
    assert len(read_results(out)) == 10  # 4 runs x 2 losses, and the 2 complete runs' feed-forward baseline


def test_the_command_line_skips_everything_on_a_complete_sweep(tmp_path, capsys):
    grid_path = make_grid(tmp_path)
    out = tmp_path / "out"
    assert main(["sweep", str(grid_path), "--out", str(out), "--workers", "2", "--quiet"]) == 0
    first = capsys.readouterr().out
    assert "runs 2/2 done (0 earlier)" in first and "results.csv" in first
    assert main(["sweep", str(grid_path), "--out", str(out), "--quiet"]) == 0  # no Ray started: nothing to do
    assert "runs 2/2 done (2 earlier), 0 running, 0 failed" in capsys.readouterr().out
    assert len(read_results(out)) == 6  # 2 runs x (2 losses and the feed-forward baseline)


def test_an_invalid_grid_is_one_line_and_status_2(tmp_path, capsys):
    grid_path = make_grid(tmp_path)
    grid_path.write_text(grid_path.read_text() + "itterations = 5\n")
    assert main(["sweep", str(grid_path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "did you mean 'iterations'" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("option", [["--workers", "0"], ["--cpus-per-run", "0"], ["--gpus-per-run", "-1"]])
def test_bad_sweep_options_are_one_line_and_status_2(tmp_path, capsys, option):
    grid_path = make_grid(tmp_path)
    assert main(["sweep", str(grid_path), "--out", str(tmp_path / "out"), *option]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_a_cluster_that_cannot_be_joined_is_one_line_and_status_2(tmp_path, capsys, monkeypatch):
    import ray

    def refuse(**options):
        assert options["address"] == "10.0.0.9:6379" and options["runtime_env"]["py_modules"]  # nst is shipped
        raise ConnectionError("Failed to connect to Ray cluster at 10.0.0.9:6379\nmore detail")

    monkeypatch.setattr(ray, "init", refuse)
    grid_path = make_grid(tmp_path)
    out = str(tmp_path / "out")
    assert main(["sweep", str(grid_path), "--out", out, "--address", "10.0.0.9:6379", "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "cannot join the Ray cluster at 10.0.0.9:6379" in err


def test_a_run_of_blended_styles_with_masks_runs_in_a_worker_function(tmp_path):
    """The task a Ray worker runs, called directly: several styles and their masks travel as bytes."""
    import io

    from nst.settings import Settings
    from nst.sweep.grid import RunSpec
    from nst.sweep.runner import run_task

    from .conftest import ASSETS

    def png(box):
        mask, buffer = Image.new("L", (20, 20), 0), io.BytesIO()
        mask.paste(255, box)
        mask.save(buffer, format="PNG")
        return buffer.getvalue()

    scream = ASSETS / "style" / "the_scream.jpg"
    spec = RunSpec(
        "blend",
        CONTENT,
        STYLE,
        ("mse",),
        Settings(weights="random", size=32, iterations=2),
        styles=(STYLE, scream),
        masks=(tmp_path / "l.png", tmp_path / "r.png"),
    )
    outcome = run_task(
        spec,
        CONTENT.read_bytes(),
        [STYLE.read_bytes(), scream.read_bytes()],
        [png((0, 0, 10, 20)), png((10, 0, 20, 20))],
    )
    assert outcome["status"] == "complete", outcome["error"]
    config = json.loads(outcome["files"]["config.json"])
    assert set(config["inputs"]) == {"content", "style", "style 2", "mask 1", "mask 2"}
    assert len(json.loads(outcome["files"]["metrics.json"])["losses"]["mse"]["by_style"]) == 2
