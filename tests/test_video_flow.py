import numpy as np
import pytest

from nst.video.flow import flow, motion

from .video_frames import square_frame

SIDE, TOP, START = 24, 20, 12  # the square's side, top row and first column (tests/video_frames.py)


@pytest.mark.parametrize("shift", [2, 4, 6])
def test_the_flow_recovers_a_known_shift(shift):
    before, after = square_frame(START), square_frame(START + shift)
    forward, backward = flow(before, after), flow(after, before)
    inside_before = (slice(TOP + 4, TOP + SIDE - 4), slice(START + 4, START + SIDE - 4))
    inside_after = (slice(TOP + 4, TOP + SIDE - 4), slice(START + shift + 4, START + shift + SIDE - 4))
    np.testing.assert_allclose(np.median(forward[inside_before].reshape(-1, 2), axis=0), [shift, 0], atol=0.25)
    np.testing.assert_allclose(np.median(backward[inside_after].reshape(-1, 2), axis=0), [-shift, 0], atol=0.25)
    far = np.concatenate([forward[:10], forward[-10:]]).reshape(-1, 2)  # the static background above and below
    assert np.median(np.abs(far), axis=0).max() < 0.1


@pytest.mark.parametrize("shift", [2, 4, 6])
def test_the_mask_marks_the_disoccluded_strip(shift):
    """The strip the square uncovers in the later frame (columns START to START + shift of its rows) was hidden in
    the earlier one: the mask drops it, and keeps the square's inside and the far background."""
    mask = motion(square_frame(START), square_frame(START + shift)).mask
    strip = mask[TOP + 2 : TOP + SIDE - 2, START : START + shift]
    inside = mask[TOP + 4 : TOP + SIDE - 4, START + shift + 4 : START + shift + SIDE - 4]
    far = np.concatenate([mask[:10], mask[-10:]])
    assert strip.mean() <= 0.25
    assert inside.mean() >= 0.9 and far.mean() >= 0.9
