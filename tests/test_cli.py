import json
import subprocess
import sys

import pytest

from nst.cli import main
from nst.losses.catalogue import LOSSES

from .conftest import CONTENT, STYLE

TINY = ["--weights", "vgg16-hed", "--size", "40", "--iterations", "3", "--quiet"]


def test_losses_lists_every_registered_loss_with_its_description(capsys):
    assert main(["losses"]) == 0
    out = capsys.readouterr().out
    for entry in LOSSES:
        assert entry.name in out and entry.description in out


def test_compare_writes_every_artifact_and_prints_the_yardsticks(tmp_path, capsys):
    out = tmp_path / "cmp"
    code = main(["compare", str(CONTENT), str(STYLE), "--losses", "mse,hellinger", "--out", str(out), *TINY])
    assert code == 0
    names = {p.name for p in out.iterdir()}
    assert names == {
        "mse.png",
        "hellinger.png",
        "feedforward.png",  # the feed-forward baseline, on by default
        "comparison.png",
        "history.csv",
        "metrics.json",
        "config.json",
    }
    config = json.loads((out / "config.json").read_text())
    assert config["settings"]["iterations"] == 3 and config["weights"]["name"] == "vgg16-hed"
    from nst.backbone.weights import file_sha256

    assert config["inputs"]["content"]["sha256"] == file_sha256(CONTENT)
    printed = capsys.readouterr().out
    assert "hellinger" in printed and "SSIM" in printed and "vgg16-hed" in printed


def test_run_writes_one_image(tmp_path):
    out = tmp_path / "out.png"
    args = ["run", str(CONTENT), str(STYLE), "--loss", "huber", "--out", str(out), *TINY, "--preserve-colors"]
    assert main(args) == 0
    assert out.stat().st_size > 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "missing.png", str(STYLE)], "missing.png: no such file"),
        (["run", str(CONTENT), __file__], "not an image in an allowed format"),
        (["run", str(CONTENT), str(STYLE), "--loss", "hellingr"], "did you mean 'hellinger'"),
        (["run", str(CONTENT), str(STYLE), "--preset", "gatsy"], "unknown preset 'gatsy'"),
        (["run", str(CONTENT), str(STYLE), "--style-layers", "block9_conv1"], "unknown vgg16 layer 'block9_conv1'"),
        (["run", str(CONTENT), str(STYLE), "--size", "5"], "size must be a whole number from 32 to 8192"),
        (["run", str(CONTENT), str(STYLE), "--size", "4096"], "above 2048 px: use schedule tiled"),
        (["run", str(CONTENT), str(STYLE), "--schedule", "tiled", "--tile", "300"], "at least twice its overlap"),
        (
            ["run", str(CONTENT), str(STYLE), "--schedule", "tiled", "--size", "96", "--mask", str(CONTENT)],
            "the tiled schedule does not take masks",
        ),
        (["run", str(CONTENT), str(STYLE), "--iterations", "0"], "iterations must be a whole number from 1 to 5000"),
        (["run", str(CONTENT), str(STYLE), "--init", "zeros"], "unknown init 'zeros'"),
        (["run", str(CONTENT), str(STYLE), "--precision", "float16"], "unknown precision 'float16'"),
        (["run", str(CONTENT), str(STYLE), "--size", "big"], "argument --size: invalid int value"),
        (["compare", str(CONTENT), str(STYLE), "--losses", ""], "at least one loss"),
        (["run", str(CONTENT), str(STYLE), "--style-weight", "-1"], "style_weight must be a number from 0"),
        (["run", str(CONTENT), str(STYLE), "--backbone", "resnet50"], "no ImageNet weights for resnet50 here"),
        (["run", str(CONTENT), str(STYLE), "--backbone", "vgg19", "--weights", "vgg16-hed"], "weights for vgg19"),
        (
            ["run", str(CONTENT), str(STYLE), "--backbone", "resnet50", "--style-layers", "block1_conv1"],
            "unknown resnet50 layer 'block1_conv1'",
        ),
        (["run", str(CONTENT), str(STYLE), "--smoothing", "soft"], "unknown smoothing 'soft'"),
        (["run", str(CONTENT), str(STYLE), "--blend", "1,x"], "--blend takes comma-separated numbers"),
        (["run", str(CONTENT), str(STYLE), "--blend", "0.7,0.3"], "--blend has 2 weight(s) for 1 style image(s)"),
        (["run", str(CONTENT), str(STYLE), "--mask", __file__], "not an image in an allowed format"),
        (["run", str(CONTENT), str(STYLE), str(STYLE), "--mask", str(CONTENT)], "1 mask(s) for 2 style image(s)"),
        (["run", str(CONTENT), str(STYLE), "--style-scale", "9"], "style_scale must be a number from 0.25 to 4"),
        (["run", str(CONTENT), str(STYLE), "--colors", "palette", "--init", "noise"], "use init content"),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(args, message, tmp_path, capsys):
    out = ["--out", str(tmp_path / ("x" if args[0] == "compare" else "x.png"))]
    if "invalid int" in message:  # argparse's own errors exit from inside main
        with pytest.raises(SystemExit) as exit_:
            main(args + out + ["--quiet"])
        code = exit_.value.code
    else:
        code = main(args + out + ["--quiet"])
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.slow
def test_no_traceback_from_the_real_process(tmp_path):
    process = subprocess.run(
        [sys.executable, "-m", "nst", "run", str(CONTENT), str(tmp_path), "--out", str(tmp_path / "o.png")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode == 2
    assert process.stderr.strip().startswith("nst: error:") and len(process.stderr.strip().splitlines()) == 1


def test_limits_are_listed(capsys):
    assert main(["limits"]) == 0
    out = capsys.readouterr().out
    assert "working size: 32 to 2048 px" in out and "to 8192 px with schedule tiled" in out
    assert "iterations: 1 to 5000" in out and "largest print that fits this machine now" in out


def _interrupted(args: list[str], pattern: bytes) -> tuple[int, str, bytes]:
    """`nst ARGS` in a terminal (a pty), Ctrl-C once its stderr shows `pattern`: (exit status, stdout, shown)."""
    import fcntl
    import os
    import pty
    import re
    import select
    import signal
    import struct
    import termios
    import time

    terminal, their_end = pty.openpty()
    fcntl.ioctl(their_end, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))  # a 100x30 terminal
    process = subprocess.Popen([sys.executable, "-m", "nst", *args], stdout=subprocess.PIPE, stderr=their_end)
    os.close(their_end)
    shown, stdout, deadline = b"", b"", time.monotonic() + 120

    def drain(seconds: float) -> None:  # read both ends: a full pty buffer would block the run's next write
        nonlocal shown, stdout
        for end in select.select([terminal, process.stdout], [], [], seconds)[0]:
            try:
                chunk = os.read(end if end is terminal else end.fileno(), 4096)
            except OSError:  # the pty's other end closed
                chunk = b""
            if end is terminal:
                shown += chunk
            else:
                stdout += chunk

    try:
        while not re.search(pattern, shown):
            assert time.monotonic() < deadline and process.poll() is None, shown.decode(errors="replace")
            drain(1.0)
        process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 120
        while process.poll() is None:
            assert time.monotonic() < deadline, "no exit within 120 s of Ctrl-C: " + shown.decode(errors="replace")
            drain(0.5)
        for _ in range(20):  # what was written just before the exit
            drain(0.05)
    finally:
        process.kill()  # never leave a long run behind when an assertion fails
    os.close(terminal)
    return process.returncode, stdout.decode(), shown


@pytest.mark.slow
def test_ctrl_c_writes_what_was_made_marked_partial(tmp_path):
    """In a terminal (a pty): the bar shows the first steps, then Ctrl-C stops the run and keeps them."""
    out = tmp_path / "partial"
    args = ["compare", str(CONTENT), str(STYLE), "--out", str(out), "--weights", "vgg16-hed", "--size", "40"]
    code, stdout, shown = _interrupted([*args, "--iterations", "5000"], rb"\b[1-9]\d*/10000\b")  # a finished step
    assert code == 130, shown.decode(errors="replace")
    assert "partial: interrupted" in stdout and b"Traceback" not in shown
    config = json.loads((out / "config.json").read_text())
    assert config["complete"] is False
    metrics = json.loads((out / "metrics.json").read_text())["losses"]
    assert 0 < metrics["mse"]["iterations"] < 5000 and not metrics["mse"]["complete"]
    assert (out / "mse.png").stat().st_size > 0 and (out / "comparison.png").exists()


@pytest.mark.slow
def test_ctrl_c_mid_pass_of_a_tiled_run_keeps_a_whole_image(tmp_path):
    """The bar counts tiles and passes; Ctrl-C in the second tile of the first pass writes the whole image."""
    from PIL import Image

    out = tmp_path / "print.png"
    args = ["run", str(CONTENT), str(STYLE), "--out", str(out), *TILED_ARGS, "--iterations", "40", "--tile-passes", "2"]
    code, stdout, shown = _interrupted(args, rb"pass 1/2 tile 2/")
    assert code == 130, shown.decode(errors="replace")
    assert "partial: interrupted" in stdout and b"Traceback" not in shown
    assert max(Image.open(out).size) == 96


TILED_ARGS = ["--schedule", "tiled", "--size", "96", "--tile", "64", "--weights", "vgg16-hed", "--baseline", "none"]
TILED_ARGS += ["--content-layers", "block2_conv2", "--style-layers", "block1_conv1,block2_conv1"]


def test_a_tiled_run_writes_its_image_at_the_full_size(tmp_path, capsys):
    from PIL import Image

    out = tmp_path / "print.png"
    assert main(["run", str(CONTENT), str(STYLE), "--out", str(out), *TILED_ARGS, "--iterations", "4", "--quiet"]) == 0
    assert max(Image.open(out).size) == 96


def test_an_explicit_bfloat16_where_it_is_emulated_is_warned_about_in_one_line(tmp_path, capsys, monkeypatch):
    from nst.backbone import precision

    monkeypatch.setattr(precision, "native_bfloat16", lambda: False)
    args = [
        "run",
        str(CONTENT),
        str(STYLE),
        "--out",
        str(tmp_path / "o.png"),
        "--weights",
        "vgg16-hed",
        "--size",
        "32",
        "--iterations",
        "1",
        "--precision",
        "bfloat16",
        "--quiet",
    ]
    assert main(args) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "ten times slower" in warnings[0]


def test_help_answers_without_loading_tensorflow():
    import time

    probe = "import sys, nst.cli; print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout.split() == [
        "False",
        "False",
    ]
    start = time.perf_counter()
    process = subprocess.run([sys.executable, "-m", "nst", "--help"], capture_output=True, text=True, timeout=60)
    seconds = time.perf_counter() - start
    assert process.returncode == 0 and "compare" in process.stdout
    assert seconds < 3.0  # about 0.15 s here; loose for a loaded CI machine


def test_every_command_prints_its_help_with_every_settings_flag():
    from nst.cli import parser
    from nst.settings import FIELDS

    commands = parser()._subparsers._group_actions[0].choices
    for name, command in commands.items():
        text = command.format_help()  # raises on a help string argparse cannot format (a bare %)
        assert name in text
    assert all(field.flag in commands["compare"].format_help() for field in FIELDS.values() if not field.about.off_cli)


def test_the_yardstick_table_prints_every_yardstick_with_its_label(tmp_path, capsys):
    from nst.metrics import YARDSTICKS

    assert main(["compare", str(CONTENT), str(STYLE), "--losses", "mae", "--out", str(tmp_path), *TINY]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = next(line for line in lines if line.split()[:1] == ["loss"]).split()
    assert header == ["loss", *(y.short_label for y in YARDSTICKS.values())]
    better = next(line for line in lines if line.startswith("better:")).split()[1:]
    assert better == [y.better for y in YARDSTICKS.values()]
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert "embed" in header and metrics["losses"]["mae"]["style_embedding"] > 0


def test_votes_prints_the_ratings_and_writes_the_table_and_the_votes(tmp_path, capsys):
    import csv
    import random

    from nst.votes import store
    from nst.votes.ballot import BallotBox, VoteLimits
    from nst.votes.gallery import read_gallery
    from nst.votes.ratings import RATED

    url = f"sqlite:///{tmp_path / 'votes.sqlite3'}"
    box = BallotBox(store.engine(url), VoteLimits(min_interval_s=0))
    by_loss = {o.loss: o for o in read_gallery() if o.content == "chelsea.png" and o.style == "starry_night.jpg"}
    rng = random.Random(0)
    for winner, loser in [("mse", "mae")] * 3 + [("mae", "huber")] * 2:
        ballot = box.issue("me", (by_loss[winner], by_loss[loser]), rng)
        box.cast("me", ballot.ticket, "left" if ballot.left.loss == winner else "right")
    assert main(["votes", "--db", url, "--csv", str(tmp_path / "r.csv"), "--export", str(tmp_path / "v.csv")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("5 votes from 1 page session(s); refused and not stored: none")
    ranked = [line.split()[0] for line in out.split("Preference")[1].split("\n\n")[0].splitlines()[2:]]
    assert ranked == ["mse", "mae", "huber"]
    assert "SSIM to content" in out and "wrote 5 votes" in out
    rows = list(csv.DictReader(open(tmp_path / "r.csv")))
    assert [r[RATED] for r in rows] == ranked and rows[0]["votes"] == "3"
    assert len(list(csv.DictReader(open(tmp_path / "v.csv")))) == 5


def test_votes_from_a_database_that_cannot_be_opened_is_one_line(capsys):
    assert main(["votes", "--db", "postgresql://nobody@127.0.0.1:9/none"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("nst: error: cannot open the votes database") and error.count("\n") == 1


def test_backbones_lists_every_network_with_its_presets(capsys):
    assert main(["backbones"]) == 0
    text = capsys.readouterr().out
    for name in ("vgg16", "vgg19", "resnet50", "inception_v3", "inception_resnet_v2"):
        assert f"{name}: " in text
    assert "preset gatys: content conv3_block4_out" in text and "smoothing auto = softmax" in text
    assert main(["presets", "--backbone", "inception_v3"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("gatys    content mixed2")
