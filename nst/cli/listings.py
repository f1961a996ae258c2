"""nst losses, presets, backbones, limits: what can be chosen, listed."""

from __future__ import annotations

from nst import limits
from nst.backbone.networks import NETWORKS, describe_backbones
from nst.cli.terminal import list_registry
from nst.losses.catalogue import describe as describe_losses


def register(commands) -> None:
    listing = commands.add_parser("losses", help="list the losses")
    listing.set_defaults(command=lambda a: print("\n".join(describe_losses())) or 0)
    presets = commands.add_parser("presets", help="list a backbone's layer presets")
    presets.add_argument("--backbone", default="vgg16", metavar="NAME", help="whose presets (default vgg16)")
    presets.set_defaults(command=lambda a: list_registry(NETWORKS.get(a.backbone).presets))
    backbones = commands.add_parser("backbones", help="list the backbones, their weights, presets and layers")
    backbones.add_argument("--layers", action="store_true", help="also list every layer a term may use")
    backbones.set_defaults(command=lambda a: print("\n".join(describe_backbones(a.layers))) or 0)
    limits_command = commands.add_parser("limits", help="list the limits on inputs and runs")
    limits_command.set_defaults(command=_limits)


def _limits(args) -> int:
    from nst.budget import largest_print

    print("\n".join([*limits.describe(), largest_print()]))
    return 0
