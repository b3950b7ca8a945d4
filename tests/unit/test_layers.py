"""The package's layers point down only and no sub-package imports another in a circle.

Read from the code's own imports (ast), counting imports inside functions, so the rule in
docs/architecture.md holds after every change.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "datapact_dagster"

# Bottom to top: a unit may import only units below it (and itself).
LAYERS: tuple[str, ...] = (
    "errors",
    "metadata_keys",
    "warehouse",
    "settings",
    "sample",
    "scaffold",
    "contract",
    "checks",
    "plan",
    "monitoring",
    "evidence",
    "changes",
    "approvals",
    "catalog",
    "alerts",
    "breaker",
    "pipeline",
    "defs",
    "definitions",
    "commands",
    "cli",
)
DOMAIN = LAYERS[: LAYERS.index("breaker") + 1]


def _unit(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "datapact_dagster" and len(parts) > 1 else None


def _imports(file: Path, package_dir: Path) -> list[tuple[int, str]]:
    """(line, imported module) for every absolute or relative import in `file`."""
    relative_to = ".".join(file.relative_to(package_dir.parent).with_suffix("").parts)
    package = relative_to if file.name == "__init__.py" else relative_to.rpartition(".")[0]
    package = package.removesuffix(".__init__")
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def unit_edges(package_dir: Path = PACKAGE) -> dict[tuple[str, str], list[str]]:
    """(importer unit, imported unit) -> the places that import across."""
    edges: dict[tuple[str, str], list[str]] = {}
    for file in sorted(package_dir.rglob("*.py")):
        me = _unit(".".join(file.relative_to(package_dir.parent).with_suffix("").parts))
        for line, module in _imports(file, package_dir):
            other = _unit(module)
            if me and other and other != me and other in LAYERS:
                place = f"{file.relative_to(package_dir.parent)}:{line} imports {module}"
                edges.setdefault((me, other), []).append(place)
    return edges


def test_every_unit_has_a_layer() -> None:
    units = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()}
    units = {u for u in units if not u.startswith("__")}
    assert units <= set(LAYERS), f"add {sorted(units - set(LAYERS))} to LAYERS"


def test_imports_point_down_only() -> None:
    upward = [
        place
        for (me, other), places in unit_edges().items()
        if LAYERS.index(other) > LAYERS.index(me)
        for place in places
    ]
    assert not upward, "upward imports:\n" + "\n".join(upward)


def test_domain_imports_no_dagster_wiring() -> None:
    wiring = {"pipeline", "defs", "definitions", "commands", "cli"}
    bad = [
        place
        for (me, other), places in unit_edges().items()
        if me in DOMAIN and other in wiring
        for place in places
    ]
    assert not bad, "\n".join(bad)


def test_no_import_cycle_between_units() -> None:
    graph: dict[str, set[str]] = {}
    for me, other in unit_edges():
        graph.setdefault(me, set()).add(other)

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            node = todo.pop()
            for nxt in graph.get(node, ()):
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return False

    cycles = sorted({tuple(sorted((a, b))) for a in graph for b in graph[a] if reaches(b, a)})
    assert not cycles, f"import cycles: {cycles}"


def test_every_sub_package_is_a_regular_package() -> None:
    missing = [
        str(d.relative_to(PACKAGE.parent))
        for d in PACKAGE.rglob("*")
        if d.is_dir()
        and d.name != "__pycache__"
        and any(d.glob("*.py"))
        and not (d / "__init__.py").is_file()
    ]
    assert not missing, f"add __init__.py to {missing}"


def test_the_reader_sees_imports_inside_functions_and_relative_ones(tmp_path: Path) -> None:
    """The check itself: planted upward imports (in a function, and relative) are found."""
    package = tmp_path / "datapact_dagster"
    (package / "warehouse").mkdir(parents=True)
    (package / "warehouse" / "x.py").write_text(
        "def f():\n    from datapact_dagster.defs import jobs\n"
    )
    (package / "warehouse" / "y.py").write_text("from ..commands import base\n")
    edges = unit_edges(package)
    assert set(edges) == {("warehouse", "defs"), ("warehouse", "commands")}
    assert edges[("warehouse", "defs")][0].startswith("datapact_dagster/warehouse/x.py:2")
