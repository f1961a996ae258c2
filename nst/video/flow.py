"""Optical flow between two frames, where it can be trusted, and warping by it (Ruder et al. 2016, section 3).

The flow is OpenCV's DIS (Dense Inverse Search; Kroeger et al., ECCV 2016), preset FAST carried down to the
full resolution (finest scale 0; OpenCV's presets stop at half or a quarter), on the frames' 8-bit luminance.
experiments/video_flow.py compares it with the other dense flows OpenCV has without its contrib module: on a
256 x 170 px pan and zoom of a photo with a known flow its median end-point error was 0.04 px (DIS MEDIUM's
preset 0.08, Farneback's 0.11), and on a square moving 2 to 6 px over a static background the consistency
mask kept none of the strip the square uncovers (MEDIUM at finest scale 0: 0 to 22%; the MEDIUM preset and
Farneback 23 to 100%: their flows are so smooth there that going back and forth agrees). It took about 30 ms
a pair at 256 px on this project's 2-core machine, against seconds for each frame's optimisation.

Conventions: `flow(a, b)` is a (H, W, 2) array of (dx, dy) in px such that a(p) ~ b(p + flow(p)). To bring
frame t-1's output to frame t (the warm start and the temporal term), it is sampled along the backward flow
flow(frame t, frame t-1): `warp(output t-1, backward)`. The mask (`reliable`) marks the pixels of frame t
where that backward flow is trusted, by Ruder et al.'s two tests, with w~ the backward flow and w the forward
flow flow(frame t-1, frame t) sampled where w~ points (w(p + w~(p))):
- disocclusion: |w + w~|^2 > 0.01 (|w|^2 + |w~|^2) + 0.5: going back and forth does not return to the pixel
  (it was hidden in frame t-1, or the flow is wrong there);
- motion boundary: |grad u~|^2 + |grad v~|^2 > 0.01 |w~|^2 + 0.002: the backward flow changes fast (its
  gradient by central differences).
Both thresholds are Ruder et al.'s, in px at the size the flow is computed (the working size). A pixel whose
backward flow points outside frame t-1 (what came into view at the border) has nothing to be compared with
either. Where any of the three holds the mask is 0, elsewhere 1.
"""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

from nst.images import to_uint8

DISOCCLUSION_SHARE, DISOCCLUSION_FLOOR = 0.01, 0.5  # px^2 (Ruder et al. 2016, eq. 3)
BOUNDARY_SHARE, BOUNDARY_FLOOR = 0.01, 0.002  # (Ruder et al. 2016, eq. 4)


class Motion(NamedTuple):
    """How frame t-1 maps onto frame t, both at the working size."""

    backward: np.ndarray  # (H, W, 2) float32: flow(frame t, frame t-1), what warps frame t-1's output to frame t
    mask: np.ndarray  # (H, W) float32: 1 where that flow is reliable, 0 at disocclusions and motion boundaries


def motion(previous: np.ndarray, current: np.ndarray) -> Motion:
    """The backward flow from `current` (frame t) to `previous` (frame t-1), (H, W, 3) RGB in [0, 1], and its mask."""
    backward = flow(current, previous)
    return Motion(backward, reliable(flow(previous, current), backward))


def flow(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(H, W, 2) float32 (dx, dy) px: a(p) ~ b(p + flow(p)); `a`, `b` (H, W, 3) RGB in [0, 1] of one shape."""
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_FAST)  # one per call: it keeps state
    dis.setFinestScale(0)
    return dis.calc(_grey(a), _grey(b), None).astype(np.float32)


def reliable(forward: np.ndarray, backward: np.ndarray) -> np.ndarray:
    """(H, W) float32: 1 where `backward` (frame t -> t-1) passes both consistency tests against `forward`
    (frame t-1 -> t), 0 where it fails either (module docstring)."""
    there = warp(forward, backward)  # w at p + w~(p)
    lengths = _squared(there) + _squared(backward)
    disoccluded = _squared(there + backward) > DISOCCLUSION_SHARE * lengths + DISOCCLUSION_FLOOR
    du_dy, du_dx = np.gradient(backward[..., 0])
    dv_dy, dv_dx = np.gradient(backward[..., 1])
    steep = du_dx**2 + du_dy**2 + dv_dx**2 + dv_dy**2
    boundary = steep > BOUNDARY_SHARE * _squared(backward) + BOUNDARY_FLOOR
    return (~(disoccluded | boundary | _outside(backward))).astype(np.float32)


def _outside(along: np.ndarray) -> np.ndarray:
    """(H, W) bool: p + along(p) lies outside the frame."""
    height, width = along.shape[:2]
    ys, xs = np.mgrid[0:height, 0:width]
    x, y = xs + along[..., 0], ys + along[..., 1]
    return (x < 0) | (x > width - 1) | (y < 0) | (y > height - 1)


def warp(image: np.ndarray, along: np.ndarray) -> np.ndarray:
    """`image` (H, W, C) sampled at p + along(p) (bilinear; outside the frame, its nearest edge pixel)."""
    height, width = along.shape[:2]
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    source = np.ascontiguousarray(image, dtype=np.float32)
    x, y = xs + along[..., 0], ys + along[..., 1]
    warped = cv2.remap(source, x, y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return warped.reshape(image.shape)


def _squared(vectors: np.ndarray) -> np.ndarray:
    return np.sum(np.square(vectors), axis=-1)


def _grey(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(to_uint8(image), cv2.COLOR_RGB2GRAY)
