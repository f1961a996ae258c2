"""The engine settings as command-line flags, and the Settings they parse into."""

from __future__ import annotations

import argparse

from nst.backbone.layers import PRESETS
from nst.backbone.networks import NETWORKS, SMOOTHINGS
from nst.backbone.precision import PRECISION_CHOICES
from nst.errors import SettingError
from nst.optimizers import OPTIMIZERS
from nst.schedule import SCHEDULES
from nst.settings import COLORS, INITS, POOLINGS, STYLE_SCALES, Settings


def add_settings(parser: argparse.ArgumentParser) -> None:
    d = Settings()
    add = parser.add_argument
    add(
        "--backbone",
        metavar="NAME",
        help=f"the network: {', '.join(NETWORKS.names())} (default {d.backbone}; see nst backbones)",
    )
    add(
        "--preset",
        metavar="NAME",
        help=f"layer preset: the backbone's, e.g. {', '.join(PRESETS.names())} for vgg16 (default {d.preset})",
    )
    add(
        "--content-layers",
        metavar="LAYERS",
        help="comma-separated layer names of the backbone, e.g. block4_conv2 (default: the preset's)",
    )
    add("--style-layers", metavar="LAYERS", help="comma-separated Keras layer names (default: the preset's)")
    add(
        "--weights",
        metavar="WEIGHTS",
        help=f"auto, imagenet, vgg16-hed (vgg16), random or a weights file (default {d.weights})",
    )
    add(
        "--smoothing",
        metavar="NAME",
        help=f"activation smoothing: auto, {', '.join(SMOOTHINGS)} (default "
        f"{d.smoothing}: softmax, Wang et al.'s SWAG, for residual and Inception backbones, none for VGG)",
    )
    add("--pooling", metavar="max|avg", help=f"{' or '.join(POOLINGS)} (default {d.pooling})")
    choices = ", ".join(PRECISION_CHOICES)
    add(
        "--precision",
        metavar="NAME",
        help=f"network arithmetic: {choices} (default {d.precision}: bfloat16 "
        "where the hardware computes it natively, else float32)",
    )
    add("--content-weight", type=float, metavar="W", help=f"normalised content term's weight ({d.content_weight:g})")
    add("--style-weight", type=float, metavar="W", help=f"normalised style term's weight (default {d.style_weight:g})")
    add(
        "--tv-weight",
        type=float,
        metavar="W",
        help=f"weight of the normalised total variation (default {d.tv_weight:g})",
    )
    add("--optimizer", metavar="NAME", help=f"{', '.join(OPTIMIZERS.names())} (default {d.optimizer})")
    add("--learning-rate", type=float, metavar="LR", help="step size for adam and gd (default: the optimizer's own)")
    add("--init", metavar="START", help=f"starting image: {', '.join(INITS)} (default {d.init})")
    add("--seed", type=int, metavar="N", help=f"random seed (default {d.seed})")
    add("--iterations", type=int, metavar="N", help=f"optimizer steps (default {d.iterations})")
    add("--schedule", metavar="NAME", help=f"{' or '.join(SCHEDULES)}: coarse to fine or not (default {d.schedule})")
    add("--size", type=int, metavar="PX", help=f"long side of the working image, px (default {d.size})")
    add(
        "--colors",
        metavar="NAME",
        help=f"{', '.join(COLORS)}: the style's colours, the content's (luminance-only "
        "transfer), or the painting's palette from the start (the content recoloured to the style's colour mean "
        f"and covariance) (default {d.colors})",
    )
    add("--blend", metavar="W,W", help="weights of several style images, e.g. 0.7,0.3 (normalised; default equal)")
    add(
        "--style-scale",
        type=float,
        metavar="S",
        help=f"style images' size relative to the working size, "
        f"{STYLE_SCALES[0]:g} to {STYLE_SCALES[1]:g}: larger, larger brush strokes (default "
        f"{d.style_scale:g})",
    )
    add("--preserve-colors", action="store_true", help="same as --colors content: transfer luminance only")


def settings_from(args: argparse.Namespace) -> Settings:
    given = {name: getattr(args, name, None) for name in Settings.__dataclass_fields__}  # the loss is not one
    fields = {name: value for name, value in given.items() if value is not None}
    for name in ("content_layers", "style_layers"):
        if name in fields:
            fields[name] = tuple(n.strip() for n in fields[name].split(",") if n.strip())
    if args.preserve_colors:
        fields["colors"] = "content"
    if getattr(args, "blend", None):
        fields["style_blend"] = numbers("--blend", args.blend)
    return Settings(**fields)


def numbers(flag: str, text: str) -> tuple[float, ...]:
    """'0.7,0.3' -> (0.7, 0.3); anything else a SettingError naming the flag."""
    try:
        return tuple(float(part) for part in text.split(","))
    except ValueError:
        raise SettingError(f"{flag} takes comma-separated numbers, e.g. 0.7,0.3; got {text!r}") from None
