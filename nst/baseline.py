"""The feed-forward baseline of a comparison: Magenta's arbitrary stylization of the same content in the same
style (nst.feedforward), made once per job in one pass and shown and scored beside the losses' outputs, so
every loss is seen against what a network trained for the task gives in a fraction of a second.

It is made at the network's own size (a long side of 384 px) and resized to the comparison's working size,
where the judge scores it like any output. Its failure (the model missing, an image it refuses) is a one-line
notice, never an error that stops the losses. It takes one style image without masks: several styles or
masks leave it out, with a notice."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nst import feedforward
from nst.errors import FeedForwardError, ImageError
from nst.images import resize
from nst.settings import Settings

NAME = "feedforward"  # its key beside the losses' names (metrics.json, the study's arm), and its file stem
LABEL = "feed-forward (Magenta)"  # its column and row on the sheet, the page and the terminal


@dataclass(frozen=True)
class Baseline:
    """The feed-forward output at the network's size, or why there is none."""

    result: feedforward.FeedForwardResult | None
    notice: str = ""  # one line, when result is None

    def at(self, shape: tuple[int, ...]) -> np.ndarray:
        """The output resized to (H, W) `shape[:2]`, a comparison's working size."""
        assert self.result is not None, "a baseline without an image has only its notice"
        return resize(self.result.image, shape[:2])

    def record(self) -> dict[str, object]:
        """What config.json records of it: the model's files and version, its strength and time, or the notice."""
        if self.result is None:
            return {"name": NAME, "notice": self.notice}
        info = self.result.model
        return {
            "name": NAME,
            "model": info.name,
            "version": info.version,
            "predictor_sha256": info.predictor_sha256,
            "transformer_sha256": info.transformer_sha256,
            "strength": self.result.strength,
            "seconds": self.result.seconds,
        }


def make_baseline(content: np.ndarray, styles: list[np.ndarray], settings: Settings, masked: bool = False) -> Baseline:
    """The feed-forward output of `content` in the style of `styles` at settings.baseline_strength, or why
    there is none (whatever settings.baseline says: init feedforward starts from it too)."""
    if len(styles) != 1 or masked:
        return Baseline(None, "the feed-forward baseline is left out: it takes one style image without masks")
    try:
        return Baseline(feedforward.stylize(content, styles[0], settings.baseline_strength))
    except (FeedForwardError, ImageError) as error:
        return Baseline(None, f"the feed-forward baseline is left out: {error}")
