"""The bundled video example and the speed measurement of docs/video.md, each with `nst video` itself.

    python experiments/video_example.py example   # docs/video/example.mp4, sheet.jpg, example.md
    python experiments/video_example.py speed     # docs/video/speed.md (256 px, 3 s at 12 fps)
    python experiments/video_example.py all
    python experiments/video_example.py all --quick   # 3 frames, tiny: a check of this script (out/video-quick/)

example: the bundled clip (assets/video/chelsea_pan.mp4, 3 s at 12 fps, 160 x 106 px) in the style of The
Starry Night at its own size (160 px), mse and mae, each with and without the temporal term (weights 0 and
the default), the feed-forward network beside them, frame by frame; each later frame warm-started from the
warped previous output. Writes the side-by-side video (re-encoded small), the sheet of sample frames and the
table of warping errors and yardsticks into docs/video/.

speed: the same clip at 256 px with mse at the default temporal weight, --tolerance 0.01 (a frame stops once
its objective fell by less than 1% over 10 iterations) and a cap of 300 iterations a frame: the iterations
and seconds of the first frame against the later frames', and the whole clip's time. The target: later
frames at most a third of the first frame's iterations.

Each prints nst video's estimate (an upper bound) before it starts. Both keep their full outputs in
out/video-example/ and out/video-speed/ (resumable: run again to go on).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from PIL import Image

from nst.cli import main as nst
from nst.video.clip import Cut, probe, read_clip, write_video
from nst.video.settings import DEFAULT_TEMPORAL_WEIGHT

ROOT = Path(__file__).resolve().parents[1]
CLIP = ROOT / "assets/video/chelsea_pan.mp4"
STYLE = ROOT / "assets/style/starry_night.jpg"
QUICK = "--quick" in sys.argv
DOCS = ROOT / ("out/video-quick/docs" if QUICK else "docs/video")
OUT = ROOT / ("out/video-quick" if QUICK else "out")
SMALL = "30"  # x264 quality of the copy in docs/ (the full one stays in out/)


def sized(size: str, iterations: str) -> list[str]:
    """The size and iterations asked for, or with --quick 3 frames at 48 px and 3 iterations."""
    if QUICK:
        return ["--size", "48", "--iterations", "3", "--frames", "0:3", "--weights", "vgg16-hed"]
    return ["--size", size, "--iterations", iterations]


def example() -> None:
    out = OUT / "video-example/example.mp4"
    weights = f"0,{DEFAULT_TEMPORAL_WEIGHT:g}"
    args = ["video", str(CLIP), str(STYLE), "--out", str(out), "--losses", "mse,mae", "--temporal-weight", weights]
    args += [*sized("160", "100"), "--tolerance", "0.01"]
    took = _timed(args)
    DOCS.mkdir(parents=True, exist_ok=True)
    found = probe(out)
    clip = read_clip(out, Cut(), max(found.width, found.height), found)  # every frame at its own size
    write_video(clip.frames, clip.fps, DOCS / "example.mp4", quality=SMALL)
    sheet = Image.open(out.with_suffix("") / "sheet.png").convert("RGB")
    sheet.save(DOCS / "sheet.jpg", quality=80)
    metrics = json.loads((out.with_suffix("") / "metrics.json").read_text())
    (DOCS / "example.md").write_text(_table(metrics, args, took, out.with_suffix("")))
    sizes = {name: (DOCS / name).stat().st_size // 1024 for name in ("example.mp4", "sheet.jpg")}
    print(f"wrote {DOCS}/example.mp4 ({sizes['example.mp4']} KB), sheet.jpg ({sizes['sheet.jpg']} KB), example.md")
    if max(sizes.values()) > 300:
        print(f"the docs copies are over 300 KB: raise SMALL (now {SMALL}) or lower the JPEG quality before committing")


def speed() -> None:
    out = OUT / "video-speed/speed.mp4"
    args = ["video", str(CLIP), str(STYLE), "--out", str(out), "--losses", "mse", "--baseline", "none"]
    args += [*sized("256", "300"), "--tolerance", "0.01"]
    took = _timed(args)
    found = json.loads((out.with_suffix("") / "metrics.json").read_text())
    track, fps = found["tracks"]["mse"], found["fps"]
    first, later = track["first_frame"], track["later_frames"]
    share = later["iterations"] / first["iterations"]
    lines = [
        "# nst video: speed at 256 px",
        "",
        f"`nst {' '.join(_relative(args))}`, on {_machine(out.with_suffix(''))}.",
        "",
        "| frames | iterations | seconds |",
        "| --- | ---: | ---: |",
        f"| first (from the content) | {first['iterations']} | {first['seconds']:.1f} |",
        f"| later ({track['frames'] - 1}, warm-started; mean) | {later['iterations']:.1f} | {later['seconds']:.1f} |",
        "",
        f"- later frames took {share:.2f} of the first frame's iterations (target: at most 0.33); "
        f"{later['converged']} of {track['frames'] - 1} stopped by the tolerance before the cap",
        f"- the whole clip ({track['frames'] / fps:g} s at {fps:g} fps, {track['frames']} frames): {took:.0f} s, "
        "reading, flow, scoring and writing included",
        f"- warping error {track['warping_error']:.4g}",
        "",
    ]
    DOCS.mkdir(parents=True, exist_ok=True)
    (DOCS / "speed.md").write_text("\n".join(lines))
    print("\n".join(lines))


def _timed(args: list[str]) -> float:
    start = time.perf_counter()
    status = nst(args)
    if status != 0:
        raise SystemExit(f"nst video ended with status {status}: run this script again to go on from its frames")
    return time.perf_counter() - start


def _table(metrics: dict, args: list[str], took: float, folder: Path) -> str:
    rows = [
        "# nst video: the bundled example",
        "",
        f"`nst {' '.join(_relative(args))}`, {took / 60:.0f} min on {_machine(folder)}. The content clip's own "
        "warping error (a video moving "
        f"exactly as its content would score about this): {metrics['content_warping_error']:.4g}.",
        "",
        "| track | warping error | style distance | content distance | SSIM | iterations: first, later (mean) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, track in metrics["tracks"].items():
        y, later = track["yardsticks"], track["later_frames"]
        steps = f"{track['first_frame']['iterations']}, {later['iterations']:.1f}" if track["loss"] and later else "-"
        rows.append(
            f"| {name} | {track['warping_error']:.4g} | {y['style_distance']:.3g} | {y['content_distance']:.3g} | "
            f"{y['ssim']:.3f} | {steps} |"
        )
    return "\n".join(
        rows + ["", "Lower warping error is steadier (docs/video.md); the yardsticks are means over frames.", ""]
    )


def _relative(args: list[str]) -> list[str]:
    return [str(Path(a).relative_to(ROOT)) if a.startswith(str(ROOT)) else a for a in args]


def _machine(folder: Path) -> str:
    """The machine, and the precision the network ran in there (auto: bfloat16 where native)."""
    from nst.speed.tables import machine

    precision = json.loads((folder / "config.json").read_text())["precision"]
    return f"{machine()}, the network in {precision}"


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    if which in ("example", "all"):
        example()
    if which in ("speed", "all"):
        speed()
