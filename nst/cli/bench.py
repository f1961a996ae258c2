"""nst bench: speed on this machine, a progress bar per section."""

from __future__ import annotations

import argparse
from pathlib import Path

from nst.budget import duration
from nst.cli.terminal import ASSETS, progress_bar
from nst.errors import SettingError
from nst.registry import unknown_name_message
from nst.speed.plan import SECTIONS as BENCH_SECTIONS


def register(commands) -> None:
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


def _bench(args: argparse.Namespace) -> int:
    names = _sections(args.sections)
    from nst.backbone.precision import native_bfloat16
    from nst.images import read_image
    from nst.speed import bench
    from nst.speed.plan import QUICK, Plan

    plan = (QUICK if args.quick else Plan()).replace(weights=args.weights)
    plan = plan.for_machine(native_bfloat16() and args.contenders == "native")
    content, style = read_image(args.content), read_image(args.style)
    out = Path(args.out) if args.out else None
    if out:
        out.mkdir(parents=True, exist_ok=True)
    expected = bench.estimates(plan, content.pixels.shape, names)
    lines = _heading(args, expected)
    print("\n".join(lines), flush=True)
    bars, took_all = SectionBars(expected, quiet=args.quiet), 0.0
    for section in bench.run((content.pixels, style.pixels), plan, names, bars.update):
        bars.close()
        took_all += section.seconds
        lines.append(_report(section, expected[section.name], out))
    planned = sum(expected.values())
    summary = f"bench: took {took_all:.0f} s in all, {took_all / planned:.2f} of the {planned:.0f} s estimated"
    print(summary, flush=True)
    lines.append(summary)
    if out:
        (out / "bench.md").write_text("\n".join(lines))
    return 0


def _sections(given: str) -> tuple[str, ...]:
    """--sections parsed: each name checked, with a did-you-mean."""
    names = tuple(n.strip() for n in given.split(",") if n.strip())
    for name in names:
        if name not in BENCH_SECTIONS:
            raise SettingError(unknown_name_message("bench section", name, list(BENCH_SECTIONS)))
    return names


def _heading(args: argparse.Namespace, expected: dict[str, float]) -> list[str]:
    """The lines before the first section: machine, weights, images, the time each section should take."""
    from nst.backbone.model import load_backbone
    from nst.speed import tables

    weights = load_backbone(args.weights).info
    quick = " (--quick)" if args.quick else ""
    times = ", ".join(f"{n} {duration(t)}" for n, t in expected.items())
    return [
        f"machine: {tables.machine()}",
        f"weights: {weights.describe()}",
        f"images: {Path(args.content).name}, {Path(args.style).name}{quick}",
        f"estimated here: {times}; in all {duration(sum(expected.values()))}",
        "",
    ]


def _report(section, expected: float, out: Path | None) -> str:
    """Prints one finished section's table and time; saves its images into `out`; returns the text."""
    from nst.images import save_png
    from nst.speed import tables

    text = tables.markdown(section) + f"\n- took {section.seconds:.0f} s (estimated {expected:.0f} s)\n"
    print(text, flush=True)
    for stem, image in section.images.items() if out else ():
        save_png(image, out / f"{section.name}-{stem}.png")
    return text


class SectionBars:
    """A progress bar per section of `nst bench` (the section, the contender, evaluations, time left)."""

    def __init__(self, expected: dict[str, float], quiet: bool) -> None:
        self.expected, self.quiet, self.bar = expected, quiet, None

    def update(self, tick) -> None:
        if self.quiet:
            return
        if self.bar is None:
            self.bar = progress_bar(round(tick.total), "eval")
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
