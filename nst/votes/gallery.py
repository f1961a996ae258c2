"""Outputs that can be voted on: a comparison's files (as `nst compare`, `nst study` or the page write
them: `<loss>.png|jpg`, metrics.json, config.json, history.csv) read back as one `Output` per loss, and one
for the feed-forward baseline (loss nst.baseline.NAME) where its image (feedforward.png|jpg) and its
yardsticks (metrics.json's "baseline") are there: it is voted on and ranked beside the losses.

The gallery is a study folder (default: the bundled study in docs/study): one such folder per unit."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from PIL import Image

from nst.artifacts import HISTORY_COLUMNS
from nst.baseline import LABEL as BASELINE_LABEL
from nst.baseline import NAME as BASELINE
from nst.errors import NSTError
from nst.losses.catalogue import file_stem
from nst.metrics import IMAGE_YARDSTICKS, YARDSTICKS
from nst.study.design import WEIGHT_MARK
from nst.study.inference import EQUAL_WEIGHT

GALLERY = Path(__file__).resolve().parent.parent.parent / "docs" / "study"  # the bundled study
IMAGE_ENDINGS = (".jpg", ".png")  # a gallery ships JPEGs; `nst study` and the page make PNGs
POINT_TERMS = HISTORY_COLUMNS[2:]  # history.csv's columns after loss and iteration


@dataclass(frozen=True)
class Output:
    """One loss's output for one content, style and settings."""

    content: str  # the content image's file name (bundled samples only: uploads never become Outputs)
    style: str  # the style image's file name
    loss: str  # a loss's name, or nst.baseline.NAME for the feed-forward baseline
    settings_hash: str  # `settings_hash` of the settings that made it: outputs compare only under equal settings
    settings: dict  # the Settings' fields, as in config.json
    weights: str  # the backbone weights' name (vgg16-hed, imagenet)
    image: bytes = b""  # the encoded image (JPEG or PNG), as shown
    digest: str = ""  # SHA-256 of `image`
    metrics: dict | None = None  # yardstick name -> value (metrics.json)

    @property
    def unit(self) -> tuple[str, str, str]:
        """What two outputs must share to be compared: the same content, style and settings."""
        return self.content, self.style, self.settings_hash


# Settings that change no loss's output: left out, so outputs made before they existed still pair.
NOT_HASHED = ("baseline", "baseline_strength")
TILED_ONLY = ("tile", "tile_passes")  # change the outputs of tiled runs only; younger than most outputs


def settings_hash(settings: dict) -> str:
    """A short, stable fingerprint of a Settings dict (config.json's "settings"): what made the losses' outputs."""
    unhashed = NOT_HASHED if settings.get("schedule") == "tiled" else (*NOT_HASHED, *TILED_ONLY)
    kept = {name: value for name, value in settings.items() if name not in unhashed}
    text = json.dumps(kept, sort_keys=True, default=list)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def shown_name(loss: str) -> str:
    """How an Output's `loss` is shown once it may be (after the vote, in the ratings): the baseline by its label."""
    return BASELINE_LABEL if loss == BASELINE else loss


def outputs_from_files(files: dict[str, bytes]) -> list[Output]:
    """A comparison's files (file name -> contents) -> one Output per loss with an image, then the baseline's."""
    try:
        config = json.loads(files["config.json"])
        found = json.loads(files["metrics.json"])
        metrics = found["losses"]
    except (KeyError, ValueError) as error:
        raise NSTError(f"not a comparison's files (config.json and metrics.json are needed): {error}") from error
    settings = config["settings"]
    common = {
        "content": Path(config["inputs"]["content"]["name"]).name,
        "style": Path(config["inputs"]["style"]["name"]).name,
        "settings_hash": settings_hash(settings),
        "settings": settings,
        "weights": config["weights"]["name"],
    }
    made = [(loss, file_stem(loss), metrics.get(loss, {})) for loss in config["losses"]]
    if found.get("baseline"):  # the feed-forward baseline's yardsticks (no "complete": it is made in one pass)
        made.append((BASELINE, BASELINE, found["baseline"]))
    outputs = []
    for loss, stem, scored in made:
        image = next((files[f"{stem}{end}"] for end in IMAGE_ENDINGS if f"{stem}{end}" in files), None)
        if image is None or not scored.get("complete", True):
            continue  # a loss that failed, or whose image is missing, is not voted on
        scores = {name: float(scored[name]) for name in YARDSTICKS if name in scored}
        digest = hashlib.sha256(image).hexdigest()
        outputs.append(Output(loss=loss, image=image, digest=digest, metrics=scores, **common))
    return outputs


@dataclass(frozen=True)
class Point:
    """One row of history.csv: the terms after one iteration (what the page's loss curves plot)."""

    iteration: int
    seconds: float
    content: float
    style: float
    tv: float
    total: float


@dataclass(frozen=True)
class Unit:
    """One comparison of the gallery: its outputs and each loss's history."""

    outputs: list[Output]
    history: dict[str, list[Point]]


def read_history(text: str) -> dict[str, list[Point]]:
    history: dict[str, list[Point]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        loss = row.pop("loss")
        history.setdefault(loss, []).append(Point(int(row["iteration"]), *(float(row[k]) for k in POINT_TERMS)))
    return history


def read_unit(folder: Path) -> Unit:
    files = {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}
    history = read_history(files["history.csv"].decode()) if "history.csv" in files else {}
    return Unit(outputs_from_files(files), history)


def read_units(folder: str | Path = GALLERY) -> list[Unit]:
    """Every unit of a study folder (each sub-folder with a config.json), in name order."""
    return [read_unit(path.parent) for path in sorted(Path(folder).glob("*/config.json"))]


def read_gallery(folder: str | Path = GALLERY) -> list[Output]:
    """Every output of a study folder."""
    return [output for unit in read_units(folder) for output in unit.outputs]


def export(study_dir: str | Path, dest: str | Path, quality: int = 90) -> int:
    """Copy a study's unit folders for shipping: each `<loss>.png` and the baseline's feedforward.png as a JPEG,
    with config.json, metrics.json and history.csv (the sheet and run.json stay behind). Returns the units
    copied."""
    units = sorted(path.parent for path in Path(study_dir).glob("*/config.json"))
    units = [unit for unit in units if WEIGHT_MARK not in unit.name]  # the fronts' other weights: not the gallery's
    for unit in units:
        target = Path(dest) / unit.name
        target.mkdir(parents=True, exist_ok=True)
        for name in ("config.json", "metrics.json", "history.csv"):
            (target / name).write_bytes((unit / name).read_bytes())
        losses = json.loads((unit / "config.json").read_text())["losses"]
        for stem in [file_stem(loss) for loss in losses] + [BASELINE]:
            if (unit / f"{stem}.png").exists():
                buffer = io.BytesIO()
                Image.open(unit / f"{stem}.png").convert("RGB").save(buffer, "JPEG", quality=quality)
                (target / f"{stem}.jpg").write_bytes(buffer.getvalue())
    return len(units)


class StudyFacts(NamedTuple):
    """What made a study: its units (content x style x seed) and the settings they share."""

    units: int
    baseline: str  # the loss every other is compared with: the study's first
    size: int  # px, the working size
    iterations: int
    weights: str  # the backbone weights' name


def study_facts(folder: str | Path = GALLERY) -> StudyFacts | None:
    """The study's units and settings, from its config.json files (the first unit's settings); None if it has
    no unit."""
    configs = sorted(Path(folder).glob("*/config.json"))
    if not configs:
        return None
    config = json.loads(configs[0].read_text())
    settings = config["settings"]
    facts = (settings["size"], settings["iterations"], config["weights"]["name"])
    return StudyFacts(len(configs), config["losses"][0], *facts)


def study_table(folder: str | Path = GALLERY) -> list[dict[str, str]]:
    """The study's answer at equal style weight, one row per image yardstick, one column per loss against the
    baseline: the crossed model's mean ratio (or difference; the median where a test has no crossed figure),
    with * where significant (the crossed p, Holm-corrected). [] if there is no study.csv."""
    path = Path(folder) / "study.csv"
    if not path.exists():
        return []
    tests = [t for t in csv.DictReader(path.open()) if t.get("comparison", EQUAL_WEIGHT) == EQUAL_WEIGHT]
    baseline = tests[0]["baseline"] if tests else ""
    rows: dict[str, dict[str, str]] = {}
    for test in (t for t in tests if t["baseline"] == baseline and t["yardstick"] in IMAGE_YARDSTICKS):
        yardstick = YARDSTICKS[test["yardstick"]]
        effect = table_effect(test)
        cell = f"{effect:.2f}x" if yardstick.paired == "ratio" else f"{effect:+.3f}"
        row = rows.setdefault(test["yardstick"], {"yardstick": f"{yardstick.label} ({yardstick.better})"})
        row[f"{test['loss']} / {baseline}"] = cell + (" *" if test["significant"] == "True" else "")
    return list(rows.values())


def table_effect(test: dict[str, str]) -> float:
    """A study.csv row's effect as the table shows it: the crossed model's mean, else the median."""
    crossed = float(test.get("crossed_effect") or "nan")
    return crossed if math.isfinite(crossed) else float(test["effect"])


def study_section(heading: str, folder: str | Path = GALLERY) -> str:
    """The body of the study.md section whose heading starts with `heading` (markdown, the heading line left
    out), or "" if there is none."""
    path = Path(folder) / "study.md"
    if not path.exists():
        return ""
    text = path.read_text()
    start = text.find(f"\n## {heading}")
    if start < 0:
        return ""
    body = text.find("\n", start + 1)
    end = text.find("\n## ", body)
    return text[body : end if end > 0 else None].strip()
