"""The layers of `service/` and what each may import (docs/architecture.md, "Layers").

Every module under `service/` is parsed with `ast`; each `import service.x…` / `from service.x…
import` (also inside functions) is an edge from the module's package to package `x`. A top-level
module (`service/app.py`, `config.py`, `logs.py`, `__main__.py`) is a package of its own.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SERVICE = Path(__file__).resolve().parents[2] / "service"

BASICS = frozenset({"config", "logs"})
ENTRY_POINTS = frozenset({"api", "ui", "cli", "webhooks"})

# package -> the packages of ours it may import. Anything not listed is refused.
ALLOWED: dict[str, frozenset[str]] = {
    "domain": frozenset(),
    "config": frozenset({"domain"}),
    "logs": frozenset(),
    "adapters": frozenset({"domain"}) | BASICS,
    "services": frozenset({"domain", "adapters"}) | BASICS,
    "workers": frozenset({"services", "domain", "adapters"}) | BASICS,
    "http": frozenset({"services", "domain", "adapters"}) | BASICS,
    "webhooks": frozenset({"http", "domain", "adapters"}) | BASICS,
    "api": frozenset({"http", "services", "domain", "adapters"}) | BASICS,
    "ui": frozenset({"http", "services", "domain", "adapters"}) | BASICS,
    "cli": frozenset({"services", "http", "domain", "adapters", "sandbox"}) | BASICS,
    "sandbox": BASICS,
    # The composition roots: the HTTP app and `python -m service`.
    "app": frozenset({"api", "ui", "webhooks", "http", "adapters"}) | BASICS,
    "__main__": frozenset({"cli"}),
    "service": frozenset(),  # service/__init__.py
}

# Modules allowed one import beyond their package's row, each with the reason.
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("service.cli.processes", "workers"): "starts the worker and scheduler processes",
}


def _package_of(path: Path) -> tuple[str, str]:
    parts = path.relative_to(SERVICE).with_suffix("").parts
    module = ".".join(("service", *parts)).removesuffix(".__init__")
    return module, "service" if parts == ("__init__",) else parts[0]


def _imported_packages(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative imports hide the layer they reach into"
            if node.module == "service":
                names = [f"service.{alias.name}" for alias in node.names]
            elif node.module is not None:
                names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "service" and len(parts) > 1:
                yield parts[1]


def _edges() -> set[tuple[str, str, str]]:
    """(module, its package, imported package) for every import between packages."""
    edges = set()
    for path in sorted(SERVICE.rglob("*.py")):
        module, package = _package_of(path)
        for target in _imported_packages(ast.parse(path.read_text(), str(path))):
            if target != package:
                edges.add((module, package, target))
    return edges


def test_every_package_is_in_the_table() -> None:
    packages = {_package_of(path)[1] for path in SERVICE.rglob("*.py")}
    assert packages <= ALLOWED.keys(), f"add a row for {sorted(packages - ALLOWED.keys())}"


def test_every_import_is_allowed_by_the_table() -> None:
    refused = sorted(
        f"{module} imports service.{target}"
        for module, package, target in _edges()
        if target not in ALLOWED[package] and (module, target) not in EXCEPTIONS
    )
    assert refused == []


def test_no_package_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for _module, package, target in _edges():
        graph.setdefault(package, set()).add(target)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, set()) - seen:
            seen.add(nxt)
            if nxt == goal or reaches(nxt, goal, seen):
                return True
        return False

    cyclic = sorted(package for package in graph if reaches(package, package, set()))
    assert cyclic == []


def test_the_table_keeps_the_layering_rules() -> None:
    """The table itself may not be loosened past the rules of docs/architecture.md."""
    assert ALLOWED["domain"] == frozenset()
    for entry in ENTRY_POINTS:
        assert "workers" not in ALLOWED[entry], entry
    assert not ALLOWED["adapters"] & (ENTRY_POINTS | {"services", "workers", "http"})
    assert not ALLOWED["services"] & (ENTRY_POINTS | {"workers", "http"})
    assert all(target == "workers" for _module, target in EXCEPTIONS)
    assert all(module.startswith("service.cli.") for module, _target in EXCEPTIONS)


def test_exceptions_are_still_needed() -> None:
    used = {(module, target) for module, _package, target in _edges()}
    assert sorted(set(EXCEPTIONS) - used) == []


QUERY_METHODS = frozenset(
    {"execute", "executemany", "fetch", "fetchrow", "fetchval", "copy_records_to_table"}
)


def test_services_run_no_sql_themselves() -> None:
    """A use case opens the transaction; its SQL is in service/adapters/ (the repositories)."""
    queries = sorted(
        f"{path.relative_to(SERVICE.parent)}:{node.lineno} .{node.func.attr}()"
        for path in (SERVICE / "services").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in QUERY_METHODS
    )
    assert queries == []
