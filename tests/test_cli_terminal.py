"""nst.cli.terminal: Ctrl-C as a flag the command reads between events."""

import os
import signal

import pytest

from nst.cli.terminal import stop_on_ctrl_c


class _SignalsInItsFinaliser:
    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGINT)  # Python runs the handler here, inside the finaliser


def _press_inside_a_finaliser() -> None:
    _SignalsInItsFinaliser()  # dropped at once: its __del__ runs now
    for _ in range(1000):  # the pending handler runs at the next bytecodes
        pass


def test_the_first_ctrl_c_sets_the_flag_and_the_second_stops_at_once():
    before = signal.getsignal(signal.SIGINT)
    with stop_on_ctrl_c() as ctrl_c:
        assert not ctrl_c.pressed
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):
            pass
        assert ctrl_c.pressed
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(1000):
                pass
    assert signal.getsignal(signal.SIGINT) is before


def test_a_ctrl_c_that_lands_in_a_finaliser_is_not_lost():
    with stop_on_ctrl_c() as ctrl_c:
        _press_inside_a_finaliser()
    assert ctrl_c.pressed


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_the_default_handler_loses_a_ctrl_c_that_lands_in_a_finaliser():
    """Why the flag: Python's own KeyboardInterrupt, raised in a __del__, is printed and dropped."""
    interrupted = False
    try:
        _press_inside_a_finaliser()
    except KeyboardInterrupt:
        interrupted = True
    assert not interrupted
