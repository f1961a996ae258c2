"""A sweep's GRID file: TOML lists of images and settings, checked whole, expanded to runs.

    content = ["photos/cat.png", "photos/city.jpg"]   # paths relative to the GRID file
    style = "paintings/starry_night.jpg"
    losses = ["mse", "mae", "huber"]                   # every run compares all of them
    style_weight = [1.0, 10.0, 100.0]                  # any Settings field: one value or a list
    preset = ["seed", "gatys"]
    iterations = 100

Every run is one combination: content x style x each listed setting. `content_layers` and `style_layers`
take a comma-separated string ("block1_conv1,block2_conv1"); a list of such strings is swept. A style
may be several images joined by "+" ("a.jpg+b.jpg"): blended by `style_blend`, or each painting the
region of its mask, `mask = "left.png+right.png"` (one per style; a list of such strings is swept).
"""

from __future__ import annotations

import itertools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from nst.errors import NSTError, SettingError
from nst.losses.catalogue import DEFAULT_LOSSES, LOSSES
from nst.registry import unknown_name_message
from nst.settings import Settings

IMAGE_KEYS = ("content", "style")
SETTING_KEYS = tuple(Settings.__dataclass_fields__)
KEYS = (*IMAGE_KEYS, "mask", "losses", *SETTING_KEYS)
JOIN = "+"  # "a.jpg+b.jpg": several styles (or their masks) in one run
LAYER_KEYS = ("content_layers", "style_layers")


class GridError(NSTError):
    """The GRID file cannot be run; its message lists every problem found."""


@dataclass(frozen=True)
class RunSpec:
    name: str  # folder of the run's artifacts, named by what varies
    content: Path
    style: Path  # the first style
    losses: tuple[str, ...]
    settings: Settings
    varied: dict[str, str] = field(default_factory=dict, compare=False)  # what varies -> this run's value
    styles: tuple[Path, ...] = ()  # every style when several are blended or masked; () = (style,)
    masks: tuple[Path, ...] = ()  # one per style, or none

    @property
    def style_paths(self) -> tuple[Path, ...]:
        return self.styles or (self.style,)


@dataclass(frozen=True)
class Grid:
    path: Path
    runs: list[RunSpec]
    varied: list[str]  # keys with more than one value, in the file's order


def load_grid(path: str | Path) -> Grid:
    """Parses and checks the GRID file: a GridError lists every problem before anything runs."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except OSError as error:
        raise GridError(f"cannot read grid {path}: {error.strerror or error}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise GridError(f"grid {path} is not valid TOML: {error}") from None
    problems = [unknown_name_message("grid key", key, list(KEYS)) for key in data if key not in KEYS]
    values = {key: _as_list(value) for key, value in data.items() if key in KEYS}  # the file's order
    for key in (*IMAGE_KEYS, "mask"):
        if not values.get(key) and key != "mask":
            problems.append(f"{key}: give at least one image path")
        for name in values.get(key, []):
            parts = name.split(JOIN) if isinstance(name, str) and key != "content" else [name]
            for part in parts:
                if not isinstance(part, str) or not (path.parent / part).is_file():
                    problems.append(f"{key} image not found: {part!r} (paths are relative to the grid file)")
    losses = tuple(values.pop("losses", None) or DEFAULT_LOSSES)
    problems += [problem for problem in map(_loss_problem, losses) if problem]
    losses = tuple(LOSSES.canonical_unique(losses)) if not problems else losses
    combos, setting_problems = _setting_combinations(values)
    problems += setting_problems
    if problems:
        listed = "; ".join(dict.fromkeys(problems))
        raise GridError(f"grid {path} has {len(dict.fromkeys(problems))} problem(s): {listed}")
    varied = [key for key, options in values.items() if len(options) > 1]
    runs = _runs(path.parent, values, combos, losses, varied)
    return Grid(path, runs, varied)


def _as_list(value: object) -> list:
    return list(value) if isinstance(value, list) else [] if value is None else [value]


def _loss_problem(loss: object) -> str:
    if not isinstance(loss, str):
        return f"losses: {loss!r} is not a loss name"
    try:
        LOSSES.entry(loss)
    except SettingError as error:
        return f"losses: {error}"
    return ""


def _setting_combinations(values: dict[str, list]) -> tuple[list[dict], list[str]]:
    """Every combination of the settings' values as Settings keyword arguments, and the problems found."""
    keys = [key for key in values if key in SETTING_KEYS]
    problems = [f"{key}: the list is empty" for key in keys if not values[key]]
    options = [[_setting_value(key, value) for value in values[key]] for key in keys]
    combos = [dict(zip(keys, combo)) for combo in itertools.product(*options)]
    for combo in combos:
        try:
            Settings(**combo)
        except NSTError as error:
            problems.append(str(error))
        except TypeError as error:  # a TOML table or array where a scalar belongs
            problems.append(f"bad setting value: {error}")
    return combos, problems


def _setting_value(key: str, value: object) -> object:
    if key in LAYER_KEYS and isinstance(value, str):
        return tuple(name.strip() for name in value.split(",") if name.strip())
    if key == "style_blend" and isinstance(value, str):  # "0.7,0.3"; a list of such strings is swept
        try:
            return tuple(float(part) for part in value.split(","))
        except ValueError:
            return value  # Settings says what is wrong
    return value


def _runs(root: Path, values: dict[str, list], combos: list[dict], losses: tuple, varied: list[str]) -> list[RunSpec]:
    runs, names = [], set()
    masks = values.get("mask") or [""]
    for content, style, mask, combo in itertools.product(values["content"], values["style"], masks, combos):
        styles, mask_paths = style.split(JOIN), [m for m in mask.split(JOIN) if m]
        shown = {"content": Path(content).stem, "style": stem(styles), "mask": stem(mask_paths), **combo}
        varied_values = {key: _text(shown[key]) for key in varied}
        parts = [Path(content).stem, stem(styles)] + [
            f"{k}-{_text(shown[k])}" for k in varied if k in combo or k == "mask"
        ]
        name = _unique(_safe("__".join(parts)), names)
        several = len(styles) > 1 or mask_paths
        runs.append(
            RunSpec(
                name,
                root / content,
                root / styles[0],
                losses,
                Settings(**combo),
                varied_values,
                tuple(root / s for s in styles) if several else (),
                tuple(root / m for m in mask_paths),
            )
        )
    return runs


def stem(paths: list[str] | tuple) -> str:
    """'a.jpg+b.jpg' style lists -> 'a+b': how a blend is named in run names and tables."""
    return JOIN.join(Path(p).stem for p in paths)


def _text(value: object) -> str:
    if isinstance(value, tuple):
        return ",".join(_text(part) for part in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._,+-]+", "_", name)[:180]


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:  # two images with the same file name in different folders
        candidate, n = f"{name}__{n}", n + 1
    taken.add(candidate)
    return candidate
