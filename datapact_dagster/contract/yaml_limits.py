"""The size limits of a contract file, checked before anything is built from it.

A YAML file can describe far more than its size suggests: aliases repeat whole subtrees, so a
few hundred bytes can expand to gigabytes, and deep nesting exhausts the stack of any recursive
reader. Each limit is checked on the parser's flat event stream (no tree is built, no recursion),
and the alias expansion again while the tree is walked.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

MAX_FILE_BYTES = 2 * 1024 * 1024
"""A contract file may be at most 2 MiB."""
MAX_DEPTH = 32
"""Nesting of mappings and lists; a contract needs about 10 levels."""
MAX_ALIASES = 100
"""Alias references (`*name`) in one file."""
MAX_VALUES = 50_000
"""YAML values (scalars, mappings and lists), counted after aliases are expanded."""


@dataclass
class LimitExceeded(Exception):
    """A limit was passed at `line_col` (1-based); `message` and `fix` are shown to the author."""

    message: str
    fix: str
    line_col: tuple[int, int] = (1, 1)


SPLIT_FIX = "split the contract into several files (for example one per table)"


def file_too_large(size: int) -> LimitExceeded:
    return LimitExceeded(
        f"the file is {size:,} bytes; a contract may be at most {MAX_FILE_BYTES:,} bytes "
        f"({MAX_FILE_BYTES // (1024 * 1024)} MiB)",
        SPLIT_FIX,
    )


def too_many_values(line_col: tuple[int, int]) -> LimitExceeded:
    return LimitExceeded(
        f"the file holds more than {MAX_VALUES:,} YAML values (counting each alias as the "
        "values it repeats)",
        SPLIT_FIX + ", and write values out instead of repeating them through aliases",
        line_col,
    )


def _mark(event: yaml.Event) -> tuple[int, int]:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark else (1, 1)


def check_event_limits(loader: yaml.SafeLoader | yaml.CSafeLoader) -> None:
    """Read the whole event stream of `loader`; raise LimitExceeded at the first limit passed.

    YAML syntax errors propagate as `yaml.YAMLError` from the parser."""
    depth = values = aliases = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise LimitExceeded(
                        f"the nesting is deeper than {MAX_DEPTH} levels",
                        "a contract needs about 10 levels of mappings and lists; flatten this "
                        "structure",
                        _mark(event),
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
                continue
            elif isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_ALIASES:
                    raise LimitExceeded(
                        f"the file uses more than {MAX_ALIASES} aliases (*name)",
                        "write the values out instead of repeating them through aliases",
                        _mark(event),
                    )
            elif not isinstance(event, yaml.ScalarEvent):
                continue
            values += 1
            if values > MAX_VALUES:
                raise too_many_values(_mark(event))
    finally:
        loader.dispose()
