"""The bundled sample images (assets/content, assets/style) and their terms, read from the one place they
are written: the provenance tables of assets/README.md (a row `| content/<file> | <what> | <terms> |` per
file). The page shows a chosen sample's terms under it, so CC BY credits travel with their images."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from nst.errors import NSTError

ASSETS = Path(__file__).resolve().parent.parent / "assets"
ROLES = ("content", "style")


@dataclass(frozen=True)
class Provenance:
    path: str  # relative to assets/: "content/chelsea.png"
    subject: str  # what it shows, as the table says
    terms: str  # licence and credit, as the table says

    @property
    def needs_credit(self) -> bool:
        """True when the licence asks for the credit to be kept with the image (CC BY)."""
        return "CC BY" in self.terms


@cache
def provenance_table(readme: Path = ASSETS / "README.md") -> dict[str, Provenance]:
    """Every provenance row of the README, keyed by its path."""
    rows = {}
    for line in readme.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].split("/")[0] in ROLES:
            rows[cells[0]] = Provenance(cells[0], cells[1], " | ".join(cells[2:]))
    return rows


def sample_files(role: str) -> list[Path]:
    """The bundled samples of a role, in name order."""
    return sorted(path for path in (ASSETS / role).glob("*.*") if path.is_file())


def provenance(role: str, name: str) -> Provenance:
    """The README's row for a bundled sample; NSTError when it has none (every shipped file must)."""
    row = provenance_table().get(f"{role}/{name}")
    if row is None:
        raise NSTError(f"assets/{role}/{name} has no provenance row in assets/README.md")
    return row
