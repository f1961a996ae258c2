"""The comparison sheet: content, style and every output side by side, each output's loss curves
and yardsticks under it. Drawn with Pillow alone."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from nst.baseline import LABEL as BASELINE_LABEL
from nst.baseline import NAME as BASELINE_NAME
from nst.images import resize, to_uint8
from nst.metrics import YARDSTICKS

TILE = 256  # px, height of every image tile
PLOT_HEIGHT = 170
PAD = 12
CURVES = (("total", (20, 20, 20)), ("content", (31, 119, 180)), ("style", (214, 39, 40)), ("tv", (140, 140, 140)))
BACKGROUND, INK = (255, 255, 255), (20, 20, 20)
LEGEND_TOP = 100  # px below the plots' top: where the yardstick notes start, under the curve legend
TITLE_LINE = 15  # px per line of the title
TITLE_SEPARATOR = "  |  "  # between the title's parts: where a long title wraps


def comparison_sheet(result, title: str) -> Image.Image:
    """A labelled PNG-ready sheet for a ComparisonResult."""
    font, small = ImageFont.load_default(size=15), ImageFont.load_default(size=12)
    styles = result.style_images or [result.style_image]
    tiles = [("content", result.content_image)]
    if len(styles) == 1:
        tiles.append(("style", styles[0]))
    else:  # each style with its share of the style term
        tiles += [
            (f"style {n} ({share:.2f})", image)
            for n, (image, share) in enumerate(zip(styles, result.style_weights), start=1)
        ]
    inputs = len(tiles)
    outputs = [*result.runs.values(), *([result.baseline] if result.baseline is not None else [])]
    tiles += [(_label(run), run.image) for run in outputs]
    widths = [_width(img) for _, img in tiles]
    width = sum(widths) + PAD * (len(tiles) + 1)
    yardstick_lines = math.ceil(len(YARDSTICKS) / 2)
    legend_lines = 1 + sum(y.of_image for y in YARDSTICKS.values())
    below = max(PLOT_HEIGHT + 6 + 15 * yardstick_lines, LEGEND_TOP + 14 * legend_lines)
    title_lines = _wrap(title, small, max(width, 600) - 2 * PAD)
    head = TITLE_LINE * len(title_lines) + 9
    height = PAD + head + 22 + TILE + PAD + below + PAD
    sheet = Image.new("RGB", (max(width, 600), height), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    for i, line in enumerate(title_lines):
        draw.text((PAD, PAD + TITLE_LINE * i), line, fill=INK, font=small)
    x, top = PAD, PAD + head
    for (label, image), w in zip(tiles, widths):
        draw.text((x, top), label, fill=INK, font=font)
        sheet.paste(Image.fromarray(to_uint8(resize(image, (TILE, w)))), (x, top + 22))
        x += w + PAD
    x = PAD + sum(widths[:inputs]) + inputs * PAD
    plot_top = top + 22 + TILE + PAD
    _legend(draw, (PAD, plot_top), small, result.settings)
    for run, w in zip(outputs, widths[inputs:]):
        _plot(draw, (x, plot_top, x + w, plot_top + PLOT_HEIGHT), run.history, small, result.settings)
        _yardsticks(draw, (x, plot_top + PLOT_HEIGHT + 6), run.metrics, small)
        x += w + PAD
    return sheet


def _wrap(text: str, font, room: float) -> list[str]:
    """`text`'s parts (split at TITLE_SEPARATOR) on as few lines as fit in `room` px; a part longer
    than that has a line of its own."""
    lines: list[str] = []
    for part in text.split(TITLE_SEPARATOR):
        joined = f"{lines[-1]}{TITLE_SEPARATOR}{part}" if lines else part
        if lines and font.getlength(joined) <= room:
            lines[-1] = joined
        else:
            lines.append(part)
    return lines


def _width(image: np.ndarray) -> int:
    return max(1, round(TILE * image.shape[1] / image.shape[0]))


def _label(run) -> str:
    if run.loss == BASELINE_NAME:
        return f"{BASELINE_LABEL}, {run.seconds:.1f} s"
    state = "" if run.complete else (" (stopped: non-finite)" if run.error else " (partial)")
    return f"{run.loss}{state}"


def _series(history, settings) -> dict[str, list[float]]:
    """Weighted terms per iteration, as the optimizer sees them."""
    return {
        "total": [e.total for e in history],
        "content": [settings.content_weight * e.content for e in history],
        "style": [settings.style_weight * e.style for e in history],
        "tv": [settings.tv_weight * e.tv for e in history],
    }


def _plot(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], history, font, settings) -> None:
    """Log-scale curves of the weighted terms against the iteration; the axis spans at most 4 decades
    (a content term starting at 0 would otherwise squash every curve)."""
    left, top, right, bottom = box
    draw.rectangle(box, outline=(180, 180, 180))
    series = _series(history, settings)
    values = [v for name, _ in CURVES for v in series[name] if v > 0 and math.isfinite(v)]
    if len(history) < 2 or not values:
        draw.text((left + 6, top + 6), "one pass: no curve" if not history else "no curve yet", fill=INK, font=font)
        return
    high = math.log10(max(values)) + 0.05
    low = max(math.log10(min(values)), high - 4.0) - 0.05
    last = max(1, history[-1].iteration)

    def y(v: float) -> float:
        return bottom - (bottom - top) * (max(math.log10(v), low) - low) / (high - low)

    for name, color in CURVES:
        points = [
            (left + (right - left) * e.iteration / last, y(v))
            for e, v in zip(history, series[name])
            if v > 0 and math.isfinite(v)
        ]
        if len(points) > 1:
            draw.line(points, fill=color, width=2)
    draw.text((right - 4, top + 2), f"{10**high:.2g}", fill=INK, font=font, anchor="ra")
    draw.text((right - 4, bottom - 2), f"{10**low:.2g}", fill=INK, font=font, anchor="rd")
    draw.text((left + 4, bottom - 2), f"iteration 0-{last}, log scale", fill=(110, 110, 110), font=font, anchor="ld")


def _legend(draw: ImageDraw.ImageDraw, at: tuple[int, int], font, settings) -> None:
    x, y = at
    draw.text((x, y), "curves: weighted terms", fill=INK, font=font)
    for i, (name, color) in enumerate(CURVES):
        draw.line([(x, y + 24 + 16 * i), (x + 24, y + 24 + 16 * i)], fill=color, width=3)
        draw.text((x + 30, y + 17 + 16 * i), name, fill=INK, font=font)
    notes = ["yardsticks (same for every loss):"]
    notes += [f"{y.short_label}: {y.label}, {y.better} better" for y in YARDSTICKS.values() if y.of_image]
    for i, line in enumerate(notes):
        draw.text((x, y + LEGEND_TOP + 14 * i), line, fill=INK, font=font)


def _yardsticks(draw: ImageDraw.ImageDraw, at: tuple[int, int], metrics: dict[str, float], font) -> None:
    if not metrics:
        return
    x, y = at
    shown = [
        f"{ys.short_label} {ys.show(metrics[name])}"
        for name, ys in YARDSTICKS.items()
        if name in metrics and math.isfinite(metrics[name])
    ]
    lines = ["   ".join(shown[i : i + 2]) for i in range(0, len(shown), 2)]
    for i, line in enumerate(lines):
        draw.text((x, y + 15 * i), line, fill=INK, font=font)
