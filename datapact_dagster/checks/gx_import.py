"""Importing Great Expectations without what DataPact's checks never use.

GX imports, at module level, `scipy.stats` (over a second) for its distribution expectations
(KL divergence, KS tests) and `altair` (about 0.3 s) to draw those expectations' charts; DataPact
compiles neither kind. Each stands in `sys.modules` as a placeholder until an attribute the
module defines is read: then the module runs, once, and answers. The import system's own
attributes (`__spec__`, `__path__`) are set on the placeholder, so `import altair` or
`from scipy import stats` binds it without running the module, and an expectation that does use
one still works.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from types import ModuleType
from typing import Any

DEFERRED = ("scipy.stats", "altair")

_loading = threading.RLock()


class _Deferred(ModuleType):
    """A module not yet run. `__getattr__` is only called for names not set on it."""

    def __getattr__(self, attribute: str) -> Any:
        return getattr(_run(self), attribute)


def _run(placeholder: _Deferred) -> ModuleType:
    """The module `placeholder` stands for, run on first need; the placeholder then holds its
    attributes too, so a module that bound the placeholder reads them directly."""
    name = placeholder.__name__
    parent, _, child = name.rpartition(".")
    with _loading:  # re-entered from the module's own imports: it is in sys.modules by then
        if sys.modules.get(name) is placeholder:
            del sys.modules[name]
            if parent:  # the module's own `from parent import child` must not meet us
                delattr(sys.modules[parent], child)
            try:
                module = importlib.import_module(name)
            except BaseException:
                _stand_in(name, placeholder)
                raise
            vars(placeholder).update(vars(module))
    return sys.modules[name]


def defer_unused_modules() -> None:
    """Put a placeholder for each of DEFERRED that is not imported yet."""
    for name in DEFERRED:
        if name in sys.modules:
            continue
        spec = importlib.util.find_spec(name)
        if spec is None:
            continue
        placeholder = _Deferred(name)
        placeholder.__spec__ = spec
        placeholder.__loader__ = spec.loader
        placeholder.__file__ = spec.origin
        if spec.submodule_search_locations is not None:
            placeholder.__path__ = list(spec.submodule_search_locations)
        _stand_in(name, placeholder)


def _stand_in(name: str, placeholder: _Deferred) -> None:
    sys.modules[name] = placeholder
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, placeholder)


def import_gx() -> ModuleType:
    defer_unused_modules()
    import great_expectations

    return great_expectations
