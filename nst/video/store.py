"""One track's frames on disk, so that a stopped run resumes where it stopped.

A track's folder (OUT/frames/<track>/) holds `track.json`, the record of everything that decides its frames
(the engine settings, the loss, the temporal weight, the clip's SHA-256, the cut's start and rate, the
working size), and per finished frame NNNNN.png (8-bit, as the warm start of the next frame reads it) and
NNNNN.json (its iterations, seconds and yardsticks). The same command run again finds its frames and does
not make them again; a folder whose `track.json` differs belongs to another run and is refused, not mixed."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import NamedTuple

import numpy as np

from nst.errors import VideoError
from nst.images import load_image, save_png

RECORD = "track.json"


class FrameRecord(NamedTuple):
    """A finished frame of one track."""

    image: np.ndarray  # (H, W, 3) float32 in [0, 1], rounded to 8 bits (what its PNG holds)
    iterations: int  # optimizer steps it took (0: the feed-forward baseline)
    seconds: float  # its compute time (targets included; not its scoring)
    converged: bool  # stopped by settings.tolerance before the iterations' cap
    metrics: dict[str, float]  # its image yardsticks (nst.metrics.Judge.score) against its content frame


class FrameStore:
    """A track's folder: its finished frames, read back and written one at a time; without a folder, nothing
    is kept on disk (the page's runs: no resuming)."""

    def __init__(self, folder: str | Path | None, record: dict[str, object]) -> None:
        """`record`: what decides this track's frames (JSON-able); a folder holding another's is refused."""
        self.folder = None if folder is None else Path(folder)
        if self.folder is None:
            return
        expected = json.loads(json.dumps(record))  # tuples as lists, as read back
        path = self.folder / RECORD
        if path.is_file():
            found = json.loads(path.read_text())
            if found != expected:
                differ = sorted(key for key in expected.keys() | found.keys() if expected.get(key) != found.get(key))
                raise VideoError(
                    f"{self.folder} holds the frames of another run (its {', '.join(differ)} differ): "
                    "choose another --out, or delete that folder to make them again"
                )
        else:
            self.folder.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(expected, indent=2) + "\n")

    def has(self, index: int) -> bool:
        """Whether frame `index` was finished (nothing is read)."""
        return self.folder is not None and self._png(index).is_file() and self._json(index).is_file()

    def find(self, index: int) -> FrameRecord | None:
        """Frame `index` (0-based) if it was finished, else None."""
        if not self.has(index):
            return None
        found = json.loads(self._json(index).read_text())
        steps, seconds, converged = found["iterations"], found["seconds"], found["converged"]
        return FrameRecord(load_image(self._png(index)), steps, seconds, converged, found["metrics"])

    def save(self, index: int, frame: FrameRecord) -> None:
        """Writes frame `index`: its PNG, then its JSON (a frame counts as finished once both are there)."""
        if self.folder is None:
            return
        partial = self.folder / f".{index:05d}.png"
        save_png(frame.image, partial)
        os.replace(partial, self._png(index))
        about = {"iterations": frame.iterations, "seconds": frame.seconds, "converged": frame.converged}
        self._json(index).write_text(json.dumps({**about, "metrics": frame.metrics}) + "\n")

    def _png(self, index: int) -> Path:
        return self.folder / f"{index:05d}.png"

    def _json(self, index: int) -> Path:
        return self.folder / f"{index:05d}.json"
