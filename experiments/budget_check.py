"""Does the bundled study's answer depend on its iterations' cap? The study's primary question (mae against
mse at matched content distance, on the judges no run optimises) asked again on a subset of its units with
four times the iterations, and the answers at the two caps side by side, on the same units.

The subset: 3 photos x 3 paintings, mse and mae at the study's three style weights, every other setting the
study's (96 px, tolerance 0.01), but a cap of 160 iterations instead of 40 and no feed-forward baseline. The
runs are an ordinary `nst study` (resumable: run again to finish):

  nst study --contents <3 photos> --styles <3 paintings> --losses mse,mae --style-weights 1,100 \\
    --front-losses mse,mae --baseline none --size 96 --iterations 160 --tolerance 0.01 --out <longer>

python experiments/budget_check.py [--study docs/study] [--longer docs/study-budget] [--write docs/study-budget.md]
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PHOTOS = ("chelsea.png", "coffee.png", "astronaut.png")
PAINTINGS = ("starry_night.jpg", "the_scream.jpg", "great_wave_hokusai.jpg")
LONGER = 160
COMMON = {"size": 96, "tolerance": 0.01, "baseline": "none"}


def _images() -> tuple[list[str], list[str]]:
    photos = [str(ROOT / "assets" / "content" / name) for name in PHOTOS]
    return photos, [str(ROOT / "assets" / "style" / name) for name in PAINTINGS]


def run_longer(out: Path) -> None:
    """The longer-cap runs (nst study skips those already finished)."""
    photos, paintings = _images()
    command = [sys.executable, "-m", "nst", "study", "--contents", *photos, "--styles", *paintings]
    command += ["--losses", "mse,mae", "--style-weights", "1,100", "--front-losses", "mse,mae", "--quiet"]
    command += ["--baseline", "none", "--size", "96", "--iterations", str(LONGER), "--tolerance", "0.01"]
    subprocess.run([*command, "--out", str(out)], check=True, cwd=ROOT)


def analysed(folder: Path, iterations: int):
    """(Study, Analysis) of the subset's units in `folder`, at that cap."""
    from nst.settings import Settings
    from nst.study.analysis import analyse
    from nst.study.design import design

    photos, paintings = _images()
    settings = Settings().replace(iterations=iterations, **COMMON)
    study = design(photos, paintings, "mse,mae", settings, 1, folder, (), (1.0, 100.0), "mse,mae")
    return study, analyse(study, folder)


def still_falling(folder: Path, study) -> float:
    """Median over the runs at the study's own weight (whose history.csv is shipped) of the objective's
    relative fall over each run's last 10 iterations."""
    falls = []
    for run in (r for r in study.grid.runs if study.at_default_weight(r.name)):
        rows = list(csv.DictReader((folder / run.name / "history.csv").open()))
        for loss in ("mse", "mae"):
            total = [float(r["total"]) for r in rows if r["loss"] == loss]
            if len(total) > 10:
                falls.append((total[-11] - total[-1]) / abs(total[-11]))
    return float(np.median(falls))


def report(study_dir: Path, longer: Path) -> str:
    from nst.metrics import YARDSTICKS
    from nst.study.analysis import sentence

    caps = {}
    for folder, iterations in ((study_dir, 40), (longer, LONGER)):
        study, analysis = analysed(folder, iterations)
        caps[iterations] = (study, analysis, still_falling(folder, study))
    lines = [
        "# Does the study's answer depend on its iterations' cap?",
        "",
        f"The bundled study (docs/study) caps every run at 40 iterations (tolerance 0.01) and almost no run "
        f"converges by then. Here its primary question is asked again on {len(PHOTOS)} of its photos x "
        f"{len(PAINTINGS)} of its paintings ({', '.join(p.split('.')[0] for p in PHOTOS)} x "
        f"{', '.join(p.split('.')[0] for p in PAINTINGS)}), with mse and mae at the study's style weights 1, 10 "
        f"and 100 and a cap of {LONGER} iterations; everything else as in the study (96 px, ImageNet VGG16).",
        "",
        "Reproduce: `python experiments/budget_check.py --write docs/study-budget.md` (it runs the longer cap's "
        "study first if it is not there).",
        "",
        "| | cap 40 | cap 160 |",
        "|---|---|---|",
    ]
    converged = lambda a: ", ".join(f"{loss} {c} of {n}" for loss, (c, n) in a.converged.items())  # noqa: E731
    lines.append(f"| runs converged before the cap | {converged(caps[40][1])} | {converged(caps[LONGER][1])} |")
    lines.append(
        f"| median fall of the objective over the last 10 iterations | {caps[40][2]:.1%} | {caps[LONGER][2]:.1%} |"
    )
    for comparison, tests in (("matched content", _primary), ("equal weight", _equal_weight)):
        for test40 in tests(caps[40][1]):
            match = [t for t in tests(caps[LONGER][1]) if t.yardstick == test40.yardstick]
            label = f"mae / mse, {YARDSTICKS[test40.yardstick].label} at {comparison}"
            lines.append(f"| {label} | " + " | ".join(_cell(t) for t in (test40, *match)) + " |")
    lines += [
        "",
        "Each cell: the crossed model's mean ratio (photo and painting random effects) with its 95% interval, the "
        "units where mae's value is the lower, and the crossed p before Holm's correction.",
    ]
    lines += ["", "The primary tests in full (Holm within the three):", ""]
    for iterations, (_, analysis, _) in caps.items():
        lines += [f"Cap {iterations}:", ""] + [f"- {sentence(t)}" for t in analysis.primary()] + [""]
    return "\n".join(lines)


def _primary(analysis) -> list:
    return analysis.primary()


def _equal_weight(analysis) -> list:
    shown = ("content_distance", "style_swd", "color_swd", "style_embedding")
    return [
        t
        for t in analysis.tests
        if t.comparison == "equal weight" and (t.loss, t.baseline) == ("mae", "mse") and t.yardstick in shown
    ]


def _cell(test) -> str:
    from nst.metrics import YARDSTICKS

    lower = test.wins if YARDSTICKS[test.yardstick].better == "lower" else test.losses
    if not np.isfinite(test.crossed_effect):
        return f"median {test.effect:.2f}x, lower on {lower} of {test.n}"
    interval = f"95% CI {test.crossed_low:.2f}-{test.crossed_high:.2f}x"
    return f"{test.crossed_effect:.2f}x ({interval}), lower on {lower} of {test.n}, p = {test.p_crossed:.2g}"


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--study", type=Path, default=ROOT / "docs" / "study")
    parser.add_argument("--longer", type=Path, default=ROOT / "docs" / "study-budget")
    parser.add_argument("--write", type=Path, help="write the report there (else print it)")
    args = parser.parse_args(argv)
    if not (args.longer / "study.md").exists():
        run_longer(args.longer)
    text = report(args.study, args.longer)
    if args.write:
        args.write.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main(sys.argv[1:])
