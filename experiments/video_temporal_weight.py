"""How the temporal weight trades steadiness for style: the bundled clip styled at several temporal weights,
each frame after the first warm-started from the warped previous output; per weight, the warping error
(nst.video.steadiness), the per-frame yardsticks' means and the iterations.

    python experiments/video_temporal_weight.py --size 64 --frames 6 --iterations 20        # ~1 min here
    python experiments/video_temporal_weight.py --size 256 --frames 36 --iterations 100 --tolerance 0.01
"""

from __future__ import annotations

import argparse
import tempfile
import time

import numpy as np

from nst.images import load_image
from nst.losses.catalogue import LOSSES
from nst.settings import Settings
from nst.video.clip import Cut, FrameRange, read_clip
from nst.video.settings import VideoSettings
from nst.video.steadiness import warping_error
from nst.video.stylize import VideoJob


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clip", default="assets/video/chelsea_pan.mp4")
    parser.add_argument("--style", default="assets/style/starry_night.jpg")
    parser.add_argument("--loss", default="mse")
    parser.add_argument("--weights", default="0,20,200,2000")
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--frames", type=int, default=6)
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--tolerance", type=float, default=0.0)
    args = parser.parse_args()
    settings = Settings(size=args.size, iterations=args.iterations, tolerance=args.tolerance, baseline="none")
    clip = read_clip(args.clip, Cut(FrameRange(0, args.frames)), settings.size)
    weights = tuple(float(w) for w in args.weights.split(","))
    video = VideoSettings(temporal_weights=weights)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        job = VideoJob(clip, load_image(args.style), settings, video, [LOSSES.get(args.loss)], out)
        for _ in job.events():
            pass
        result = job.result()
    print(f"{args.loss}, {args.frames} frames at {args.size} px, {args.iterations} iterations, took "
          f"{time.perf_counter() - start:.0f} s; the content clip's own warping error "
          f"{warping_error(clip.frames, result.motions):.5f}")  # fmt: skip
    print("| temporal weight | warping error | style distance | content distance | SSIM | iterations, later frames |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, frames in result.done.items():
        error = warping_error([f.image for f in frames], result.motions)
        mean = {k: np.mean([f.metrics[k] for f in frames]) for k in ("style_distance", "content_distance", "ssim")}
        later = np.mean([f.iterations for f in frames[1:]])
        weight = result.tracks[name].temporal_weight
        print(f"| {weight:g} | {error:.5f} | {mean['style_distance']:.4g} | {mean['content_distance']:.4g} | "
              f"{mean['ssim']:.3f} | {later:.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
