"""Video (/video): a short clip styled frame by frame without flicker (nst.video: Ruder et al.'s warm start and
temporal term), each chosen loss with and without the temporal term, side by side, and how steady each is
(the warping error). A run waits in the server's run queue like a comparison; Stop keeps the frames made."""

from __future__ import annotations

import tempfile
import time
import uuid
from pathlib import Path

import pandas as pd
import streamlit as st

from nst import limits
from nst.errors import NSTError
from nst.losses.catalogue import LOSSES
from nst.metrics import YARDSTICKS
from nst.settings import Settings
from nst.video.artifacts import finished, metrics, write_outputs
from nst.video.clip import Cut, FrameRange
from nst.video.settings import DEFAULT_TEMPORAL_WEIGHT, VIDEO_STYLE_WEIGHT, VideoSettings
from nst.video.stylize import VideoJob, prepare_video
from views.image_picker import sample_paths
from views.settings_panel import weight_names
from views.shared import ASSETS, in_turn, run_queue, sample_image

SAMPLE_CLIP = ASSETS / "video" / "chelsea_pan.mp4"
SAMPLE_LABEL = "the bundled sample: a slow pan over Chelsea the cat (3 s, 12 fps; CC0)"
SHOWN = ("style_distance", "content_distance", "ssim")  # the yardsticks beside the warping error


def main() -> None:
    st.title("Video: a short clip, styled without flicker")
    st.caption(
        "Each frame after the first starts from the previous frame's result moved along the optical flow, and a "
        "temporal term keeps it close to that where the flow can be trusted (Ruder et al. 2016). Each loss runs with "
        "and without the temporal term; the warping error says how steady each video is (lower is steadier). "
        f"At most {limits.PAGE_VIDEO_SECONDS:g} s and {limits.PAGE_VIDEO_FRAMES} frames here; the command line "
        "(`nst video`) takes longer clips."
    )
    state = st.session_state
    clip = clip_picker()
    style = st.selectbox("Style", [path.name for path in sample_paths("style")], key="video_style")
    settings, video, losses, frames = options()
    ready = clip is not None and settings is not None and bool(losses)
    if state.pop("video_run_requested", False) and ready and not state.get("video_running"):
        start(clip, style, settings, video, losses, frames)
    running = bool(state.get("video_running"))
    with st.container(horizontal=True, vertical_alignment="center"):
        st.button("Style the clip", type="primary", key="video_run", disabled=not ready or running,
                  on_click=state.__setitem__, args=("video_run_requested", True))  # fmt: skip
        st.button("Stop", key="video_stop", disabled=not running, on_click=finish, kwargs={"stopped": True})
    if not losses:
        st.warning("Choose at least one loss.")
    if state.get("video_error"):
        st.error(state.pop("video_error"))
    if running:
        live_view()
    if state.get("video_result") is not None:
        results(state.video_result)


def clip_picker() -> tuple[bytes, str] | None:
    """(the clip's bytes, its name): the bundled sample or an upload, shown small."""
    upload = st.file_uploader(
        f"Clip: {SAMPLE_LABEL}, or upload one (at most {limits.PAGE_VIDEO_SECONDS:g} s)",
        type=list(limits.VIDEO_TYPES),
        key="video_upload",
    )
    data, name = (
        (upload.getvalue(), upload.name) if upload is not None else (SAMPLE_CLIP.read_bytes(), SAMPLE_CLIP.name)
    )
    st.video(data, width=320)
    return data, name


def options() -> tuple[Settings | None, VideoSettings | None, list[str], int]:
    """The page's few choices: losses, the temporal weight (and whether to run without it too), frames, size,
    iterations and weights; every frame stops once its objective fell by less than 1% over 10 iterations."""
    left, right = st.columns(2)
    losses = left.multiselect("Losses", LOSSES.names(), default=["mse", "mae"], max_selections=3, key="video_losses")
    weight = left.number_input("Temporal weight", 0.0, limits.MAX_WEIGHT, DEFAULT_TEMPORAL_WEIGHT, key="video_weight")
    without = left.checkbox("Also without the temporal term (weight 0)", value=True, key="video_without")
    style_weight = left.number_input(
        "Style weight", 0.0, limits.MAX_WEIGHT, VIDEO_STYLE_WEIGHT, key="video_style_weight"
    )
    frames = right.slider("Frames, from the start", 2, limits.PAGE_VIDEO_FRAMES, 12, key="video_frames")
    size = right.slider("Working size (px, long side)", 64, 256, 128, step=32, key="video_size")
    iterations = right.number_input("Iterations, at most, per frame", 2, 300, 40, key="video_iterations")
    weights = right.selectbox("Backbone weights", weight_names("vgg16"), key="video_weights")
    try:
        chosen = sorted({0.0, weight} if without else {weight})
        chosen_settings = {"size": size, "iterations": iterations, "weights": weights, "style_weight": style_weight}
        settings = Settings(tolerance=0.01, **chosen_settings)
        return settings, VideoSettings(temporal_weights=tuple(chosen)), losses, frames
    except NSTError as error:
        st.error(str(error))
        return None, None, losses, frames


def start(clip: tuple[bytes, str], style: str, settings: Settings, video: VideoSettings, losses, frames: int) -> None:
    """The run, checked (the page's limits, the estimate); its frames are kept in memory, never on disk."""
    state = st.session_state
    try:
        pixels = sample_image(str(ASSETS / "style" / style))
        parsed = [LOSSES.get(name) for name in losses]
        cut = Cut(FrameRange(0, frames))
        job, estimate = prepare_video(*clip, pixels, settings, video, parsed, cut, None, limits.PAGE_VIDEO_SECONDS)
    except NSTError as error:
        state.video_error = str(error)
        return
    state.video_job, state.video_stream = job, job.events()
    state.video_inputs = {"clip": job.clip.info.record(), "style": {"name": style}}
    state.video_ticket, state.video_estimate = uuid.uuid4().hex, estimate.describe()
    state.video_running, state.video_result, state.video_stopped = True, None, False
    state.video_started = time.perf_counter()


def finish(stopped: bool = False) -> None:
    """What was made (all of it if stopped): the side-by-side video, the sheet and the numbers, kept in the
    session (written to a temporary folder, read back and removed at once)."""
    state = st.session_state
    if not state.get("video_running"):
        return
    state.video_running, state.video_stream, state.video_stopped = False, None, stopped
    run_queue().leave(state.video_ticket)
    job: VideoJob = state.video_job
    try:
        result = job.result()
        if not finished(result):
            raise NSTError("stopped before every track had finished its first frame: nothing to show")
        with tempfile.TemporaryDirectory(prefix="nst-video-") as folder:
            write_outputs(result, Path(folder) / "video.mp4", state.video_inputs)
            made = {
                "video": Path(folder, "video.mp4").read_bytes(),
                "sheet": Path(folder, "video", "sheet.png").read_bytes(),
            }
        state.video_result = {"metrics": metrics(result), **made}
    except NSTError as error:
        state.video_error, state.video_result = str(error), None


def live_view() -> None:
    """Wait for a slot, then follow the frames: a bar with the time left, each track's latest frame. Any
    interruption (Stop, another widget) gives the slot back; a rerun goes on with the same stream."""
    state = st.session_state
    job: VideoJob = state.video_job
    bar = st.progress(0.0, text=f"Waiting for a free slot... (estimated at most {state.video_estimate})")
    front = any(job.done.values())
    if error := in_turn(state.video_ticket, bar, front, lambda: _consume(job, bar)):
        state.video_error = error
    finish()
    st.rerun()


def _consume(job: VideoJob, bar) -> None:
    state = st.session_state
    total = job.frames * len(job.tracks)
    shown = dict(zip([t.name for t in job.tracks], st.columns(len(job.tracks))))
    slots = {name: column.empty() for name, column in shown.items()}
    for event in state.video_stream:
        done = sum(len(frames) for frames in job.done.values())
        elapsed = time.perf_counter() - state.video_started
        left = f"about {elapsed / done * (total - done):.0f} s left" if done else "estimating time left"
        step = f", iteration {event.step.iteration}" if event.step is not None else ""
        text = f"{event.track}: frame {event.frame + 1}/{event.frames}{step} · {elapsed:.0f} s · {left}"
        bar.progress(min(done / total, 1.0), text=text)
        if event.step is None and event.track in slots:
            label = f"{event.track} · frame {event.frame + 1}"
            slots[event.track].image(job.done[event.track][-1].image, caption=label, width="stretch")


def results(found: dict) -> None:
    state = st.session_state
    st.header("Result")
    if state.get("video_stopped"):
        st.info("Stopped early: the video has the frames every track had finished.")
    st.video(found["video"])
    table = metrics_table(found["metrics"])
    st.table(table)
    st.caption(
        f"The content clip's own warping error: {found['metrics']['content_warping_error']:.4g} (a video that "
        "moves exactly as its content does scores about this). Iterations: the first frame's, then the later "
        "frames' mean (each stops once its objective fell by less than 1% over 10 iterations)."
    )
    st.image(found["sheet"], caption="Sample frames of every track", width="stretch")
    with st.container(horizontal=True):
        st.download_button("video.mp4", found["video"], "video.mp4", "video/mp4", key="video_download")
        st.download_button("sheet.png", found["sheet"], "sheet.png", "image/png", key="video_sheet_download")


def metrics_table(found: dict) -> pd.DataFrame:
    """A row per track: its warping error, the yardsticks' means over its frames, its iterations."""
    rows = {}
    for name, track in found["tracks"].items():
        later = track["later_frames"]
        row = {"warping error": track["warping_error"]}
        row |= {YARDSTICKS[key].label: track["yardsticks"][key] for key in SHOWN}
        row["iterations"] = f"{track['first_frame']['iterations']}, {later['iterations']:.1f}" if later else "-"
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")


main()
