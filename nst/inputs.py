"""The checks a run's inputs pass once, before any work: the content and styles at their working sizes, the
blend weights and masks against the styles, the losses and the schedule against the masks, and that the
content and each style are distinct pictures. A Comparison (nst.compare), a lone Transfer (Transfer.alone)
and a clip (nst.video) call `check_inputs`; an ImageError or SettingError says what is wrong."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nst import limits
from nst.errors import SettingError
from nst.images import check_distinct, check_working_size
from nst.losses.catalogue import Loss
from nst.settings import Settings
from nst.styles import blend_weights, check_masks, style_size


def check_inputs(
    content_image: np.ndarray,
    style_image: np.ndarray | Sequence[np.ndarray],
    settings: Settings,
    losses: Sequence[Loss],
    masks: Sequence[np.ndarray] | None,
) -> list[np.ndarray]:
    """The style images as a list, once the content and every style are checked for their working size
    (the coarsest stage's) and by check_styles: an ImageError or SettingError before any work."""
    smallest = settings.stages[0][0]  # multiscale: the coarsest stage
    check_working_size(content_image, smallest, "content", settings.network)
    styles = check_styles(content_image, style_image, settings, losses, masks)
    for number, style in enumerate(styles, start=1):
        role = "style" if len(styles) == 1 else f"style {number}"
        check_working_size(style, style_size(smallest, settings.style_scale), role, settings.network)
    return styles


def check_styles(
    content_image: np.ndarray,
    style_image: np.ndarray | Sequence[np.ndarray],
    settings: Settings,
    losses: Sequence[Loss],
    masks: Sequence[np.ndarray] | None,
) -> list[np.ndarray]:
    """The style images as a list, once every one is checked against the content, the blend weights and
    the masks, and the losses against the masks: a SettingError or ImageError before any work."""
    styles = [style_image] if isinstance(style_image, np.ndarray) else list(style_image)
    blend_weights(settings.style_blend, len(styles))  # a count mismatch fails here
    check_masks(masks, len(styles))
    if settings.schedule == "tiled" and masks is not None:
        raise SettingError("the tiled schedule does not take masks (style regions): use multiscale or direct")
    patchy = [loss.name for loss in losses if hasattr(loss.statistic, "refresh")]
    if masks is not None and patchy:
        raise SettingError(
            f"{', '.join(patchy)} match(es) patches in place: cannot be limited to mask regions; "
            "compare them without masks"
        )
    for style in styles:
        check_distinct(content_image, style, min(settings.size, limits.JUDGE_MAX_SIZE))  # a print: at 1024 px
    return styles
