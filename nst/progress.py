"""One event of a style transfer's progress stream (nst.transfer, nst.tiled): what the CLI's bar, the page's
live view and the tests read."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Progress:
    loss: str  # the loss of the run this event belongs to
    iteration: int  # 0 is the starting image, before any step
    iterations: int  # the run's budget
    seconds: float  # this run's own compute time so far (targets included)
    content: float  # normalised content term, unweighted
    style: float  # normalised style term, unweighted
    tv: float  # normalised total variation, unweighted
    total: float  # the weighted sum the optimizer minimises
    preview: np.ndarray | None = None  # (H, W, 3) float in [0, 1], every preview_every iterations and at the end
    size: int = 0  # px, long side of the stage this step ran at (multiscale: smaller than the final size)
    temporal: float = 0.0  # a video frame's temporal term, unweighted (nst.objective); 0 for a still image
    tile: int = 0  # a tiled stage's (nst.tiled): the tile this step refined, 1..tiles; 0 on a whole stage
    tiles: int = 0  # the tiles of that stage
    tile_pass: int = 0  # the pass over them, 1..passes
    passes: int = 0

    def where(self) -> str:
        """Where a run is, for a progress bar: 'mse 120/911', on a tiled stage '... 2048 px pass 2/3 tile 4/6'."""
        at = f"{self.loss} {self.iteration}/{self.iterations}"
        if self.tile:
            at += f" {self.size} px pass {self.tile_pass}/{self.passes} tile {self.tile}/{self.tiles}"
        return at


def without_preview(event: Progress) -> Progress:
    """The event as a history keeps it: its preview dropped."""
    return event if event.preview is None else dataclasses.replace(event, preview=None)
