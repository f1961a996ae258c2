"""`python -m nst` / `nst`: the command line, a thin shell over the package.

Only light modules are imported here, so `nst --help` answers at once; each command imports what it
needs (TensorFlow loads, quietly, when a command first computes: nst.runtime)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from nst import limits
from nst.budget import duration
from nst.errors import NSTError, SettingError
from nst.layers import PRESETS
from nst.losses import describe as describe_losses
from nst.networks import NETWORKS, SMOOTHINGS, describe_backbones
from nst.optimizers import OPTIMIZERS
from nst.precision import PRECISION_CHOICES, emulation_warning
from nst.registry import unknown_name_message
from nst.schedule import SCHEDULES
from nst.settings import COLORS, INITS, POOLINGS, STYLE_SCALES, Settings
from nst.speed.plan import SECTIONS as BENCH_SECTIONS

EXIT_BAD_INPUT, EXIT_INTERRUPTED = 2, 130
ASSETS = Path(__file__).resolve().parent.parent / "assets"  # the bundled samples: bench's default images


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not argparse's usage block
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.command(args)
    except NSTError as error:
        print(f"nst: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="nst", description="Neural style transfer on VGG16: compare loss functions side by side.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND", parser_class=_Parser)
    listing = commands.add_parser("losses", help="list the losses")
    listing.set_defaults(command=lambda a: print("\n".join(describe_losses())) or 0)
    presets = commands.add_parser("presets", help="list a backbone's layer presets")
    presets.add_argument("--backbone", default="vgg16", metavar="NAME", help="whose presets (default vgg16)")
    presets.set_defaults(command=lambda a: _list(NETWORKS.get(a.backbone).presets))
    backbones = commands.add_parser("backbones", help="list the backbones, their weights, presets and layers")
    backbones.add_argument("--layers", action="store_true", help="also list every layer a term may use")
    backbones.set_defaults(command=lambda a: print("\n".join(describe_backbones(a.layers))) or 0)
    limits_command = commands.add_parser("limits", help="list the limits on inputs and runs")
    limits_command.set_defaults(command=lambda a: print("\n".join(limits.describe())) or 0)
    compare = commands.add_parser("compare", help="run several losses under identical conditions")
    compare.add_argument(
        "--losses",
        default="mse,mae",
        metavar="LIST",
        help="comma-separated (default mse,mae), e.g. mse,swd+mae,robust:alpha=0.5; see nst losses",
    )
    compare.add_argument("--out", required=True, metavar="DIR", help="folder for the images, sheet, csv and json files")
    run = commands.add_parser("run", help="one style transfer, one image")
    run.add_argument("--loss", default="mse", metavar="NAME", help="the loss (default mse)")
    run.add_argument("--out", required=True, metavar="PNG", help="output PNG file")
    timing = commands.add_parser("bench", help="measure speed on this machine (docs/performance.md)")
    sections = ",".join(BENCH_SECTIONS)
    timing.add_argument(
        "--sections",
        default=sections,
        metavar="LIST",
        help=f"comma-separated, from {sections} (default all; the time each takes here is "
        "estimated and printed before it starts)",
    )
    timing.add_argument(
        "--quick",
        action="store_true",
        help="every section at small sizes and few steps: a smoke check (about a minute)",
    )
    timing.add_argument("--quiet", action="store_true", help="no progress bars: the estimate and the tables only")
    timing.add_argument(
        "--contenders",
        choices=("native", "float32"),
        default="native",
        help="native (default): bfloat16 races where this machine computes it natively; float32: "
        "as on a machine without (AVX2 only)",
    )
    timing.add_argument("--weights", default="auto", metavar="WEIGHTS", help="backbone weights (default auto)")
    timing.add_argument("--content", default=str(ASSETS / "content/chelsea.png"), metavar="IMAGE")
    timing.add_argument("--style", default=str(ASSETS / "style/starry_night.jpg"), metavar="IMAGE")
    timing.add_argument("--out", metavar="DIR", help="also write bench.md and the sections' images there")
    timing.set_defaults(command=_bench)
    sweep = commands.add_parser("sweep", help="run a grid of comparisons on Ray (this machine or a cluster)")
    sweep.add_argument("grid", help="TOML file: images, losses and settings, each one value or a list")
    sweep.add_argument("--out", required=True, metavar="DIR", help="folder for every run's artifacts and the tables")
    _add_ray_options(sweep)
    sweep.set_defaults(command=_sweep)
    study = commands.add_parser("study", help="every content x style comparison, then paired statistics per loss")
    study.add_argument("--contents", nargs="+", required=True, metavar="PATH", help="content images or folders")
    study.add_argument("--styles", nargs="+", required=True, metavar="PATH", help="style images or folders")
    study.add_argument(
        "--losses",
        default="mse,mae",
        metavar="LIST",
        help="comma-separated, at least 2; the first is the baseline (default mse,mae)",
    )
    study.add_argument("--out", required=True, metavar="DIR", help="folder: every run, results.csv, study.md, ...")
    study.add_argument("--seeds", type=int, default=1, metavar="N", help="seeds per image pair (init noise; 1)")
    study.add_argument(
        "--backbones",
        metavar="LIST",
        help="comma-separated: compare these backbones, each "
        "with every loss (arms loss@backbone; the first is the baseline); default: --backbone's",
    )
    _add_ray_options(study)
    _add_settings(study)
    study.set_defaults(command=_study)
    votes = commands.add_parser("votes", help="people's blind votes from the page, ranked (Bradley-Terry)")
    votes.add_argument(
        "--db",
        metavar="URL",
        help="database URL (default: NST_DATABASE_URL, else the SQLite file "
        "at NST_VOTES_DB, else votes.sqlite3 in the user's data folder)",
    )
    votes.add_argument("--csv", metavar="FILE", help="also write the ratings table as CSV")
    votes.add_argument("--export", metavar="FILE", help="also write every vote as CSV")
    votes.set_defaults(command=_votes)
    for sub, command in ((compare, _compare), (run, _run)):
        sub.add_argument("content", help="content image (PNG, JPEG, WebP, BMP, GIF, TIFF)")
        sub.add_argument(
            "style", nargs="+", help="style image; several are blended (--blend) or given a region each (--mask)"
        )
        sub.add_argument(
            "--mask",
            nargs="+",
            metavar="MASK",
            help="one greyscale image per style, resized "
            "to the content: white is where that style paints; what no mask covers keeps the "
            "content",
        )
        _add_settings(sub)
        sub.add_argument("--quiet", action="store_true", help="no progress bar")
        sub.set_defaults(command=command)
    return parser


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


def _add_settings(parser: argparse.ArgumentParser) -> None:
    d = Settings()
    add = parser.add_argument
    add(
        "--backbone",
        metavar="NAME",
        help=f"the network: {', '.join(NETWORKS.names())} (default {d.backbone}; see nst backbones)",
    )
    add(
        "--preset",
        metavar="NAME",
        help=f"layer preset: the backbone's, e.g. {', '.join(PRESETS.names())} for vgg16 (default {d.preset})",
    )
    add(
        "--content-layers",
        metavar="LAYERS",
        help="comma-separated layer names of the backbone, e.g. block4_conv2 (default: the preset's)",
    )
    add("--style-layers", metavar="LAYERS", help="comma-separated Keras layer names (default: the preset's)")
    add(
        "--weights",
        metavar="WEIGHTS",
        help=f"auto, imagenet, vgg16-hed (vgg16), random or a weights file (default {d.weights})",
    )
    add(
        "--smoothing",
        metavar="NAME",
        help=f"activation smoothing: auto, {', '.join(SMOOTHINGS)} (default "
        f"{d.smoothing}: softmax, Wang et al.'s SWAG, for residual and Inception backbones, none for VGG)",
    )
    add("--pooling", metavar="max|avg", help=f"{' or '.join(POOLINGS)} (default {d.pooling})")
    choices = ", ".join(PRECISION_CHOICES)
    add(
        "--precision",
        metavar="NAME",
        help=f"network arithmetic: {choices} (default {d.precision}: bfloat16 "
        "where the hardware computes it natively, else float32)",
    )
    add("--content-weight", type=float, metavar="W", help=f"normalised content term's weight ({d.content_weight:g})")
    add("--style-weight", type=float, metavar="W", help=f"normalised style term's weight (default {d.style_weight:g})")
    add(
        "--tv-weight",
        type=float,
        metavar="W",
        help=f"weight of the normalised total variation (default {d.tv_weight:g})",
    )
    add("--optimizer", metavar="NAME", help=f"{', '.join(OPTIMIZERS.names())} (default {d.optimizer})")
    add("--learning-rate", type=float, metavar="LR", help="step size for adam and gd (default: the optimizer's own)")
    add("--init", metavar="START", help=f"starting image: {', '.join(INITS)} (default {d.init})")
    add("--seed", type=int, metavar="N", help=f"random seed (default {d.seed})")
    add("--iterations", type=int, metavar="N", help=f"optimizer steps (default {d.iterations})")
    add("--schedule", metavar="NAME", help=f"{' or '.join(SCHEDULES)}: coarse to fine or not (default {d.schedule})")
    add("--size", type=int, metavar="PX", help=f"long side of the working image, px (default {d.size})")
    add(
        "--colors",
        metavar="NAME",
        help=f"{', '.join(COLORS)}: the style's colours, the content's (luminance-only "
        "transfer), or the painting's palette from the start (the content recoloured to the style's colour mean "
        f"and covariance) (default {d.colors})",
    )
    add("--blend", metavar="W,W", help="weights of several style images, e.g. 0.7,0.3 (normalised; default equal)")
    add(
        "--style-scale",
        type=float,
        metavar="S",
        help=f"style images' size relative to the working size, "
        f"{STYLE_SCALES[0]:g} to {STYLE_SCALES[1]:g}: larger, larger brush strokes (default "
        f"{d.style_scale:g})",
    )
    add("--preserve-colors", action="store_true", help="same as --colors content: transfer luminance only")


def _settings(args: argparse.Namespace) -> Settings:
    given = {name: getattr(args, name, None) for name in Settings.__dataclass_fields__}  # the loss is not one
    fields = {name: value for name, value in given.items() if value is not None}
    for name in ("content_layers", "style_layers"):
        if name in fields:
            fields[name] = tuple(n.strip() for n in fields[name].split(",") if n.strip())
    if args.preserve_colors:
        fields["colors"] = "content"
    if getattr(args, "blend", None):
        fields["style_blend"] = _numbers("--blend", args.blend)
    return Settings(**fields)


def _numbers(flag: str, text: str) -> tuple[float, ...]:
    """'0.7,0.3' -> (0.7, 0.3); anything else a SettingError naming the flag."""
    try:
        return tuple(float(part) for part in text.split(","))
    except ValueError:
        raise SettingError(f"{flag} takes comma-separated numbers, e.g. 0.7,0.3; got {text!r}") from None


def _bench(args: argparse.Namespace) -> int:
    names = tuple(n.strip() for n in args.sections.split(",") if n.strip())
    for name in names:
        if name not in BENCH_SECTIONS:
            raise SettingError(unknown_name_message("bench section", name, list(BENCH_SECTIONS)))
    from nst.backbone import load_backbone
    from nst.images import read_image, save_png
    from nst.precision import native_bfloat16
    from nst.speed import bench
    from nst.speed.plan import QUICK, Plan

    plan = (QUICK if args.quick else Plan()).replace(weights=args.weights)
    plan = plan.for_machine(native_bfloat16() and args.contenders == "native")
    content, style = read_image(args.content), read_image(args.style)
    out = Path(args.out) if args.out else None
    if out:
        out.mkdir(parents=True, exist_ok=True)
    weights = load_backbone(args.weights).info
    expected = bench.estimates(plan, content.pixels.shape, names)
    lines = [
        f"machine: {bench.machine()}",
        f"weights: {weights.name} (sha256 {weights.sha256[:16]}...)",
        f"images: {Path(args.content).name}, {Path(args.style).name}" + (" (--quick)" if args.quick else ""),
        "estimated here: "
        + ", ".join(f"{n} {duration(t)}" for n, t in expected.items())
        + f"; in all {duration(sum(expected.values()))}",
        "",
    ]
    print("\n".join(lines), flush=True)
    bars, took_all = _SectionBars(expected, quiet=args.quiet), 0.0
    for section in bench.run((content.pixels, style.pixels), plan, names, bars.update):
        bars.close()
        took_all += section.seconds
        took = f"took {section.seconds:.0f} s (estimated {expected[section.name]:.0f} s)"
        text = bench.markdown(section) + f"\n- {took}\n"
        print(text, flush=True)
        lines.append(text)
        for stem, image in section.images.items():
            if out:
                save_png(image, out / f"{section.name}-{stem}.png")
    planned = sum(expected.values())
    summary = f"bench: took {took_all:.0f} s in all, {took_all / planned:.2f} of the {planned:.0f} s estimated"
    print(summary, flush=True)
    lines.append(summary)
    if out:
        (out / "bench.md").write_text("\n".join(lines))
    return 0


class _SectionBars:
    """A progress bar per section of `nst bench` (the section, the contender, evaluations, time left)."""

    def __init__(self, expected: dict[str, float], quiet: bool) -> None:
        self.expected, self.quiet, self.bar = expected, quiet, None

    def update(self, tick) -> None:
        if self.quiet:
            return
        if self.bar is None:
            self.bar = _bar(round(tick.total), "eval")
            self.bar.set_description(tick.section)
        share = min(tick.done / tick.total, 1.0) if tick.total else 0.0
        left = max(self.expected[tick.section] * (1 - share), 0.0)
        self.bar.set_postfix_str(f"{tick.contender}, ~{duration(left)} left", refresh=False)
        self.bar.update(min(round(tick.done), self.bar.total) - self.bar.n)  # redrawn as often as _bar allows

    def close(self) -> None:
        if self.bar is not None:
            self.bar.update(self.bar.total - self.bar.n)
            self.bar.close()
            self.bar = None


def _sweep(args: argparse.Namespace) -> int:
    from nst.sweep.grid import load_grid

    grid = load_grid(args.grid)
    _warn_emulated({run.settings.precision for run in grid.runs})
    return _run_grid(args, grid)


def _study(args: argparse.Namespace) -> int:
    from nst.study import design, report

    backbones = tuple(b.strip() for b in (args.backbones or "").split(",") if b.strip())
    study = design.design(args.contents, args.styles, args.losses, _settings(args), args.seeds, args.out, backbones)
    if study.seed_note:
        print(f"nst: {study.seed_note}", file=sys.stderr)
    _warn_emulated({study.settings.precision})
    status = _run_grid(args, study.grid)
    if status == 0:
        paths, analysis = report.write(study, Path(args.out))
        print(report.summary(study, analysis))
        print(f"wrote {', '.join(p.name for p in paths[:2])} and {len(paths) - 2} plots to {args.out}")
    return status


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
    bar = None if args.quiet else _bar(len(grid.runs), "runs", initial=job.skipped)
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


def _bar(total: int, unit: str, initial: int = 0):
    """A terminal progress bar (tqdm) on stderr: redrawn in place on a terminal, a line every 10 s in a log.
    A terminal that reports no size (a bare pseudo-terminal) gets 80x24: tqdm would draw nothing."""
    import os

    from tqdm import tqdm

    terminal = sys.stderr.isatty()
    try:
        width = os.get_terminal_size(sys.stderr.fileno()).columns if terminal else 0
    except OSError:
        width = 0
    sized = {"dynamic_ncols": True} if width else {"ncols": 80, "nrows": 24}
    return tqdm(
        total=total, initial=initial, unit=unit, file=sys.stderr, mininterval=0.1 if terminal else 10.0, **sized
    )


def _warn_emulated(precisions: set[str]) -> None:
    for precision in sorted(precisions):
        if warning := emulation_warning(precision):
            print(f"nst: warning: {warning}", file=sys.stderr)


def _votes(args: argparse.Namespace) -> int:
    from nst.votes import ratings, report, store

    engine = store.engine(args.db or store.default_url())
    votes = store.all_votes(engine)
    rows = ratings.rating_rows(ratings.ratings(votes))  # fitted once: printed, and written with --csv
    print(report.summary(votes, rows, store.refusal_counts(engine)))
    if args.csv:
        report.write_csv(rows, args.csv)
    if args.export:
        print(f"wrote {report.export_votes(votes, args.export)} votes to {args.export}")
    return 0


def _list(registry) -> int:
    width = max(len(name) for name in registry.names())
    for entry in registry:
        print(f"{entry.name:<{width}}  {entry.description}")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from nst.report import input_record, write_artifacts

    result, interrupted = _run_comparison(args, _settings(args), args.losses)
    inputs = {"content": input_record(args.content)}
    for number, style in enumerate(args.style, start=1):
        inputs["style" if number == 1 else f"style {number}"] = input_record(style)
    for number, mask in enumerate(args.mask or [], start=1):
        inputs[f"mask {number}"] = input_record(mask)
    paths = write_artifacts(result, args.out, inputs)
    _print_table(result)
    print(f"wrote {len(paths)} files to {args.out}" + (" (partial: interrupted)" if interrupted else ""))
    return EXIT_INTERRUPTED if interrupted else 0


def _run(args: argparse.Namespace) -> int:
    from nst.images import save_png

    settings = _settings(args)
    out = Path(args.out)
    if not out.parent.is_dir():
        raise NSTError(f"cannot write {out}: folder {out.parent} does not exist")
    result, interrupted = _run_comparison(args, settings, [args.loss])
    save_png(next(iter(result.runs.values())).image, out)
    _print_table(result)
    print(f"wrote {out}" + (" (partial: interrupted)" if interrupted else ""))
    return EXIT_INTERRUPTED if interrupted else 0


def _run_comparison(args: argparse.Namespace, settings: Settings, losses):
    """(ComparisonResult, interrupted): the comparison with a progress bar; Ctrl-C keeps what was made."""
    from nst.budget import check_fits
    from nst.compare import Comparison, parse_losses
    from nst.images import read_image
    from nst.styles import read_mask

    losses = parse_losses(losses)
    content, styles = read_image(args.content), [read_image(path) for path in args.style]
    masks = [read_mask(path) for path in args.mask] if args.mask else None
    for notice in [*content.notices, *(n for style in styles for n in style.notices)]:
        print(f"nst: {notice}", file=sys.stderr)
    _warn_emulated({settings.precision})
    check_fits(settings, content.pixels.shape, len(losses))  # policy: refuse what cannot fit this machine
    comparison = Comparison(content.pixels, [s.pixels for s in styles], settings, losses, masks)
    if not args.quiet:
        print(f"nst: estimated {comparison.estimate.describe()}", file=sys.stderr)
    bar = None if args.quiet else _bar(len(losses) * settings.iterations, "it")
    interrupted = False
    try:
        for event in comparison.events():
            if bar and event.iteration:
                bar.set_postfix_str(f"{event.loss} {event.iteration}/{event.iterations}", refresh=False)
                bar.update(1)
    except KeyboardInterrupt:
        interrupted = True
    if bar:
        bar.close()
    result = comparison.results()
    if result.weights.notice:
        print(f"nst: {result.weights.notice}", file=sys.stderr)
    for run in result.runs.values():
        if run.error:
            print(f"nst: {run.error}; kept its best image", file=sys.stderr)
    return result, interrupted


def _print_table(result) -> None:
    from nst.metrics import YARDSTICKS

    print(f"weights: {result.weights.name} (sha256 {result.weights.sha256[:16]}...)")
    print("  ".join(f"{h:>12}" for h in ["loss", *(y.short_label for y in YARDSTICKS.values())]))
    for loss, run in result.runs.items():
        cells = [loss] + [y.show(run.metrics[name]) for name, y in YARDSTICKS.items()]
        print("  ".join(f"{c:>12}" for c in cells))
    print("better:       " + "  ".join(f"{y.better:>12}" for y in YARDSTICKS.values()))


if __name__ == "__main__":
    sys.exit(main())
