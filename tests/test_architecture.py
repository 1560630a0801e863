"""The house by stage: which stage may import which (CONTRIBUTING draws the map).

Data flows one way: model → sources / figures → writing / pictures → render →
reports → batch / mail → the command line. A lower stage never imports a higher
one; every import in the package is read here, those inside functions included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import kommunerapport

PACKAGE = Path(kommunerapport.__file__).parent

# The modules that may stay at the top: the package, ``python -m``, and what every stage
# shares (the error kinds, the file primitives).
TOP_MODULES = {"__init__", "__main__", "errors", "files"}
SHARED = {"kommunerapport", "kommunerapport.errors", "kommunerapport.files"}

# stage → the stages it may import (besides itself and SHARED).
ALLOWED: dict[str, set[str]] = {
    "model": set(),
    "sources": {"model"},
    "figures": {"model"},
    "writing": {"model", "figures"},
    "pictures": {"model", "writing"},
    "outputs": {"model"},
    "render": {"model", "writing", "pictures", "outputs"},
    "reports": {"model", "figures", "writing", "pictures", "render", "outputs"},
    "batch": {"model", "sources", "figures", "writing", "pictures", "render", "outputs",
              "reports"},
    "mail": {"model", "sources", "outputs"},
    "cli": {"model", "sources", "figures", "writing", "pictures", "render", "outputs",
            "reports", "batch", "mail"},
}


def modules() -> dict[str, Path]:
    """Every module of the package by its dotted name."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def imported(path: Path) -> set[str]:
    """The kommunerapport modules ``path`` imports, wherever in the file: for
    ``from a.b import c``, the module ``a.b.c`` if there is one, else ``a.b``."""
    known = modules()
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("kommunerapport"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.startswith("kommunerapport"):
            found.update(f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known
                         else node.module for a in node.names)
    return found


def cycles() -> list[list[str]]:
    """Modules that import each other, directly or round a longer circle."""
    graph = {name: imported(path) for name, path in modules().items()}
    out: list[list[str]] = []
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            circle = path[path.index(name):]
            first = circle.index(min(circle))  # each circle once, from its first name
            circle = circle[first:] + circle[:first]
            if circle + [circle[0]] not in out:
                out.append(circle + [circle[0]])
            return
        if name in done:
            return
        for target in sorted(graph.get(name, ())):
            visit(target, path + [name])

    for name in sorted(graph):
        visit(name, [])
        done.add(name)
    return out


def stage(module: str) -> str | None:
    """«kommunerapport.writing.text» → «writing»; None for the shared top."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else None


def wrong_arrows() -> list[str]:
    out = []
    for name, path in modules().items():
        own = stage(name)
        if own is None:
            continue
        for target in sorted(imported(path)):
            other = stage(target)
            if other is None:
                if target not in SHARED and target.split(".")[1] not in TOP_MODULES:
                    out.append(f"{name} → {target} (not a stage)")
            elif other != own and other not in ALLOWED[own]:
                out.append(f"{name} → {target} ({own} may not import {other})")
    return out


def test_every_import_runs_the_way_the_data_flows() -> None:
    assert wrong_arrows() == []


def test_no_two_modules_import_each_other() -> None:
    assert cycles() == []


def test_at_most_five_modules_stay_at_the_top() -> None:
    top = {p.stem for p in PACKAGE.glob("*.py")}
    assert top <= TOP_MODULES and len(top) <= 5


def test_every_package_is_a_stage() -> None:
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert packages == set(ALLOWED)


def test_the_check_finds_a_wrong_arrow(tmp_path: Path, monkeypatch) -> None:
    """The rule itself can fail: a model module that imports a report is named."""
    path = tmp_path / "bad.py"
    path.write_text("from kommunerapport.reports import build\n")
    monkeypatch.setattr(f"{__name__}.modules",
                        lambda: {"kommunerapport.model.bad": path})
    assert wrong_arrows() == ["kommunerapport.model.bad → kommunerapport.reports "
                              "(model may not import reports)"]


def test_the_check_finds_a_circle(tmp_path: Path, monkeypatch) -> None:
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("from kommunerapport.model import b\n")
    b.write_text("def f():\n    from kommunerapport.model import a\n")
    monkeypatch.setattr(f"{__name__}.modules", lambda: {"kommunerapport.model.b": b,
                                                        "kommunerapport.model.a": a})
    assert cycles() == [["kommunerapport.model.a", "kommunerapport.model.b",
                         "kommunerapport.model.a"]]
