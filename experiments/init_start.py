"""Does the feed-forward output make a better start for the optimisation? `--init feedforward` against
`--init content` and the palette start (`--colors palette`), in one run, on the same pairs:

1. speed: the bench's race (nst.speed.race): the TensorFlow tutorial's 1000 Adam steps set a target
   objective, then nst's L-BFGS from each start runs until the tutorial's objective is reached (iterations
   and seconds; the feed-forward start's seconds include making it);
2. the look: an nst comparison per start (loss mse, every other setting the default: 100 iterations),
   scored by the yardsticks, and a sheet of the outputs to look at.

python experiments/init_start.py [--size 256] [--out docs/init-start]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAIRS = (("chelsea.png", "starry_night.jpg"), ("astronaut.png", "great_wave_hokusai.jpg"))
STARTS = {"content": {}, "palette": {"colors": "palette"}, "feedforward": {"init": "feedforward"}}
SHOWN = ("style_distance", "content_distance", "ssim", "color_swd", "style_swd", "style_embedding")


CHECKPOINTS = (10, 25, 50, 100, 200, 300)  # iterations at which each start's objective is recorded
CAP = CHECKPOINTS[-1]


def race_starts(content, style, size: int) -> list[dict]:
    """The race from each start: L-BFGS on the tutorial's objective (float32) until it is at most the
    tutorial's final value, or CAP iterations; per start the iterations and seconds to get there (the
    feed-forward start's seconds include making it) and its objective, as a share of the target, at each
    checkpoint."""
    from nst import feedforward
    from nst.images import resize, resize_long_side
    from nst.optimizers import LBFGS
    from nst.settings import Settings
    from nst.speed.plan import Plan
    from nst.speed.race import race_tutorial
    from nst.speed.tutorial import objective
    from nst.styles import palette_start, plan

    images = (resize_long_side(content, size), resize_long_side(style, size))
    settings = Plan(weights="auto", race_size=size)
    tutorial_seconds, target, _ = race_tutorial(images, settings)
    rows = [{"start": "tutorial (Adam x 1000)", "iterations": 1000, "seconds": tutorial_seconds, "target": target}]
    evaluate = objective(*images, settings.weights)
    for start in STARTS:
        made = time.perf_counter()
        if start == "content":
            x = images[0]
        elif start == "palette":
            x = palette_start(images[0], [images[1]], plan((), None, images[0].shape[:2], 1))
        else:
            x = resize(feedforward.stylize(content, style, Settings().baseline_strength).image, images[0].shape[:2])
        x, row = x[None], {"start": start, "reached_at": None, "seconds_to_target": None}
        optimizer, (f, g) = LBFGS(), evaluate(x)
        row["at_0"] = f / target
        for iteration in range(1, CAP + 1):
            x, f, g = optimizer.step(x, f, g, evaluate)
            if f <= target and row["reached_at"] is None:
                row["reached_at"], row["seconds_to_target"] = iteration, time.perf_counter() - made
            if iteration in CHECKPOINTS:
                row[f"at_{iteration}"] = f / target
        rows.append(row)
    return rows


def looks(content, style, names: tuple[str, str], size: int) -> tuple[list[dict], dict]:
    """A comparison (mse, the defaults) from each start: its yardsticks, its output image, and nst's own race:
    the iterations and seconds each start needs to reach the objective the content start ends with (the
    feed-forward start's seconds include making it)."""
    from nst.job import InputImage, Request, prepare
    from nst.settings import Settings

    inputs = (
        InputImage.from_pixels(content, names[0], sample=True),
        InputImage.from_pixels(style, names[1], sample=True),
    )
    rows, images, histories = [], {}, {}
    for start, changes in STARTS.items():
        made = time.perf_counter()
        job = prepare(Request.of(inputs[0], [inputs[1]], Settings(size=size, baseline="none", **changes), ["mse"]))
        making = time.perf_counter() - made  # the feed-forward output, for that start
        for _ in job.events():
            pass
        run = job.result().runs["mse"]
        rows.append({"start": start, **{name: run.metrics[name] for name in SHOWN}})
        images[start] = run.image
        histories[start] = (making, run.history)
    goal = histories["content"][1][-1].total
    for row in rows:
        making, history = histories[row["start"]]
        reached = next((event for event in history if event.total <= goal), None)
        row["objective_at_start"] = history[0].total / goal
        row["iterations_to_content_final"] = reached.iteration if reached else None
        row["seconds_to_content_final"] = making + reached.seconds if reached else None
    return rows, images


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "init-start")
    parser.add_argument("--races", type=Path, help="an earlier init-start.json: its pairs' races are reused")
    args = parser.parse_args(argv)
    from nst.images import load_image

    args.out.mkdir(parents=True, exist_ok=True)
    found, tiles = {}, []
    for content_name, style_name in PAIRS:
        content = load_image(ROOT / "assets/content" / content_name)
        style = load_image(ROOT / "assets/style" / style_name)
        pair = f"{Path(content_name).stem} x {Path(style_name).stem}"
        cached = json.loads(args.races.read_text()) if args.races and args.races.exists() else {}
        race = cached[pair]["race"] if pair in cached else race_starts(content, style, args.size)
        yardsticks, images = looks(content, style, (content_name, style_name), args.size)
        found[pair] = {"race": race, "yardsticks": yardsticks}
        tiles.append([(f"{pair}: init {start}", image) for start, image in images.items()])
        print(json.dumps({pair: found[pair]}, indent=1), flush=True)
    (args.out / "init-start.json").write_text(json.dumps(found, indent=1))
    grid(tiles).save(args.out / "init-start.jpg", quality=90)


def grid(rows: list[list[tuple[str, object]]]):
    """Labelled tiles, a row per pair, as one PIL image."""
    from PIL import Image, ImageDraw

    from nst.images import to_uint8

    height, width = rows[0][0][1].shape[:2]
    sheet = Image.new("RGB", (width * len(rows[0]), (height + 16) * len(rows)), "white")
    draw = ImageDraw.Draw(sheet)
    for r, row in enumerate(rows):
        for c, (label, image) in enumerate(row):
            tile = Image.fromarray(to_uint8(image)).resize((width, height))
            sheet.paste(tile, (c * width, r * (height + 16) + 16))
            draw.text((c * width + 4, r * (height + 16) + 2), label, fill="black")
    return sheet


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main(sys.argv[1:])
