"""Compare (the page at /): pick two images, compare losses side by side, live. On first load it shows
the bundled study's finished comparison of the selected samples. Widgets build the engine's Settings;
the engine's progress events drive the view."""

from __future__ import annotations

import time
import uuid

import streamlit as st

from nst.backbone import load_backbone
from nst.budget import check_fits
from nst.compare import Comparison, parse_losses
from nst.errors import NSTError
from nst.images import read_image
from nst.losses import relative_cost
from nst.precision import emulation_warning
from nst.report import artifacts, zip_bytes
from nst.settings import Settings
from nst.votes.gallery import outputs_from_files
from views.results import curves_chart, gallery_view, results_view
from views.settings_panel import sidebar
from views.shared import ASSETS, gallery, pool, run_queue, sample_image, thumbnail

DEFAULT_SAMPLES = {"content": "chelsea.png", "style": "starry_night.jpg"}
UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp"]
# The model has one cache: nst.backbone.load_backbone's, process-wide and safe across sessions' threads
# (a second session asking for a model being loaded waits for it). The page adds no cache of its own.


def main() -> None:
    st.title("How does the loss function change a style transfer?")
    st.caption(
        "Gatys et al. style transfer on VGG16. Every loss runs under identical conditions (same start, seed, "
        "layers, size, optimizer and budget) and is scored by the same loss-independent yardsticks."
    )
    settings, losses = sidebar()
    content = image_picker("content")
    style = image_picker("style")
    controls(settings, losses, content, style)
    state = st.session_state
    if state.get("running"):
        live_view()
    if state.get("result") is not None:
        results_view(state.result)
    elif not state.get("running") and content and style and content[2] and style[2]:
        unit = gallery().get((content[0], style[0]))
        if unit is not None:
            gallery_view(unit, content[1], style[1])


def image_picker(role: str):
    """One row: the bundled samples as thumbnails to click, an upload, and the chosen image.
    Returns (name, image, is_sample) or None."""
    state = st.session_state
    samples = sorted((ASSETS / role).glob("*.*"))
    choice_key = f"{role}_choice"
    state.setdefault(choice_key, DEFAULT_SAMPLES[role])
    *thumbs, upload_column, shown = st.columns([1] * len(samples) + [2.2, 2], vertical_alignment="bottom")
    for column, path in zip(thumbs, samples):
        column.image(thumbnail(str(path)), width="stretch")
        column.button(
            path.stem.replace("_", " ").split("-")[0],
            key=f"{role}_sample_{path.stem}",
            help=path.name,  # narrow columns cut the label short
            type="primary" if state[choice_key] == path.name else "secondary",
            width="stretch",
            on_click=state.__setitem__,
            args=(choice_key, path.name),
        )
    upload = upload_column.file_uploader(f"{role.capitalize()} image: a sample, or upload one", type=UPLOAD_TYPES,
                                         key=f"{role}_upload")  # fmt: skip
    if state[choice_key] not in {path.name for path in samples}:  # only the bundled samples are ever read
        state[choice_key] = DEFAULT_SAMPLES[role]
    try:
        if upload is not None:
            loaded = read_image(upload.getvalue(), name=upload.name)
            name, image = upload.name, loaded.pixels
            for notice in loaded.notices:
                shown.info(notice)
        else:
            name, image = state[choice_key], sample_image(str(ASSETS / role / state[choice_key]))
    except NSTError as error:
        shown.error(str(error))
        return None
    shown.image(image, caption=f"{role}: {name} ({image.shape[1]}x{image.shape[0]})", width="stretch")
    return name, image, upload is None


def controls(settings: Settings | None, losses: list[str], content, style) -> None:
    state = st.session_state
    ready = settings is not None and content is not None and style is not None and bool(losses)
    # Run's click only raises a flag: the run starts here, from the widgets' values in this very run
    # (a click's callback arguments would be those of the previous one), and before the buttons are
    # drawn, so that Stop is live from the first iteration.
    if state.pop("run_requested", False) and ready and not state.get("running"):
        start(settings, losses, content, style)
    running = bool(state.get("running"))
    run_column, stop_column, note_column = st.columns([1, 1, 4])
    run_column.button(
        "Run comparison", type="primary", key="run", disabled=not ready or running,
        on_click=state.__setitem__, args=("run_requested", True),
    )  # fmt: skip
    stop_column.button("Stop", key="stop", disabled=not running, on_click=finish, kwargs={"stopped": True})
    if not losses:
        note_column.warning("Choose at least one loss.")
    elif ready and not running:
        try:
            cost = relative_cost(parse_losses(losses))  # a mistyped loss name is reported here, before Run
            note_column.caption(f"Estimated: {check_fits(settings, content[1].shape, len(losses), cost).describe()}.")
        except NSTError as error:
            note_column.error(str(error))
        if warning := emulation_warning(settings.precision):
            note_column.warning(warning[0].upper() + warning[1:] + ".")
    if state.get("run_error"):
        st.error(state.pop("run_error"))


def start(settings: Settings, losses: list[str], content, style) -> None:
    state = st.session_state
    try:
        check_fits(settings, content[1].shape, len(losses))  # the page's policy: refuse what cannot fit
        comparison = Comparison(content[1], style[1], settings, losses)
    except NSTError as error:
        state.run_error = str(error)
        return
    state.comparison, state.stream, state.ticket = comparison, comparison.events(), uuid.uuid4().hex
    state.inputs = {"content": {"name": content[0]}, "style": {"name": style[0]}}  # names only: no file is read
    state.samples_only = content[2] and style[2]  # only comparisons of bundled samples join the vote pool
    state.running, state.result, state.stopped, state.started = True, None, False, time.perf_counter()


def finish(stopped: bool = False) -> None:
    """Score what was made (all of it if stopped) and keep it in the session."""
    state = st.session_state
    if not state.get("running"):
        return
    state.running, state.stream, state.stopped = False, None, stopped
    run_queue().leave(state.ticket)
    try:
        state.result = state.comparison.results()
        state.files = artifacts(state.result, state.inputs)  # made once: every download and the zip use them
        state.zip = zip_bytes(state.files)
        if state.get("samples_only"):  # complete outputs of bundled samples become pairs to vote on
            pool().add(outputs_from_files(state.files))
    except NSTError:
        state.result = None  # stopped before the first iteration: nothing to show
    except Exception as error:  # a failed scoring must not take the page down
        state.run_error, state.result = f"Could not score the results: {error}", None


def live_view() -> None:
    """Wait for a slot, then consume the progress stream: a bar, each loss's latest preview, the curves
    growing. Any Streamlit call may be interrupted (Stop, another widget, a closed tab): the slot is
    given back then, and a rerun continues the same stream, at the front of the line."""
    state = st.session_state
    comparison: Comparison = state.comparison
    queue = run_queue()
    bar = st.progress(0.0, text="Waiting for a free slot...")
    queue.join(state.ticket, front=bool(comparison.transfers))
    try:
        while not queue.try_start(state.ticket):
            bar.progress(0.0, text=f"Waiting: place {queue.place(state.ticket)} in line for the {queue.slots} "
                         "run slot(s) of this server")  # fmt: skip
            time.sleep(0.5)
        _consume(comparison, bar)
    except NSTError as error:
        state.run_error = str(error)
    finally:
        queue.leave(state.ticket)
    finish()
    st.rerun()


def _consume(comparison: Comparison, bar) -> None:
    state = st.session_state
    total = len(comparison.losses) * comparison.settings.iterations
    bar.progress(0.0, text="Loading the model and computing the targets...")
    columns = dict(zip(comparison.losses, st.columns(len(comparison.losses))))
    frames = {loss: column.empty() for loss, column in columns.items()}
    chart = st.empty()
    load_backbone(comparison.settings.weights, comparison.settings.pooling, comparison.settings.network_precision)
    for event in state.stream:
        done = sum(max(0, len(t.history) - 1) for t in comparison.transfers.values())
        elapsed = time.perf_counter() - state.started
        left = f"about {elapsed / done * (total - done):.0f} s left" if done else "estimating time left"
        bar.progress(min(done / total, 1.0), text=f"{event.loss}: iteration {event.iteration}/{event.iterations}"
                     f" · {elapsed:.0f} s · {left}")  # fmt: skip
        if event.preview is not None:
            frames[event.loss].image(event.preview, caption=f"{event.loss} · iteration {event.iteration}",
                                     width="stretch")  # fmt: skip
            if event.loss == comparison.losses[-1]:
                histories = {loss: t.history for loss, t in comparison.transfers.items()}
                chart.altair_chart(curves_chart(histories, "total", log=True), width="stretch")


main()
