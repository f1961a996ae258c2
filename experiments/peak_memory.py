"""Peak resident memory of one comparison per working size, each in a fresh process.

python experiments/peak_memory.py 256 512 1024 [--losses mse] [--preset gatys] [--precision float32]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(size: int, losses: str, preset: str, precision: str) -> None:
    sys.path.insert(0, str(ROOT))
    from nst.runtime import import_tensorflow_quietly

    import_tensorflow_quietly()
    from nst.compare import Comparison
    from nst.images import load_image
    from nst.settings import Settings

    settings = Settings(weights="vgg16-hed", size=size, iterations=3, preset=preset, precision=precision)
    content = load_image(ROOT / "assets/content/chelsea.png")
    style = load_image(ROOT / "assets/style/starry_night.jpg")
    comparison = Comparison(content, style, settings, losses)
    for _ in comparison.events():
        pass
    runs = comparison.results().runs.values()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB -> GiB
    rate = ", ".join(f"{run.metrics['seconds_per_iteration']:.2f}" for run in runs)
    print(
        f"{size:>5} px  {preset:<6} {precision:<9} {losses:<12} peak {peak:.2f} GB  "
        f"estimated {comparison.estimate.memory_bytes / 2**30:.2f} GB  s/iteration {rate}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--losses", default="mse")
    parser.add_argument("--preset", default="gatys")
    parser.add_argument("--precision", default="float32")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.one:
        measure(args.sizes[0], args.losses, args.preset, args.precision)
        return
    for size in args.sizes:
        options = ["--losses", args.losses, "--preset", args.preset, "--precision", args.precision]
        subprocess.run([sys.executable, __file__, str(size), *options, "--one"], check=True)


if __name__ == "__main__":
    main()
