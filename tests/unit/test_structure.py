"""The structure checks the codebase keeps: no import circles (counting imports inside functions), no
function in claimsctl/ over 40 lines, a thin cli.py, and one place that knows botocore's exceptions."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "claimsctl"
MAX_FUNCTION_LINES = 40
MAX_CLI_LINES = 400


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> dict[str, ast.Module]:
    return {_module_name(path): ast.parse(path.read_text(), str(path)) for path in PACKAGE.rglob("*.py")}


def _imports(name: str, tree: ast.Module, modules: set[str]) -> set[str]:
    """The claimsctl modules `name` imports anywhere in it (inside functions too)."""
    found = set()
    package = name if any(m.startswith(name + ".") for m in modules) else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return {module for module in found if module in modules and module != name}


def _cycle_from(start: str, graph: dict[str, set[str]]) -> list[str] | None:
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen = set()
    while stack:
        node, path = stack.pop()
        for nxt in graph[node]:
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


def test_there_are_no_import_circles() -> None:
    sources = _sources()
    names = set(sources)
    graph = {name: {m for m in _imports(name, tree, names) if not name.startswith(m + ".")}
             for name, tree in sources.items()}
    cycles = [cycle for name in sorted(graph) if (cycle := _cycle_from(name, graph))]
    assert cycles == [], "import circles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_no_function_is_over_40_lines() -> None:
    long = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    assert long == []


def test_cli_py_is_wiring_under_400_lines() -> None:
    assert len((PACKAGE / "cli.py").read_text().splitlines()) < MAX_CLI_LINES


def test_only_aws_py_knows_botocores_exceptions() -> None:
    knowing = [str(path.relative_to(ROOT)) for path in PACKAGE.glob("*.py")
               if "botocore.exceptions" in path.read_text() or "from botocore import exceptions" in path.read_text()]
    assert knowing == ["claimsctl/aws.py"]
