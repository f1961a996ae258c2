"""How much of each layered yardstick (nst.metrics.LAYERED_YARDSTICKS) each style layer carries.

On two bundled pairs (chelsea x starry_night, astronaut x great_wave_hokusai) at 192 px, the judge
(nst.metrics.Judge) scores three outputs: the feed-forward output (nst.feedforward.stylize, resized to the
content's shape) and the bundled study's mse and mae outputs (docs/study/<pair>/<loss>.jpg, 192 px, 50 L-BFGS
iterations). Per output, each style layer's share of the mean: the Gram style distance and the style SWD as
the judge computes them (Judge.layer_shares), and the style SWD without the layer normalisation (each layer's
raw SWD to the style over their sum, by nst.sliced_wasserstein.feature_swd), as it was before. Prints a
Markdown table.

python experiments/layer_shares.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PAIRS = (("chelsea", "starry_night.jpg"), ("astronaut", "great_wave_hokusai.jpg"))
SIZE = 192  # px, long side: the bundled study's size
STUDY_LOSSES = ("mse", "mae")
MEASURES = {
    "style_distance": "style distance (raw Gram)",
    "raw_style_swd": "style SWD, raw (before)",
    "style_swd": "style SWD, normalised (now)",
}


def outputs(content: np.ndarray, style: np.ndarray, unit: str) -> dict[str, np.ndarray]:
    """Output name -> image (the content's shape)."""
    from nst import feedforward
    from nst.images import load_image, resize

    found = {"feed-forward": resize(feedforward.stylize(content, style).image, content.shape[:2])}
    for loss in STUDY_LOSSES:
        found[f"study {loss}"] = load_image(ROOT / "docs" / "study" / unit / f"{loss}.jpg")
    return found


def raw_swd_shares(output: np.ndarray, style: np.ndarray) -> dict[str, float]:
    """Each style layer's raw SWD to the style image over their sum (the style SWD before normalisation),
    on the judge's network and layers."""
    from nst.backbone.features import feature_extractor
    from nst.backbone.layers import PRESETS
    from nst.metrics import JUDGE_WEIGHTS
    from nst.sliced_wasserstein import feature_swd

    extractor = feature_extractor(JUDGE_WEIGHTS, "max", PRESETS.get("gatys"))
    (_, output_style), (_, style_features) = extractor(output[None]), extractor(style[None])
    raw = [feature_swd(a, b) for a, b in zip(output_style, style_features)]
    return dict(zip(extractor.layers.style, np.array(raw) / sum(raw)))


def rows() -> list[str]:
    from nst.backbone.layers import PRESETS
    from nst.images import load_image, resize_long_side
    from nst.metrics import Judge

    layers, lines = PRESETS.get("gatys").style, []
    for content_name, style_name in PAIRS:
        content = resize_long_side(load_image(ROOT / "assets" / "content" / f"{content_name}.png"), SIZE)
        style = resize_long_side(load_image(ROOT / "assets" / "style" / style_name), SIZE)
        judge = Judge(content, style, "max")
        unit = f"{content_name}__{Path(style_name).stem}"
        for name, image in outputs(content, style, unit).items():
            shares = {**judge.layer_shares(image), "raw_style_swd": raw_swd_shares(image, style)}
            for measure, label in MEASURES.items():
                cells = [f"{100 * share:.1f}%" for share in shares[measure].values()]
                lines.append(f"| {unit} | {name} | {label} | " + " | ".join(cells) + " |")
    header = "| pair | output | yardstick | " + " | ".join(layers) + " |"
    return [header, "|" + " --- |" * (3 + len(layers)), *lines]


def main() -> int:
    sys.path.insert(0, str(ROOT))
    print("\n".join(rows()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
