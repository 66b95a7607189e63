"""The package structure: layers import only downwards, and nothing imports in a circle.

Read from the source with ``ast`` (every import, including those inside
functions and under ``TYPE_CHECKING``), so a cycle hidden by a late import
fails here as surely as one at the top of a file.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("indexer", "search_app")

# Lower layers first; a module may import its own layer and those below it.
LAYERS = (
    ("indexer.config", "indexer.exitcodes", "indexer.records", "indexer.errors", "indexer.workerprocess"),
    ("indexer.language",),
    ("indexer.extract",),
    ("indexer.index",),
    ("indexer.search",),
    ("indexer.evaluation",),
    ("indexer",),  # the package's public API
    ("search_app",),
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            modules[module_name(path)] = path
    return modules


MODULES = source_modules()


def _resolve(name: str, known: set[str]) -> str | None:
    """The project module an imported name lives in (a module, else its package)."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str, source: str, is_package: bool, known: set[str]) -> set[str]:
    """Project modules (of ``known``) that ``module`` imports, anywhere in its source."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join(anchor + ([base] if base else []))
            # ``from package import module`` imports the module; ``from module import name`` the module.
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            target = _resolve(name, known)
            if target is not None and target != module:
                found.add(target)
    return found


GRAPH = {
    module: imports_of(module, path.read_text(encoding="utf-8"), path.name == "__init__.py", set(MODULES))
    for module, path in MODULES.items()
}


def layer_of(module: str) -> int:
    best, rank = -1, -1
    for number, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), number
    assert rank >= 0, f"{module} belongs to no layer: add it to LAYERS"
    return rank


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_the_import_reader_sees_late_relative_and_type_checking_imports() -> None:
    known = {"pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.sub", "pkg.sub.d"}
    source = (
        "from typing import TYPE_CHECKING\n"
        "import json\n"
        "if TYPE_CHECKING:\n    from pkg.b import Thing\n"
        "def late():\n    from . import c\n    from .sub.d import name\n"
    )
    assert imports_of("pkg.a", source, False, known) == {"pkg.b", "pkg.c", "pkg.sub.d"}
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_imports_in_a_circle() -> None:
    assert find_cycles(GRAPH) == []


def test_the_engine_never_imports_the_web_package() -> None:
    offenders = sorted(
        f"{module} -> {target}"
        for module, targets in GRAPH.items()
        if module.split(".")[0] == "indexer"
        for target in targets
        if target.split(".")[0] == "search_app"
    )
    assert offenders == []


def test_the_engine_imports_no_web_framework() -> None:
    offenders = []
    for module, path in MODULES.items():
        if not module.startswith("indexer"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{module} -> {n}" for n in names if n.split(".")[0] in {"flask", "werkzeug", "waitress"}]
    assert offenders == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_layers_import_only_downwards(module: str) -> None:
    upward = sorted(target for target in GRAPH[module] if layer_of(target) > layer_of(module))
    assert upward == [], f"{module} (layer {layer_of(module)}) imports from higher layers: {upward}"


def test_the_web_package_uses_only_the_engines_public_api() -> None:
    deep = sorted(
        f"{module} -> {target}"
        for module, targets in GRAPH.items()
        if module.startswith("search_app")
        for target in targets
        if target.startswith("indexer.")
    )
    assert deep == [], "search_app imports engine internals instead of `from indexer import …`"
