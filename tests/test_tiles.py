import numpy as np
import pytest

from nst.backbone.layers import VGG16_NETWORK, resolve_layers
from nst.errors import SettingError
from nst.settings import Settings
from nst.tiles import (
    Overlap,
    blend,
    blend_weights,
    layout,
    overlap_for,
    planned_steps,
    receptive_field,
    seam_ratio,
    seams,
    starts,
    steps_per_pass,
)

SHAPES = [(300, 451), (128, 128), (97, 300), (1536, 2048)]


def test_receptive_fields_are_vggs_known_ones():
    """Known values (Araujo et al., "Computing Receptive Fields of CNNs", Distill 2019): conv1_1 3, conv1_2 5,
    conv2_1 10, conv3_1 24, conv4_1 60, conv4_2 76, conv5_1 132."""
    known = {"block1_conv1": 3, "block1_conv2": 5, "block2_conv1": 10, "block3_conv1": 24}
    known |= {"block4_conv1": 60, "block4_conv2": 76, "block5_conv1": 132}
    assert {name: receptive_field(name, VGG16_NETWORK) for name in known} == known


def test_the_overlap_is_set_by_the_deepest_layer_used():
    gatys = overlap_for(resolve_layers("gatys"), VGG16_NETWORK)
    assert gatys == Overlap(66, 66) and gatys.width == 198
    shallow = overlap_for(resolve_layers("gatys", ("block2_conv2",), ("block1_conv1", "block2_conv1")), VGG16_NETWORK)
    assert shallow == Overlap(7, 7)


@pytest.mark.parametrize("length,tile,overlap", [(451, 128, 30), (2048, 1024, 198), (1000, 300, 100), (300, 300, 50)])
def test_tiles_cover_the_axis_and_overlap_at_least_as_asked(length, tile, overlap):
    found = starts(length, tile, overlap)
    assert found[0] == 0 and found[-1] + tile == length or (found == [0] and length <= tile)
    gaps = [b - a for a, b in zip(found, found[1:])]
    assert all(tile - gap >= overlap for gap in gaps)  # each neighbour overlaps by at least `overlap`
    assert len(found) == 1 or all(tile - gap < 2 * overlap + (tile - overlap) for gap in gaps)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("tile", [64, 100, 256])
def test_blend_weights_sum_to_one_everywhere_and_vanish_near_inner_borders(shape, tile):
    overlap = Overlap(6, 8)
    tiles = layout(shape, tile, overlap)
    weights = blend_weights(shape, tiles, overlap)
    total = np.zeros(shape)
    for t, w in zip(tiles, weights):
        assert w.shape == (t.height, t.width) and w.min() >= 0
        total[t.window] += w
        if t.top > 0:
            assert np.all(w[: overlap.margin] < 1e-9)  # within the margin of an inner border: no weight
        if t.left + t.width < shape[1]:
            assert np.all(w[:, -overlap.margin :] < 1e-9)
    np.testing.assert_allclose(total, 1.0, atol=1e-9)


def test_a_constant_image_tiled_and_blended_is_unchanged_and_tiles_blend_as_weighted():
    shape, overlap = (150, 230), Overlap(5, 10)
    tiles = layout(shape, 64, overlap)
    weights = blend_weights(shape, tiles, overlap)
    image = np.full((*shape, 3), 0.3, np.float32)
    np.testing.assert_allclose(blend(image, tiles, weights, [image[t.window] for t in tiles]), image, atol=1e-6)
    # every tile proposing the same new image: blending in turn moves every pixel toward it (a pixel keeps
    # the product of (1 - w) over its tiles of what it was: 0 where one tile covers it, ~0.25 where two cross)
    target = np.random.default_rng(0).uniform(size=(*shape, 3)).astype(np.float32)
    blended = blend(image, tiles, weights, [target[t.window] for t in tiles])
    assert np.abs(blended - target).max() < np.abs(image - target).max()


def test_every_tile_has_one_shape_so_one_trace_serves_them():
    for shape in SHAPES:
        tiles = layout(shape, 96, Overlap(8, 8))
        assert len({(t.height, t.width) for t in tiles}) == 1


def test_a_tile_no_larger_than_its_overlap_is_refused():
    with pytest.raises(SettingError, match="larger than its overlap"):
        layout((300, 300), 20, Overlap(8, 8))
    with pytest.raises(SettingError, match="twice its overlap"):
        Settings(size=2048, schedule="tiled", tile=300)


def test_planned_steps_count_tiles_passes_and_whole_stages():
    settings = Settings(size=4096, schedule="tiled", iterations=100, tile=1024, tile_passes=2)
    assert settings.stages == [(1024, 33), (2048, 33), (4096, 34)]
    shape = (3072, 4096, 3)
    overlap = overlap_for(settings.layers, settings.network)
    tiles_2048, tiles_4096 = (len(layout((3 * s // 4, s), 1024, overlap)) for s in (2048, 4096))
    expected = 33 + tiles_2048 * 2 * steps_per_pass(33, 2) + tiles_4096 * 2 * steps_per_pass(34, 2)
    assert planned_steps(settings, shape) == expected == 33 + 6 * 2 * 16 + 20 * 2 * 17
    assert planned_steps(settings.replace(schedule="multiscale", size=1024), shape) == 100


def test_the_seam_yardstick_finds_an_edge_along_the_hand_overs_and_none_in_noise():
    shape, overlap = (200, 300), Overlap(10, 10)
    tiles = layout(shape, 128, overlap)
    noise = np.random.default_rng(1).uniform(0.4, 0.6, (*shape, 3))
    assert seam_ratio(noise, tiles) == pytest.approx(1.0, abs=0.15)
    rows, cols = seams(tiles)
    bands = np.add.outer(
        np.searchsorted(rows, np.arange(shape[0]), "right"), np.searchsorted(cols, np.arange(shape[1]), "right")
    )
    stepped = noise + 0.2 * (bands % 2)[..., None]  # a brightness step at every hand-over
    assert seam_ratio(stepped, tiles) > 3
    shifted = noise + 0.2 * (np.add.outer(np.arange(shape[0]) // 37, np.arange(shape[1]) // 41) % 2)[..., None]
    assert seam_ratio(shifted, tiles) < 2  # steps elsewhere: not seams
    assert seam_ratio(noise, layout(shape, 400, overlap)) == 1.0  # one tile: no seam
