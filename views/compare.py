"""Compare (the page at /): pick two images, compare losses side by side, live. On first load it shows
the bundled study's finished comparison of the selected samples. Widgets build the engine's Settings;
the engine's progress events drive the view."""

from __future__ import annotations

import time
import uuid

import streamlit as st

from nst.artifacts import zip_bytes
from nst.backbone.model import load_backbone
from nst.backbone.precision import emulation_warning, resolve_precision
from nst.baseline import Baseline
from nst.errors import NSTError
from nst.job import InputImage, Job, Request, prepare, preview_estimate
from nst.settings import Settings
from nst.votes.gallery import outputs_from_files
from views.baseline_preview import baseline_of, baseline_preview
from views.image_picker import DEFAULT_SAMPLES, image_picker, sample_paths
from views.link import choice, current, link_query, publish, restore
from views.results import curves_chart, gallery_view, results_view
from views.settings_panel import PARAMS, layer_params, sidebar
from views.shared import engine, gallery, in_turn, on_screen, pool, run_queue
from views.style_controls import LINK_PARAMS as STYLE_PARAMS
from views.style_controls import style_controls

LINK_PARAMS = (
    *(
        choice(role, f"{role}_choice", name, [path.name for path in sample_paths(role)])
        for role, name in DEFAULT_SAMPLES.items()
    ),
    *PARAMS,
    *STYLE_PARAMS,
)


def main() -> None:
    st.title("How does the loss function change a style transfer?")
    st.caption(
        "Gatys et al. style transfer on VGG16 (or another backbone). Every loss runs under identical conditions "
        "(same start, seed, layers, size, optimizer and budget) and is scored by the same loss-independent yardsticks. "
        "The settings are in the sidebar (on a phone: » at the top left)."
    )
    state, loaded = st.session_state, engine()
    if not loaded.ready:
        loading_notice()
    query = link_query()
    problems = restore(LINK_PARAMS, query) + restore(layer_params(*_backbone_and_preset()), query)
    if problems:
        state.link_problems = problems
    if state.get("link_problems"):
        st.warning("This link had values the page cannot use; they were reset: " + "; ".join(state.link_problems))
    here = f" (here: {resolve_precision('auto')})" if loaded.ready else ""
    settings, losses = sidebar(here)
    content = image_picker("content")
    style = image_picker("style")
    styles = style_controls(style) if style else None
    controls(settings, losses, content, style, loaded.ready, styles)
    share(content, style)
    if state.get("running"):
        live_view()
    if state.get("result") is not None:
        results_view(state.result)
    elif not state.get("running") and content and style and content.sample and style.sample and state.style_count == 1:
        unit = gallery().get((content.name, style.name))
        if unit is not None:
            gallery_view(unit, content.pixels, style.pixels)


def _backbone_and_preset() -> tuple[str, str]:
    """The backbone and preset whose layer lists a link may hold (restored just before, when valid)."""
    state = st.session_state
    return state.get("backbone", "vgg16"), state.get("preset", "gatys")


@st.fragment(run_every=1.0)
def loading_notice() -> None:
    """Shown while TensorFlow and the model load in the background; the whole page reruns once they are in."""
    if engine().ready:
        st.rerun()
    st.caption(
        ":material/hourglass_top: Loading TensorFlow and the model in the background (after a server "
        "start, about 10 s). Choose images and settings meanwhile; the time estimate follows."
    )


def share(content: InputImage | None, style: InputImage | None) -> None:
    """Keep the choices in the URL and offer the link; an upload never goes in it."""
    link = publish(current((*LINK_PARAMS, *layer_params(st.session_state.backbone, st.session_state.preset))))
    uploads = [role for role, chosen in (("content", content), ("style", style)) if chosen and not chosen.sample]
    with st.popover("Share this comparison", icon=":material/share:"):
        st.caption(
            "This link opens the page with the same samples, losses and settings (the address bar "
            "holds it too). Where the bundled study has that pair, its result shows at once."
        )
        if uploads:
            st.warning(
                f"Your uploaded {' and '.join(uploads)} image is not in the link (uploads never leave this "
                "page): it opens with the samples chosen above instead."
            )
        st.code(link, language=None, wrap_lines=True)


def controls(
    settings: Settings | None,
    losses: list[str],
    content: InputImage | None,
    style: InputImage | None,
    loaded: bool,
    styles=None,
) -> None:
    """`styles`: (the styles [(name, image)], blend weights, masks) from views.style_controls."""
    state = st.session_state
    ready = settings is not None and content is not None and styles is not None and bool(losses)
    request, problem = _request(settings, losses, content, style, styles) if ready else (None, "")
    # Run's click only raises a flag: the run starts here, from the widgets' values in this very run
    # (a click's callback arguments would be those of the previous one), and before the buttons are
    # drawn, so that Stop is live from the first iteration.
    baseline = baseline_of(request)  # cached per images and strength: made once, shown at once
    if state.pop("run_requested", False) and ready and not state.get("running"):
        state.pop("link_problems", None)  # the link's notice has been read
        start(request, styles[1], problem, baseline)
    running = bool(state.get("running"))
    with st.container(horizontal=True, vertical_alignment="center", key="run_row"):  # side by side on a phone too
        st.button(
            "Run comparison",
            type="primary",
            key="run",
            disabled=not ready or running,
            on_click=state.__setitem__,
            args=("run_requested", True),
        )
        st.button("Stop", key="stop", disabled=not running, on_click=finish, kwargs={"stopped": True})
        if not losses:
            st.warning("Choose at least one loss.")
        elif ready and not running:
            estimate_note(settings, request, problem, loaded)
    if state.get("run_error"):
        st.error(state.pop("run_error"))
    if state.get("result") is None:  # once the results are in, it is shown among them
        baseline_preview(baseline)


def _request(settings: Settings, losses: list[str], content: InputImage, style: InputImage, styles):
    """(the Request of the page's choices, "") or (None, why not): the losses parsed once per rerun. The
    blend weights join its settings at Run (start), where a bad one is said."""
    chosen, _, masks = styles
    extra = [InputImage.from_pixels(image, name) for name, image in chosen[1:]]  # names only, as the picker's
    regions = [InputImage.from_pixels(mask) for mask in masks or []]  # unnamed: the page records no mask
    try:
        return Request.of(content, [style, *extra], settings, losses, regions), ""
    except NSTError as error:
        return None, str(error)


def estimate_note(settings: Settings, request: Request | None, problem: str, loaded: bool) -> None:
    """The run's estimated time and memory; a mistyped loss name is reported here, before Run."""
    try:
        if request is None:
            raise NSTError(problem)
        estimate = preview_estimate(request).describe() if loaded else None
        st.caption(f"Estimated: {estimate}." if estimate else "Estimated time: shown once TensorFlow has loaded.")
    except NSTError as error:
        st.error(str(error))
    if loaded and (warning := emulation_warning(settings.precision)):
        st.warning(warning[0].upper() + warning[1:] + ".")


def start(request: Request | None, blend: tuple[float, ...], problem: str, baseline: Baseline | None = None) -> None:
    """`baseline`: the request's feed-forward baseline, made already (it depends on no blend weight)."""
    state = st.session_state
    try:
        if request is None:
            raise NSTError(problem)
        request = request.replace(settings=request.settings.replace(style_blend=blend))
        job = prepare(request, baseline=baseline)  # checked once; the page's policy too: refuse what cannot fit
    except NSTError as error:
        state.run_error = str(error)
        return
    state.job, state.stream, state.ticket = job, job.events(), uuid.uuid4().hex
    state.samples_only = request.votable  # only these join the vote pool
    state.running, state.result, state.stopped, state.started = True, None, False, time.perf_counter()


def finish(stopped: bool = False) -> None:
    """Score what was made (all of it if stopped) and keep it in the session."""
    state = st.session_state
    if not state.get("running"):
        return
    state.running, state.stream, state.stopped = False, None, stopped
    run_queue().leave(state.ticket)
    job: Job = state.job
    try:
        state.result = job.result()
        state.files = job.artifacts(state.result)  # made once: every download and the zip use them
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
    job: Job = state.job
    bar = st.progress(0.0, text="Waiting for a free slot...")
    # the ticket is held here: a closed tab's state may be gone
    if error := in_turn(state.ticket, bar, job.started, lambda: _consume(job, bar)):
        state.run_error = error
    finish()
    st.rerun()


def _consume(job: Job, bar) -> None:
    state = st.session_state
    total = job.total_steps
    bar.progress(0.0, text="Loading the model and computing the targets...")
    columns = dict(zip(job.losses, st.columns(len(job.losses))))
    frames = {loss: column.empty() for loss, column in columns.items()}
    chart = st.empty()
    s = job.settings
    load_backbone(s.weights, s.pooling, s.network_precision, s.backbone)
    for event in state.stream:
        done = job.steps_done()
        elapsed = time.perf_counter() - state.started
        left = f"about {elapsed / done * (total - done):.0f} s left" if done else "estimating time left"
        bar.progress(
            min(done / total, 1.0),
            text=f"{event.where()} · {elapsed:.0f} s · {left}",
        )
        if event.preview is not None:
            label = f"{event.loss} · iteration {event.iteration}"
            frames[event.loss].image(
                on_screen(event.preview), caption=label, alt=f"{label}: the image so far", width="stretch"
            )
            if event.loss == job.losses[-1]:
                chart.altair_chart(curves_chart(job.histories(), "total", log=True), width="stretch")


main()
