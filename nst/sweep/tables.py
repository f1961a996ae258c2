"""A sweep's tables, rebuilt from the run folders on disk: results.csv, summary.png and contact.png."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from nst.baseline import NAME as BASELINE
from nst.losses.catalogue import dial, file_stem
from nst.metrics import IMAGE_YARDSTICKS, YARDSTICKS
from nst.sweep.grid import SETTING_KEYS, Grid, RunSpec

RUN_COLUMNS = ("run", "status", "error", "content", "style", "mask", *SETTING_KEYS)
ROW_COLUMNS = ("loss", "loss_status", "loss_error", *YARDSTICKS, "iterations", "converged", "final_total")
TIME_COLUMNS = ("started", "finished", "worker", "model_loads", "seconds_runs", "seconds_scoring")
COLUMNS = RUN_COLUMNS + ROW_COLUMNS + TIME_COLUMNS
THUMB = 128  # px, the height of a contact sheet tile
PAD = 8


def write_tables(grid: Grid, out: Path) -> list[Path]:
    rows = result_rows(grid, out)
    paths = [out / "results.csv", out / "summary.png", out / "contact.png"]
    _write_csv(rows, paths[0])
    figure = summary_figure(rows, grid.varied)
    figure.savefig(paths[1], dpi=100)
    _close(figure)  # pyplot keeps a figure alive until it is closed
    contact_sheet(grid, out).save(paths[2])
    return paths


def result_rows(grid: Grid, out: Path) -> list[dict[str, object]]:
    """One row per run and loss, in grid order; runs never started are left out."""
    rows = []
    for spec in grid.runs:
        record = _record(out / spec.name)
        if record is None:
            continue
        base = {
            "run": spec.name,
            "status": record["status"],
            "error": record["error"],
            "content": str(spec.content),
            "style": "+".join(map(str, spec.style_paths)),
            "mask": "+".join(map(str, spec.masks)),
            **_settings(spec),
        }
        times = {key: record.get(key) for key in TIME_COLUMNS}
        for row in record["rows"] or [{"loss": loss} for loss in spec.losses]:
            loss_row = {
                "loss": row["loss"],
                "loss_status": row.get("status", record["status"]),
                "loss_error": row.get("error", record["error"]),
            }
            loss_row.update({key: row.get(key) for key in ROW_COLUMNS[3:]})
            rows.append({**base, **loss_row, **times})
    return rows


REPLICATES = {"content", "style", "seed"}


def summary_figure(rows: list[dict[str, object]], varied: list[str]):
    """For each varied setting (a row of plots), each image yardstick (a column): its mean per value,
    one line per loss. With nothing varied, one row: each loss's mean. When three or more losses differ in
    one parameter (robust's alpha) and only images or seeds vary, one row: the yardsticks against it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    done = [row for row in rows if row["loss_status"] == "complete"]
    losses = list(dict.fromkeys(row["loss"] for row in done))
    dialled = dial([loss for loss in losses if loss != BASELINE])  # the feed-forward baseline is no loss
    if dialled and set(varied) <= REPLICATES:  # image pairs and seeds repeat the dial: means over them
        return _dial_figure(done, *dialled, plt)
    keys = varied or [None]
    figure, axes = plt.subplots(
        len(keys),
        len(IMAGE_YARDSTICKS),
        figsize=(4 * len(IMAGE_YARDSTICKS), 3 * len(keys)),
        squeeze=False,
        constrained_layout=True,
    )
    for axis_row, key in zip(axes, keys):
        values = list(dict.fromkeys(_value(row, key) for row in done)) or ["-"]
        for axis, name in zip(axis_row, IMAGE_YARDSTICKS):
            for loss in losses:
                means = [_mean(done, loss, key, value, name) for value in values]
                axis.plot(range(len(values)), means, marker="o", label=loss)
            axis.set_xticks(range(len(values)), values, rotation=20 if len(values) > 4 else 0)
            axis.set_xlabel(key or "all runs")
            _label_axis(axis, name)
    axes[0][0].legend(fontsize=8)
    if not done:
        figure.suptitle("no run has completed yet")
    return figure


def contact_sheet(grid: Grid, out: Path) -> Image.Image:
    """A row per run (named above it): its content, its style and each loss's output, thumbnail size;
    a grey frame where a run has no image (failed or not run)."""
    font = ImageFont.load_default(size=12)
    losses = list(dict.fromkeys(loss for spec in grid.runs for loss in spec.losses))
    columns = ["content", "style", *losses]
    rows = [
        [_thumbnail(spec.content), _thumbnail(spec.style)]
        + [_thumbnail(out / spec.name / f"{file_stem(loss)}.png") for loss in losses]
        for spec in grid.runs
    ]
    widths = [max([row[i].width for row in rows if row[i]] + [THUMB // 2]) for i in range(len(columns))]
    heights = [max([tile.height for tile in row if tile] + [THUMB // 2]) for row in rows]
    lefts = [PAD + sum(widths[:i]) + PAD * i for i in range(len(columns))]
    width = max(lefts[-1] + widths[-1] + PAD, max((len(spec.name) * 7 for spec in grid.runs), default=0) + 2 * PAD)
    sheet = Image.new("RGB", (width, 24 + sum(h + 22 for h in heights) + PAD), "white")
    draw = ImageDraw.Draw(sheet)
    for left, name in zip(lefts, columns):
        draw.text((left, 6), name, fill="black", font=font)
    top = 24
    for spec, row, height in zip(grid.runs, rows, heights):
        draw.text((PAD, top), spec.name, fill="black", font=font)
        for left, w, tile in zip(lefts, widths, row):
            if tile is None:
                draw.rectangle((left, top + 18, left + w - 1, top + 18 + height - 1), outline="gray")
            else:
                sheet.paste(tile, (left, top + 18))
        top += height + 22
    return sheet


def _close(figure) -> None:
    import matplotlib.pyplot as plt

    plt.close(figure)


def saved_rows(grid: Grid, out: Path) -> list[dict[str, object]]:
    """The grid's rows as results.csv saved them, in grid order (text values; a repeated column, as
    "iterations" of the settings and of the run, keeps the run's): a bundled study, whose run folders lost
    their run.json, is analysed from these. [] without results.csv."""
    try:
        with (out / "results.csv").open(newline="") as f:
            saved = list(csv.DictReader(f))
    except OSError:
        return []
    order = {spec.name: n for n, spec in enumerate(grid.runs)}
    return sorted((row for row in saved if row["run"] in order), key=lambda row: order[row["run"]])


def _record(folder: Path) -> dict | None:
    try:
        return json.loads((folder / "run.json").read_text())
    except (OSError, ValueError):
        return None


def _settings(spec: RunSpec) -> dict[str, object]:
    values = spec.settings.as_dict()
    return {key: ",".join(map(str, v)) if isinstance(v := values[key], tuple) else v for key in SETTING_KEYS}


def _value(row: dict[str, object], key: str | None) -> str:
    if key is None:
        return "all"
    value = row[key] if key in row else None
    if key in ("content", "style", "mask"):
        value = "+".join(Path(part).stem for part in str(value).split("+"))
    return f"{value:g}" if isinstance(value, float) else str(value)


def _dial_figure(done: list[dict], label: str, dialled: list[tuple[str, float]], plt):
    """Each image yardstick's mean against the dial's value (robust's alpha: mse-like at 2, mae-like at 1),
    one point per value in the grid's order; every other loss of the grid as a dashed level for reference."""
    figure, axes = plt.subplots(
        1, len(IMAGE_YARDSTICKS), figsize=(4 * len(IMAGE_YARDSTICKS), 3.2), squeeze=False, constrained_layout=True
    )
    names = [name for name, _ in dialled]
    others = [loss for loss in dict.fromkeys(row["loss"] for row in done) if loss not in names]
    for axis, yardstick in zip(axes[0], IMAGE_YARDSTICKS):
        means = [_mean(done, name, None, "all", yardstick) for name in names]
        axis.plot(range(len(names)), means, marker="o", color="black", label=label)
        for index, loss in enumerate(others):
            axis.axhline(
                _mean(done, loss, None, "all", yardstick),
                linestyle=("--", ":", "-.")[index % 3],
                color=f"C{index}",
                label=loss,
            )
        axis.set_xticks(range(len(names)), [f"{value:g}" for _, value in dialled])
        axis.set_xlabel(label)
        _label_axis(axis, yardstick)
    axes[0][0].legend(fontsize=8)
    figure.suptitle(f"mean over {len({row['run'] for row in done})} runs", fontsize=10)
    return figure


def _label_axis(axis, yardstick: str) -> None:
    """A yardstick's plot: its label and better direction as the title, a log axis where it spans decades."""
    axis.set_title(f"{YARDSTICKS[yardstick].label} ({YARDSTICKS[yardstick].better} is better)", fontsize=10)
    if YARDSTICKS[yardstick].log_scale:
        axis.set_yscale("log")


def _mean(rows: list[dict], loss: str, key: str | None, value: str, name: str) -> float:
    found = [
        float(row[name])
        for row in rows
        if row["loss"] == loss and _value(row, key) == value and row.get(name) is not None
    ]
    return float(np.mean(found)) if found else float("nan")


def _thumbnail(path: Path) -> Image.Image | None:
    """The image scaled (up or down) to THUMB px high, at most 2 THUMB wide; None if unreadable."""
    try:
        with Image.open(path) as image:
            image = image.convert("RGB")
    except OSError:
        return None
    scale = min(THUMB / image.height, 2 * THUMB / image.width)
    return image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))))


def _write_csv(rows: list[dict[str, object]], path: Path) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: _cell(row.get(key)) for key in COLUMNS})


def _cell(value: object) -> object:
    if isinstance(value, float):
        return f"{value:.6g}"
    return "" if value is None else value
