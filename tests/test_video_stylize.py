import json

import numpy as np
import pytest

from nst.errors import VideoError
from nst.losses.catalogue import LOSSES
from nst.settings import Settings
from nst.video.clip import Clip, ClipInfo, Cut
from nst.video.settings import VideoSettings
from nst.video.steadiness import warping_error
from nst.video.stylize import VideoJob

from .video_frames import square_frame

TINY = Settings(weights="vgg16-hed", size=48, iterations=3, baseline="none")


def _clip(frames: int) -> Clip:
    """The square moving 3 px a frame, 48 x 48 px."""
    pixels = [square_frame(8 + 3 * t, size=48, side=16, top=16) for t in range(frames)]
    return Clip(ClipInfo("square", "0" * 64, 12.0, frames, 48, 48), Cut(), 12.0, pixels)


def _run(job: VideoJob, stop_after: int | None = None) -> list:
    """Every event, or those up to the `stop_after`-th finished frame (then no further event is asked for)."""
    events = []
    for event in job.events():
        events.append(event)
        if stop_after is not None and sum(e.step is None for e in events) == stop_after:
            break
    return events


@pytest.mark.slow
def test_the_temporal_loss_lowers_the_warping_error_on_a_tiny_clip(tmp_path, style_image):
    video = VideoSettings(temporal_weights=(0.0, 200.0))
    job = VideoJob(_clip(4), style_image, TINY.replace(iterations=6), video, [LOSSES.get("mse")], tmp_path)
    _run(job)
    result = job.result()
    error = {result.tracks[name].temporal_weight: warping_error([f.image for f in frames], result.motions)
             for name, frames in result.done.items()}  # fmt: skip
    assert error[200.0] < 0.8 * error[0.0]


def test_a_stop_keeps_the_frames_done_and_the_same_run_goes_on_from_them(tmp_path, style_image):
    losses = [LOSSES.get("mse")]
    first = VideoJob(_clip(3), style_image, TINY, VideoSettings(), losses, tmp_path)
    stopped = _run(first, stop_after=2)  # as Ctrl-C does: the loop asks for no further event
    assert [e.frame for e in stopped if e.step is None] == [0, 1]
    folder = tmp_path / "frames" / "mse-t200"
    assert sorted(p.name for p in folder.glob("*.png")) == ["00000.png", "00001.png"]
    kept = [json.loads((folder / f"{t:05d}.json").read_text()) for t in (0, 1)]
    assert [k["iterations"] for k in kept] == [3, 3]

    again = VideoJob(_clip(3), style_image, TINY, VideoSettings(), losses, tmp_path)
    assert again.on_disk() == 2
    events = _run(again)
    finished = [e for e in events if e.step is None]
    assert [(e.frame, e.resumed) for e in finished] == [(0, True), (1, True), (2, False)]
    assert all(e.frame == 2 for e in events if e.step is not None)  # only the missing frame is optimised
    made = again.result().done["mse"]
    np.testing.assert_array_equal(made[1].image, first.result().done["mse"][1].image)

    other = TINY.replace(iterations=4)  # another run's frames are refused, not mixed in
    with pytest.raises(VideoError, match="holds the frames of another run .*settings"):
        VideoJob(_clip(3), style_image, other, VideoSettings(), losses, tmp_path)
