"""The photos x paintings layout of a study's units, against small hand-made crosses."""

import numpy as np

from nst.study.cross import PAINTING, PHOTO, cross


def test_labels_become_sorted_level_codes_and_non_finite_units_are_left_out():
    c = cross([1.0, np.nan, 3.0, 4.0], ["b", "a", "a", "b"], ["y", "x", "y", "x"])
    assert list(c.d) == [1.0, 3.0, 4.0]
    assert list(c.codes[PHOTO]) == [1, 0, 1] and list(c.codes[PAINTING]) == [1, 1, 0]
    assert c.levels == {PHOTO: 2, PAINTING: 2} and c.n == 3


def test_balanced_means_every_cell_the_same_count():
    photos, paintings = ["a", "a", "b", "b"], ["x", "y", "x", "y"]
    assert cross([1, 2, 3, 4], photos, paintings).balanced
    assert not cross([1, 2, 3], photos[:3], paintings[:3]).balanced  # a missing cell
    assert cross([1, 2, 3, 4] * 2, photos * 2, paintings * 2).balanced  # two seeds a cell
    assert not cross([1, 2, 3, 4, 5], [*photos, "a"], [*paintings, "x"]).balanced
    assert not cross([], [], []).balanced


def test_grid_puts_each_unit_in_its_cell_and_nan_where_one_is_missing():
    c = cross([1.0, 2.0, 3.0, 5.0], ["a", "a", "b", "a"], ["x", "y", "x", "x"])
    grid = c.grid()
    assert grid.shape == (2, 2, 2)  # the fullest cell (a, x) holds two units
    assert sorted(grid[0, 0]) == [1.0, 5.0] and grid[0, 1, 0] == 2.0 and grid[1, 0, 0] == 3.0
    assert np.isnan(grid[1, 1]).all() and np.isnan(grid[0, 1, 1])


def test_a_factor_is_estimable_with_two_levels_unless_confounded_with_the_residual():
    assert cross([1, 2, 3, 4], ["a", "a", "b", "b"], ["x", "y", "x", "y"]).factors == (PHOTO, PAINTING)
    assert cross([1, 2, 3], ["a"] * 3, ["x", "y", "z"]).factors == ()  # one photo, one unit a painting
    assert cross([1, 2, 3, 4], ["a"] * 4, ["x", "y", "x", "y"]).factors == (PAINTING,)
    assert cross([1, 2, 3, 4], ["a", "a", "b", "b"], ["x", "y", "x", "y"]).residual_df == 1


def test_indicators_are_the_factor_design_matrix():
    c = cross([1, 2, 3], ["b", "a", "b"], ["x", "x", "x"])
    assert c.indicators(PHOTO).tolist() == [[0, 1], [1, 0], [0, 1]]
