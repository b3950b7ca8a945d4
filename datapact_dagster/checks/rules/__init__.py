"""One registry of check kinds: for each, where it comes from in ODCS, where it is allowed,
how it compiles to a spec, the GX expectation it builds, its summary and the columns it needs.

A kind lacking an entry or a piece fails the import of this package (RegistryError).
"""

from datapact_dagster.checks.rules.kind import Engine, RuleKind, Source
from datapact_dagster.checks.rules.registry import (
    HISTORY_KINDS,
    NATIVE_KINDS,
    REGISTRY,
    RegistryError,
    kind_of_quality_rule,
    kinds_compiled_from,
    required_columns,
    verify_registry,
)

__all__ = [
    "HISTORY_KINDS",
    "NATIVE_KINDS",
    "REGISTRY",
    "Engine",
    "RegistryError",
    "RuleKind",
    "Source",
    "kind_of_quality_rule",
    "kinds_compiled_from",
    "required_columns",
    "verify_registry",
]
