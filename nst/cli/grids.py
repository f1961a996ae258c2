"""nst sweep and nst study: grids of comparisons on Ray, with a progress bar; Ctrl-C keeps what finished."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nst.cli.flags import add_losses, add_settings, settings_from
from nst.cli.terminal import EXIT_INTERRUPTED, progress_bar, warn_emulated


def register(commands) -> None:
    sweep = commands.add_parser("sweep", help="run a grid of comparisons on Ray (this machine or a cluster)")
    sweep.add_argument("grid", help="TOML file: images, losses and settings, each one value or a list")
    sweep.add_argument("--out", required=True, metavar="DIR", help="folder for every run's artifacts and the tables")
    _add_ray_options(sweep)
    sweep.set_defaults(command=_sweep)
    study = commands.add_parser("study", help="every content x style comparison, then paired statistics per loss")
    study.add_argument("--contents", nargs="+", required=True, metavar="PATH", help="content images or folders")
    study.add_argument("--styles", nargs="+", required=True, metavar="PATH", help="style images or folders")
    add_losses(study, "at least 2; the first is the baseline")
    study.add_argument("--out", required=True, metavar="DIR", help="folder: every run, results.csv, study.md, ...")
    study.add_argument("--seeds", type=int, default=1, metavar="N", help="seeds per image pair (init noise; 1)")
    study.add_argument(
        "--backbones",
        metavar="LIST",
        help="comma-separated: compare these backbones, each "
        "with every loss (arms loss@backbone; the first is the baseline); default: --backbone's",
    )
    study.add_argument(
        "--style-weights",
        metavar="LIST",
        help="comma-separated, at least 3 with --style-weight's: run the front losses at each, for trade-off fronts "
        "and comparisons at matched content distance (docs/study-answer.md)",
    )
    study.add_argument(
        "--front-losses", metavar="LIST", help="comma-separated: the losses run at every --style-weights (all)"
    )
    _add_ray_options(study)
    add_settings(study)
    study.set_defaults(command=_study)


def _add_ray_options(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add(
        "--address",
        metavar="ADDRESS",
        help="join this Ray cluster (e.g. ray://head:10001, auto); default: start Ray on this machine",
    )
    add("--workers", type=int, metavar="N", help="runs at once (default: CPUs / --cpus-per-run)")
    add("--cpus-per-run", type=float, default=1.0, metavar="N", help="CPUs each run asks for (1)")
    add("--gpus-per-run", type=float, default=0.0, metavar="N", help="GPUs each run asks for (0)")
    add("--quiet", action="store_true", help="no progress bar")


def _sweep(args: argparse.Namespace) -> int:
    from nst.sweep.grid import load_grid

    grid = load_grid(args.grid)
    warn_emulated({run.settings.precision for run in grid.runs})
    return _run_grid(args, grid)


def _study(args: argparse.Namespace) -> int:
    from nst.study import design, writeup

    backbones = _items(args.backbones)
    weights = _numbers(args.style_weights, "--style-weights")
    study = design.design(
        args.contents,
        args.styles,
        args.losses,
        settings_from(args),
        args.seeds,
        args.out,
        backbones,
        weights,
        _items(args.front_losses),
    )
    if study.seed_note:
        print(f"nst: {study.seed_note}", file=sys.stderr)
    warn_emulated({study.settings.precision})
    status = _run_grid(args, study.grid)
    if status == 0:
        paths, analysis = writeup.write(study, Path(args.out))
        print(writeup.summary(study, analysis))
        print(f"wrote {', '.join(p.name for p in paths[:2])} and {len(paths) - 2} plots to {args.out}")
    return status


def _items(text: str | None) -> tuple[str, ...]:
    return tuple(item.strip() for item in (text or "").split(",") if item.strip())


def _numbers(text: str | None, flag: str) -> tuple[float, ...]:
    from nst.errors import SettingError

    try:
        return tuple(float(item) for item in _items(text))
    except ValueError:
        raise SettingError(f"{flag}: give comma-separated numbers, e.g. 1,3,10,30,100; got {text}") from None


def _run_grid(args: argparse.Namespace, grid) -> int:
    """Runs a grid's comparisons on Ray with a progress bar; Ctrl-C cancels, keeps what finished (130)."""
    from nst.sweep.runner import Sweep

    job = Sweep(grid, args.out, args.address, args.workers, args.cpus_per_run, args.gpus_per_run)
    if not args.quiet:
        print(
            f"nst: {len(grid.runs)} runs ({job.skipped} already complete) x {len(grid.runs[0].losses)} losses; "
            f"varied: {', '.join(grid.varied) or 'nothing'}",
            file=sys.stderr,
        )
    bar = None if args.quiet else progress_bar(len(grid.runs), "runs", initial=job.skipped)
    interrupted, last = False, None
    try:
        for last in job.events():
            if bar:
                bar.n = last.skipped + last.done
                bar.set_postfix_str(f"{last.running} running, {last.failed} failed", refresh=True)
    except KeyboardInterrupt:
        interrupted = True
    paths = job.close()
    if bar:
        bar.close()
    if last is not None:
        print(_sweep_line(last))
    print(
        f"wrote {', '.join(p.name for p in paths)} to {args.out}"
        + (" (interrupted: run again to resume)" if interrupted else "")
    )
    return EXIT_INTERRUPTED if interrupted else 0


def _sweep_line(progress) -> str:
    finished = progress.skipped + progress.done
    return (
        f"runs {finished}/{progress.total} done ({progress.skipped} earlier), {progress.running} running, "
        f"{progress.failed} failed, {progress.seconds:.0f} s"
    )
