"""Sweeps: a TOML grid of comparisons (grid), run as Ray tasks (runner), tabulated and plotted (tables)."""
