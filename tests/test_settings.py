import dataclasses
import subprocess
import sys

import pytest

from nst.errors import SettingError, UnknownNameError
from nst.settings import Settings

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


def test_every_field_has_a_comment_on_its_line():
    source = open(sys.modules[Settings.__module__].__file__).read()
    for field in dataclasses.fields(Settings):
        line = next(line for line in source.splitlines() if line.strip().startswith(f"{field.name}:"))
        assert "#" in line, field.name


@pytest.mark.parametrize(
    "changes, error, message",
    [
        (dict(size=5), SettingError, "size must be a whole number from 32 to 2048"),
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
