"""How steady a styled video is: the temporal warping error (Lai et al., "Learning blind video temporal
consistency", ECCV 2018, eq. 8), measured with the content clip's own optical flow.

For each pair of consecutive frames, the output of frame t is compared with the output of frame t-1 warped
to frame t by the content's backward flow (nst.video.flow), inside the content's consistency mask M:

    E_pair(t) = sum_p M(p) |O_t(p) - warp(O_{t-1})(p)|^2 / sum_p M(p)

where |.|^2 is the squared Euclidean distance of the RGB values in [0, 1] (0 to 3 per pixel); the warping
error of a video is the mean of E_pair over its pairs. 0: every pixel moves exactly with the content's
motion; an output that flickers, changing where the content did not, scores high. A pair whose mask is
empty everywhere (a cut) is left out."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nst.video.flow import Motion, warp


def pair_error(previous: np.ndarray, current: np.ndarray, motion: Motion) -> float | None:
    """E_pair of two consecutive outputs (H, W, 3) under the content's `motion` (frame t-1 -> t); None where
    the mask keeps no pixel."""
    kept = float(motion.mask.sum())
    if kept == 0:
        return None
    squared = np.sum(np.square(current - warp(previous, motion.backward)), axis=-1)
    return float(np.sum(motion.mask * squared) / kept)


def warping_error(outputs: Sequence[np.ndarray], motions: Sequence[Motion]) -> float:
    """The mean E_pair over consecutive `outputs` (frames 0..n-1); `motions[t - 1]` maps frame t-1 to t. NaN
    for fewer than two frames (or no pair with a mask)."""
    errors = [pair_error(outputs[t - 1], outputs[t], motions[t - 1]) for t in range(1, len(outputs))]
    kept = [error for error in errors if error is not None]
    return float(np.mean(kept)) if kept else float("nan")
