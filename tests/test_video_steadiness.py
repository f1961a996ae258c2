import numpy as np
import pytest

from nst.video.flow import Motion, motion
from nst.video.steadiness import warping_error

from .video_frames import texture

SHIFT = 3  # px to the right per frame


def _panned(frames: int) -> list[np.ndarray]:
    """A texture panned SHIFT px right per frame: frame t at column c shows the texture's column c - SHIFT t."""
    wide = texture(48, 48 + SHIFT * frames, 3, 0.0, 1.0)
    return [wide[:, SHIFT * (frames - t) : SHIFT * (frames - t) + 48] for t in range(frames)]


def test_a_perfectly_warped_sequence_has_a_warping_error_near_zero():
    frames = _panned(5)
    exact = Motion(np.tile(np.array([-SHIFT, 0], np.float32), (48, 48, 1)), np.ones((48, 48), np.float32))
    exact.mask[:, :SHIFT] = 0  # the columns that came into view: nothing to compare them with
    assert warping_error(frames, [exact] * 4) < 1e-10
    found = [motion(frames[t - 1], frames[t]) for t in range(1, 5)]  # the flow's own estimate of the same motion
    assert warping_error(frames, found) < 1e-4


def test_independent_noise_frames_have_a_high_warping_error():
    """Independent uniform noise: each channel's squared difference has mean 1/6, so 3 channels give 0.5."""
    rng = np.random.default_rng(0)
    frames = [rng.uniform(0.0, 1.0, (48, 48, 3)).astype(np.float32) for _ in range(5)]
    still = Motion(np.zeros((48, 48, 2), np.float32), np.ones((48, 48), np.float32))
    assert warping_error(frames, [still] * 4) == pytest.approx(0.5, rel=0.05)
    found = [motion(frames[t - 1], frames[t]) for t in range(1, 5)]
    assert warping_error(frames, found) > 0.1  # whatever the flow makes of noise, noise stays unsteady
