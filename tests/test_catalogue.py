"""Loss names: a statistic and a distance, canonical names, and errors that say what is allowed."""

import pytest

from nst.errors import SettingError, UnknownNameError
from nst.losses.catalogue import FEATURED, LOSSES, describe, file_stem, parse


@pytest.mark.parametrize(
    "name, canonical, statistic, distance",
    [
        ("mse", "mse", "gram", "mse"),
        ("gram+mae", "mae", "gram", "mae"),
        ("gram", "mse", "gram", "mse"),
        ("mean_std", "mean_std", "mean_std", "mse"),
        ("mean_std+mse", "mean_std", "mean_std", "mse"),
        (" swd + robust:alpha=0.50 ", "swd+robust:alpha=0.5", "swd", "robust:alpha=0.5"),
        ("robust:alpha=1:scale=0.1", "robust:alpha=1", "gram", "robust:alpha=1"),
        ("robust:scale=1:alpha=-inf", "robust:alpha=-inf:scale=1", "gram", "robust:alpha=-inf:scale=1"),
    ],
)
def test_names_are_parsed_and_made_canonical(name, canonical, statistic, distance):
    loss = parse(name)
    assert (loss.name, loss.statistic_name, loss.distance_name) == (canonical, statistic, distance)
    assert parse(loss.name) == loss  # canonical names parse to themselves


def test_every_existing_name_keeps_its_meaning():
    """A distance alone is the distance applied to Gram matrices, as before statistics existed."""
    from nst.losses.distances import DISTANCES

    for entry in DISTANCES:
        if not entry.params:
            loss = parse(entry.name)
            assert loss.name == entry.name and loss.statistic_name == "gram" and loss.distance is entry.value


@pytest.mark.parametrize(
    "name, words",
    [
        ("mean_sd", ["unknown loss 'mean_sd'", "did you mean 'mean_std'"]),
        ("robust", ["robust needs alpha"]),
        ("robust:alpha=3", ["alpha='3' is not allowed", "up to 2"]),
        ("robust:alpha=nan", ["not allowed"]),
        ("robust:alfa=1", ["unknown parameter of robust 'alfa'", "did you mean 'alpha'"]),
        ("mse:alpha=1", ["mse takes no parameters"]),
        ("mse+mae", ["unknown statistic 'mse'", "mse is a distance"]),
        ("swd+mean_std", ["unknown distance 'mean_std'", "mean_std is a statistic"]),
        ("swd+mse+mae", ["is not DISTANCE, STATISTIC, or STATISTIC+DISTANCE"]),
        ("", ["is not DISTANCE"]),
    ],
)
def test_bad_names_say_what_is_wrong_and_what_is_allowed(name, words):
    with pytest.raises(SettingError) as raised:
        parse(name)
    assert all(word in str(raised.value) for word in words), str(raised.value)
    assert name not in LOSSES


def test_unknown_names_are_unknown_name_errors():
    with pytest.raises(UnknownNameError):
        LOSSES.entry("nope")


def test_featured_names_are_canonical_and_listed():
    assert [LOSSES.canonical(name) for name in FEATURED] == list(FEATURED) == LOSSES.names()
    text = "\n".join(describe())
    assert all(entry.name in text for entry in LOSSES) and "STATISTIC+DISTANCE" in text and ":alpha=" in text


def test_file_stems_are_distinct_and_portable():
    stems = [file_stem(parse(name).name) for name in (*FEATURED, "robust:alpha=0.5", "swd+robust:alpha=-2")]
    assert len(set(stems)) == len(stems)
    assert not any(set(stem) & set('<>:"/\\|?*') for stem in stems)
