"""Peak resident memory of one comparison per working size, each in a fresh process.

python experiments/peak_memory.py 256 512 1024 [--losses mse] [--preset gatys] [--precision float32]
python experiments/peak_memory.py 1024 2048 4096 --schedule tiled --precision auto   # large prints (nst.tiled)
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(size: int, losses: str, preset: str, precision: str, schedule: str) -> None:
    sys.path.insert(0, str(ROOT))
    from nst.runtime import import_tensorflow_quietly

    import_tensorflow_quietly()
    from nst.compare import Comparison
    from nst.images import load_image
    from nst.settings import Settings

    weights = "auto" if schedule == "tiled" else "vgg16-hed"  # tiled: the weights a print is made with
    settings = Settings(weights=weights, size=size, iterations=3, preset=preset, precision=precision, schedule=schedule)
    content = load_image(ROOT / "assets/content/chelsea.png")
    style = load_image(ROOT / "assets/style/starry_night.jpg")
    comparison = Comparison(content, style, settings, losses)
    start = time.perf_counter()
    for _ in comparison.events():
        pass
    seconds = time.perf_counter() - start
    runs = comparison.results().runs.values()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB -> GiB
    rate = ", ".join(f"{run.metrics['seconds_per_iteration']:.2f}" for run in runs)
    print(
        f"{size:>5} px  {schedule:<10} {preset:<6} {settings.network_precision:<9} {losses:<12} peak {peak:.2f} GB  "
        f"estimated {comparison.estimate.memory_bytes / 2**30:.2f} GB  s/iteration {rate}  "
        f"{comparison.planned_steps} steps in {seconds:.0f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--losses", default="mse")
    parser.add_argument("--preset", default="gatys")
    parser.add_argument("--precision", default="float32")
    parser.add_argument("--schedule", default="direct", help="direct, multiscale or tiled (settings.tile 1024 px)")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.one:
        measure(args.sizes[0], args.losses, args.preset, args.precision, args.schedule)
        return
    for size in args.sizes:
        options = ["--losses", args.losses, "--preset", args.preset, "--precision", args.precision]
        options += ["--schedule", args.schedule]
        subprocess.run([sys.executable, __file__, str(size), *options, "--one"], check=True)


if __name__ == "__main__":
    main()
