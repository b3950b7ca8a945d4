"""Small SQL text helpers for queries handed to GX's UnexpectedRowsExpectation.

GX fills `{batch}` with `str.format` and runs the result through `sqlalchemy.text`, so literal
braces must be doubled and a colon that starts a word escaped (else it becomes a bind param).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from datapact_dagster.warehouse.identifiers import quote_identifier

__all__ = ["BATCH", "batch_query", "quote_identifier", "sql_list", "sql_literal"]

BATCH = "datapact_batch_relation"
"""Write this where the relation under test goes; batch_query turns it into `{batch}`."""

_BIND_LIKE_COLON = re.compile(r"(?<![:\w\\]):(?=\w)")


def sql_literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, datetime | date):
        value = value.isoformat()
    return "'" + str(value).replace("'", "''") + "'"


def sql_list(values: Iterable[Any]) -> str:
    return ", ".join(sql_literal(v) for v in values)


def batch_query(sql: str) -> str:
    """`sql` as a GX unexpected_rows_query: braces and bind colons escaped, BATCH -> {batch}."""
    escaped = sql.replace("{", "{{").replace("}", "}}")
    escaped = _BIND_LIKE_COLON.sub(r"\\:", escaped)
    return escaped.replace(BATCH, "{batch}")


def query_for_relation(unexpected_rows_query: str, relation: str) -> str:
    """The query GX runs for `relation` (still to be wrapped in sqlalchemy.text)."""
    return unexpected_rows_query.format(batch=relation)
