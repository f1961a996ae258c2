"""How `nst bench` shows what it measured: a section as a Markdown table, and the machine it ran on."""

from __future__ import annotations

from nst.runtime import tf
from nst.speed.bench import Section


def markdown(section: Section) -> str:
    """The section as a Markdown table, its notes below: numbers to 3-4 significant digits."""
    keys = list(section.rows[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    for row in section.rows:
        lines.append("| " + " | ".join(_cell(row[key]) for key in keys) + " |")
    return "\n".join([f"### {section.name}", "", *lines, "", *(f"- {note}" for note in section.notes)])


def machine() -> str:
    """One line: CPU model, cores this process may use, and TensorFlow's version."""
    import os

    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), model)
    except OSError:
        pass
    return f"{model}, {len(os.sched_getaffinity(0))} cores, TensorFlow {tf.__version__}"


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:.4g}"
    return "-" if value is None else str(value)
