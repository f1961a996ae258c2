"""The project's exceptions: each says what is wrong and what is allowed."""

from __future__ import annotations


class NSTError(Exception):
    """Base of every error `nst` raises on purpose; the CLI prints it as one line, the page as st.error."""


class SettingError(NSTError):
    """A setting is out of range or not one of its choices."""


class UnknownNameError(SettingError):
    """A name (loss, preset, optimizer, layer) is not registered."""


class ImageError(NSTError):
    """An image file is missing, unreadable or not usable."""


class WeightsError(NSTError):
    """Backbone weights cannot be found or do not fit VGG16."""


class FeedForwardError(NSTError):
    """The feed-forward model (nst.feedforward) is not installed, its files are missing or unreadable, or it failed."""


class VideoError(NSTError):
    """A video clip is missing, unreadable, has no frames, or is over the limits (nst.limits)."""
