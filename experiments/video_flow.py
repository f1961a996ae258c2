"""Which of OpenCV's dense optical flows nst.video should use: each method on two cases with a known answer.

1. A pan and zoom of a photo (assets/content/chelsea.png, 256 x 170 px; frame b is frame a zoomed by 3% and
   moved by (-5.5, -2.2) px): the median and mean end-point error against the exact flow, away from the
   borders, and the time for one pair.
2. A textured square moving d px to the right over a static textured background (64 x 64 px): the share of
   the disoccluded strip (the background the square uncovers) that the consistency mask keeps (it should be
   near 0), and of the square's inside and of the far background (near 1).

Runs in a few seconds:  python experiments/video_flow.py
"""

from __future__ import annotations

import time

import cv2
import numpy as np

from nst.images import load_image
from nst.video import flow as flows

SIZE, SIDE, TOP = 64, 24, 20  # the square case: frame side, square side, its top row (px)


def dis(preset: int, finest: int | None = None):
    def calc(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        method = cv2.DISOpticalFlow_create(preset)
        if finest is not None:
            method.setFinestScale(finest)
        return method.calc(a, b, None)

    return calc


METHODS = {
    "DIS medium (finest scale 1, OpenCV's preset)": dis(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM),
    "DIS medium, finest scale 0": dis(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM, 0),
    "DIS fast, finest scale 0 (nst.video)": dis(cv2.DISOPTICAL_FLOW_PRESET_FAST, 0),
    "Farneback (pyramid 4, window 15)": lambda a, b: cv2.calcOpticalFlowFarneback(a, b, None, 0.5, 4, 15, 3, 5, 1.2, 0),
}


def pan_case() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    photo = load_image("assets/content/chelsea.png")
    scale, dx, dy = 1.03, -5.5, -2.2
    moved = np.array([[scale, 0, dx], [0, scale, dy]], np.float32)
    a = cv2.resize(photo, (256, 170), interpolation=cv2.INTER_AREA)
    b = cv2.warpAffine(a, moved, (256, 170), flags=cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP).clip(0, 1)
    ys, xs = np.mgrid[0:170, 0:256].astype(np.float32)
    exact = np.stack([(xs - dx) / scale - xs, (ys - dy) / scale - ys], axis=-1)
    return a, b, exact


def square_frames(x: int) -> np.ndarray:
    rng = np.random.default_rng(1)
    background = cv2.resize(rng.uniform(0, 0.5, (17, 17, 3)).astype(np.float32), (SIZE, SIZE), cv2.INTER_CUBIC)
    square = cv2.resize(rng.uniform(0.5, 1, (7, 7, 3)).astype(np.float32), (SIDE, SIDE), cv2.INTER_CUBIC)
    frame = background.clip(0, 1)
    frame[TOP : TOP + SIDE, x : x + SIDE] = square.clip(0, 1)
    return frame


def main() -> None:
    a, b, exact = pan_case()
    for name, calc in METHODS.items():
        flows.flow = lambda p, q, calc=calc: calc(flows._grey(p), flows._grey(q)).astype(np.float32)
        start = time.perf_counter()
        found = flows.flow(a, b)
        took = (time.perf_counter() - start) * 1000
        error = np.linalg.norm(found - exact, axis=-1)[20:-20, 20:-20]
        cells = [f"pan: end-point error median {np.median(error):.3f} px, mean {error.mean():.3f} px, {took:.0f} ms"]
        for shift in (2, 4, 6):
            mask = flows.motion(square_frames(12), square_frames(12 + shift)).mask
            strip = mask[TOP + 2 : TOP + SIDE - 2, 12 : 12 + shift].mean()
            inside = mask[TOP + 4 : TOP + SIDE - 4, 16 + shift : 8 + shift + SIDE].mean()
            far = np.concatenate([mask[:10].ravel(), mask[-10:].ravel()]).mean()
            cells.append(f"square +{shift} px: kept strip {strip:.2f}, inside {inside:.2f}, far {far:.2f}")
        print(f"{name}\n  " + "\n  ".join(cells))


if __name__ == "__main__":
    main()
