"""A study's files: study.csv (every paired test), study.md (design, conclusions, tables, plots, time),
and one plot per yardstick (study-<yardstick>.png)."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import numpy as np

from nst.backbone.weights import WeightsInfo
from nst.metrics import IMAGE_YARDSTICKS, YARDSTICKS
from nst.study import sections
from nst.study.analysis import Analysis, analyse, sentence
from nst.study.design import Study, arm_loss
from nst.study.inference import BOOTSTRAP_RESAMPLES, EQUAL_WEIGHT, PairedTest

CSV_COLUMNS = [field.name for field in dataclasses.fields(PairedTest)] + ["significant", "own_measure_of_loss"]


def write(study: Study, out: Path) -> tuple[list[Path], Analysis]:
    analysis = analyse(study, out)
    paths = [out / "study.csv", out / "study.md"]
    _write_csv(analysis, paths[0])
    plots = [_plot(analysis, study, name, out / f"study-{name}.png") for name in IMAGE_YARDSTICKS]
    plots += sections.front_plots(study, analysis, out)
    paths[1].write_text(markdown(study, analysis, out, [p.name for p in plots]))
    return paths + plots, analysis


def summary(study: Study, analysis: Analysis) -> str:
    """The conclusions against the baseline, one line each, as printed by `nst study`."""
    lines = [
        f"{analysis.units_used} of {study.units} units used"
        + (f" ({len(analysis.failed_runs)} left out: a run failed)" if analysis.failed_runs else "")
    ]
    lines += ["primary question:"] + [sentence(t) for t in analysis.primary()]
    lines += ["equal weight, each loss against the first:"]
    lines += [sentence(t) for t in analysis.tests if t.baseline == study.arms[0] and t.comparison == EQUAL_WEIGHT]
    return "\n".join(lines)


def _write_csv(analysis: Analysis, path: Path) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_COLUMNS)
        for test in analysis.tests:
            own = arm_loss(test.loss) in YARDSTICKS[test.yardstick].optimised_by
            writer.writerow([_cell(getattr(test, name)) for name in CSV_COLUMNS[:-2]] + [test.significant, own])


def _cell(value: object) -> object:
    return f"{value:.6g}" if isinstance(value, float) else value


def markdown(study: Study, analysis: Analysis, out: Path, plots: list[str]) -> str:
    baseline = study.arms[0]
    lines = [
        f"# Study: {', '.join(study.arms)} over {study.units} units",
        "",
        *_design(study, analysis, out),
        "",
        *sections.primary(study, analysis),
        "",
        "## Conclusions (each loss against " + f"{baseline}, exploratory)",
        "",
    ]
    for name in IMAGE_YARDSTICKS:
        lines += [f"- {sentence(t)}" for t in analysis.tests if t.yardstick == name and t.baseline == baseline]
    lines += ["", *sections.weight_against_matched(study, analysis)]
    flagged = [arm for arm in study.arms[1:] if analysis.own_measure_only(arm, baseline)]
    flagged += [
        f"{baseline} (against {other})" for other in study.arms[1:] if analysis.own_measure_only(baseline, other)
    ]
    lines += [
        "",
        "Wins only on its own measure (better only on yardsticks that loss optimises): "
        + (", ".join(flagged) or "none")
        + ".",
    ]
    lines += [
        "",
        "## Every pair of losses",
        "",
        *_table(analysis.tests),
        "",
        "## Where the variance comes from",
        "",
        *_variance(analysis),
        "",
        "## Plots",
        "",
    ]
    lines += [f"![{name}]({name})" for name in plots] + ["", "Contact sheet: [contact.png](contact.png)", ""]
    lines += ["## Method", "", *_method(), "", "## Time", "", *_time(study, out)]
    return "\n".join(lines) + "\n"


def _design(study: Study, analysis: Analysis, out: Path) -> list[str]:
    s, weights, judge = study.settings, _weights(study, out), _judge(study, out)
    lines = [
        f"- contents ({len(study.contents)}): {', '.join(p.name for p in study.contents)}",
        f"- styles ({len(study.styles)}): {', '.join(p.name for p in study.styles)}",
        f"- compared: {', '.join(study.arms)} (baseline {study.arms[0]}); seeds: {', '.join(map(str, study.seeds))}",
        f"- backbone: {', '.join(study.backbones)}; smoothing {s.smoothing}"
        + (" (auto: each backbone's own)" if s.smoothing == "auto" else ""),
        f"- settings: {s.size} px, preset {s.preset}, {s.optimizer} x {s.iterations} ({s.schedule}), init {s.init}, "
        f"weights content/style/TV {s.content_weight:g}/{s.style_weight:g}/{s.tv_weight:g}, precision {s.precision}",
        f"- backbone weights: {weights}",
        f"- the yardsticks' judge: VGG16, {judge}",
        *sections.independence(study),
        f"- units used: {analysis.units_used} of {study.units}"
        + (f"; left out (a run failed): {', '.join(analysis.failed_runs)}" if analysis.failed_runs else ""),
    ]
    return lines + ([f"- {study.seed_note}"] if study.seed_note else [])


def _weights(study: Study, out: Path) -> str:
    """Each backbone's weights, as its first finished run recorded them."""
    found = {backbone: _shown(record) for backbone, record in _records(study, out, "weights").items()}
    if not found:
        return "unknown (no run finished)"
    return found[study.backbones[0]] if len(found) == 1 else "; ".join(f"{b}: {w}" for b, w in found.items())


def _judge(study: Study, out: Path) -> str:
    """The weights of the judge's VGG16, as the first finished run recorded them."""
    records = list(_records(study, out, "judge").values())
    return _shown(records[0]) if records else "not recorded (runs made before the judge's weights were)"


def _records(study: Study, out: Path, key: str) -> dict[str, dict]:
    """Backbone -> the `key` record (weights, judge) of config.json of its first finished run that has one."""
    found: dict[str, dict] = {}
    for run in study.grid.runs:
        try:
            record = json.loads((out / run.name / "config.json").read_text())[key]
        except (OSError, ValueError, KeyError):
            continue
        if record:
            found.setdefault(run.settings.backbone, record)
    return found


def _shown(record: dict) -> str:
    """A weights record as one line: name, origin, SHA-256, terms (one made before origins were kept:
    name and SHA-256)."""
    if "origin" not in record:
        return f"{record['name']} (sha256 {record['sha256'][:16]}...)"
    info = WeightsInfo(**record)
    return info.describe() + (f"; {info.terms}" if info.terms else "")


def _table(tests: list[PairedTest]) -> list[str]:
    header = (
        "| yardstick | comparison | family | loss | vs | n | crossed mean | crossed 95% CI | two-way CI | crossed p | "
        "Holm p | median (naive) | naive CI | wins/ties/losses | Wilcoxon p |"
    )
    lines = [header, "|" + "---|" * 15]
    for t in tests:
        ratio = YARDSTICKS[t.yardstick].paired == "ratio"
        show = lambda v, ratio=ratio: f"{v:.3g}x" if ratio else f"{v:+.3g}"  # noqa: E731
        span = lambda lo, hi, show=show: f"{show(lo)} to {show(hi)}"  # noqa: E731
        mark = " **" if t.significant else ""
        lines.append(
            f"| {YARDSTICKS[t.yardstick].label} | {t.comparison} | {t.family} | {t.loss} | {t.baseline} | {t.n} | "
            f"{show(t.crossed_effect)} | {span(t.crossed_low, t.crossed_high)} | {span(t.twoway_low, t.twoway_high)} | "
            f"{t.p_crossed:.2g} | {t.p_holm:.2g}{mark} | {show(t.effect)} | {span(t.low, t.high)} | "
            f"{t.wins}/{t.ties}/{t.losses} | {t.p:.2g} |"
        )
    return lines


def _variance(analysis: Analysis) -> list[str]:
    lines = [
        "Shares of each yardstick's sum of squares explained by the style image, the content image and the "
        "loss (main effects of the balanced units x losses design; log scale for ratio yardsticks; "
        "residual: interactions and noise).",
        "",
        "| yardstick | style | content | loss | residual |",
        "|---|---|---|---|---|",
    ]
    for name, shares in analysis.variance.items():
        cells = " | ".join(f"{100 * shares[k]:.0f}%" for k in ("style", "content", "loss", "residual"))
        lines.append(f"| {YARDSTICKS[name].label} | {cells} |")
    return lines


def _method() -> list[str]:
    return sections.method() + [
        "- Paired per unit (content x style x seed): ratio yardsticks as log(a/b), reported as the median ratio; "
        "SSIM and the colour distance as the difference a - b.",
        f"- 95% interval: percentile bootstrap of the median, {BOOTSTRAP_RESAMPLES} resamples, seeded.",
        "- Wilcoxon p: two-sided signed-rank test (zero differences dropped), naive.",
        "- rank-biserial: matched pairs, positive when the first loss is better by the yardstick's direction.",
        "- own measures (gatys preset): "
        + "; ".join(f"{y.label}: {', '.join(y.optimised_by)}" for y in YARDSTICKS.values() if y.optimised_by)
        + "; "
        + ", ".join(y.label for y in YARDSTICKS.values() if y.of_image and not y.optimised_by)
        + " are optimised by no loss.",
    ]


def _time(study: Study, out: Path) -> list[str]:
    records = []
    for run in study.grid.runs:
        try:
            records.append(json.loads((out / run.name / "run.json").read_text()))
        except (OSError, ValueError):
            continue
    done = [r for r in records if "seconds_runs" in r]
    if not done:
        return ["No timing recorded."]
    wall = max(r["finished"] for r in done) - min(r["started"] for r in done)
    runs, scoring = sum(r["seconds_runs"] for r in done), sum(r["seconds_scoring"] for r in done)
    workers = len({r["worker"] for r in done})
    loads = max(r.get("model_loads", 0) for r in done)
    return [
        f"- {len(done)} comparisons by {workers} worker process(es), {wall / 60:.1f} min from the first start "
        f"to the last finish ({3600 * len(done) / wall:.0f} comparisons per hour)",
        f"- runs (model load, targets, iterations): {runs / 60:.1f} min of worker time; scoring the outputs: "
        f"{scoring / 60:.1f} min ({100 * scoring / runs:.1f}% of the runs' time); at most {loads} model "
        "load(s) per worker process",
    ]


def _plot(analysis: Analysis, study: Study, name: str, path: Path) -> Path:
    """Every unit's paired ratio (log axis) or difference against the baseline, one column per loss, with
    the median and its 95% interval."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    y, baseline = YARDSTICKS[name], study.arms[0]
    tests = {
        t.loss: t
        for t in analysis.tests
        if t.yardstick == name and t.baseline == baseline and t.comparison == EQUAL_WEIGHT
    }
    figure, axis = plt.subplots(figsize=(1.6 + 1.3 * len(tests), 3.6), constrained_layout=True)
    values = analysis.values[name]
    for x, (loss, test) in enumerate(tests.items()):
        units = sorted(values[loss])
        a, b = np.array([values[loss][u] for u in units]), np.array([values[baseline][u] for u in units])
        points = a / b if y.paired == "ratio" else a - b
        jitter = np.random.default_rng(x).uniform(-0.15, 0.15, len(points))
        axis.scatter(x + jitter, points, s=12, alpha=0.6, color="tab:blue")
        axis.errorbar(
            x + 0.3,
            test.effect,
            yerr=[[test.effect - test.low], [test.high - test.effect]],
            fmt="o",
            color="black",
            capsize=4,
        )
    axis.axhline(1.0 if y.paired == "ratio" else 0.0, color="gray", linestyle="--", linewidth=1)
    if y.paired == "ratio":
        axis.set_yscale("log")
    axis.set_xticks(range(len(tests)), list(tests), rotation=20)
    what = "ratio" if y.paired == "ratio" else "difference"
    axis.set_title(
        f"{y.label}: {what} to {baseline} per unit\n({y.better} is better; black: median, 95% CI)", fontsize=9
    )
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
