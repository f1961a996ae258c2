"""What a video run adds to the engine's Settings, declared as they are (nst.describe): the temporal term's
weights and where the frames after the first start. The command line builds its flags from these fields,
as it does the engine's (nst.cli.flags.add_settings)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from nst import limits
from nst.describe import Described, described, setting
from nst.errors import SettingError

# The temporal term is the mean squared difference (pixels in [0, 1]) to the warped previous output, inside
# the mask: a frame that drifts by 0.1 per channel everywhere costs 0.01 x the weight. docs/video.md has the
# measurement behind the default.
DEFAULT_TEMPORAL_WEIGHT = 200.0
LATER_STARTS = ("warped", "init")
# The style weight a video starts from (nst video's --style-weight default and the page's Video view), below the
# engine's 10: each warm-started frame goes on optimising from the last, and at 10 the frames drifted toward the
# painting's own layout (its cypress and moon replaced the cat's face within 3 s of the bundled clip at 160 and
# 256 px); at 3 the face stayed (docs/video.md).
VIDEO_STYLE_WEIGHT = 3.0


@dataclass(frozen=True)
class VideoSettings:
    temporal_weights: tuple[float, ...] = setting(
        (DEFAULT_TEMPORAL_WEIGHT,),
        "weight of the temporal term (Ruder et al. 2016): the mean squared difference, where the optical flow is "
        "reliable, between a frame's output and the previous output warped to it; several, e.g. 0,200: each loss "
        "runs with each, side by side; 0: no temporal term",
        low=0.0,
        high=limits.MAX_WEIGHT,
        label="Temporal weight",
        flag="--temporal-weight",
        metavar="W[,W]",
    )
    later_start: str = setting(
        "warped",
        "where each frame after the first starts: warped, from the previous frame's output warped by the optical "
        "flow (Ruder et al.'s warm start: fewer iterations); init, from --init as the first frame does (each frame "
        "alone: with --temporal-weight 0, the flickering baseline)",
        choices=LATER_STARTS,
        label="Later frames start from",
    )

    def __post_init__(self) -> None:
        for field in VIDEO_FIELDS.values():
            field.check(getattr(self, field.name))
        weights = self.temporal_weights
        if not weights or len(set(weights)) < len(weights):
            shown = ",".join(f"{w:g}" for w in weights) or "none"
            raise SettingError(f"--temporal-weight takes one or more different weights, e.g. 0,200; got {shown}")

    def as_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


VIDEO_FIELDS: dict[str, Described] = described(VideoSettings)
