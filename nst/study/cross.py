"""A study's paired effects laid out as the cross of photos x paintings they come from, parsed once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

PHOTO, PAINTING = "photo", "painting"


@dataclass(frozen=True)
class Cross:
    d: np.ndarray  # one value per unit, finite
    codes: dict[str, np.ndarray]  # factor (PHOTO, PAINTING) -> level index of each unit
    levels: dict[str, int]  # factor -> number of levels

    @property
    def n(self) -> int:
        return len(self.d)

    @property
    def factors(self) -> tuple[str, ...]:
        """The factors whose variance can be estimated: at least two levels, and when only one factor has,
        more units than its levels (one unit a level confounds the factor with the residual)."""
        many = tuple(k for k in (PHOTO, PAINTING) if self.levels[k] >= 2)
        return many if len(many) != 1 or self.n > self.levels[many[0]] else ()

    @property
    def residual_df(self) -> int:
        """Degrees of freedom left to the residual by the additive model in `factors`."""
        return self.n - 1 - sum(self.levels[k] - 1 for k in self.factors)

    @property
    def cells(self) -> np.ndarray:
        """Each unit's cell of the cross, photo-major."""
        return self.codes[PHOTO] * self.levels[PAINTING] + self.codes[PAINTING]

    @property
    def balanced(self) -> bool:
        """Every cell of the cross holds the same number of units (at least one)."""
        counts = np.bincount(self.cells, minlength=self.levels[PHOTO] * self.levels[PAINTING])
        return self.n > 0 and bool(np.all(counts == counts[0]))

    def indicators(self, factor: str) -> np.ndarray:
        """The (units, levels) 0/1 design matrix of a factor."""
        return (self.codes[factor][:, None] == np.arange(self.levels[factor])).astype(np.float64)

    def grid(self) -> np.ndarray:
        """d as a (photos, paintings, repeats) array, NaN where a cell has fewer units than the fullest."""
        order = np.argsort(self.cells, kind="stable")
        counts = np.bincount(self.cells, minlength=self.levels[PHOTO] * self.levels[PAINTING])
        within = np.arange(self.n) - np.repeat(np.cumsum(counts) - counts, counts)
        grid = np.full((len(counts), counts.max(initial=0)), np.nan)
        grid[self.cells[order], within] = self.d[order]
        return grid.reshape(self.levels[PHOTO], self.levels[PAINTING], -1)


def cross(d: Sequence[float], photos: Sequence, paintings: Sequence) -> Cross:
    """photos[u], paintings[u]: unit u's labels (any sortable values); units with a non-finite d are left out."""
    d = np.asarray(d, np.float64)
    finite = np.isfinite(d)
    codes, levels = {}, {}
    for name, labels in ((PHOTO, photos), (PAINTING, paintings)):
        _, codes[name] = np.unique(np.asarray(labels)[finite], return_inverse=True)
        levels[name] = int(codes[name].max(initial=-1)) + 1
    return Cross(d[finite], codes, levels)
