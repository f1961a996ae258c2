"""The settings' command-line flags (nst.cli.flags), built from the fields' descriptions (nst.settings)."""

import argparse
import dataclasses

import pytest

from nst import limits
from nst.cli.flags import add_settings, settings_from
from nst.errors import SettingError
from nst.settings import FIELDS, Settings


def parser(fields=FIELDS) -> argparse.ArgumentParser:
    made = argparse.ArgumentParser(exit_on_error=False)
    add_settings(made, fields)
    return made


def actions(made: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {action.dest: action for action in made._actions if action.dest != "help"}


def test_every_field_on_the_command_line_has_its_flag_and_no_other_does():
    found = actions(parser())
    on_cli = {name for name, field in FIELDS.items() if not field.about.off_cli}
    assert set(found) == on_cli | {"preserve_colors"}
    assert on_cli == {field.name for field in dataclasses.fields(Settings)} - {"preview_every"}


@pytest.mark.parametrize("name", [n for n, f in FIELDS.items() if not f.about.off_cli])
def test_each_flag_says_its_fields_help_choices_bounds_and_default(name):
    field, action = FIELDS[name], actions(parser())[name]
    shown = argparse.HelpFormatter("nst")._expand_help(action)  # as --help prints it (a %% shown as %)
    assert action.option_strings == [field.flag] and action.metavar == field.metavar
    assert action.type is (None if field.several or field.kind is str else field.kind)
    assert shown.startswith(field.about.help)
    assert all(choice in shown for choice in field.about.names)
    if field.about.high is not None:
        assert f"to {field.about.high:g}" in shown or f"to {field.about.high}" in shown
    if field.default != ():
        assert f"default {field.default}" in shown or f"default {field.default:g}" in shown


def test_a_changed_description_changes_the_flag():
    seed = FIELDS["seed"]
    about = dataclasses.replace(seed.about, help="a seed", high=7, metavar="S")
    action = actions(parser({"seed": seed._replace(about=about)}))["seed"]
    assert action.help == "a seed (0 to 7; default 0)" and action.metavar == "S"


def test_the_flags_names_stay():
    """Scripts and docs use these: --blend for style_blend, --preserve-colors beside --colors."""
    flags = {option for action in parser()._actions for option in action.option_strings}
    assert {"--blend", "--preserve-colors", "--content-layers", "--style-scale", "--tv-weight", "--seed"} <= flags


def test_the_flags_parse_into_settings():
    args = parser().parse_args(
        ["--seed", "3", "--blend", "0.7,0.3", "--style-layers", "block1_conv1, block2_conv1,", "--preserve-colors"]
    )
    settings = settings_from(args)
    assert (settings.seed, settings.style_blend, settings.colors) == (3, (0.7, 0.3), "content")
    assert settings.style_layers == ("block1_conv1", "block2_conv1")
    assert settings_from(parser().parse_args([])) == Settings()  # nothing given: the defaults


def test_the_seed_flag_takes_what_the_limit_allows():
    assert settings_from(parser().parse_args(["--seed", str(limits.MAX_SEED)])).seed == limits.MAX_SEED
    with pytest.raises(SettingError, match=f"seed must be a whole number from 0 to {limits.MAX_SEED}"):
        settings_from(parser().parse_args(["--seed", str(limits.MAX_SEED + 1)]))
    with pytest.raises(SettingError, match="--blend takes comma-separated numbers"):
        settings_from(parser().parse_args(["--blend", "0.7,x"]))
