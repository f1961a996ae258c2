"""One PNG of a yardstick's style-vs-content fronts (nst.study.fronts): every unit's, and all pooled.

- Small multiples, one tiny panel per unit (the first MAX_PANELS units), axes shared (the same limits
  and ticks on every panel, labelled on the outer ones): x the content distance (log), y the yardstick
  (log for "ratio" yardsticks). Per loss a coloured line through its
  points in order of content distance (the order its front is interpolated in); the marker's shape is
  the style weight, named only on the legend.
- A pooled panel over every unit: each unit's fronts normalised by that unit's centre (the geometric
  mean of the content distances of all its plotted points, and of its values for ratio yardsticks, or
  their mean for difference ones, so the losses keep their places relative to each other), drawn thin
  and faint; per loss, the median over units of those normalised fronts on a common grid of normalised
  content distance, where at least half of the loss's units reach. The pooled curves are the ones
  matched_difference compares (nst.study.fronts.curve: equal content distances averaged).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import NamedTuple

import numpy as np

from nst.metrics import YARDSTICKS, Yardstick
from nst.study.fronts import Curve, Fronts, curve

MAX_PANELS = 120  # units drawn as small multiples; the pooled panel takes them all
MAX_COLUMNS = 12
PANEL = (1.1, 0.85)  # inches, one unit's panel (width, height)
GAP = (0.12, 0.24)  # inches between panels (the height leaves room for the unit's name)
MARGIN = (0.55, 0.45)  # inches, left and bottom (tick labels of the outer panels)
TOP = 4.1  # inches above the panels: the title, the pooled panel and the legend
POOLED = (4.6, 2.6)  # inches, the pooled panel
DPI = 100
MEDIAN_GRID = 60  # normalised content distances the pooled medians are taken at
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "h", "<", ">")  # one per style weight, in increasing order


class Layout(NamedTuple):
    columns: int
    rows: int
    width: float  # inches
    height: float


def layout(units: int) -> Layout:
    """Grid and figure size for `units` units (at most MAX_PANELS of them drawn)."""
    shown = max(1, min(units, MAX_PANELS))
    columns = min(shown, MAX_COLUMNS)
    rows = math.ceil(shown / columns)
    width = max(MARGIN[0] + columns * (PANEL[0] + GAP[0]), MARGIN[0] + POOLED[0] + 2.6)
    return Layout(columns, rows, width, TOP + MARGIN[1] + rows * (PANEL[1] + GAP[1]))


def plot_fronts(fronts: Fronts, yardstick: str, path: Path, losses: tuple[str, ...]) -> Path:
    """Write the fronts of `losses` (in that order, one colour each) on the yardstick named `yardstick`
    (a key of nst.metrics.YARDSTICKS) to `path`, a PNG; return it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    y = YARDSTICKS[yardstick]
    units = list(fronts)
    grid = layout(len(units))
    figure = plt.figure(figsize=(grid.width, grid.height), dpi=DPI)
    colours = {loss: plt.get_cmap("tab10")(i % 10) for i, loss in enumerate(losses)}
    weights = sorted({p.weight for by_loss in fronts.values() for f in by_loss.values() for p in f.points})
    markers = {w: MARKERS[i % len(MARKERS)] for i, w in enumerate(weights)}
    _panels(figure, grid, fronts, units[:MAX_PANELS], losses, colours, markers, y.paired == "ratio")
    _pooled(figure, grid, fronts, losses, colours, y)
    _legend(figure, grid, losses, colours, markers)
    shown = f"the first {MAX_PANELS} of {len(units)}" if len(units) > MAX_PANELS else f"all {len(units)}"
    top = 1 - 0.3 / grid.height
    title = f"{y.label} against content distance over style weights ({y.better} is better)"
    figure.text(0.01, top, title, fontsize=10, va="center")
    caption = f"Per unit ({shown}): x content distance, log; y {y.label}" + (", log" if y.paired == "ratio" else "")
    figure.text(0.01, (MARGIN[1] + grid.rows * (PANEL[1] + GAP[1]) + 0.12) / grid.height, caption, fontsize=8)
    figure.savefig(path, dpi=DPI)
    plt.close(figure)
    return path


def _axes(figure, grid: Layout, left: float, bottom: float, size: tuple[float, float]):
    """Axes placed in inches from the figure's bottom-left corner."""
    return figure.add_axes((left / grid.width, bottom / grid.height, size[0] / grid.width, size[1] / grid.height))


def _panels(figure, grid: Layout, fronts: Fronts, units: list[str], losses, colours, markers, log_y: bool) -> None:
    """The small multiples, all on one canvas measured in inches: 120 matplotlib axes take seconds to make
    and draw, and shared axes rescale every sibling at each artist added."""
    from matplotlib.collections import LineCollection

    points = [p for unit in units for loss in losses if loss in fronts[unit] for p in fronts[unit][loss].points]
    sx, sy = _scale([p.content for p in points], True), _scale([p.value for p in points], log_y)
    canvas = figure.add_axes((0, 0, 1, 1), xlim=(0, grid.width), ylim=(0, grid.height))
    canvas.set_axis_off()
    frames, lines, line_colours = [], [], []
    dots: dict[float, tuple[list, list]] = {w: ([], []) for w in markers}  # weight -> placed points, colours
    for i, unit in enumerate(units):
        left, bottom = _origin(i, grid)
        frames += _frame(left, bottom, sx, sy)
        for loss in (loss for loss in losses if loss in fronts[unit]):
            xy, weights = _place(fronts[unit][loss].points, sx, sy, left, bottom)
            lines.append(xy)
            line_colours.append(colours[loss])
            for at, weight in zip(xy, weights):
                dots[weight][0].append(at)
                dots[weight][1].append(colours[loss])
        _labels(canvas, unit, i, grid, len(units), sx, sy)
    canvas.add_collection(LineCollection(frames, colors="0.55", linewidths=0.5))
    canvas.add_collection(LineCollection(lines, colors=line_colours, linewidths=0.8))
    for weight, (xy, dot_colours) in dots.items():
        if xy:
            canvas.scatter(*np.array(xy).T, s=8, marker=markers[weight], c=dot_colours, linewidths=0, zorder=3)


class Scale(NamedTuple):
    """One of the small multiples' shared axes: its range (log or linear units) and ticks (data units)."""

    low: float
    high: float
    ticks: tuple[float, ...]
    log: bool

    def place(self, values) -> np.ndarray:
        """Values as fractions of the axis, 0 at low and 1 at high (NaN where a log axis has no place)."""
        v = np.asarray(values, np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            v = np.log(v) if self.log else v
        return (v - self.low) / (self.high - self.low)


def _scale(values: list[float], log: bool) -> Scale:
    """The values' range, padded by 6% (on the log scale where `log`), and its ticks."""
    v = np.array([x for x in values if x > 0 or not log] or [1.0])
    v = np.log(v) if log else v
    pad = 0.06 * float(v.max() - v.min()) or 0.5
    low, high = float(v.min()) - pad, float(v.max()) + pad
    lim = (math.exp(low), math.exp(high)) if log else (low, high)
    return Scale(low, high, _ticks(lim, log), log)


def _ticks(lim: tuple[float, float], log: bool) -> tuple[float, ...]:
    """2 to 5 ticks inside lim where it can: decades, else 1-2-5 on a log axis; round numbers on a linear one."""
    from matplotlib.ticker import LogLocator, MaxNLocator

    ticks: list[float] = []
    for locator in [LogLocator(subs=s, numticks=5) for s in ((1.0,), (1.0, 2.0, 5.0))] if log else [MaxNLocator(4)]:
        ticks = [float(t) for t in locator.tick_values(*lim) if lim[0] <= t <= lim[1]]
        if len(ticks) >= 2:
            break
    return tuple(ticks)


def _origin(i: int, grid: Layout) -> tuple[float, float]:
    """The bottom-left corner of panel i, in inches (row by row from the top-left)."""
    row, column = divmod(i, grid.columns)
    return MARGIN[0] + column * (PANEL[0] + GAP[0]), MARGIN[1] + (grid.rows - 1 - row) * (PANEL[1] + GAP[1])


def _frame(left: float, bottom: float, sx: Scale, sy: Scale) -> list[list[tuple[float, float]]]:
    """A panel's border and its tick marks (on the bottom and left edges), as polylines in inches."""
    right, top, tick = left + PANEL[0], bottom + PANEL[1], 0.03
    lines = [[(left, bottom), (right, bottom), (right, top), (left, top), (left, bottom)]]
    lines += [[(x, bottom), (x, bottom - tick)] for x in left + PANEL[0] * sx.place(sx.ticks)]
    return lines + [[(left, y), (left - tick, y)] for y in bottom + PANEL[1] * sy.place(sy.ticks)]


def _place(points, sx: Scale, sy: Scale, left: float, bottom: float) -> tuple[np.ndarray, list[float]]:
    """A front's points placed in inches in the panel at (left, bottom), and their weights; points a log
    axis cannot show left out."""
    x = left + PANEL[0] * sx.place([p.content for p in points])
    xy = np.column_stack([x, bottom + PANEL[1] * sy.place([p.value for p in points])])
    shown = np.isfinite(xy).all(axis=1)
    return xy[shown], [p.weight for p, keep in zip(points, shown) if keep]


def _labels(canvas, unit: str, i: int, grid: Layout, units: int, sx: Scale, sy: Scale) -> None:
    """The unit's name above its panel; tick labels under the lowest panel of each column and left of
    the first column."""
    left, bottom = _origin(i, grid)
    canvas.text(left + PANEL[0] / 2, bottom + PANEL[1] + 0.02, unit[:28], fontsize=5, ha="center", va="bottom")
    if i + grid.columns >= units:
        for tick, x in zip(sx.ticks, left + PANEL[0] * sx.place(sx.ticks)):
            canvas.text(x, bottom - 0.05, f"{tick:g}", fontsize=4.5, ha="center", va="top")
    if i % grid.columns == 0:
        for tick, y in zip(sy.ticks, bottom + PANEL[1] * sy.place(sy.ticks)):
            canvas.text(left - 0.05, y, f"{tick:g}", fontsize=4.5, ha="right", va="center")


def _pooled(figure, grid: Layout, fronts: Fronts, losses, colours, y: Yardstick) -> None:
    from matplotlib.collections import LineCollection
    from matplotlib.ticker import NullFormatter

    axis = _axes(figure, grid, MARGIN[0], grid.height - 0.65 - POOLED[1], POOLED)
    curves: dict[str, list[Curve]] = {loss: [] for loss in losses}
    for by_loss in fronts.values():
        for loss, normal in _normalised(by_loss, losses, y.paired).items():
            curves[loss].append(normal)
    back = np.exp if y.paired == "ratio" else (lambda v: v)
    xs = np.concatenate([c.x for cs in curves.values() for c in cs] or [np.zeros(1)])
    grid_x = np.linspace(xs.min(), xs.max(), MEDIAN_GRID)
    for loss, cs in curves.items():
        faint = [np.column_stack([np.exp(c.x), back(c.y)]) for c in cs]
        axis.add_collection(LineCollection(faint, colors=[colours[loss]], linewidths=0.5, alpha=0.15))
        axis.plot(np.exp(grid_x), back(_median(cs, grid_x)), color=colours[loss], lw=2.2)
    axis.set_xscale("log")
    axis.set_yscale("log" if y.paired == "ratio" else "linear")
    axis.autoscale_view()
    axis.set_xlabel("content distance / the unit's geometric mean", fontsize=7)
    unit_centre = " / the unit's geometric mean" if y.paired == "ratio" else " - the unit's mean"
    axis.set_ylabel(y.label + unit_centre, fontsize=7)
    axis.set_title(f"Pooled over {len(fronts)} units: each unit faint, per loss the median", fontsize=8)
    for side, log in ((axis.xaxis, True), (axis.yaxis, y.paired == "ratio")):
        ticks = _ticks(side.get_view_interval(), log)
        side.set_ticks(ticks, [f"{t:g}" for t in ticks])
        side.set_minor_formatter(NullFormatter())
    axis.tick_params(which="both", labelsize=6)


def _normalised(by_loss, losses, paired: str) -> dict[str, Curve]:
    """One unit's curves of `losses`, shifted by the unit's centre (mean x and mean y of all their points)."""
    curves = {loss: curve(by_loss[loss], paired) for loss in losses if loss in by_loss}
    curves = {loss: c for loss, c in curves.items() if len(c.x)}
    if not curves:
        return {}
    x0 = np.mean(np.concatenate([c.x for c in curves.values()]))
    y0 = np.mean(np.concatenate([c.y for c in curves.values()]))
    return {loss: Curve(c.x - x0, c.y - y0) for loss, c in curves.items()}


def _median(curves: list[Curve], x: np.ndarray) -> np.ndarray:
    """Median over curves at x, NaN where fewer than half of them (or none) reach."""
    if not curves:
        return np.full_like(x, np.nan)
    at = np.array([np.where((x >= c.x[0]) & (x <= c.x[-1]), c.at(x), np.nan) for c in curves])
    reach = np.sum(~np.isnan(at), axis=0)
    median = np.full_like(x, np.nan)
    enough = (reach > 0) & (reach >= len(curves) / 2)
    median[enough] = np.nanmedian(at[:, enough], axis=0)
    return median


def _legend(figure, grid: Layout, losses, colours, markers) -> None:
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=colours[loss], lw=2, label=loss) for loss in losses]
    handles += [
        Line2D([], [], color="gray", marker=m, linestyle="none", markersize=4, label=f"style weight {w:g}")
        for w, m in markers.items()
    ]
    left = (MARGIN[0] + POOLED[0] + 0.3) / grid.width
    figure.legend(handles=handles, loc="upper left", bbox_to_anchor=(left, 1 - 0.55 / grid.height), fontsize=7)
