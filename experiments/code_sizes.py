"""Lines per module and per function of the package, the views and app.py (an ast count, docstrings and
blank lines included): the modules over 250 lines, the functions over 30, and the medians.

    python experiments/code_sizes.py [ROOT]
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path


def sizes(root: Path) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(lines, module) and (lines, function) pairs, largest first."""
    modules, functions = [], []
    for path in sorted([*root.glob("nst/**/*.py"), *root.glob("views/*.py"), root / "app.py"]):
        source, name = path.read_text(), str(path.relative_to(root))
        modules.append((len(source.splitlines()), name))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                functions.append((node.end_lineno - node.lineno + 1, f"{name}:{node.lineno} {node.name}"))
    return sorted(modules, reverse=True), sorted(functions, reverse=True)


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    modules, functions = sizes(root)
    print("modules over 250 lines:", [m for m in modules if m[0] > 250])
    print("functions over 30 lines:")
    for size, name in functions:
        if size > 30:
            print(f"   {size} {name}")
    median = lambda pairs: sorted(n for n, _ in pairs)[len(pairs) // 2]  # noqa: E731
    print(f"modules: {len(modules)}, median {median(modules)}; functions: {len(functions)}, median {median(functions)}")


if __name__ == "__main__":
    main()
