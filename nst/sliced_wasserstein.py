"""Sliced Wasserstein distance, the yardsticks' measure of how alike two sets of samples are (feature
vectors of a layer, or Lab colours): the mean over fixed random directions of the 1-D Wasserstein
distance between the two sets' projections."""

from __future__ import annotations

import functools

import numpy as np

SWD_DIRECTIONS = 64  # random unit directions per layer (and for the colours)
SWD_SEED = 0  # the directions are the same for every image, run and machine
SWD_QUANTILES = 4096  # most quantiles compared per direction when the two sample counts differ


def feature_swd(a, b) -> float:
    """Sliced Wasserstein distance between two (1, h, w, C) feature maps, positions as samples."""
    return sliced_wasserstein(samples(a), samples(b))


def sliced_wasserstein(a: np.ndarray, b: np.ndarray) -> float:
    """Mean over SWD_DIRECTIONS fixed unit directions of the 1-Wasserstein distance between the
    projections of samples a (n, d) and b (m, d). Equal counts: mean |sort(a.v) - sort(b.v)|, exact;
    else the two quantile functions compared at min(n, m, SWD_QUANTILES) midpoints."""
    directions = unit_directions(a.shape[1])  # (d, K)
    return w1(sorted_projections(a, directions), sorted_projections(b, directions))


def samples(features) -> np.ndarray:
    """(1, h, w, C) features -> (h w, C): every position one sample."""
    return np.reshape(np.asarray(features), (-1, features.shape[-1]))


def w1(pa: np.ndarray, pb: np.ndarray) -> float:
    """Mean 1-Wasserstein distance between the rows of two sorted projection arrays (K, n), (K, m)."""
    if pa.shape[1] != pb.shape[1] or pa.shape[1] > SWD_QUANTILES:
        count = min(pa.shape[1], pb.shape[1], SWD_QUANTILES)
        pa, pb = _quantiles(pa, count), _quantiles(pb, count)
    return float(np.mean(np.abs(pa.astype(np.float64) - pb)))


def sorted_projections(samples: np.ndarray, directions: np.ndarray) -> np.ndarray:
    """(n, d) samples -> (K, n) their projections on each direction, each row sorted. float32 and rows
    contiguous: the sort is most of the cost (block1_conv1 at 256 px: 64 rows of 43,520)."""
    projections = np.asarray(samples, np.float32) @ directions.astype(np.float32)  # (n, K)
    return np.sort(np.ascontiguousarray(projections.T), axis=1)


@functools.cache
def unit_directions(dimensions: int) -> np.ndarray:
    """(dimensions, SWD_DIRECTIONS) seeded Gaussian directions, each normalised to length 1."""
    rng = np.random.default_rng([SWD_SEED, dimensions])
    directions = rng.standard_normal((dimensions, SWD_DIRECTIONS))
    return directions / np.linalg.norm(directions, axis=0, keepdims=True)


def _quantiles(sorted_rows: np.ndarray, count: int) -> np.ndarray:
    """(K, n) sorted rows -> (K, count): each row's empirical quantile function at (i + 0.5) / count."""
    n = sorted_rows.shape[1]
    positions = (np.arange(count) + 0.5) / count * n - 0.5  # fractional indices into the sorted samples
    low = np.clip(np.floor(positions).astype(int), 0, n - 1)
    high = np.clip(low + 1, 0, n - 1)
    weight = (positions - low).clip(0.0, 1.0)
    return sorted_rows[:, low] * (1 - weight) + sorted_rows[:, high] * weight
