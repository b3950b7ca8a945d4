"""Nothing outside `datapact_dagster/warehouse/` names a warehouse: it goes through a dialect."""

from __future__ import annotations

import re
from pathlib import Path

import datapact_dagster

PACKAGE = Path(datapact_dagster.__file__).resolve().parent
WAREHOUSE = PACKAGE / "warehouse"
WAREHOUSE_NAME = re.compile(r"duckdb|postgres", re.IGNORECASE)
# Modules allowed to name a warehouse anyway: keep this empty.
ALLOWED: frozenset[str] = frozenset()


def _hits() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.is_relative_to(WAREHOUSE):
            continue
        lines = [
            f"{number}: {line.strip()}"
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if WAREHOUSE_NAME.search(line)
        ]
        if lines:
            found[path.relative_to(PACKAGE).as_posix()] = lines
    return found


def test_no_module_outside_the_warehouse_names_one() -> None:
    named = {module: lines for module, lines in _hits().items() if module not in ALLOWED}
    assert not named, (
        "route these through datapact_dagster.warehouse.dialects (for_url / for_engine /"
        f" for_name), or reword the comment: {named}"
    )


def test_the_allow_list_only_holds_modules_that_still_need_it() -> None:
    assert sorted(ALLOWED - set(_hits())) == [], "remove these from ALLOWED: they are clean now"
