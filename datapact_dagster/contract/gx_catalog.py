"""Names of the Great Expectations core expectations, read from the installed package's files.

Importing GX costs seconds; validating a contract should not, so we list the module files of
`great_expectations/expectations/core` instead (one module per expectation, named after it).
"""

from __future__ import annotations

from functools import cache
from importlib.util import find_spec
from pathlib import Path


@cache
def known_expectation_types() -> frozenset[str]:
    spec = find_spec("great_expectations")
    if spec is None or spec.origin is None:
        return frozenset()
    core = Path(spec.origin).parent / "expectations" / "core"
    return frozenset(p.stem for p in core.glob("expect_*.py"))
