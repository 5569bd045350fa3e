"""The layout holds: the import graph of bot/ and adapters/ has no circles and no upward arrows,
packages are imported through their faces, and the core imports no platform (but the
composition root)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import ROOT

PLATFORM_SDKS = ("slack_bolt", "slack_sdk", "discord", "aiohttp.web", "mcp")


@dataclass(frozen=True)
class Edge:
    source: str  # importing module
    target: str  # imported module or package
    line: int


def modules(top: Path = ROOT) -> dict[str, Path]:
    found = {}
    for root in ("bot", "adapters"):
        for path in (top / root).rglob("*.py"):
            if "revisions" in path.parts:  # Alembic loads revisions by path, not by import
                continue
            name = ".".join(path.relative_to(top).with_suffix("").parts).removesuffix(".__init__")
            found[name] = path
    return found


def package_of(name: str, path: Path) -> str:
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def edges(found: dict[str, Path]) -> Iterator[Edge]:
    for name, path in found.items():
        package = package_of(name, path)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield Edge(name, alias.name, node.lineno)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in found]
                for target in subs if len(subs) == len(node.names) else [base, *subs]:
                    yield Edge(name, target, node.lineno)


def internal(found: dict[str, Path]) -> list[Edge]:
    return [e for e in edges(found) if e.target in found and e.target != e.source]


def circles(found: dict[str, Path]) -> list[list[str]]:
    graph: dict[str, set[str]] = {name: set() for name in found}
    for edge in internal(found):
        graph[edge.source].add(edge.target)
    circles: list[list[str]] = []
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return circles


def wrong_way(found: dict[str, Path]) -> tuple[list[Edge], list[Edge]]:
    """Imports upward (into an enclosing package's modules), and into another package's
    private modules instead of its face."""
    upward, private = [], []
    for edge in internal(found):
        if edge.source.endswith("__main__"):
            continue  # the composition root may reach anywhere
        source_package = package_of(edge.source, found[edge.source])
        target_package = package_of(edge.target, found[edge.target])
        if source_package.startswith(target_package + ".") and source_package != target_package:
            upward.append(edge)
        elif found[edge.target].name != "__init__.py" and not (
            edge.source == target_package or edge.source.startswith(target_package + ".")
        ):
            private.append(edge)
    return upward, private


def test_no_module_imports_itself_back_in_a_circle() -> None:
    assert circles(modules()) == []


def test_no_module_imports_upward_or_into_another_package_private_module() -> None:
    assert wrong_way(modules()) == ([], [])


def test_the_core_imports_no_adapter_and_no_platform_sdk() -> None:
    found = modules()
    reaching_out = [
        edge
        for edge in edges(found)
        if edge.source.startswith("bot")
        and not edge.source.endswith("__main__")
        and (
            edge.target.startswith("adapters")
            or any(edge.target == sdk or edge.target.startswith(sdk + ".") for sdk in PLATFORM_SDKS)
        )
    ]
    assert reaching_out == []


def test_the_checks_find_a_planted_circle_and_wrong_way_imports(tmp_path: Path) -> None:
    """A check that cannot fail is no check: a small tree with each fault is caught."""
    files = {
        "bot/__init__.py": "",
        "bot/report.py": "R = 1\n",  # a top-level module…
        "bot/one/__init__.py": "from bot.one.a import A\n",
        "bot/one/a.py": "from bot.report import R\nfrom bot.two.b import B\n",  # …upward
        "bot/two/__init__.py": "from bot.two.b import B\n",
        "bot/two/b.py": "from bot.one import A\n",  # b → one → a → b: a circle
        "adapters/__init__.py": "",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = modules(tmp_path)
    assert ["bot.one", "bot.one.a", "bot.two.b"] in circles(found)
    upward, private = wrong_way(found)
    assert [(e.source, e.target) for e in upward] == [("bot.one.a", "bot.report")]
    assert ("bot.one.a", "bot.two.b") in [(e.source, e.target) for e in private]
