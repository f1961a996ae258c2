"""A study's design: every content x style (x seed) unit, each a comparison of the same losses under
one set of settings, run as a sweep (nst.sweep.runner)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nst.compare import parse_losses
from nst.errors import SettingError
from nst.images import IMAGE_SUFFIXES
from nst.settings import Settings
from nst.sweep.grid import Grid, RunSpec

# The two-sided Wilcoxon signed-rank test's smallest p with n pairs is 2 / 2^n: 0.0625 for 5 pairs,
# 0.031 for 6. With fewer than 6 units no difference could ever be called significant at 0.05.
MIN_UNITS = 6


@dataclass(frozen=True)
class Study:
    contents: tuple[Path, ...]
    styles: tuple[Path, ...]
    losses: tuple[str, ...]  # the first is the baseline every other loss is compared with
    settings: Settings
    seeds: tuple[int, ...]
    seed_note: str  # why there is only one seed, when that is so
    grid: Grid

    @property
    def units(self) -> int:
        return len(self.grid.runs)


def design(contents: Sequence[str], styles: Sequence[str], losses: str | Sequence[str], settings: Settings,
           seeds: int = 1, out: str | Path = ".") -> Study:  # fmt: skip
    """Checks every input before anything runs: a SettingError says what is wrong and what is needed."""
    content_files, style_files = images("contents", contents), images("styles", styles)
    names = parse_losses(losses)
    if len(names) < 2:
        raise SettingError(f"a study compares at least 2 losses, got {len(names)}: {', '.join(names)}")
    if not 1 <= seeds <= 100:
        raise SettingError(f"seeds must be a whole number from 1 to 100, got {seeds}")
    note = ""
    if seeds > 1 and settings.init == "content":
        note = f"init = content starts every run from the content image, so a seed changes nothing: 1 seed, not {seeds}"
        seeds = 1
    seed_values = tuple(settings.seed + i for i in range(seeds))
    units = len(content_files) * len(style_files) * len(seed_values)
    if units < MIN_UNITS:
        raise SettingError(
            f"{units} unit(s) (contents x styles x seeds) are too few: the two-sided Wilcoxon signed-rank test "
            f"needs at least {MIN_UNITS} pairs to reach p < 0.05; add images or seeds (with init noise)"
        )
    runs = [
        RunSpec(_name(content, style, seed, len(seed_values)), content, style, tuple(names),
                settings.replace(seed=seed), {"content": content.stem, "style": style.stem, "seed": str(seed)})
        for content in content_files for style in style_files for seed in seed_values
    ]  # fmt: skip
    varied = ["content", "style"] + (["seed"] if len(seed_values) > 1 else [])
    return Study(content_files, style_files, tuple(names), settings, seed_values, note, Grid(Path(out), runs, varied))


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


def _name(content: Path, style: Path, seed: int, seeds: int) -> str:
    return f"{content.stem}__{style.stem}" + (f"__seed-{seed}" if seeds > 1 else "")
