"""Lines per module and per function of the package, the views and app.py (an ast count, docstrings and
blank lines included): the modules over 250 lines, the functions over 30, and the medians.

    python experiments/code_sizes.py [ROOT]
"""

import ast
import pathlib
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
mods, funcs = [], []
for p in sorted(list(root.glob("nst/**/*.py")) + list(root.glob("views/*.py")) + [root / "app.py"]):
    src = p.read_text()
    n = len(src.splitlines())
    mods.append((n, str(p.relative_to(root))))
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            funcs.append((node.end_lineno - node.lineno + 1, f"{p.relative_to(root)}:{node.lineno} {node.name}"))
mods.sort(reverse=True)
funcs.sort(reverse=True)
print("modules >250:", [m for m in mods if m[0] > 250])
print("functions >30:")
[print("  ", f) for f in funcs if f[0] > 30]
print(
    "modules:",
    len(mods),
    "median",
    sorted(m[0] for m in mods)[len(mods) // 2],
    "functions:",
    len(funcs),
    "median",
    sorted(f[0] for f in funcs)[len(funcs) // 2],
)
