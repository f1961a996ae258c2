"""Makes the bundled sample clip, assets/video/chelsea_pan.mp4: a slow camera pan and zoom over the CC0
photo assets/content/chelsea.png (Stefan van der Walt, from scikit-image's data), 3 s at 12 fps, 160 x 106 px.

No public-domain or CC0 clip with clear terms was found shipped in a package; a pan and zoom over a bundled
photo has the photo's terms, and an exactly known motion. Each frame is the photo seen through a window that
moves right and down while it narrows (a zoom in of 15%), resampled with area averaging so the fine fur does
not alias. Deterministic: the same script writes the same frames (the MP4's bytes also depend on the x264
build in PyAV's wheel).

    python experiments/sample_clip.py            # writes assets/video/chelsea_pan.mp4
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from nst.images import load_image
from nst.video.clip import write_video

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "assets/content/chelsea.png"
OUT = ROOT / "assets/video/chelsea_pan.mp4"
FPS, SECONDS = 12, 3.0
WIDTH, HEIGHT = 160, 106
WINDOW = (360, 239)  # px of the photo (451 x 300) seen by the first frame; the last sees 15% less
ZOOM = 0.85
TRAVEL = (90.0, 45.0)  # px of the photo the window's centre moves, right and down


def frame(photo: np.ndarray, share: float) -> np.ndarray:
    """The view at `share` (0 to 1) of the way: the window, area-averaged down to WIDTH x HEIGHT."""
    scale = 1.0 + (ZOOM - 1.0) * share
    width, height = WINDOW[0] * scale, WINDOW[1] * scale
    centre_x = 20 + WINDOW[0] / 2 + TRAVEL[0] * share
    centre_y = 5 + WINDOW[1] / 2 + TRAVEL[1] * share
    step = width / WIDTH  # px of the photo per px of the frame
    blurred = cv2.GaussianBlur(photo, (0, 0), sigmaX=0.5 * step)  # no aliasing when sampling every `step` px
    moved = np.array([[step, 0, centre_x - width / 2], [0, height / HEIGHT, centre_y - height / 2]], np.float32)
    view = cv2.warpAffine(blurred, moved, (WIDTH, HEIGHT), flags=cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP)
    return np.clip(view, 0.0, 1.0)


def main() -> None:
    photo = load_image(SOURCE)
    count = round(FPS * SECONDS)
    frames = [frame(photo, k / (count - 1)) for k in range(count)]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    write_video(frames, FPS, OUT)
    print(f"wrote {OUT.relative_to(ROOT)}: {count} frames, {WIDTH}x{HEIGHT} px, {OUT.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
