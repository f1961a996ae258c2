"""What every command shares on the terminal: exit statuses, progress bars, warnings."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from nst.backbone.precision import emulation_warning

EXIT_BAD_INPUT, EXIT_INTERRUPTED = 2, 130
ASSETS = Path(__file__).resolve().parents[2] / "assets"  # the bundled samples: bench's default images


def progress_bar(total: int, unit: str, initial: int = 0):
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


class CtrlC:
    """Whether Ctrl-C was pressed, inside `stop_on_ctrl_c()`."""

    pressed: bool = False


@contextlib.contextmanager
def stop_on_ctrl_c() -> Iterator[CtrlC]:
    """The first Ctrl-C (SIGINT) only sets `.pressed`: the caller stops asking for events and keeps what was
    made. A KeyboardInterrupt raised wherever the signal lands can be lost: inside a finaliser (`__del__`, of
    which TensorFlow has many) Python prints it as "Exception ignored" and goes on. A second Ctrl-C raises
    KeyboardInterrupt as usual. Outside the main thread (no signal handlers there) Python's default stays."""
    flag = CtrlC()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return

    def pressed(signum, frame) -> None:
        if flag.pressed:
            raise KeyboardInterrupt
        flag.pressed = True

    previous = signal.signal(signal.SIGINT, pressed)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


def follow(events: Iterable, draw: Callable[[object], None] | None, bar) -> bool:
    """Asks for `events` one by one, drawing each with `draw` (None: quiet) on `bar` (closed at the end),
    until they end or Ctrl-C: True if Ctrl-C stopped them. Stopping is not asking for the next event, so
    what was made is kept; a second Ctrl-C stops at once (inside the event in hand)."""
    interrupted = False
    try:
        with stop_on_ctrl_c() as ctrl_c:
            for event in events:
                if ctrl_c.pressed:
                    break
                if draw is not None:
                    draw(event)
            interrupted = ctrl_c.pressed
    except KeyboardInterrupt:  # the second Ctrl-C
        interrupted = True
    if bar:
        bar.close()
    return interrupted


def warn_emulated(precisions: set[str]) -> None:
    for precision in sorted(precisions):
        if warning := emulation_warning(precision):
            print(f"nst: warning: {warning}", file=sys.stderr)


def list_registry(registry) -> int:
    width = max(len(name) for name in registry.names())
    for entry in registry:
        print(f"{entry.name:<{width}}  {entry.description}")
    return 0
