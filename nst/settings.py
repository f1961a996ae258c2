"""All settings of one style transfer, as one frozen, validated dataclass.

The loss is not among them: a comparison runs several losses under these identical settings
(`Transfer(..., loss=...)`, `Comparison(..., losses=...)`). Importing this module loads no TensorFlow."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from nst import limits
from nst.backbone.layers import resolve_layers
from nst.backbone.networks import NAMED_WEIGHTS, NETWORKS, SMOOTHINGS, LayerPreset, Network
from nst.backbone.precision import PRECISION_CHOICES, resolve_precision
from nst.errors import SettingError
from nst.optimizers import OPTIMIZERS
from nst.registry import unknown_name_message
from nst.schedule import SCHEDULES, stage_plan

INITS = ("content", "noise", "style")
COLORS = ("style", "content", "palette")
STYLE_SCALES = (0.25, 4.0)  # the style images' size relative to the working size: from, to
POOLINGS = ("max", "avg")


@dataclass(frozen=True)
class Settings:
    backbone: str = "vgg16"  # the network: a name in nst.backbone.networks.NETWORKS (nst backbones)
    preset: str = "gatys"  # layer preset: a name in the backbone's presets
    content_layers: tuple[str, ...] = ()  # the backbone's layer names (Keras'); empty: the preset's
    style_layers: tuple[str, ...] = ()  # the backbone's layer names (Keras'); empty: the preset's
    weights: str = "auto"  # backbone weights: auto | imagenet | vgg16-hed (vgg16) | random | PATH to .h5
    smoothing: str = "auto"  # features' activation smoothing: auto (the backbone's) | none | softmax (SWAG)
    pooling: str = "max"  # the network's pooling: max | avg (every max pool swapped)
    precision: str = "auto"  # network arithmetic: auto | float32 | bfloat16 (Grams, losses, optimizer: float32)
    content_weight: float = 1.0  # weight of the normalised content term
    style_weight: float = 10.0  # weight of the normalised style term
    tv_weight: float = 0.5  # weight of the normalised total-variation term (smoothness)
    optimizer: str = "lbfgs"  # a name in nst.optimizers.OPTIMIZERS
    learning_rate: float = 0.0  # step size for adam and gd, in image units [0, 1]; 0: the optimizer's own
    init: str = "content"  # starting image: content | noise | style
    seed: int = 0  # seeds the noise init; same settings and seed give the same numbers
    iterations: int = 100  # optimizer steps, all stages together
    schedule: str = "direct"  # direct | multiscale: coarse to fine, up to 3 stages (nst.schedule.stage_plan)
    size: int = 256  # px, long side of the working images
    colors: str = "style"  # whose colours: style | content (luminance-only transfer) | palette (start recoloured)
    style_blend: tuple[float, ...] = ()  # weight of each style image, normalised to sum 1; empty: equal
    style_scale: float = 1.0  # style images' size relative to the working size: larger, larger brush strokes
    preview_every: int = 10  # iterations between preview images in the progress stream

    def __post_init__(self) -> None:
        _choice("init", self.init, INITS)
        _choice("colors", self.colors, COLORS)
        _choice("schedule", self.schedule, SCHEDULES)
        _choice("pooling", self.pooling, POOLINGS)
        _choice("precision", self.precision, PRECISION_CHOICES)
        _choice("smoothing", self.smoothing, ("auto", *SMOOTHINGS))
        NETWORKS.entry(self.backbone)
        _int_range("size", self.size, limits.MIN_SIZE, limits.MAX_SIZE)
        _int_range("iterations", self.iterations, limits.MIN_ITERATIONS, limits.MAX_ITERATIONS)
        _int_range("preview_every", self.preview_every, 1, limits.MAX_ITERATIONS)
        _int_range("seed", self.seed, 0, limits.MAX_SEED)
        for name in ("content_weight", "style_weight", "tv_weight"):
            _float_range(name, getattr(self, name), 0.0, limits.MAX_WEIGHT)
        _float_range("learning_rate", self.learning_rate, 0.0, 10.0)
        _float_range("style_scale", self.style_scale, *STYLE_SCALES)
        for weight in self.style_blend:
            _float_range("a blend weight", weight, 0.0, limits.MAX_WEIGHT)
        if self.style_blend and sum(self.style_blend) <= 0:
            raise SettingError(f"blend weights must not all be 0, got {','.join(f'{w:g}' for w in self.style_blend)}")
        if self.size * self.style_scale > limits.MAX_SIZE:
            pixels = self.size * self.style_scale
            raise SettingError(
                f"style_scale {self.style_scale:g} at size {self.size} makes a {pixels:.0f} px "
                f"style image; at most {limits.MAX_SIZE} px"
            )
        if self.colors == "palette" and self.init != "content":
            raise SettingError(f"colors palette recolours the content to start from: use init content, not {self.init}")
        if self.size < self.network.min_side:
            raise SettingError(
                f"{self.backbone} needs a size of at least {self.network.min_side} px: its deepest "
                f"layers have no output below that; got {self.size}"
            )
        names = self.network.weight_names
        if not self.weights or (self.weights in NAMED_WEIGHTS and self.weights not in names):
            raise SettingError(f"weights for {self.backbone}: {', '.join(names)} or a file path, got {self.weights!r}")
        # Names are checked against their registries here, so a bad name fails before any work.
        OPTIMIZERS.entry(self.optimizer)
        _ = self.layers

    @property
    def network(self) -> Network:
        return NETWORKS.get(self.backbone)

    @property
    def layers(self) -> LayerPreset:
        """The content and style layers: the preset's, each list replaced where given; names checked."""
        return resolve_layers(self.preset, self.content_layers, self.style_layers, self.backbone)

    @property
    def feature_smoothing(self) -> str:
        """none | softmax: `auto` resolved for the backbone (nst.backbone.networks: none for VGG)."""
        return self.network.smoothing if self.smoothing == "auto" else self.smoothing

    @property
    def network_precision(self) -> str:
        """The precision the network computes in: `auto` resolved for this machine."""
        return resolve_precision(self.precision)

    @property
    def stages(self) -> list[tuple[int, int]]:
        """[(long side px, iterations)] per stage of the schedule."""
        return stage_plan(self.size, self.iterations, self.schedule)

    def replace(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise SettingError(unknown_name_message(name, value, list(allowed)))


def _int_range(name: str, value: int, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SettingError(f"{name} must be a whole number from {low} to {high}, got {value!r}")


def _float_range(name: str, value: float, low: float, high: float) -> None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or not low <= value <= high:
        raise SettingError(f"{name} must be a number from {low:g} to {high:g}, got {value!r}")
