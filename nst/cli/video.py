"""nst video: a clip styled frame by frame without flicker, each loss side by side, with their steadiness."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nst.cli.flags import add_losses, add_settings, settings_from, values_from
from nst.cli.terminal import EXIT_INTERRUPTED, follow, progress_bar, warn_emulated
from nst.errors import VideoError
from nst.settings import Settings
from nst.video.settings import VIDEO_FIELDS, VIDEO_STYLE_WEIGHT, VideoSettings


def register(commands) -> None:
    video = commands.add_parser("video", help="style a short clip frame by frame, steadily (docs/video.md)")
    video.add_argument("clip", help="the video clip (MP4, WebM, MOV, MKV, GIF: what FFmpeg reads)")
    video.add_argument("style", help="style image")
    add_losses(video, "each styles the clip (with each --temporal-weight), side by side")
    video.add_argument("--out", required=True, metavar="OUT.mp4", help="the video; the frames, sheet and json "
                       "files go in the folder OUT beside it")  # fmt: skip
    video.add_argument("--frames", metavar="A:B", help="style frames A to B-1 only, counted from 0 at --fps")
    video.add_argument("--fps", type=float, metavar="N", help="take N frames a second (default: the clip's rate)")
    add_settings(video, VIDEO_FIELDS)
    add_settings(video)
    _start_style_weight_at(video, VIDEO_STYLE_WEIGHT)
    video.add_argument("--quiet", action="store_true", help="no progress bar")
    video.set_defaults(command=_video)


def _start_style_weight_at(parser: argparse.ArgumentParser, weight: float) -> None:
    """--style-weight defaults to a video's own weight here (nst.video.settings.VIDEO_STYLE_WEIGHT), its help
    saying so."""
    action = next(a for a in parser._actions if a.dest == "style_weight")
    action.default = weight
    action.help = action.help.replace(f"default {Settings().style_weight:g}", f"default {weight:g} for a video")


def _video(args: argparse.Namespace) -> int:
    from nst.compare import losses_of
    from nst.job import InputImage
    from nst.video.artifacts import folder_of, write_outputs
    from nst.video.clip import Cut, FrameRange, frame_range
    from nst.video.stylize import prepare_video

    losses = losses_of(args.losses)  # a mistyped name fails before any file is read
    settings, video = settings_from(args), VideoSettings(**values_from(args, VIDEO_FIELDS))
    if Path(args.out).suffix.lower() != ".mp4":
        raise VideoError(f"--out names the MP4 to write, e.g. out/cat.mp4; got {args.out}")
    cut = Cut(frame_range(args.frames) if args.frames else FrameRange(), args.fps)
    style = InputImage.from_path(args.style)
    # probed, and refused over the limits before any frame is decoded; then read at the working size
    job, estimate = prepare_video(args.clip, "", style.pixels, settings, video, losses, cut, folder_of(args.out))
    for notice in style.notices:
        print(f"nst: {notice}", file=sys.stderr)
    warn_emulated({settings.precision})
    tracks = len(job.tracks)
    if not args.quiet:
        print(f"nst: {job.frames} frames x {tracks} tracks, estimated at most {estimate.describe()}", file=sys.stderr)
    bar = None if args.quiet else progress_bar(job.frames * tracks, "frame", job.on_disk())
    interrupted = follow(job.events(), _drawer(bar), bar)  # the frames done are on disk
    result = job.result()
    for notice in dict.fromkeys(n for n in (result.weights.notice, result.judge.notice, *result.notices) if n):
        print(f"nst: {notice}", file=sys.stderr)
    paths = write_outputs(result, args.out, {"clip": result.clip.info.record(), "style": style.record})
    _print_table(result)
    partial = " (partial: interrupted; the same command goes on from the frames on disk)" if interrupted else ""
    video_file = f"{args.out} and " if Path(args.out) in paths else ""
    print(f"wrote {len(paths)} files: {video_file}{folder_of(args.out)}/" + partial)
    return EXIT_INTERRUPTED if interrupted else 0


def _drawer(bar):
    """How a video job's event moves `bar` (None: quiet): a step per finished frame, its iterations beside."""
    if bar is None:
        return None

    def draw(event) -> None:
        if event.step is not None and event.step.iteration:
            step = event.step
            where = f"{event.track}, frame {event.frame + 1}/{event.frames}"
            bar.set_postfix_str(f"{where}, it {step.iteration}/{step.iterations}", refresh=False)
            bar.update(0)  # redrawn as often as the bar allows
        elif event.step is None and not event.resumed:
            bar.update(1)

    return draw


def _print_table(result) -> None:
    from nst.backbone.weights import report_lines
    from nst.metrics import IMAGE_YARDSTICKS, YARDSTICKS
    from nst.video.artifacts import metrics

    found = metrics(result)
    for line in report_lines(result.weights, result.judge):
        print(line)
    shown = [name for name in IMAGE_YARDSTICKS if name != "style_embedding"]
    heads = ["frames", "warping", *(YARDSTICKS[n].short_label for n in shown), "1st it", "later it"]
    width = max(len("track"), *(len(name) for name in found["tracks"]))
    print(f"{'track':<{width}}  " + "  ".join(f"{h:>10}" for h in heads))
    for name, track in found["tracks"].items():
        if not track["frames"]:
            print(f"{name:<{width}}  no frame finished")
            continue
        later = track["later_frames"]
        cells = [track["frames"], f"{track['warping_error']:.4g}"]
        cells += [YARDSTICKS[n].show(track["yardsticks"][n]) for n in shown]
        cells += [track["first_frame"]["iterations"], f"{later['iterations']:.1f}" if later else "-"]
        print(f"{name:<{width}}  " + "  ".join(f"{c:>10}" for c in cells))
    print(f"the content clip's own warping error: {found['content_warping_error']:.4g} (lower is steadier)")
