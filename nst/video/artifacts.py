"""What a video run writes beside its frames: the side-by-side video, each track's own video, a sheet of
sample frames, metrics.json and config.json. For `--out OUT.mp4` the video is OUT.mp4 and the rest lies in
the folder OUT/ (its frames in OUT/frames/, nst.video.store).

metrics.json, per track: the warping error (nst.video.steadiness), each image yardstick's mean over its
frames, and the iterations and seconds of the first frame against the later frames' mean; and the content
clip's own warping error (what a video that moves exactly as its content does would score: the floor)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from nst.artifacts import PACKAGES, json_bytes, versions
from nst.images import to_uint8
from nst.metrics import IMAGE_YARDSTICKS, YARDSTICKS
from nst.video.clip import write_video
from nst.video.steadiness import warping_error
from nst.video.store import FrameRecord
from nst.video.stylize import VideoResult

VIDEO_PACKAGES = ("av", "opencv-python-headless")
LABEL_HEIGHT = 16  # px, the strip above each panel of the side-by-side video
SAMPLES = 4  # frames on the sheet
SHEET_TILE, PAD = 160, 8  # px
BACKGROUND, INK = (255, 255, 255), (20, 20, 20)


def folder_of(video_path: str | Path) -> Path:
    """The folder beside OUT.mp4 that holds the rest: OUT/."""
    return Path(video_path).with_suffix("")


def finished(result: VideoResult) -> int:
    """Frames every track has finished: the length of the side-by-side video."""
    return min((len(frames) for frames in result.done.values()), default=0)


def write_outputs(result: VideoResult, video_path: str | Path, inputs: dict[str, object]) -> list[Path]:
    """OUT.mp4 (the only track's frames, or content and every track side by side), and in OUT/: each track's
    own video, sheet.png, metrics.json and config.json. Nothing is written for a track with no frame."""
    folder, paths = folder_of(video_path), []
    folder.mkdir(parents=True, exist_ok=True)
    count = finished(result)
    if count:
        paths.append(write_video(side_by_side(result, count), result.clip.fps, video_path))
        for name, frames in result.done.items():
            stem = result.tracks[name].stem
            paths.append(write_video((f.image for f in frames), result.clip.fps, folder / f"{stem}.mp4"))
        sheet(result, count).save(folder / "sheet.png")
        paths.append(folder / "sheet.png")
    for name, data in (("metrics.json", metrics(result)), ("config.json", config(result, inputs))):
        (folder / name).write_bytes(json_bytes(data))
        paths.append(folder / name)
    return paths


def side_by_side(result: VideoResult, count: int):
    """The first `count` frames: the only track's as they are, or with several the content and every track
    side by side, each under its name."""
    names = list(result.done)
    if len(names) == 1:
        yield from (f.image for f in result.done[names[0]][:count])
        return
    font = ImageFont.load_default(size=12)
    labels = ["content", *names]
    for t in range(count):
        panels = [result.clip.frames[t], *(result.done[name][t].image for name in names)]
        yield np.concatenate([_labelled(panel, label, font) for panel, label in zip(panels, labels)], axis=1)


def _labelled(image: np.ndarray, label: str, font) -> np.ndarray:
    strip = Image.new("RGB", (image.shape[1], LABEL_HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(strip)
    while len(label) > 1 and draw.textlength(label, font=font) > image.shape[1] - 4:  # a narrow panel: shortened
        label = label[:-2] + "…"
    draw.text((3, 1), label, fill=INK, font=font)
    return np.concatenate([np.asarray(strip), to_uint8(image)], axis=0)


def sheet(result: VideoResult, count: int) -> Image.Image:
    """SAMPLES frames spread over the first `count`, a row for the content and one per track, each row named
    with its warping error."""
    font = ImageFont.load_default(size=13)
    picked = sorted({round(k * (count - 1) / max(SAMPLES - 1, 1)) for k in range(SAMPLES)})
    height, width = result.clip.frames[0].shape[:2]
    scale = SHEET_TILE / height
    tile = (max(1, round(width * scale)), SHEET_TILE)
    rows = [("content", _error(result.clip.frames, result), list(result.clip.frames))]
    rows += [
        (name, _error([f.image for f in frames], result), [f.image for f in frames])
        for name, frames in result.done.items()
    ]
    label_width = 210
    sheet = Image.new(
        "RGB", (label_width + len(picked) * (tile[0] + PAD) + PAD, PAD + 20 + len(rows) * (tile[1] + PAD)), BACKGROUND
    )
    draw = ImageDraw.Draw(sheet)
    for column, t in enumerate(picked):
        draw.text((label_width + column * (tile[0] + PAD), PAD), f"frame {t}", fill=INK, font=font)
    for row, (name, error, images) in enumerate(rows):
        top = PAD + 20 + row * (tile[1] + PAD)
        draw.text((PAD, top + 4), name, fill=INK, font=font)
        draw.text((PAD, top + 22), f"warping error {error:.4g}", fill=INK, font=font)
        for column, t in enumerate(picked):
            pixels = Image.fromarray(to_uint8(images[t])).resize(tile, Image.Resampling.LANCZOS)
            sheet.paste(pixels, (label_width + column * (tile[0] + PAD), top))
    return sheet


def _error(frames, result: VideoResult) -> float:
    """The warping error of `frames` over the pairs whose motion is known (those some track finished)."""
    frames = list(frames)[: len(result.motions) + 1]
    return warping_error(frames, result.motions[: len(frames) - 1])


def metrics(result: VideoResult) -> dict[str, object]:
    """Per track its steadiness, its yardsticks' means and its speed; the content's own warping error."""
    tracks = {name: _track_metrics(result, name, frames) for name, frames in result.done.items()}
    legend = {
        name: {"meaning": YARDSTICKS[name].meaning, "better": YARDSTICKS[name].better} for name in IMAGE_YARDSTICKS
    }
    return {
        "tracks": tracks,
        "content_warping_error": _error(result.clip.frames, result),
        "frames": len(result.clip.frames),
        "fps": result.clip.fps,
        "complete": result.complete,
        "yardsticks": legend,
        "warping_error": "mean over consecutive frames of the squared RGB difference (0 to 3 per pixel) between a "
        "frame's output and the previous output warped by the content's flow, inside the content's consistency "
        "mask (Lai et al. 2018); lower is steadier",
        "notices": list(result.notices),
    }


def _track_metrics(result: VideoResult, name: str, frames: list[FrameRecord]) -> dict[str, object]:
    track = result.tracks[name]
    means = {key: float(np.mean([f.metrics[key] for f in frames])) for key in IMAGE_YARDSTICKS if frames}
    later = frames[1:]
    return {
        "loss": track.loss.name if track.loss else None,
        "temporal_weight": track.temporal_weight if track.loss else None,
        "frames": len(frames),
        "warping_error": warping_error([f.image for f in frames], result.motions),
        "yardsticks": means,
        "first_frame": {"iterations": frames[0].iterations, "seconds": frames[0].seconds} if frames else None,
        "later_frames": {
            "iterations": float(np.mean([f.iterations for f in later])),
            "seconds": float(np.mean([f.seconds for f in later])),
            "converged": sum(f.converged for f in later),
        }
        if later
        else None,
    }


def config(result: VideoResult, inputs: dict[str, object]) -> dict[str, object]:
    """Everything needed to repeat the run: settings, the video settings, the cut, weights, inputs, versions."""
    s, clip = result.settings, result.clip
    packages = (*PACKAGES, *VIDEO_PACKAGES)
    return {
        "losses": list(dict.fromkeys(t.loss.name for t in result.tracks.values() if t.loss)),
        "tracks": {name: {"stem": t.stem, "temporal_weight": t.temporal_weight} for name, t in result.tracks.items()},
        "settings": s.as_dict(),
        "video": result.video.as_dict(),
        "clip": {**clip.info.record(), "cut": {"frames": str(clip.cut.frames), "fps": clip.cut.fps}},
        "output": {"fps": clip.fps, "frames": len(clip.frames), "working_size": list(clip.frames[0].shape[:2])},
        "precision": s.network_precision,
        "weights": result.weights.record(),
        "judge": result.judge.record(),
        "inputs": inputs,
        "complete": result.complete,
        "versions": versions(packages),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
