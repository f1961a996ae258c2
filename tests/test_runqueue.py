import threading
import time

import pytest

from nst.runqueue import RunQueue


def test_first_come_first_served_with_places():
    queue = RunQueue(1)
    for ticket in "abc":
        queue.join(ticket)
    assert queue.try_start("a") and not queue.try_start("b") and not queue.try_start("c")
    assert (queue.place("a"), queue.place("b"), queue.place("c")) == (0, 1, 2)
    queue.leave("a")
    assert not queue.try_start("c")  # b is first in line
    assert queue.try_start("b") and queue.place("c") == 1


def test_several_slots_and_leaving_the_line():
    queue = RunQueue(2)
    for ticket in "abcd":
        queue.join(ticket)
    assert queue.try_start("b") and queue.try_start("a") and not queue.try_start("c")
    queue.leave("c")  # a closed tab leaves the line
    assert queue.place("d") == 1
    queue.leave("a")
    assert queue.try_start("d") and queue.running == 2


def test_an_interrupted_run_rejoins_at_the_front():
    queue = RunQueue(1)
    queue.join("a")
    queue.join("b")
    assert queue.try_start("a")
    queue.leave("a")  # interrupted by a rerun
    queue.join("a", front=True)
    assert queue.try_start("a") and queue.place("b") == 1


def test_never_more_than_its_slots_run_at_once_from_many_threads():
    queue, running, peak, lock = RunQueue(2), [0], [0], threading.Lock()

    def worker(ticket: str) -> None:
        queue.join(ticket)
        while not queue.try_start(ticket):
            time.sleep(0.001)
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.01)
        with lock:
            running[0] -= 1
        queue.leave(ticket)

    threads = [threading.Thread(target=worker, args=(str(i),)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert peak[0] == 2 and queue.running == 0


def test_no_slots_is_a_mistake():
    with pytest.raises(ValueError):
        RunQueue(0)
