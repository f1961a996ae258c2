"""`python -m nst` / `nst`: the command line, a thin shell over the package; a module per group of commands.

Only light modules are imported here, so `nst --help` answers at once; each command imports what it
needs (TensorFlow loads, quietly, when a command first computes: nst.runtime)."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from nst.cli import bench, comparisons, grids, listings, video, votes
from nst.cli.terminal import EXIT_BAD_INPUT
from nst.errors import NSTError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not argparse's usage block
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.command(args)
    except NSTError as error:
        print(f"nst: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT


def parser() -> argparse.ArgumentParser:
    """Every command, each added by its module's `register`."""
    top = _Parser(prog="nst", description="Neural style transfer on VGG16: compare loss functions side by side.")
    commands = top.add_subparsers(required=True, metavar="COMMAND", parser_class=_Parser)
    for module in (listings, comparisons, video, bench, grids, votes):
        module.register(commands)
    return top
