"""The public API (`nst.__all__`) and the README's "use it from Python" example, run as written."""

import re
from pathlib import Path

import pytest

import nst

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_public_name_resolves_to_what_its_module_defines():
    import importlib

    for name in nst.__all__:
        value = getattr(nst, name)
        if name != "__version__":
            assert getattr(importlib.import_module(nst._EXPORTS[name]), name) is value
    with pytest.raises(AttributeError, match="no attribute 'Tranfser'"):
        nst.Tranfser  # noqa: B018


def readme_example() -> str:
    section = README.read_text().split("## Use it from Python", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readme_example_is_short():
    lines = [line for line in readme_example().splitlines() if line.strip()]
    assert len(lines) <= 12


@pytest.mark.slow
def test_the_readme_example_runs_as_written(monkeypatch, capsys):
    monkeypatch.chdir(README.parent)
    exec(compile(readme_example(), "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert "mse" in printed and "mae" in printed and "style distance" in printed


def test_no_module_of_nst_imports_itself_back_through_others():
    """The layout's promise: a graph without cycles (module-level and deferred imports alike)."""
    import ast

    root = Path(nst.__file__).parent
    graph = {}
    for path in root.rglob("*.py"):
        name = ".".join(path.relative_to(root.parent).with_suffix("").parts).removesuffix(".__init__")
        imported = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("nst"):
                subs = {f"{node.module}.{alias.name}" for alias in node.names}
                imported |= {m for m in subs if (root.parent / m.replace(".", "/")).with_suffix(".py").exists()}
                imported.add(node.module)
        graph[name] = imported - {name, "nst"}

    def reaches(start: str, goal: str, seen: set) -> bool:
        return any(n == goal or (n not in seen and not seen.add(n) and reaches(n, goal, seen)) for n in graph[start])

    cyclic = [name for name in graph if reaches(name, name, set())]
    assert not cyclic, cyclic
