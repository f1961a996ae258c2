"""nst: Gatys neural style transfer on VGG16 with interchangeable losses, compared side by side."""

__version__ = "0.1.0"
