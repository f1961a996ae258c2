"""The Compare view's results: outputs beside the inputs, loss curves, yardsticks, downloads. The same
display serves a comparison made on the page and one precomputed in the gallery."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from nst.artifacts import curve_rows
from nst.backbone.weights import report_lines
from nst.baseline import LABEL as BASELINE_LABEL
from nst.baseline import NAME as BASELINE_NAME
from nst.compare import ComparisonResult
from nst.losses.catalogue import file_stem
from nst.metrics import JUDGE_NOTE, STYLE_YARDSTICKS, YARDSTICKS, best_losses
from nst.votes.gallery import Unit
from views.shared import on_screen

TERMS = {"total": "total objective", "content": "content term", "style": "style term"}
# The curves' colours: Okabe and Ito's palette, told apart with the common colour-vision deficiencies
# (the yellow last: faint on white). Each loss also has its own dash pattern, so no line relies on colour.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
DASHES = [[1, 0], [8, 4], [2, 3], [8, 3, 2, 3], [12, 3], [4, 2, 1, 2]]


def results_view(result: ComparisonResult) -> None:
    state = st.session_state
    st.header("Results")
    weights = result.weights
    st.caption("Backbone " + "; ".join(report_lines(weights, result.judge)))
    for notice in dict.fromkeys(n for n in (weights.notice, result.judge.notice, *result.notices) if n):
        st.warning(notice)
    if state.get("stopped"):
        st.info("Stopped early: these are the best images each loss had reached.")
    for run in result.runs.values():
        if run.error:
            st.error(f"{run.error}; its best image so far is shown.")
    styles = result.style_images if len(result.style_images) > 1 else [result.style_image]
    images = [("content", result.content_image)]
    images += (
        [("style", styles[0])]
        if len(styles) == 1
        else [
            (f"style {n} ({share:.2f})", image) for n, (image, share) in enumerate(zip(styles, result.style_weights), 1)
        ]
    )
    images += [(f"{loss} ({run.iterations} it.)", run.image) for loss, run in result.runs.items()]
    histories = {loss: run.history for loss, run in result.runs.items()}
    metrics = {loss: run.metrics for loss, run in result.runs.items()}
    if (run := result.baseline) is not None:  # beside the losses, scored alike; no curve (one pass)
        images.append((f"{BASELINE_LABEL}, {run.seconds:.1f} s", run.image))
        metrics[BASELINE_LABEL] = run.metrics
    display(images, histories, metrics)
    if len(styles) > 1:
        each_style(result)
    downloads(result)


def each_style(result: ComparisonResult) -> None:
    """With several styles the table shows share-weighted means; here, each style's own yardsticks."""
    with st.expander("Yardsticks against each style (the table above: their means, weighted by each share)"):
        for n, share in enumerate(result.style_weights, start=1):
            st.caption(f"Style {n}, share {share:.2f}")
            st.table(
                yardstick_table(
                    {
                        loss: {name: run.metrics_by_style[n - 1][name] for name in STYLE_YARDSTICKS}
                        for loss, run in result.runs.items()
                    }
                )
            )


def gallery_view(unit: Unit, content_image, style_image) -> None:
    """A finished comparison from the bundled study, shown at once, labelled as precomputed."""
    first = unit.outputs[0]
    s = first.settings
    st.header("Results (precomputed)")
    st.info(
        f"From the bundled study (docs/study), made with these settings, not the sidebar's: {s['size']} px, "
        f"{s['optimizer']} x {s['iterations']} iterations, preset {s['preset']}, start from {s['init']}, "
        f"weights content/style/TV {s['content_weight']:g}/{s['style_weight']:g}/{s['tv_weight']:g}, "
        f"precision {s['precision']}, seed {s['seed']}; backbone weights **{first.weights}**. "
        "**Run comparison** computes live with the sidebar's settings."
    )
    images = [("content", content_image), ("style", style_image)]
    steps = {loss: len(points) - 1 for loss, points in unit.history.items() if points}  # a converged run stops early
    images += [(_gallery_label(o.loss, steps.get(o.loss, s["iterations"])), o.image) for o in unit.outputs]
    display(
        images,
        {o.loss: unit.history.get(o.loss, []) for o in unit.outputs},
        {o.loss: o.metrics or {} for o in unit.outputs},
    )


def _gallery_label(loss: str, iterations: int) -> str:
    """A gallery output's caption: the loss and its iterations, or the feed-forward baseline's label (one pass)."""
    return BASELINE_LABEL if loss == BASELINE_NAME else f"{loss} ({iterations} it.)"


def display(images: list[tuple[str, object]], histories: dict, metrics: dict[str, dict[str, float]]) -> None:
    for column, (label, image) in zip(st.columns(len(images)), images):
        kind = "input" if label == "content" or label.startswith("style") else "generated image"
        column.image(on_screen(image), caption=label, width="stretch", alt=f"{label}: the {kind}")
    st.subheader("Loss curves")
    c1, c2 = st.columns([3, 1])
    term = c1.segmented_control("Term", list(TERMS), default="total", format_func=TERMS.get, key="curve_term")
    log = c2.toggle("Log scale", value=True, key="curve_log")
    st.altair_chart(curves_chart(histories, term or "total", log), width="stretch")
    st.caption(
        "Total and style are divided by their value at the start; content is relative to the content "
        "image's distance from the style image (1 = as far as the style image)."
    )
    st.subheader("Yardsticks (the same for every loss; the best is marked)")
    st.table(yardstick_table(metrics))
    with st.expander("What the yardsticks measure"):
        st.markdown(
            "\n".join(
                f"- **{y.label}**: {y.meaning}; {y.better} is better{_own_measure(y)}." for y in YARDSTICKS.values()
            )
            + f"\n\n{JUDGE_NOTE}"
        )


def curves_chart(histories: dict, term: str, log: bool) -> alt.Chart:
    frame = pd.DataFrame(curve_rows(histories, term))
    if frame.empty:
        frame = pd.DataFrame({"loss": [], "iteration": [], "value": []})
    frame = frame[frame["value"] > 0] if log else frame
    scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    return (
        alt.Chart(frame)
        .mark_line(strokeWidth=2)
        .encode(
            x=alt.X("iteration:Q", title="iteration", axis=alt.Axis(format="d", tickMinStep=1)),
            y=alt.Y("value:Q", title=TERMS[term], scale=scale),
            color=alt.Color("loss:N", title="loss", scale=alt.Scale(range=PALETTE), legend=alt.Legend(orient="top")),
            strokeDash=alt.StrokeDash("loss:N", title="loss", scale=alt.Scale(range=DASHES)),
            tooltip=["loss", "iteration", alt.Tooltip("value:Q", format=".4g")],
        )
        .properties(height=320)
    )


def yardstick_table(metrics: dict[str, dict[str, float]]):
    """Losses x yardsticks, each yardstick's best loss marked."""
    best = best_losses(metrics)
    frame = pd.DataFrame(metrics).T
    names = {y.label: name for name, y in YARDSTICKS.items() if name in frame.columns}  # labels are unique (tested)
    frame = frame[list(names.values())].rename(columns={v: k for k, v in names.items()})
    frame.index.name = "loss"

    def highlight(column: pd.Series) -> list[str]:
        return [
            "background-color: #d4f4dd; font-weight: bold" if loss == best.get(names[column.name]) else ""
            for loss in column.index
        ]

    formats = {label: "{:" + YARDSTICKS[name].format + "}" for label, name in names.items()}
    return frame.style.apply(highlight).format(formats)


def downloads(result: ComparisonResult) -> None:
    """Each output, the sheet, and one zip of everything `nst compare` writes; none of them reruns the page."""
    files, state = st.session_state.files, st.session_state
    st.subheader("Downloads")
    names = [f"{file_stem(loss)}.png" for loss in result.runs]
    names += [f"{result.baseline.loss}.png"] if result.baseline is not None else []
    names += ["comparison.png"]
    with st.container(horizontal=True):  # a row that wraps on a phone
        for name in names:
            st.download_button(name, files[name], name, "image/png", key=f"download_{name}", on_click="ignore")
        st.download_button(
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
