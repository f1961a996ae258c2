"""vgg16-hed against ImageNet weights on the bundled study's pairs, all scored by the one ImageNet judge.

Two study folders made with the same settings but different `--weights` (`<unit>/<loss>.jpg`, the JPEGs a
bundled study ships): every output of the chosen losses is scored again by nst.metrics' judge (ImageNet
VGG16, the study's working size), so both weights' outputs are scored alike, from files compressed alike.
Prints the per-pair table and the medians (each with the median of the paired ratio ImageNet / hed and
a seeded bootstrap 95% interval); --sheet writes a contact sheet: a row per pair, a column per loss and
weights.

python experiments/weights_study.py HED_STUDY IMAGENET_STUDY [--losses mse,mae] [--sheet docs/weights-study.jpg]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path
from typing import NamedTuple

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MEASURES = ("color_distance", "color_swd", "style_swd")  # the yardsticks compared (lower: closer to the painting)


class Score(NamedTuple):
    unit: str
    loss: str
    weights: str  # the weights that made the output, from its config.json
    values: dict[str, float]  # yardstick name -> value, on the ImageNet judge


def unit_inputs(unit: Path) -> tuple[Path, Path, int]:
    config = json.loads((unit / "config.json").read_text())
    inputs = config["inputs"]
    return ROOT / inputs["content"]["name"], ROOT / inputs["style"]["name"], config["settings"]["size"]


def load_output(unit: Path, loss: str):
    """The output as shipped: `<loss>.jpg`, or a finished but unshipped `<loss>.png` through the same JPEG
    encoding (quality 90, nst.votes.gallery.export's), so both studies' outputs are compressed alike."""
    from PIL import Image

    from nst.images import load_image

    if (unit / f"{loss}.jpg").exists():
        return load_image(unit / f"{loss}.jpg")
    buffer = io.BytesIO()
    Image.open(unit / f"{loss}.png").convert("RGB").save(buffer, "JPEG", quality=90)
    return load_image(buffer.getvalue())


def units_of(study: Path) -> list[Path]:
    """The finished units: those whose metrics.json was written."""
    return sorted(p for p in study.iterdir() if (p / "metrics.json").exists())


def score_study(study: Path, losses: list[str], names: set[str]) -> list[Score]:
    from nst.images import load_image, resize_long_side
    from nst.metrics import Judge

    scores = []
    for unit in (u for u in units_of(study) if u.name in names):
        content, style, size = unit_inputs(unit)
        judge = Judge(resize_long_side(load_image(content), size), resize_long_side(load_image(style), size), "max")
        weights = json.loads((unit / "config.json").read_text())["weights"]["name"]
        for loss in losses:
            values = judge.score(load_output(unit, loss))
            scores.append(Score(unit.name, loss, weights, values))
    return scores


def bootstrap_median(values: np.ndarray, draws: int = 10000, seed: int = 0) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    medians = np.median(rng.choice(values, (draws, len(values))), axis=1)
    return float(np.quantile(medians, 0.025)), float(np.quantile(medians, 0.975))


def by_key(scores: list[Score]) -> dict[tuple[str, str], dict[str, float]]:
    return {(s.unit, s.loss): s.values for s in scores}


def label(measure: str) -> str:
    """The yardstick's table label, from its record (nst.metrics.YARDSTICKS)."""
    from nst.metrics import YARDSTICKS

    return YARDSTICKS[measure].label


def pair_table(hed: list[Score], imagenet: list[Score], loss: str) -> list[str]:
    """Markdown rows: one per pair, the three measures for hed and ImageNet."""
    a, b = by_key(hed), by_key(imagenet)
    header = " | ".join(f"{label(m)} hed | {label(m)} ImageNet" for m in MEASURES)
    rows = [f"| pair | {header} |", "|---" * (1 + 2 * len(MEASURES)) + "|"]
    for unit, name in sorted(key for key in a if key[1] == loss):
        cells = " | ".join(f"{a[unit, name][m]:.3g} | {b[unit, name][m]:.3g}" for m in MEASURES)
        rows.append(f"| {unit.replace('__', ' x ')} | {cells} |")
    return rows


def medians_table(hed: list[Score], imagenet: list[Score], losses: list[str]) -> list[str]:
    """Markdown rows: per loss and measure, both medians, the median paired ratio, its CI, ImageNet's wins."""
    a, b = by_key(hed), by_key(imagenet)
    rows = [
        "| loss | yardstick | median hed | median ImageNet | ImageNet / hed (paired) | 95% CI | ImageNet lower |",
        "|---|---|---|---|---|---|---|",
    ]
    for loss in losses:
        keys = sorted(key for key in a if key[1] == loss)
        for m in MEASURES:
            x, y = np.array([a[k][m] for k in keys]), np.array([b[k][m] for k in keys])
            low, high = bootstrap_median(y / x)
            rows.append(
                f"| {loss} | {label(m)} | {np.median(x):.3g} | {np.median(y):.3g} | {np.median(y / x):.2f}x | "
                f"{low:.2f}-{high:.2f}x | {int(np.sum(y < x))} of {len(keys)} |"
            )
    return rows


def contact_sheet(hed: Path, imagenet: Path, losses: list[str], units: list[str], path: Path, tile: int = 160) -> None:
    """A row per pair: the content, the style, then for each loss its hed and its ImageNet output."""
    from PIL import Image, ImageDraw

    from nst.images import to_uint8

    columns = ["content", "style"] + [f"{loss} {w}" for loss in losses for w in ("hed", "ImageNet")]
    head = 22
    sheet = Image.new("RGB", (tile * len(columns), head + tile * len(units)), "white")
    draw = ImageDraw.Draw(sheet)
    for i, name in enumerate(columns):
        draw.text((i * tile + 4, 5), name, fill="black")
    for row, unit in enumerate(units):
        content, style, _ = unit_inputs(hed / unit)
        files = [content, style] + [(folder / unit, loss) for loss in losses for folder in (hed, imagenet)]
        for col, file in enumerate(files):
            image = Image.open(file) if isinstance(file, Path) else Image.fromarray(to_uint8(load_output(*file)))
            image = image.convert("RGB")
            image.thumbnail((tile - 4, tile - 4))
            sheet.paste(image, (col * tile + 2, head + row * tile + 2))
    sheet.save(path, quality=85)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("hed", type=Path)
    parser.add_argument("imagenet", type=Path)
    parser.add_argument("--losses", default="mse,mae")
    parser.add_argument("--sheet", type=Path)
    args = parser.parse_args(argv)
    losses = args.losses.split(",")
    names = {u.name for u in units_of(args.hed)} & {u.name for u in units_of(args.imagenet)}
    hed, imagenet = score_study(args.hed, losses, names), score_study(args.imagenet, losses, names)
    print(f"{len(names)} pairs with both weights' outputs")
    print("weights:", sorted({s.weights for s in hed}), "against", sorted({s.weights for s in imagenet}))
    print("\n".join(medians_table(hed, imagenet, losses)))
    for loss in losses:
        print(f"\n{loss}\n" + "\n".join(pair_table(hed, imagenet, loss)))
    if args.sheet:
        contact_sheet(args.hed, args.imagenet, losses, sorted(names), args.sheet)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main(sys.argv[1:])
