"""Importing Great Expectations without what DataPact's checks never use.

GX imports `scipy.stats` (over a second) at module level for its distribution expectations
(KL divergence, KS tests), which DataPact never compiles. It is deferred with the standard
library's LazyLoader: the module exists at once and loads on its first attribute access, so an
expectation that does use it still works.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

DEFERRED = ("scipy.stats",)


def defer_unused_modules() -> None:
    """Make each of DEFERRED load on first use instead of when GX imports it."""
    for name in DEFERRED:
        if name in sys.modules:
            continue
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            continue
        loader = importlib.util.LazyLoader(spec.loader)
        spec.loader = loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        loader.exec_module(module)
        parent, _, child = name.rpartition(".")
        setattr(sys.modules[parent], child, module)


def import_gx() -> ModuleType:
    defer_unused_modules()
    import great_expectations

    return great_expectations
