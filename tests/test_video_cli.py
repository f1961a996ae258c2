import contextlib
import json

import pytest

from nst import limits
from nst.cli import main, terminal
from nst.video.clip import Cut, read_clip, write_video

from .conftest import STYLE
from .video_frames import square_frame

TINY = ["--weights", "vgg16-hed", "--size", "40", "--iterations", "2", "--baseline", "none", "--quiet"]


@pytest.fixture
def clip(tmp_path):
    """12 frames of the moving square, 48 x 48 px, 12 fps."""
    path = tmp_path / "square.mp4"
    write_video([square_frame(4 + 2 * t, size=48, side=16, top=16) for t in range(12)], 12, path)
    return path


@pytest.mark.parametrize(
    "case, message",
    [
        ("not a video", "not a video FFmpeg can read"),
        ("no frames", "no frames in 50:60 (it has 12 at 12 fps)"),
        ("too long", "the cut has 12 frames (1.0 s at 12 fps); at most 5 frames"),
        ("tiled", "schedule tiled makes large still images"),
    ],
)
def test_a_bad_clip_is_one_line_and_exit_status_2(case, message, clip, tmp_path, capsys, monkeypatch):
    args = ["video", str(clip), str(STYLE), "--out", str(tmp_path / "out.mp4"), *TINY]
    if case == "not a video":
        args[1] = __file__
    elif case == "no frames":
        args += ["--frames", "50:60"]
    elif case == "tiled":
        args += ["--schedule", "tiled"]
    else:
        monkeypatch.setattr(limits, "MAX_VIDEO_FRAMES", 5)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    if case == "too long":
        assert "it would take about" in err  # the estimate of time and memory
    assert not (tmp_path / "out").exists()  # refused before any work


@pytest.mark.slow
def test_a_ctrl_c_keeps_the_frames_and_writes_a_shorter_video(clip, tmp_path, monkeypatch, capsys):
    """Ctrl-C once two frames are on disk (stop_on_ctrl_c's flag, read between events): exit status 130, those
    frames kept, a video of two frames; the same command again makes only the rest."""
    frames = tmp_path / "out" / "frames" / "mse-t200"

    class PressedAfterTwoFrames:
        @property
        def pressed(self) -> bool:
            return len(list(frames.glob("0*.png"))) >= 2

    monkeypatch.setattr(terminal, "stop_on_ctrl_c", lambda: contextlib.nullcontext(PressedAfterTwoFrames()))
    out = tmp_path / "out.mp4"
    args = ["video", str(clip), str(STYLE), "--out", str(out), "--frames", "0:4", "--losses", "mse", *TINY]
    assert main(args) == 130
    assert "partial: interrupted" in capsys.readouterr().out
    assert sorted(p.name for p in frames.glob("*.png")) == ["00000.png", "00001.png"]
    assert len(read_clip(out, Cut(), 40).frames) == 2
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert metrics["complete"] is False and metrics["tracks"]["mse"]["frames"] == 2

    kept = (frames / "00001.png").stat().st_mtime_ns
    monkeypatch.undo()
    assert main(args) == 0
    assert len(read_clip(out, Cut(), 40).frames) == 4
    assert (frames / "00001.png").stat().st_mtime_ns == kept  # read back, not made again


def test_a_video_starts_from_its_own_style_weight_and_a_given_one_wins():
    """nst video's --style-weight defaults to VIDEO_STYLE_WEIGHT (its help says so); a given weight is kept."""
    from nst.cli import parser
    from nst.cli.flags import settings_from
    from nst.settings import Settings
    from nst.video.settings import VIDEO_STYLE_WEIGHT

    assert VIDEO_STYLE_WEIGHT != Settings().style_weight
    given = parser().parse_args(["video", "c.mp4", "s.jpg", "--out", "o.mp4"])
    assert settings_from(given).style_weight == VIDEO_STYLE_WEIGHT
    chosen = parser().parse_args(["video", "c.mp4", "s.jpg", "--out", "o.mp4", "--style-weight", "7"])
    assert settings_from(chosen).style_weight == 7.0
    still = parser().parse_args(["run", "c.png", "s.jpg", "--out", "o.png"])
    assert settings_from(still).style_weight == Settings().style_weight  # the other commands keep the engine's
