"""A study's design: every content x style (x seed) unit, each a comparison of the same losses under
one set of settings (per backbone, when several are compared), run as a sweep (nst.sweep.runner).

What a study compares are its arms: the losses, or with several backbones every loss on every backbone,
named `loss@backbone` (mse@resnet50)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nst.baseline import NAME as BASELINE_NAME
from nst.compare import parse_losses
from nst.errors import SettingError
from nst.images import IMAGE_SUFFIXES
from nst.settings import Settings
from nst.sweep.grid import JOIN, Grid, RunSpec, stem

# The two-sided Wilcoxon signed-rank test's smallest p with n pairs is 2 / 2^n: 0.0625 for 5 pairs,
# 0.031 for 6. With fewer than 6 units no difference could ever be called significant at 0.05.
MIN_UNITS = 6
BACKBONE_MARK = "__on-"  # a unit's run on one backbone: chelsea__starry_night__on-resnet50
WEIGHT_MARK = "__w-"  # a unit's run at another style weight, for the fronts: chelsea__starry_night__w-30


def arm_loss(arm: str) -> str | None:
    """The loss of an arm whose own measures the VGG16 judge computes (nst.metrics' `optimised_by`): the
    arm's loss on vgg16 (or with no backbone named); None for another backbone, whose features differ."""
    loss, _, backbone = arm.partition("@")
    return loss if backbone in ("", "vgg16") else None


@dataclass(frozen=True)
class Study:
    contents: tuple[Path, ...]
    styles: tuple[Path, ...]
    losses: tuple[str, ...]
    settings: Settings
    seeds: tuple[int, ...]
    seed_note: str  # why there is only one seed, when that is so
    grid: Grid
    backbones: tuple[str, ...] = ("vgg16",)  # one comparison per unit and backbone
    arms: tuple[str, ...] = ()  # what is compared; the first is the baseline every other is compared with
    unit_specs: dict[str, RunSpec] = field(default_factory=dict)  # unit name -> its (first backbone's) run
    style_weights: tuple[float, ...] = ()  # the fronts' weights (settings.style_weight among them); () no fronts
    front_losses: tuple[str, ...] = ()  # the losses run at every one of style_weights

    @property
    def units(self) -> int:
        return len(self.unit_specs)

    def unit_of(self, run: str) -> str:
        """The unit a run (a comparison, its folder's name) belongs to."""
        run = run.rsplit(WEIGHT_MARK, 1)[0]
        return run.rsplit(BACKBONE_MARK, 1)[0] if len(self.backbones) > 1 else run

    def at_default_weight(self, run: str) -> bool:
        """Whether a run is at settings.style_weight with every loss: the equal-weight comparison's."""
        return WEIGHT_MARK not in run

    def arm_of(self, run: str, loss: str) -> str:
        return f"{loss}@{run.rsplit(BACKBONE_MARK, 1)[1]}" if len(self.backbones) > 1 else loss


def design(
    contents: Sequence[str],
    styles: Sequence[str],
    losses: str | Sequence[str],
    settings: Settings,
    seeds: int = 1,
    out: str | Path = ".",
    backbones: Sequence[str] = (),
    style_weights: Sequence[float] = (),
    front_losses: str | Sequence[str] = (),
) -> Study:
    """Checks every input before anything runs: a SettingError says what is wrong and what is needed.
    `backbones`: compare these (each with every loss) instead of the settings' one backbone.
    `style_weights`: also run `front_losses` (default: every loss) at each of these weights, for trade-off
    fronts (nst.study.fronts); the equal-weight comparison stays at settings.style_weight."""
    content_files, style_sets = images("contents", contents), blends(styles)
    style_files = tuple(Path(JOIN.join(p.name for p in group)) for group in style_sets)  # as the report names them
    names = parse_losses(losses)
    networks = tuple(dict.fromkeys(backbones)) or (settings.backbone,)
    arms = _arms(names, networks, settings) + _baseline_arm(networks, style_sets, settings)
    seed_values, note = _seeds(seeds, settings)
    units = len(content_files) * len(style_sets) * len(seed_values)
    if units < MIN_UNITS:
        raise SettingError(
            f"{units} unit(s) (contents x styles x seeds) are too few: the two-sided Wilcoxon signed-rank test "
            f"needs at least {MIN_UNITS} pairs to reach p < 0.05; add images or seeds (with init noise)"
        )
    runs = _runs(content_files, style_sets, seed_values, networks, tuple(names), settings)
    weights, fronts = _fronts(style_weights, front_losses, names, settings, networks)
    runs = _with_fronts(runs, weights, fronts, settings)
    several = len(networks) > 1
    varied = ["content", "style"] + (["seed"] if len(seed_values) > 1 else []) + (["backbone"] if several else [])
    grid = Grid(Path(out), runs, varied + (["style_weight"] if weights else []))
    study = Study(
        content_files, style_files, tuple(names), settings, seed_values, note, grid, networks, arms, {}, weights, fronts
    )
    for run in runs:  # a unit's specification: its first backbone's run
        study.unit_specs.setdefault(study.unit_of(run.name), run)
    return study


def _fronts(style_weights, front_losses, names, settings: Settings, networks) -> tuple[tuple[float, ...], tuple]:
    """The fronts' weights (sorted, settings.style_weight added) and losses (checked: among the study's)."""
    if not style_weights:
        return (), ()
    if len(networks) > 1:
        raise SettingError("--style-weights compares losses on one backbone; give one backbone, or no weights")
    weights = tuple(sorted({float(w) for w in style_weights} | {settings.style_weight}))
    if weights[0] <= 0:
        raise SettingError(f"--style-weights must be positive (a front is compared in log space), got {weights[0]:g}")
    for weight in weights:
        settings.replace(style_weight=weight)  # checks the bounds
    fronts = tuple(parse_losses(front_losses)) if front_losses else tuple(names)
    stray = [loss for loss in fronts if loss not in names]
    if stray:
        raise SettingError(f"--front-losses {', '.join(stray)}: not among the study's losses ({', '.join(names)})")
    if len(weights) < 3:
        raise SettingError(f"a front needs at least 3 style weights (settings' {settings.style_weight:g} counts)")
    return weights, fronts


def _with_fronts(runs: list[RunSpec], weights, fronts, settings: Settings) -> list[RunSpec]:
    """Each unit's run, followed by its runs at every other weight (the front losses only, and no baseline: it
    does not depend on the weight), so that a study stopped part-way has whole units."""
    if not weights:
        return runs
    at = lambda run, weight: dataclasses.replace(run, varied={**run.varied, "style_weight": f"{weight:g}"})  # noqa: E731
    return [
        at(run, weight)
        if weight == settings.style_weight
        else dataclasses.replace(
            at(run, weight),
            name=f"{run.name}{WEIGHT_MARK}{weight:g}",
            losses=fronts,
            settings=run.settings.replace(style_weight=weight, baseline="none"),
        )
        for run in runs
        for weight in sorted(weights, key=lambda w: w != settings.style_weight)  # the default weight's run first
    ]


def _arms(names: Sequence[str], networks: tuple[str, ...], settings: Settings) -> tuple[str, ...]:
    """What the study compares: the losses, or loss@backbone for each backbone; at least two."""
    for backbone in networks:
        settings.replace(backbone=backbone)  # checks the name and the settings it must fit (size, weights)
    arms = tuple(f"{loss}@{b}" for b in networks for loss in names) if len(networks) > 1 else tuple(names)
    if len(arms) < 2:
        raise SettingError(f"a study compares at least 2 losses or backbones, got {', '.join(arms)}")
    return arms


def _baseline_arm(networks: tuple[str, ...], style_sets, settings: Settings) -> tuple[str, ...]:
    """The feed-forward baseline as a last arm (nst.baseline.NAME), compared with every loss, where every unit
    has one: settings.baseline on, one backbone (it does not depend on the backbone) and no blended styles."""
    if settings.baseline == "none" or len(networks) > 1 or any(len(group) > 1 for group in style_sets):
        return ()
    return (BASELINE_NAME,)


def _seeds(seeds: int, settings: Settings) -> tuple[tuple[int, ...], str]:
    """The seeds each pair runs with, and a note when a content start makes more than one pointless."""
    if not 1 <= seeds <= 100:
        raise SettingError(f"seeds must be a whole number from 1 to 100, got {seeds}")
    note = ""
    if seeds > 1 and settings.init == "content":
        note = f"init = content starts every run from the content image, so a seed changes nothing: 1 seed, not {seeds}"
        seeds = 1
    return tuple(settings.seed + i for i in range(seeds)), note


def _runs(content_files, style_sets, seed_values, networks, names, settings: Settings) -> list[RunSpec]:
    """One comparison per photo x painting (or blend) x seed x backbone."""
    several = len(networks) > 1
    return [
        RunSpec(
            _name(content, group, seed, len(seed_values)) + (BACKBONE_MARK + backbone if several else ""),
            content,
            group[0],
            names,
            settings.replace(seed=seed, backbone=backbone),
            {"content": content.stem, "style": stem(group), "seed": str(seed), "backbone": backbone},
            group if len(group) > 1 else (),
        )
        for content in content_files
        for group in style_sets
        for seed in seed_values
        for backbone in networks
    ]


def images(role: str, given: Sequence[str]) -> tuple[Path, ...]:
    """The image files named, or found (not recursively) in the folders named, in a stable order."""
    if not given:
        raise SettingError(f"--{role}: give at least one image file or folder")
    found: list[Path] = []
    for entry in map(Path, given):
        if entry.is_dir():
            inside = sorted(p for p in entry.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
            if not inside:
                raise SettingError(f"--{role}: folder {entry} has no image ({', '.join(sorted(IMAGE_SUFFIXES))})")
            found += inside
        elif entry.is_file():
            found.append(entry)
        else:
            raise SettingError(f"--{role}: {entry}: no such file or folder")
    found = list(dict.fromkeys(found))  # a folder and a file inside it: the file once
    stems = [p.stem for p in found]
    shared = sorted({stem for stem in stems if stems.count(stem) > 1})
    if shared:
        raise SettingError(f"--{role}: two images share the name {', '.join(shared)}; units are named after them")
    return tuple(found)


def blends(given: Sequence[str]) -> tuple[tuple[Path, ...], ...]:
    """The styles of a study's units: each image file or folder's image alone, or "a.jpg+b.jpg", several
    images blended in one unit (by --blend)."""
    groups: list[tuple[Path, ...]] = []
    for entry in given:
        if JOIN in entry:
            parts = tuple(Path(part) for part in entry.split(JOIN))
            missing = [str(part) for part in parts if not part.is_file()]
            if missing:
                raise SettingError(f"--styles: {entry}: no such file {', '.join(missing)}")
            groups.append(parts)
        else:
            groups += [(path,) for path in images("styles", [entry])]
    names = [stem(group) for group in groups]
    shared = sorted({name for name in names if names.count(name) > 1})
    if shared:
        raise SettingError(f"--styles: two images share the name {', '.join(shared)}; units are named after them")
    return tuple(dict.fromkeys(groups))


def _name(content: Path, style: tuple[Path, ...], seed: int, seeds: int) -> str:
    return f"{content.stem}__{stem(style)}" + (f"__seed-{seed}" if seeds > 1 else "")
