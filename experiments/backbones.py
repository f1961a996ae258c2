"""Offline evidence for docs/backbones.md: untrained backbones, with and without SWAG smoothing.

Every backbone gets `random` weights (seed 0): ImageNet weights for the non-VGG networks cannot be
downloaded here. The one VGG16 judge (nst.metrics: ImageNet weights, packaged) scores every output,
so the rows compare. Writes table.md (markdown), results.json and sheet.jpg (rows: pair x backbone,
columns: smoothing none, softmax) into --out.

    python experiments/backbones.py --out docs/backbones   # about 12 min on 2 cores
    python experiments/backbones.py --speed                # s/iteration of every backbone at 256 px (2 min)
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from nst.backbone.networks import NETWORKS
from nst.compare import Comparison
from nst.images import load_image, to_uint8
from nst.settings import Settings

ASSETS = Path(__file__).resolve().parent.parent / "assets"
PAIRS = (("content/chelsea.png", "style/starry_night.jpg"), ("content/astronaut.png", "style/great_wave_hokusai.jpg"))
BACKBONES = ("vgg16", "resnet50", "inception_v3", "inception_resnet_v2")
SMOOTHINGS = ("none", "softmax")

YARDSTICKS = ("style_distance", "style_swd", "content_distance", "ssim")


def run(size: int, iterations: int, backbones: tuple[str, ...] = BACKBONES) -> list[dict]:
    rows = []
    for content_path, style_path in PAIRS:
        content, style = load_image(ASSETS / content_path), load_image(ASSETS / style_path)
        for backbone in backbones:
            for smoothing in SMOOTHINGS:
                settings = Settings(
                    backbone=backbone,
                    weights="random",
                    smoothing=smoothing,
                    size=size,
                    iterations=iterations,
                    precision="float32",
                )
                comparison = Comparison(content, style, settings, ["mse"])
                started = time.perf_counter()
                for _ in comparison.events():
                    pass
                result = comparison.results()
                output = result.runs["mse"].image
                scores = {name: result.runs["mse"].metrics[name] for name in YARDSTICKS}  # scored by the judge
                rows.append(
                    {
                        "pair": f"{Path(content_path).stem} x {Path(style_path).stem}",
                        "backbone": backbone,
                        "smoothing": smoothing,
                        "seconds": time.perf_counter() - started,
                        "seconds_per_iteration": result.runs["mse"].metrics["seconds_per_iteration"],
                        **scores,
                        "image": output,
                    }
                )
                print(rows[-1]["pair"], backbone, smoothing, {k: round(v, 4) for k, v in scores.items()}, flush=True)
    return rows


def speed(size: int = 256, iterations: int = 12) -> None:
    """Seconds per L-BFGS iteration of every backbone (gatys preset, mse, no smoothing), float32 and
    bfloat16; random weights: the speed does not depend on their values."""
    content, style = load_image(ASSETS / PAIRS[1][0]), load_image(ASSETS / PAIRS[0][1])
    for precision in ("float32", "bfloat16"):
        for backbone in NETWORKS.names():
            settings = Settings(
                backbone=backbone,
                weights="random",
                size=size,
                iterations=iterations,
                precision=precision,
                smoothing="none",
            )
            comparison = Comparison(content, style, settings, ["mse"])
            for _ in comparison.events():
                pass
            seconds = comparison.results().runs["mse"].metrics["seconds_per_iteration"]
            print(f"{backbone} {precision} {size} px: {seconds:.3f} s/iteration", flush=True)


def table(rows: list[dict]) -> str:
    head = "| pair | backbone | smoothing | " + " | ".join(YARDSTICKS) + " | s/iteration |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for row in rows:
        values = " | ".join(f"{row[name]:.4g}" for name in YARDSTICKS)
        lines.append(
            f"| {row['pair']} | {row['backbone']} | {row['smoothing']} | {values} | "
            f"{row['seconds_per_iteration']:.2f} |"
        )
    return "\n".join(lines)


def sheet(rows: list[dict]) -> Image.Image:
    tile = rows[0]["image"].shape[1], rows[0]["image"].shape[0]
    label = 150
    lines = len(rows) // len(SMOOTHINGS)
    canvas = Image.new("RGB", (label + tile[0] * len(SMOOTHINGS), 24 + tile[1] * lines), "white")
    draw = ImageDraw.Draw(canvas)
    for column, smoothing in enumerate(SMOOTHINGS):
        draw.text((label + column * tile[0] + 4, 4), f"smoothing {smoothing}", fill="black")
    for index, row in enumerate(rows):
        line, column = divmod(index, len(SMOOTHINGS))
        image = Image.fromarray(to_uint8(row["image"])).resize(tile)
        canvas.paste(image, (label + column * tile[0], 24 + line * tile[1]))
        if column == 0:
            draw.text((4, 24 + line * tile[1] + 4), f"{row['pair']}\n{row['backbone']}\nrandom weights", fill="black")
    return canvas


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="folder for table.md, results.json and sheet.jpg")
    parser.add_argument("--speed", action="store_true", help="only the s/iteration of every backbone at 256 px")
    parser.add_argument("--size", type=int, default=192)
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--backbones", default=",".join(BACKBONES), help="comma-separated")
    args = parser.parse_args()
    if args.speed or not args.out:
        return speed() if args.speed else parser.error("give --out DIR or --speed")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = run(args.size, args.iterations, tuple(args.backbones.split(",")))
    (out / "table.md").write_text(table(rows) + "\n")
    records = [{k: v for k, v in r.items() if k != "image"} for r in rows]
    (out / "results.json").write_text(json.dumps(records, indent=1))
    sheet(rows).save(out / "sheet.jpg", quality=88)
    print(table(rows))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
