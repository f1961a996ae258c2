"""Does the style-embedding distance (nst.feedforward.style_distance) judge style? Over the bundled study's
outputs (docs/study/<unit>/<loss>.jpg, docs/study/results.csv): how often an output's nearest painting by
style vector is its own, and the distance's rank correlation with the style SWD and the colour SWD.

python experiments/style_embedding.py [--write docs/style-embedding.md]
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import NamedTuple

import numpy as np
from scipy.stats import spearmanr

ROOT = Path(__file__).resolve().parent.parent
STUDY = ROOT / "docs" / "study"


class Output(NamedTuple):
    unit: str
    loss: str
    content: str
    style: str
    vector: np.ndarray
    style_swd: float
    color_swd: float
    style_distance: float  # the Gram yardstick, for comparison


def read_outputs(study: Path, vector) -> list[Output]:
    from nst.images import load_image
    from nst.losses.catalogue import file_stem
    from nst.study.design import WEIGHT_MARK

    outputs = []
    for row in csv.DictReader((study / "results.csv").open()):
        if WEIGHT_MARK in row["run"]:  # the fronts' other weights: not shipped, and not the study's comparison
            continue
        image = load_image(study / row["run"] / f"{file_stem(row['loss'])}.jpg")
        outputs.append(
            Output(
                row["run"],
                row["loss"],
                row["content"],
                row["style"],
                vector(image),
                float(row["style_swd"]),
                float(row["color_swd"]),
                float(row["style_distance"]),
            )
        )
    return outputs


def vectors_of(paths: list[str], vector, size: int) -> dict[str, np.ndarray]:
    """Each image at the study's working size (long side `size`), as the judge would see it."""
    from nst.images import load_image, resize_long_side

    return {path: vector(resize_long_side(load_image(ROOT / path), size)) for path in paths}


def euclidean(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b))


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(1.0 - a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def nearest_accuracy(outputs: list[Output], paintings: dict[str, np.ndarray], distance) -> tuple[float, float]:
    """Share of outputs whose nearest painting is their own, and the mean rank (1 = nearest) of their own."""
    names = sorted(paintings)
    ranks = []
    for output in outputs:
        distances = np.array([distance(output.vector, paintings[name]) for name in names])
        own = distances[names.index(output.style)]
        ranks.append(1 + int(np.sum(distances < own)))
    ranks = np.array(ranks)
    return float(np.mean(ranks == 1)), float(np.mean(ranks))


def correlations(outputs: list[Output], own: np.ndarray) -> dict[str, tuple[float, float, float, int]]:
    """Spearman's rho of the own-painting distance with each yardstick: pooled (rho, p) and the median
    over units of the within-unit rho (the losses of one content x style pair, what a study compares)."""
    units = sorted({o.unit for o in outputs})
    table = {}
    for column in ("style_swd", "color_swd", "style_distance"):
        values = np.array([getattr(o, column) for o in outputs])
        rho, p = spearmanr(own, values)
        within = [
            spearmanr(own[mask], values[mask])[0] for mask in (np.array([o.unit == u for o in outputs]) for u in units)
        ]
        table[column] = (float(rho), float(p), float(np.nanmedian(within)), int(np.sum(np.array(within) > 0)))
    return table


def report(outputs: list[Output], paintings, contents, size: int) -> list[str]:
    own = np.array([euclidean(o.vector, paintings[o.style]) for o in outputs])
    content_own = np.array([euclidean(contents[o.content], paintings[o.style]) for o in outputs])
    accuracy, rank = nearest_accuracy(outputs, paintings, euclidean)
    accuracy_cos, rank_cos = nearest_accuracy(outputs, paintings, cosine)
    norms = np.array([np.linalg.norm(v) for v in paintings.values()])
    pairs = [(a, b) for i, a in enumerate(paintings.values()) for b in list(paintings.values())[i + 1 :]]
    pair_cosine = np.array([cosine(a, b) for a, b in pairs])
    pair_euclidean = np.array([euclidean(a, b) for a, b in pairs])
    lines = [
        "# The style-embedding yardstick: does it judge style?",
        "",
        "`style_embedding` = Euclidean distance between the 100-number style vectors of the output and of the",
        "painting, from Magenta's style predictor (a MobileNetV2 trained with the arbitrary-stylization network to",
        "describe paintings; nst.feedforward.style_distance); no loss optimises it and VGG16 plays no part.",
        "",
        f"Data: the bundled study's {len(outputs)} outputs (docs/study: {len({o.unit for o in outputs})} content x "
        f"style units x {len({o.loss for o in outputs})} losses, {size} px, made with **{_weights(STUDY)}** weights), "
        f"against its {len(paintings)} paintings, each at the study's working size ({size} px long side, as the "
        "judge sees it), its centred square at 256 px.",
        "",
        "Reproduce: `python experiments/style_embedding.py --write docs/style-embedding.md`",
        "",
        "## Nearest painting",
        "",
        f"- the output's nearest painting by style vector is its own: **{accuracy:.1%}** of outputs "
        f"(chance 1/{len(paintings)} = {1 / len(paintings):.1%}); mean rank of its own painting {rank:.2f} of "
        f"{len(paintings)}",
        f"- with the cosine distance instead: {accuracy_cos:.1%}, mean rank {rank_cos:.2f}",
        f"- the output is nearer its painting than its content photo is: {np.mean(own < content_own):.1%} of outputs "
        f"(median distance {np.median(own):.2f} against the photo's {np.median(content_own):.2f})",
        "",
        "By loss (share nearest to its own painting):",
        "",
    ]
    for loss in dict.fromkeys(o.loss for o in outputs):
        subset = [o for o in outputs if o.loss == loss]
        lines.append(f"- {loss}: {nearest_accuracy(subset, paintings, euclidean)[0]:.1%} of {len(subset)}")
    lines += [
        "",
        "## Rank correlation with the VGG16 yardsticks (Spearman)",
        "",
        "| yardstick | pooled rho | pooled p | median within-unit rho | units with rho > 0 |",
        "|---|---|---|---|---|",
    ]
    units = len({o.unit for o in outputs})
    for column, (rho, p, within, positive) in correlations(outputs, own).items():
        lines.append(f"| {column} | {rho:+.3f} | {p:.2g} | {within:+.3f} | {positive} of {units} |")
    lines += [
        "",
        "Pooled: all outputs together, so the differences between units (painting, photo) enter; within-unit:",
        f"the {len({o.loss for o in outputs})} outputs of one content x style pair (its losses and the feed-forward "
        "network's) ranked against each other, the comparison a study makes,",
        "median over units.",
        "style_distance (the Gram-matrix yardstick, optimised by mse) is shown for comparison.",
        "",
        "## Euclidean, not cosine",
        "",
        f"The paintings' vectors have norms {norms.min():.2f} to {norms.max():.2f} (a spread of "
        f"{norms.max() / norms.min() - 1:.0%}) and share a large common direction: the cosine distances between "
        f"two paintings lie in {pair_cosine.min():.3f} to {pair_cosine.max():.3f}, the Euclidean ones in "
        f"{pair_euclidean.min():.2f} to {pair_euclidean.max():.2f}. The transfer network reads the vector as it "
        "is (26 affine maps of it, 1x1 convolutions in the graph, give the scale and shift of its 13 conditional "
        "instance normalisations) and Magenta interpolates styles linearly in it, "
        "so its length is part of the style: the Euclidean distance keeps it, the cosine drops it. The cosine "
        "figures above are for comparison only; they were not used to choose.",
    ]
    return lines


def _weights(study: Path) -> str:
    """The backbone weights the study's runs were made with (the first unit's config.json)."""
    import json

    config = json.loads(next(study.glob("*/config.json")).read_text())
    return config["weights"]["name"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="write the report (markdown) here")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from nst.feedforward import load_model, style_vector

    model = load_model()
    size = int(next(csv.DictReader((STUDY / "results.csv").open()))["size"])

    def vector(image):
        return style_vector(image, model)

    outputs = read_outputs(STUDY, vector)
    paintings = vectors_of(sorted({o.style for o in outputs}), vector, size)
    contents = vectors_of(sorted({o.content for o in outputs}), vector, size)
    text = "\n".join(report(outputs, paintings, contents, size)) + "\n"
    if args.write:
        args.write.write_text(text)
    print(text, end="")


if __name__ == "__main__":
    main()
