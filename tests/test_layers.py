"""The package's layers: no arrow back up, no import cycles (issue 13 "Structure").

Data flows files -> schema/io -> model -> solver -> results -> runs -> report/analytics -> cli.
Every ``bekostiging`` import counts, module-level or inside a function (a lazy import
is still an arrow).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "bekostiging"
# The CLI registers its sub-commands on the group defined in cli/__init__.py, and they
# import that group back: click's registration pattern, the only cycle allowed.
CLI = "bekostiging.cli"
# Modules below the analyses and reports: they must not import from these upper layers.
LOWER = (
    "bekostiging.results",
    "bekostiging.schema",
    "bekostiging.model",
    "bekostiging.io",
    "bekostiging.twostage",
    "bekostiging.solver",
    "bekostiging.probability",
)
UPPER = ("bekostiging.analytics", "bekostiging.report", "bekostiging.cli", "bekostiging.runs")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bekostiging"):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    targets.add(full if full in modules else node.module)
            elif isinstance(node, ast.Import):
                targets |= {a.name for a in node.names if a.name.startswith("bekostiging")}
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


def test_no_import_cycles_outside_the_cli_registration() -> None:
    graph = import_graph()
    assert "bekostiging.report.document" in graph  # the scan works
    bad = [c for c in cycles(graph) if not all(m == CLI or m.startswith(CLI + ".") for m in c)]
    assert not bad, f"import cycles: {bad}"


def test_report_document_and_analysis_do_not_import_each_other() -> None:
    graph = import_graph()
    assert "bekostiging.report.document" not in graph["bekostiging.report.analysis"]


def test_lower_layers_never_import_the_upper_ones() -> None:
    graph = import_graph()
    assert "bekostiging.probability" in graph["bekostiging.results"]  # cvar comes from below
    arrows = sorted(
        f"{src} -> {dst}"
        for src, targets in graph.items()
        if src.startswith(LOWER)
        for dst in targets
        if dst.startswith(UPPER)
    )
    assert not arrows, f"imports back up the layers: {arrows}"
