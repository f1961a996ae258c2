import dataclasses
import subprocess
import sys

import pytest

from nst import limits
from nst.describe import ABOUT, About
from nst.errors import SettingError, UnknownNameError
from nst.settings import FIELDS, Settings

LIGHT_MODULES = (
    "nst",
    "nst.settings",
    "nst.backbone.layers",
    "nst.losses.catalogue",
    "nst.budget",
    "nst.sweep.grid",
    "nst.cli",
)


def test_the_loss_is_not_a_setting():
    """Every field is shared by all the losses of a comparison; the loss itself is passed beside them."""
    assert "loss" not in {field.name for field in dataclasses.fields(Settings)}
    with pytest.raises(TypeError):
        Settings(loss="mse")


def test_every_field_is_described_in_one_line():
    """Its help is what the CLI and the page show: one line, lower case, no full stop (each adds its own)."""
    for field in dataclasses.fields(Settings):
        text = field.metadata[ABOUT].help
        assert text and "\n" not in text and text[0].islower() and not text.endswith("."), field.name


def test_every_field_has_a_flag_a_link_parameter_and_a_widget_or_a_stated_reason():
    for field in dataclasses.fields(Settings):
        about = field.metadata[ABOUT]
        assert about.label or len(about.off_page) > 20, field.name  # a label: a widget and a link parameter
        assert not about.off_cli or len(about.off_cli) > 20, field.name  # a flag unless a reason is given
    assert {name for name, f in FIELDS.items() if f.about.off_cli} == {"preview_every"}
    assert {name for name, f in FIELDS.items() if f.about.off_page} == {
        "pooling",
        "learning_rate",
        "style_blend",
        "preview_every",
    }


def test_a_description_needs_a_label_or_the_reason_for_none():
    with pytest.raises(ValueError, match="page label"):
        About("a setting")
    with pytest.raises(ValueError, match="page label"):
        About("a setting", label="Setting", off_page="and a reason")


def test_the_bounds_are_the_limits():
    assert (FIELDS["seed"].about.low, FIELDS["seed"].about.high) == (0, limits.MAX_SEED)
    assert (FIELDS["size"].about.low, FIELDS["size"].about.high) == (limits.MIN_SIZE, limits.MAX_TILED_SIZE)
    assert FIELDS["iterations"].about.high == limits.MAX_ITERATIONS
    for name in ("content_weight", "style_weight", "tv_weight", "style_blend"):
        assert (FIELDS[name].about.low, FIELDS[name].about.high) == (0.0, limits.MAX_WEIGHT)


@pytest.mark.parametrize("field", [f for f in FIELDS.values() if f.about.high is not None], ids=lambda f: f.name)
def test_every_bound_is_checked_where_it_is_described(field):
    """The value at each bound is accepted; one step beyond it is refused, naming the field."""
    low, high = field.about.low, field.about.high
    step = 1 if field.kind is int else max(abs(high), 1.0) * 1e-6
    wrap = (lambda v: (v, 1.0)) if field.several else (lambda v: v)  # a list: another weight beside, not all 0
    beside = {"schedule": "tiled"} if field.name == "size" else {}  # above 2048 px only tiled runs
    for good in (low, high):
        assert getattr(Settings(**{field.name: wrap(good)}, **beside), field.name) == wrap(good)
    for bad in (low - step, high + step):
        with pytest.raises(SettingError, match=f"{field.name} must be a (whole )?number from"):
            Settings(**{field.name: wrap(bad)}, **beside)


@pytest.mark.parametrize("field", [f for f in FIELDS.values() if f.about.choices], ids=lambda f: f.name)
def test_every_choice_is_checked_where_it_is_described(field):
    for name in field.about.names:
        assert getattr(Settings(**{field.name: name}), field.name) == name
    with pytest.raises(SettingError, match="unknown .*'nothing'.*choose from: " + ", ".join(field.about.names)):
        Settings(**{field.name: "nothing"})


@pytest.mark.parametrize(
    "changes, error, message",
    [
        (dict(size=5), SettingError, "size must be a whole number from 32 to 8192"),
        (dict(size=4096), SettingError, "above 2048 px: use schedule tiled"),
        (dict(size=4096, schedule="tiled", tolerance=0.01), SettingError, "a tiled run's tiles take every step"),
        (dict(size=4096, schedule="tiled", iterations=1), SettingError, "needs at least 2 iterations"),
        (dict(optimizer="lbgfs"), UnknownNameError, "did you mean 'lbfgs'"),
        (dict(preset="gatsy"), UnknownNameError, "unknown preset 'gatsy'"),
        (dict(style_layers=("block9_conv1",)), UnknownNameError, "unknown vgg16 layer"),
        (dict(precision="float16"), SettingError, "unknown precision 'float16'"),
        (dict(schedule="pyramid"), SettingError, "choose from: direct, multiscale"),
        (dict(style_weight=float("nan")), SettingError, "style_weight must be a number"),
        (dict(seed=True), SettingError, "seed must be a whole number"),
    ],
)
def test_bad_settings_fail_early_with_what_is_allowed(changes, error, message):
    with pytest.raises(error, match=message):
        Settings(**changes)


def test_light_modules_import_without_tensorflow():
    """Settings, grids and `nst --help` must not wait for TensorFlow (it loads on first use)."""
    probe = f"import sys; import {', '.join(LIGHT_MODULES)}; print('tensorflow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
