"""The Compare view's sidebar: the settings widgets, each built from its field's description (nst.settings:
label, help, bounds, choices). Each group returns Settings fields; the view only builds Settings from them
(a bad combination shows st.error). Every widget's value lives in session state under its Param
(views.link): the page's default, or a shared link's value."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from nst import limits
from nst.backbone.layers import layer_names
from nst.backbone.networks import NETWORKS
from nst.budget import largest_print
from nst.describe import Described
from nst.errors import NSTError
from nst.losses.catalogue import DEFAULT_LOSSES, GRAMMAR, LOSSES, family
from nst.metrics import JUDGE_NOTE
from nst.registry import Registry
from nst.settings import FIELDS, Settings
from views.link import Param, choice, number, one_of, several
from views.shared import descriptions as _descriptions

DEFAULTS = Settings(iterations=60)  # the page's defaults: a two-loss comparison in about a minute on 2 cores
PREVIEW_EVERY = 5  # iterations between the live previews
SLIDERS = {"size": 32, "style_scale": 0.25, "baseline_strength": 0.05}  # the settings shown as sliders, and their steps
PAGE_BOUNDS = {"size": (64, limits.PAGE_MAX_SIZE)}  # px: the page's working sizes, narrower than the engine's
COLOR_LABELS = {
    "style": "the painting's (style)",
    "content": "the photo's (content)",
    "palette": "the painting's palette from the start",
}
LAYER_FIELDS = ("content_layers", "style_layers")  # their link parameters follow the backbone: layer_params
PRESET_NAMES = list(dict.fromkeys(p.name for n in NETWORKS for p in n.value.presets))  # each backbone has some


def weight_names(backbone: str) -> list[str]:
    """The page's weights for a backbone: its named ones but random (that is for tests)."""
    return [name for name in NETWORKS.get(backbone).weight_names if name != "random"]


# What a link may choose where the widget's options follow the chosen backbone: any backbone's.
LINK_OPTIONS = {
    "weights": list(dict.fromkeys(w for b in NETWORKS.names() for w in weight_names(b))),
    "preset": PRESET_NAMES,
}
ON_PAGE = tuple(field for field in FIELDS.values() if field.about.label)  # each has a widget and a link parameter


def bounds(field: Described) -> tuple[float, float]:
    """A number's range on the page: the engine's, or the page's own where narrower."""
    return PAGE_BOUNDS.get(field.name, (field.about.low, field.about.high))


def link_param(field: Described) -> Param:
    """A setting's link parameter, named as its field, from its description and the page's default."""
    default = getattr(DEFAULTS, field.name)
    if field.about.choices or field.name in LINK_OPTIONS:
        return choice(field.name, field.name, default, LINK_OPTIONS.get(field.name) or field.about.names)
    return number(field.name, field.name, default, *bounds(field), SLIDERS.get(field.name))


PARAMS = (
    several("loss", "losses", DEFAULT_LOSSES, LOSSES.canonical, limits.MAX_LOSSES),
    *(link_param(field) for field in ON_PAGE if field.name not in LAYER_FIELDS),
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
    """The session-state key of a layer list: one per backbone and preset (vgg16's named by the preset alone)."""
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
        return Settings(**fields, preview_every=PREVIEW_EVERY), losses
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


def tooltip(field: Described, more: str = "", ending: str = "") -> str:
    """A widget's help: the setting's as a sentence (`ending` completes it), then `more`: what the page adds."""
    text = field.about.help
    return f"{text[0].upper()}{text[1:]}{ending}. {more}".strip()


def widget(
    name: str, where=st, options: Sequence[str] | Registry | None = None, more: str = "", ending: str = "", **kwargs
) -> Any:
    """A setting's widget, from its description: a select box for a choice (a registry's choices described),
    a slider (SLIDERS) or a number box within its bounds. Its value is a Settings value."""
    field = FIELDS[name]
    options = field.about.choices if options is None else options
    if isinstance(options, Registry):
        options, more = options.names(), f"{_descriptions(options)} {more}"
    label, help_text = field.about.label, tooltip(field, more, ending)
    if options:
        return where.selectbox(label, list(options), key=name, help=help_text, **kwargs)
    low, high = bounds(field)
    if name in SLIDERS:
        value = where.slider(label, low, high, step=SLIDERS[name], key=name, help=help_text)
    else:
        value = where.number_input(label, low, high, key=name, help=help_text)
    return field.kind(value)


def _run_inputs() -> dict:
    fields = {name: widget(name) for name in ("size", "iterations", "tolerance", "schedule", "optimizer")}
    with st.expander("Large outputs: tiles"):
        st.caption(
            f"Above {limits.MAX_SIZE} px choose schedule tiled. Results above {limits.PAGE_PREVIEW_SIDE} px are shown "
            f"at {limits.PAGE_PREVIEW_SIDE} px; the downloads are full size."
        )
        fields |= {name: widget(name) for name in ("tile", "tile_passes")}
    return fields


def _weight_inputs() -> dict:
    names = ("content_weight", "style_weight", "tv_weight")
    return {name: widget(name, column) for column, name in zip(st.columns(len(names)), names)}


def _start_inputs() -> dict:
    return {
        "init": widget("init"),
        "seed": widget("seed"),
        "colors": widget("colors", format_func=COLOR_LABELS.get),
        "style_scale": widget("style_scale"),
        "baseline": widget("baseline"),
        "baseline_strength": widget("baseline_strength"),
    }


def _backbone_inputs(here: str) -> dict:
    state = st.session_state
    backbone = widget("backbone", more=f"{JUDGE_NOTE} What they do offline: docs/backbones.md.")
    network = NETWORKS.get(backbone)
    _keep_allowed("weights", weight_names(backbone), "auto")
    _keep_allowed("preset", network.presets.names(), "gatys")
    weights = widget("weights", options=weight_names(backbone))
    if problem := weights_problem(backbone, weights):
        st.error(problem)  # and Run waits (sidebar)
    smoothing = widget("smoothing", more=f"auto for {backbone}: {network.smoothing} (docs/backbones.md).")
    precision = widget("precision", ending=here)
    preset = widget("preset", options=network.presets)
    with st.expander("Limits"):
        st.markdown("\n".join(f"- {line}" for line in [*limits.describe(), largest_print()]))
    with st.expander("Advanced: layers"):
        names = layer_names(network)
        lists = {}
        for role, param in zip(("content", "style"), layer_params(backbone, preset)):
            state.setdefault(param.key, param.default)
            field = FIELDS[f"{role}_layers"]
            lists[field.name] = tuple(st.multiselect(field.about.label, names, key=param.key, help=tooltip(field)))
    return {
        "backbone": backbone,
        "weights": weights,
        "smoothing": smoothing,
        "precision": precision,
        "preset": preset,
        **lists,
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
