import shutil

import pytest

from nst.sweep.grid import GridError, load_grid

from .conftest import CONTENT, STYLE


def write_grid(tmp_path, text):
    shutil.copy(CONTENT, tmp_path / "cat.png")
    shutil.copy(STYLE, tmp_path / "starry.jpg")
    path = tmp_path / "grid.toml"
    path.write_text('content = "cat.png"\nstyle = "starry.jpg"\n' + text)
    return path


def test_a_grid_is_the_product_of_its_lists(tmp_path):
    grid = load_grid(
        write_grid(
            tmp_path, 'losses = ["mse", "mae"]\nstyle_weight = [1, 10.5]\npreset = ["seed", "gatys"]\nsize = 64\n'
        )
    )
    assert grid.varied == ["style_weight", "preset"]
    assert len(grid.runs) == 4 and {r.losses for r in grid.runs} == {("mse", "mae")}
    combos = {(r.settings.style_weight, r.settings.preset) for r in grid.runs}
    assert combos == {(1, "seed"), (1, "gatys"), (10.5, "seed"), (10.5, "gatys")}
    assert all(r.settings.size == 64 and r.content == tmp_path / "cat.png" for r in grid.runs)
    names = [r.name for r in grid.runs]
    assert len(set(names)) == 4 and "cat__starry__style_weight-10.5__preset-gatys" in names
    assert grid.runs[0].varied == {"style_weight": "1", "preset": "seed"}


def test_layers_are_one_comma_separated_value_and_a_list_of_them_is_swept(tmp_path):
    grid = load_grid(write_grid(tmp_path, 'style_layers = ["block1_conv1,block2_conv1", "block3_conv1"]\n'))
    assert [r.settings.style_layers for r in grid.runs] == [("block1_conv1", "block2_conv1"), ("block3_conv1",)]


def test_backbones_and_smoothings_are_swept_like_any_setting(tmp_path):
    grid = load_grid(write_grid(tmp_path, 'backbone = ["vgg16", "resnet50"]\nsmoothing = ["none", "softmax"]\n'))
    assert grid.varied == ["backbone", "smoothing"]
    assert {(r.settings.backbone, r.settings.smoothing) for r in grid.runs} == {
        ("vgg16", "none"),
        ("vgg16", "softmax"),
        ("resnet50", "none"),
        ("resnet50", "softmax"),
    }
    with pytest.raises(GridError, match="did you mean 'resnet50'"):
        load_grid(write_grid(tmp_path, 'backbone = ["vgg16", "resnet5"]\n'))


def test_every_problem_is_listed_before_anything_runs(tmp_path):
    path = write_grid(
        tmp_path, 'losses = ["mse", "hellinjer"]\nstyle_wieght = 3\nsize = [64, 5]\ncontent_layers = "block9_conv1"\n'
    )
    path.write_text(path.read_text().replace('content = "cat.png"', 'content = ["cat.png", "dog.png"]'))
    with pytest.raises(GridError) as caught:
        load_grid(path)
    message = str(caught.value)
    assert "did you mean 'hellinger'" in message and "did you mean 'style_weight'" in message
    assert "dog.png" in message and "size must be a whole number from 32" in message
    assert "block9_conv1" in message and "5 problem(s)" in message


@pytest.mark.parametrize("text", ["size = [", "style_weight = []\n", "size = { a = 1 }\n"])
def test_broken_toml_and_empty_or_odd_values_are_refused(tmp_path, text):
    with pytest.raises(GridError):
        load_grid(write_grid(tmp_path, text))


def test_a_missing_grid_file_is_one_clear_error(tmp_path):
    with pytest.raises(GridError, match="cannot read grid"):
        load_grid(tmp_path / "nope.toml")


def test_parametrised_losses_are_canonical_and_bad_ones_listed(tmp_path):
    grid = load_grid(write_grid(tmp_path, 'losses = ["robust:alpha=2.0", "gram+mae", "swd+robust:alpha=-inf"]\n'))
    assert grid.runs[0].losses == ("robust:alpha=2", "mae", "swd+robust:alpha=-inf")
    with pytest.raises(GridError, match="alpha='5' is not allowed"):
        load_grid(write_grid(tmp_path, 'losses = ["robust:alpha=5"]\n'))


def test_the_alpha_example_plots_its_yardsticks_against_alpha(tmp_path):
    """examples/alpha.toml's summary: one row of plots whose x axis is alpha (the dial), mse and mae as levels."""
    from pathlib import Path

    import matplotlib

    from nst.metrics import IMAGE_YARDSTICKS
    from nst.sweep.tables import summary_figure

    grid = load_grid(Path(__file__).parent.parent / "examples" / "alpha.toml")
    assert grid.varied == ["content"] and len(grid.runs[0].losses) == 8
    rows = [
        {
            "run": run.name,
            "content": str(run.content),
            "loss": loss,
            "loss_status": "complete",
            **{y: 1.0 + i + j for j, y in enumerate(IMAGE_YARDSTICKS)},
        }
        for run in grid.runs
        for i, loss in enumerate(run.losses)
    ]
    figure = summary_figure(rows, grid.varied)
    axes = figure.get_axes()
    assert len(axes) == len(IMAGE_YARDSTICKS) and axes[0].get_xlabel() == "robust alpha"
    assert [t.get_text() for t in axes[0].get_xticklabels()] == ["2", "1", "0.5", "0", "-2", "-inf"]
    dial, *levels = axes[0].get_lines()
    assert list(dial.get_ydata()) == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0] and len(levels) == 2
    matplotlib.pyplot.close(figure)


def test_a_style_of_several_images_is_a_blend_with_masks_and_weights(tmp_path):
    from PIL import Image

    from .conftest import ASSETS

    shutil.copy(ASSETS / "style" / "the_scream.jpg", tmp_path / "scream.jpg")
    for name, box in (("left.png", (0, 0, 10, 20)), ("right.png", (10, 0, 20, 20))):
        mask = Image.new("L", (20, 20), 0)
        mask.paste(255, box)
        mask.save(tmp_path / name)
    path = write_grid(tmp_path, "")
    path.write_text(
        'content = "cat.png"\nstyle = "starry.jpg+scream.jpg"\nmask = "left.png+right.png"\n'
        'style_blend = "0.7,0.3"\nstyle_scale = [1.0, 2.0]\ncolors = "palette"\n'
    )
    grid = load_grid(path)
    assert len(grid.runs) == 2 and grid.varied == ["style_scale"]
    run = grid.runs[0]
    assert run.style_paths == (tmp_path / "starry.jpg", tmp_path / "scream.jpg")
    assert run.masks == (tmp_path / "left.png", tmp_path / "right.png")
    assert run.settings.style_blend == (0.7, 0.3) and run.settings.colors == "palette"
    assert run.name.startswith("cat__starry+scream")
    path.write_text('content = "cat.png"\nstyle = "starry.jpg+nope.jpg"\n')
    with pytest.raises(GridError, match="style image not found: 'nope.jpg'"):
        load_grid(path)
