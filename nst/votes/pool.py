"""The pool of pairs to vote on: every two outputs of one content, style and settings made by two
different losses. The gallery fills it at start; comparisons of bundled samples made on the page join
it (which may: nst.job.Request.votable). Shared by every page session of the process, so it is safe
across threads."""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Iterable

from nst.errors import NSTError
from nst.votes.gallery import Output


def pair_key(a: Output, b: Output) -> str:
    """The pair's name: the same whichever output comes first."""
    a, b = sorted((a, b), key=lambda output: output.loss)
    return "|".join((a.content, a.style, a.settings_hash, a.loss, b.loss))


class Pool:
    def __init__(self, outputs: Iterable[Output] = ()) -> None:
        self._lock = threading.Lock()
        self._units: dict[tuple[str, str, str], dict[str, Output]] = {}  # unit -> loss -> its output
        self.add(outputs)

    def add(self, outputs: Iterable[Output]) -> int:
        """Add outputs (a newer output of the same unit and loss replaces the older). Returns the pairs now."""
        with self._lock:
            for output in outputs:
                self._units.setdefault(output.unit, {})[output.loss] = output
            return self._count()

    def _count(self) -> int:
        return sum(len(losses) * (len(losses) - 1) // 2 for losses in self._units.values())

    def __len__(self) -> int:
        with self._lock:
            return self._count()

    def pairs(self) -> list[tuple[Output, Output]]:
        """Every pair, each in loss-name order."""
        with self._lock:
            units = [sorted(losses.values(), key=lambda o: o.loss) for losses in self._units.values()]
        return [pair for outputs in units for pair in itertools.combinations(outputs, 2)]

    def draw(self, rng: random.Random, seen: set[str] = frozenset()) -> tuple[Output, Output]:
        """A random pair, not one in `seen` (pair keys) while others remain."""
        pairs = self.pairs()
        if not pairs:
            raise NSTError("there is nothing to vote on yet: the gallery is empty")
        fresh = [pair for pair in pairs if pair_key(*pair) not in seen]
        return rng.choice(fresh or pairs)
