"""Speed and memory of the feed-forward result (nst.feedforward), in a fresh process: the models' loading
time, the stylize time at 384 px over several runs after a warm-up, and the peak resident memory that
loading and one stylize add.

python experiments/feedforward_speed.py [--runs 10] [--content assets/content/chelsea.png]
    [--style assets/style/starry_night.jpg] [--save /tmp/feedforward.png]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--content", type=Path, default=ROOT / "assets/content/chelsea.png")
    parser.add_argument("--style", type=Path, default=ROOT / "assets/style/starry_night.jpg")
    parser.add_argument("--save", type=Path, help="write the result here (PNG)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from nst.images import load_image, save_png

    content, style = load_image(args.content), load_image(args.style)
    before = peak_mib()
    start = time.perf_counter()
    from nst.feedforward import load_model, stylize

    model = load_model()
    loading = time.perf_counter() - start
    first = stylize(content, style, model=model)
    added = peak_mib() - before
    seconds = [stylize(content, style, model=model).seconds for _ in range(args.runs)]
    if args.save:
        save_png(first.image, args.save)
    print(f"{model.info.name} ({model.info.version}), content {content.shape[1]}x{content.shape[0]} px")
    print(f"loading: {loading:.3f} s (onnxruntime's import included; the two sessions: {model.load_seconds:.3f} s)")
    print(f"first stylize (warm-up): {first.seconds:.3f} s; output {first.image.shape[1]}x{first.image.shape[0]} px")
    print(
        f"stylize over {args.runs} runs: median {statistics.median(seconds):.3f} s, "
        f"min {min(seconds):.3f} s, max {max(seconds):.3f} s"
    )
    print(f"peak resident memory added by loading + one stylize: {added:.0f} MiB (peak before {before:.0f} MiB)")


if __name__ == "__main__":
    main()
