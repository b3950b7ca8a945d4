"""Whether a new column type holds every value of the old one (a widening) or not."""

from __future__ import annotations

import re

from datapact_dagster.warehouse.types import BY_NAME

_INTEGER_WIDTHS = {
    "tinyint": 1,
    "int1": 1,
    "smallint": 2,
    "int2": 2,
    "integer": 4,
    "int": 4,
    "int4": 4,
    "bigint": 8,
    "int8": 8,
    "long": 8,
    "hugeint": 16,
    "int128": 16,
}
_FLOAT_WIDTHS = {"real": 4, "float4": 4, "float": 8, "double": 8, "double precision": 8}
_TEXT = {"varchar", "character varying", "text", "string", "char", "character", "bpchar"}
_UNBOUNDED_TEXT = {"text", "string"}
_TYPE = re.compile(r"^\s*([a-z][a-z0-9 ]*?)\s*(?:\(\s*([0-9\s,]*)\s*\))?\s*$")


def logical_widens(old: str, new: str) -> bool:
    """`new` holds every value of `old` (e.g. number holds integer)."""
    found = BY_NAME.get(new)
    return old != new and found is not None and old in found.holds


def _parse(physical: str) -> tuple[str, tuple[int, ...]] | None:
    match = _TYPE.match(physical.lower())
    if not match:
        return None
    args = tuple(int(a) for a in (match.group(2) or "").replace(" ", "").split(",") if a)
    return match.group(1), args


def _decimal(args: tuple[int, ...]) -> tuple[int, int]:
    """(precision, scale); DECIMAL alone is DECIMAL(18,3), DECIMAL(p) is DECIMAL(p,0)."""
    if not args:
        return 18, 3
    return (args[0], args[1]) if len(args) > 1 else (args[0], 0)


def physical_widens(old: str, new: str) -> bool:
    """The physical type `new` holds every value of `old`: a longer text, a wider integer or
    float, an integer into a decimal with room, or a decimal with no fewer integer digits and
    no lower scale."""
    before, after = _parse(old), _parse(new)
    if before is None or after is None or before == after:
        return False
    (old_base, old_args), (new_base, new_args) = before, after
    if old_base in _TEXT and new_base in _TEXT:
        if new_base in _UNBOUNDED_TEXT or (new_base not in ("char", "character") and not new_args):
            return True
        return bool(old_args and new_args and new_args[0] >= old_args[0])
    if old_base in _INTEGER_WIDTHS:
        if new_base in _INTEGER_WIDTHS:
            return _INTEGER_WIDTHS[new_base] >= _INTEGER_WIDTHS[old_base]
        if new_base in ("decimal", "numeric"):
            digits = {1: 3, 2: 5, 4: 10, 8: 19, 16: 39}[_INTEGER_WIDTHS[old_base]]
            precision, scale = _decimal(new_args)
            return precision - scale >= digits
        return False
    if old_base in _FLOAT_WIDTHS and new_base in _FLOAT_WIDTHS:
        return _FLOAT_WIDTHS[new_base] >= _FLOAT_WIDTHS[old_base]
    if old_base in ("decimal", "numeric") and new_base in ("decimal", "numeric"):
        (old_p, old_s), (new_p, new_s) = _decimal(old_args), _decimal(new_args)
        return new_s >= old_s and new_p - new_s >= old_p - old_s
    return False
