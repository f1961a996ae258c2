"""The large-print measurements of docs/large-print.md, each with `nst compare` itself in a fresh process.

    python experiments/large_print.py seams   # 1024 px: multiscale against tiled (640 px tiles), every yardstick
    python experiments/large_print.py print   # 4096 px, schedule tiled: docs/large-print/print.jpg and a crop
    python experiments/large_print.py all
    python experiments/large_print.py all --quick   # tiny sizes: a check of this script (out/large-print-quick/)

seams: Brandenburg Gate at dusk in the style of The Starry Night, mse, 100 iterations, at 1024 px, once as
multiscale (256, 512, 1024 px, whole), once the same in float32 (the tolerance: what the arithmetic alone
changes) and once tiled with 640 px tiles (the same stages; the 1024 px one by 4 tiles, 4 passes): the runs'
yardsticks (scored alike, at 1024 px), the seam ratio of each over the tiled run's hand-overs
(nst.tiles.seam_ratio: 1, the hand-overs look like the rest), and crops across a hand-over.

print: the same pair at 4096 px, tiled (1024 px tiles, 4 passes), 60 iterations (stages 1024, 2048, 4096 px):
the time, the peak resident memory against the estimate, the seam ratio, a compressed copy and a crop at full
resolution where four tiles meet.

Full outputs stay in out/large-print/; docs/large-print/ gets the small files and the tables.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

from nst.backbone.layers import resolve_layers
from nst.backbone.networks import NETWORKS
from nst.tiles import layout, overlap_for, seam_ratio, seams

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "assets/content/brandenburg_gate_dusk.jpg"
STYLE = ROOT / "assets/style/starry_night.jpg"
QUICK = "--quick" in sys.argv
OUT = ROOT / ("out/large-print-quick" if QUICK else "out/large-print")
DOCS = OUT / "docs" if QUICK else ROOT / "docs/large-print"
CROP = 512  # px, the full-resolution crop's side
PRESET = "seed" if QUICK else "gatys"  # quick: shallow layers, whose overlap (36 px) lets 128 px tiles tile 192 px


def compare(name: str, *flags: str) -> dict:
    """`nst compare` with mse into OUT/name: its wall time, peak memory, estimate line and files. A run finished
    before with the same flags (OUT/name/run.json) is read back, not run again: delete the folder to redo it."""
    out = OUT / name
    done_before = out / "run.json"
    if done_before.exists() and json.loads(done_before.read_text())["flags"] == list(flags):
        found = json.loads(done_before.read_text())
    else:
        args = [sys.executable, "-m", "nst", "compare", str(CONTENT), str(STYLE), "--losses", "mse", "--out", str(out)]
        args += ["--preset", PRESET]
        start = time.perf_counter()
        done = subprocess.run([*args, *flags], capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(done.stderr.strip().splitlines()[-1])
        estimate = next((line for line in done.stderr.splitlines() if "estimated" in line), "")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20  # the largest child so far, GiB
        found = dict(flags=list(flags), seconds=time.perf_counter() - start, peak=peak, estimate=estimate)
        done_before.write_text(json.dumps(found))
    config = json.loads((out / "config.json").read_text())
    metrics = json.loads((out / "metrics.json").read_text())
    return dict(found, out=out, config=config, metrics=metrics)


def tiles_of(size: int, tile: int, shape: tuple[int, int]) -> list:
    overlap = overlap_for(resolve_layers(PRESET), NETWORKS.get("vgg16"))
    return layout(shape, tile, overlap) if size > tile else []


def crossing(tiles: list, shape: tuple[int, int]) -> tuple[int, int]:
    """(row, column) of the hand-over crossing nearest the image's centre."""
    rows, cols = seams(tiles)
    return (
        min(rows or [shape[0] // 2], key=lambda r: abs(r - shape[0] / 2)),
        min(cols or [shape[1] // 2], key=lambda c: abs(c - shape[1] / 2)),
    )


def crop_at(image: np.ndarray, centre: tuple[int, int], side: int) -> np.ndarray:
    top = int(np.clip(centre[0] - side // 2, 0, image.shape[0] - side))
    left = int(np.clip(centre[1] - side // 2, 0, image.shape[1] - side))
    return image[top : top + side, left : left + side]


YARDSTICKS = (
    "style_distance",
    "content_distance",
    "ssim",
    "color_distance",
    "style_swd",
    "color_swd",
    "style_embedding",
)


def seams_study() -> str:
    """Untiled (multiscale) and tiled at 1024 px, and the tolerance: the same untiled run in float32, whose
    yardsticks differ from the untiled run's by what the arithmetic alone changes (no setting that should)."""
    size, tile = ("192", "128") if QUICK else ("1024", "640")
    common = ["--size", size, "--iterations", "6" if QUICK else "100", "--baseline", "none", "--precision", "auto"]
    runs = {"multiscale": compare("seams-multiscale", *common, "--schedule", "multiscale")}
    runs["float32"] = compare("seams-multiscale-float32", *common[:-1], "float32", "--schedule", "multiscale")
    runs["tiled"] = compare("seams-tiled", *common, "--schedule", "tiled", "--tile", tile, "--tile-passes", "4")
    images = {k: np.asarray(Image.open(r["out"] / "mse.png").convert("RGB"), np.float32) / 255 for k, r in runs.items()}
    shape = images["tiled"].shape[:2]
    tiles = tiles_of(int(size), int(tile), shape)
    centre = crossing(tiles, shape)
    DOCS.mkdir(parents=True, exist_ok=True)
    side = min(CROP // 2, *shape)
    crops = [crop_at(images[k], centre, side) for k in ("multiscale", "tiled")]
    Image.fromarray(np.uint8(np.concatenate(crops, axis=1) * 255)).save(DOCS / "seams-crop.png")
    passes = runs["tiled"]["config"]["settings"]["tile_passes"]
    precision = runs["multiscale"]["config"].get("precision", "auto")  # as computed (auto resolved)
    lines = [
        f"| yardstick | multiscale ({precision}) | multiscale, float32 | tiled ({tile} px tiles, {len(tiles)} tiles, "
        f"{passes} passes) "
        "| float32 / multiscale | tiled / multiscale |",
        "|---|---|---|---|---|---|",
    ]
    scores = {k: r["metrics"]["losses"]["mse"] for k, r in runs.items()}
    for name in (n for n in YARDSTICKS if n in scores["multiscale"]):
        base, spread, tiled = (scores[k][name] for k in ("multiscale", "float32", "tiled"))
        lines.append(f"| {name} | {base:.4g} | {spread:.4g} | {tiled:.4g} | {spread / base:.2f} | {tiled / base:.2f} |")
    ratios = {k: seam_ratio(v, tiles) for k, v in images.items()}
    lines.append(
        f"| seam ratio (its hand-overs / elsewhere) | {ratios['multiscale']:.3f} | {ratios['float32']:.3f} "
        f"| {ratios['tiled']:.3f} | | |"
    )
    times = " | ".join(f"{runs[k]['seconds']:.0f} s" for k in ("multiscale", "float32", "tiled"))
    lines.append(f"| time | {times} | | |")
    return (
        "\n".join(lines)
        + f"\n\nCrop ({side} px) where four tiles meet, at ({centre[0]}, {centre[1]}): multiscale left, tiled right.\n"
    )


def print_study() -> str:
    size, iterations = ("256", "6") if QUICK else ("4096", "60")
    tile = "128" if QUICK else "1024"
    passes = "4"
    flags = ("--size", size, "--schedule", "tiled", "--tile", tile, "--tile-passes", passes, "--iterations", iterations)
    run = compare("print", *flags)
    image = np.asarray(Image.open(run["out"] / "mse.png").convert("RGB"), np.float32) / 255
    shape = image.shape[:2]
    tiles = tiles_of(int(size), int(tile), shape)
    DOCS.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.uint8(image * 255)).save(DOCS / "print.jpg", quality=80, optimize=True)
    centre = crossing(tiles, shape)
    Image.fromarray(np.uint8(crop_at(image, centre, CROP) * 255)).save(DOCS / "print-crop.png", optimize=True)
    weights, judge = run["config"]["weights"], run["config"].get("judge") or {}
    return (
        f"- command: `nst compare {CONTENT.relative_to(ROOT)} {STYLE.relative_to(ROOT)} --losses mse --size {size} "
        f"--schedule tiled --tile {tile} --tile-passes {passes} --iterations {iterations} "
        "--out out/large-print/print`\n"
        f"- output: {shape[1]} x {shape[0]} px, {len(tiles)} tiles at the last stage, {passes} passes\n"
        f"- time: {run['seconds'] / 60:.1f} min wall; peak resident memory {run['peak']:.2f} GB; "
        f"nst's {run['estimate'].replace('nst: ', '')}\n"
        f"- seam ratio (hand-overs / elsewhere): {seam_ratio(image, tiles):.3f}\n"
        f"- weights: {weights.get('name')}, SHA-256 {weights.get('sha256')}; judged on {judge.get('name')}, "
        f"SHA-256 {judge.get('sha256')}\n"
        f"- crop: {CROP} px at full resolution where four tiles meet, centred near ({centre[0]}, {centre[1]})\n"
    )


def main() -> None:
    what = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("--") else "all"
    OUT.mkdir(parents=True, exist_ok=True)
    parts = []
    if what in ("seams", "all"):
        parts.append("## Seams at 1024 px\n\n" + seams_study())
        (OUT / "seams.md").write_text(parts[-1])
    if what in ("print", "all"):
        parts.append("## A 4096 px print\n\n" + print_study())
        (OUT / "print.md").write_text(parts[-1])
    print("\n".join(parts))


if __name__ == "__main__":
    main()
