"""The Compare view's settings sidebar (views.settings_panel): its widgets and link parameters, built from
the fields' descriptions (nst.settings)."""

import pytest
from streamlit.testing.v1 import AppTest

from nst import limits
from nst.losses.catalogue import DEFAULT_LOSSES
from nst.settings import FIELDS
from views import settings_panel as panel

BY_NAME = {param.name: param for param in panel.PARAMS}
LAYERS = {param.name: param for param in panel.layer_params("vgg16", "gatys")}


def test_every_setting_with_a_label_has_a_link_parameter_named_as_it():
    with_label = {name for name, field in FIELDS.items() if field.about.label}
    assert (set(BY_NAME) - {"loss"}) | set(LAYERS) == with_label
    assert all(BY_NAME[name].key == name for name in with_label - set(LAYERS))  # its widget's key
    assert BY_NAME["loss"].default == list(DEFAULT_LOSSES)


def test_the_link_takes_the_described_bounds():
    seed, iterations = BY_NAME["seed"], BY_NAME["iterations"]
    assert seed.parse([str(limits.MAX_SEED)]) == limits.MAX_SEED
    with pytest.raises(ValueError, match=f"allowed: 0 to {limits.MAX_SEED}$"):
        seed.parse([str(limits.MAX_SEED + 1)])
    assert iterations.parse([str(limits.MAX_ITERATIONS)]) == limits.MAX_ITERATIONS
    with pytest.raises(ValueError):
        iterations.parse([str(limits.MAX_ITERATIONS + 1)])
    with pytest.raises(ValueError):
        BY_NAME["tv_weight"].parse(["-0.5"])


def test_the_link_takes_the_described_choices():
    for name in ("init", "colors", "schedule", "optimizer", "backbone", "precision", "smoothing"):
        for choice in FIELDS[name].about.names:
            assert BY_NAME[name].parse([choice]) == choice
        with pytest.raises(ValueError, match="allowed: " + ", ".join(FIELDS[name].about.names)):
            BY_NAME[name].parse(["nothing"])


def test_the_pages_own_ranges_stay_the_pages():
    low, high = panel.PAGE_BOUNDS["size"]
    assert BY_NAME["size"].parse([str(low)]) == low and BY_NAME["size"].parse([str(high)]) == high
    with pytest.raises(ValueError, match=f"allowed: {low} to {high} in steps of {panel.SLIDERS['size']}"):
        BY_NAME["size"].parse([str(high + panel.SLIDERS["size"])])
    assert FIELDS["size"].about.low < low and high < FIELDS["size"].about.high  # narrower than the engine's


def _sidebar_alone() -> None:
    import streamlit as st

    from views.link import restore
    from views.settings_panel import PARAMS, layer_params, sidebar

    restore(PARAMS, {})
    restore(layer_params("vgg16", "gatys"), {})
    st.session_state.made = sidebar(" (here: float32)")


@pytest.fixture(scope="module")
def sidebar() -> AppTest:
    return AppTest.from_function(_sidebar_alone, default_timeout=120).run()


def test_every_setting_with_a_label_has_its_widget_with_its_help(sidebar):
    assert not sidebar.exception and not sidebar.error
    widgets = {w.key: w for kind in ("selectbox", "number_input", "slider", "multiselect") for w in sidebar.get(kind)}
    for name, field in FIELDS.items():
        if not field.about.label:
            continue
        key = LAYERS[name].key if name in LAYERS else name
        assert widgets[key].label == field.about.label, name
        assert widgets[key].help.lower().startswith(field.about.help.lower()), name
    assert widgets["precision"].help.endswith("(here: float32).")
    assert widgets["optimizer"].help.count("**") == 2 * len(FIELDS["optimizer"].about.names)  # each described


def test_the_widgets_give_the_pages_defaults(sidebar):
    settings, losses = sidebar.session_state["made"]
    preset = panel.DEFAULTS.layers  # the lists start as the preset's, shown in full
    expected = dict(preview_every=panel.PREVIEW_EVERY, content_layers=preset.content, style_layers=preset.style)
    assert settings == panel.DEFAULTS.replace(**expected)
    assert losses == list(DEFAULT_LOSSES)


def test_a_widgets_bounds_are_the_described_ones(sidebar):
    seed = sidebar.number_input(key="seed")
    assert (seed.min, seed.max) == (0, limits.MAX_SEED)
    scale = sidebar.slider(key="style_scale")
    assert (scale.min, scale.max, scale.step) == (
        FIELDS["style_scale"].about.low,
        FIELDS["style_scale"].about.high,
        panel.SLIDERS["style_scale"],
    )
