"""nst compare and nst run: losses under identical conditions, with a progress bar."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nst.cli.flags import add_losses, add_settings, settings_from
from nst.cli.terminal import EXIT_INTERRUPTED, follow, progress_bar, warn_emulated
from nst.errors import NSTError
from nst.settings import Settings


def register(commands) -> None:
    compare = commands.add_parser("compare", help="run several losses under identical conditions")
    add_losses(compare, "e.g. mse,swd+mae,robust:alpha=0.5; see nst losses")
    compare.add_argument("--out", required=True, metavar="DIR", help="folder for the images, sheet, csv and json files")
    run = commands.add_parser("run", help="one style transfer, one image")
    run.add_argument("--loss", default="mse", metavar="NAME", help="the loss (default mse)")
    run.add_argument("--out", required=True, metavar="PNG", help="output PNG file")
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
        add_settings(sub)
        sub.add_argument("--quiet", action="store_true", help="no progress bar")
        sub.set_defaults(command=command)


def _compare(args: argparse.Namespace) -> int:
    job, result, interrupted = _run_comparison(args, settings_from(args), args.losses)
    paths = job.write_artifacts(args.out, result)
    _print_table(result)
    print(f"wrote {len(paths)} files to {args.out}" + (" (partial: interrupted)" if interrupted else ""))
    return EXIT_INTERRUPTED if interrupted else 0


def _run(args: argparse.Namespace) -> int:
    from nst.images import save_png

    settings = settings_from(args)
    out = Path(args.out)
    if not out.parent.is_dir():
        raise NSTError(f"cannot write {out}: folder {out.parent} does not exist")
    _, result, interrupted = _run_comparison(args, settings, [args.loss])
    save_png(next(iter(result.runs.values())).image, out)
    _print_table(result)
    print(f"wrote {out}" + (" (partial: interrupted)" if interrupted else ""))
    return EXIT_INTERRUPTED if interrupted else 0


def _run_comparison(args: argparse.Namespace, settings: Settings, losses):
    """(Job, ComparisonResult, interrupted): the comparison with a progress bar; Ctrl-C keeps what was made."""
    from nst.compare import losses_of
    from nst.job import InputImage, Request, prepare

    losses = losses_of(losses)  # a mistyped name fails before any image is read
    content, styles = InputImage.from_path(args.content), [InputImage.from_path(path) for path in args.style]
    masks = [InputImage.from_path(path, mask=True) for path in args.mask or []]
    request = Request.of(content, styles, settings, losses, masks)
    for notice in request.notices:
        print(f"nst: {notice}", file=sys.stderr)
    warn_emulated({settings.precision})
    job = prepare(request)  # checked once; refused here if it cannot fit this machine
    if not args.quiet:
        print(f"nst: estimated {job.estimate.describe()}", file=sys.stderr)
    bar = None if args.quiet else progress_bar(job.total_steps, "it")
    interrupted = follow(job.events(), _drawer(bar), bar)
    result = job.result()
    for notice in dict.fromkeys(n for n in (result.weights.notice, result.judge.notice, *result.notices) if n):
        print(f"nst: {notice}", file=sys.stderr)
    for run in result.runs.values():
        if run.error:
            print(f"nst: {run.error}; kept its best image", file=sys.stderr)
    return job, result, interrupted


def _drawer(bar):
    """How an event of a comparison moves `bar` (None: quiet): a step per iteration, the loss beside it."""
    if bar is None:
        return None

    def draw(event) -> None:
        if event.iteration:
            bar.set_postfix_str(event.where(), refresh=False)
            bar.update(1)

    return draw


def _print_table(result) -> None:
    from nst.backbone.weights import report_lines
    from nst.metrics import YARDSTICKS

    for line in report_lines(result.weights, result.judge):
        print(line)
    print("  ".join(f"{h:>12}" for h in ["loss", *(y.short_label for y in YARDSTICKS.values())]))
    outputs = [*result.runs.values(), *([result.baseline] if result.baseline is not None else [])]
    for run in outputs:
        cells = [run.loss] + [y.show(run.metrics[name]) for name, y in YARDSTICKS.items()]
        print("  ".join(f"{c:>12}" for c in cells))
    print("better:       " + "  ".join(f"{y.better:>12}" for y in YARDSTICKS.values()))
