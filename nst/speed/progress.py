"""The benchmark's one stream of progress: each section reports the contender running and the
evaluations done against its planned total (nst.speed.estimate); the CLI draws a bar from it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Tick:
    section: str
    contender: str  # what runs now
    done: float  # objective-and-gradient evaluations done in the section
    total: float  # the section's planned evaluations (a race contender may stop early)


class Meter:
    """A section's progress, sent to `report` (nothing when it is None)."""

    def __init__(self, section: str, total: float, report: Callable[[Tick], None] | None = None) -> None:
        self.section, self.total, self.report = section, total, report
        self.contender, self.done = "", 0.0

    def start(self, contender: str) -> None:
        self.contender = contender
        self.advance(0.0)

    def advance(self, evaluations: float = 1.0) -> None:
        self.done += evaluations
        if self.report is not None:
            self.report(Tick(self.section, self.contender, self.done, self.total))


SILENT = Meter("", 0.0)  # for callers that want no progress
