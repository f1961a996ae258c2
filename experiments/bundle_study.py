"""Ship a finished `nst study` folder as the bundled study (docs/study): the page's gallery and vote pool.

Replaces docs/study with the study's unit folders slimmed by nst.votes.gallery.export (each output as a
JPEG, quality 90, with config.json, metrics.json and history.csv), its tables and plots as written (the
contact sheet left out: a row per run, tens of MB for a large study, and the units' folders hold every
output), and a "## Files" section at the end of study.md saying so.

python experiments/bundle_study.py out/study [--dest docs/study]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOP_FILES = ("results.csv", "study.csv", "study.md", "summary.png")
FILES_SECTION = """
## Files

A copy of the study's folder as `nst study` wrote it, each unit's folder slimmed by `nst.votes.gallery.export`: \
`<content>__<style>/<loss>.jpg` is each loss's output at the study's working size (JPEG quality 90 of the PNG; \
`feedforward.jpg` the feed-forward baseline's), with the unit's config.json, metrics.json and history.csv (the \
comparison sheets and run.json stay behind). The fronts' runs at the other style weights (`<unit>__w-<weight>`) \
are not shipped as folders: their rows are in results.csv, from which every number of study.md reproduces \
(nst.study.analysis reads results.csv where the run folders kept no record). The contact sheet \
(a row per run, tens of MB here) is left out: every output is in its unit's folder. These folders are the \
page's gallery: the Compare view shows them at once and the Vote view draws its pairs from them.
"""


def bundle(study: Path, dest: Path) -> int:

    from nst.votes.gallery import export

    if dest.exists():
        shutil.rmtree(dest)
    units = export(study, dest)
    for name in TOP_FILES:
        shutil.copy(study / name, dest / name)
    for plot in [*study.glob("study-*.png"), *study.glob("fronts-*.png")]:
        shutil.copy(plot, dest / plot.name)
    text = (dest / "study.md").read_text().replace("Contact sheet: [contact.png](contact.png)\n", "")
    (dest / "study.md").write_text(text + FILES_SECTION)
    return units


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", type=Path)
    parser.add_argument("--dest", type=Path, default=ROOT / "docs" / "study")
    args = parser.parse_args(argv)
    print(f"{bundle(args.study, args.dest)} units -> {args.dest}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main(sys.argv[1:])
