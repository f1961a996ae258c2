"""The engine settings as command-line flags, and the Settings they parse into. Every flag is built from its
field's description (nst.settings, nst.describe): its name, placeholder, help, choices and bounds."""

from __future__ import annotations

import argparse

from nst.describe import Described
from nst.errors import SettingError
from nst.losses.catalogue import DEFAULT_LOSSES
from nst.settings import FIELDS, Settings


def add_settings(parser: argparse.ArgumentParser, fields: dict[str, Described] = FIELDS) -> None:
    """A flag for every field of `fields` (Settings', or another described dataclass's: nst.video.settings) that
    is on the command line, and with Settings' --preserve-colors."""
    for field in fields.values():
        if field.about.off_cli:
            continue
        kind = None if field.several or field.kind is str else field.kind  # a list: comma-separated text
        parser.add_argument(
            field.flag, dest=field.name, type=kind, metavar=field.metavar, help=_escaped(flag_help(field))
        )
    if fields is FIELDS:
        parser.add_argument(
            "--preserve-colors", action="store_true", help="same as --colors content: transfer luminance only"
        )


def flag_help(field: Described) -> str:
    """'the image the optimisation starts from (content, noise or style; default content)'."""
    about, tail = field.about, []
    if field.several:
        tail.append("comma-separated")
    if about.names:
        tail.append(f"{', '.join(about.names[:-1])} or {about.names[-1]}" if len(about.names) > 1 else about.names[0])
    if about.low is not None and about.high is not None:
        tail.append(f"{_shown(about.low)} to {_shown(about.high)}")
    if field.default != ():
        tail.append(f"default {_shown(field.default)}")
    return f"{about.help} ({'; '.join(tail)})" if tail else about.help


def _escaped(text: str) -> str:
    return text.replace("%", "%%")  # argparse formats help with %: a literal percent sign is doubled


def _shown(value: object) -> str:
    if isinstance(value, tuple):  # a list's default, as it is typed: 0,200
        return ",".join(_shown(item) for item in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def settings_from(args: argparse.Namespace) -> Settings:
    """The Settings the flags give: each field's flag where given, else its default."""
    values = values_from(args)  # the loss is not one
    if args.preserve_colors:
        values["colors"] = "content"
    return Settings(**values)


def values_from(args: argparse.Namespace, fields: dict[str, Described] = FIELDS) -> dict[str, object]:
    """The values of the flags of `fields` that were given, parsed: a list from its comma-separated text."""
    given = {name: getattr(args, name, None) for name in fields}
    values = {name: value for name, value in given.items() if value is not None}
    for name, text in list(values.items()):
        field = fields[name]
        if field.several and field.kind is float:
            values[name] = numbers(field.flag, text) if text else ()
        elif field.several:
            values[name] = tuple(part.strip() for part in text.split(",") if part.strip())
    return values


def numbers(flag: str, text: str) -> tuple[float, ...]:
    """'0.7,0.3' -> (0.7, 0.3); anything else a SettingError naming the flag."""
    try:
        return tuple(float(part) for part in text.split(","))
    except ValueError:
        raise SettingError(f"{flag} takes comma-separated numbers, e.g. 0.7,0.3; got {text!r}") from None


def add_losses(parser: argparse.ArgumentParser, meaning: str) -> None:
    """--losses, a comma-separated list defaulting to DEFAULT_LOSSES; `meaning`: what the list is to this command."""
    default = ",".join(DEFAULT_LOSSES)
    parser.add_argument(
        "--losses", default=default, metavar="LIST", help=f"comma-separated, {meaning} (default {default})"
    )
