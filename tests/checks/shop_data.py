"""Test tables for the shop_orders contract (tests/checks/project), in plain portable SQL.

`orders_good` keeps every rule; `orders_bad` breaks each rule a known number of times;
`orders_drift` renames, drops and retypes columns.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

PROJECT = Path(__file__).resolve().parent / "project"
SCHEMA = "dp_checks_test"
GOOD = f"{SCHEMA}.orders_good"
BAD = f"{SCHEMA}.orders_bad"
DRIFT = f"{SCHEMA}.orders_drift"
CUSTOMERS = f"{SCHEMA}.customers"
PUBLISHED = {"shop_customers": CUSTOMERS}
NOW = datetime(2024, 6, 2, 0, 0, 0)
PII_EMAIL = "Leaked.Person@Secret"
"""A planted e-mail (PII) that fails the pattern rule: it must never reach a CheckResult."""

COLUMNS = (
    "order_id VARCHAR, line_no INTEGER, customer_id VARCHAR, email VARCHAR, status VARCHAR,"
    " amount DOUBLE PRECISION, order_date DATE, country VARCHAR, note VARCHAR, channel VARCHAR,"
    " code VARCHAR, event_id VARCHAR, updated_at TIMESTAMP"
)
DRIFT_COLUMNS = (
    "order_id VARCHAR, line_no VARCHAR, customer_id VARCHAR, e_mail VARCHAR, status VARCHAR,"
    " order_date DATE, country VARCHAR, note VARCHAR, channel VARCHAR,"
    " code VARCHAR, event_id VARCHAR, updated_at TIMESTAMP, extra_col INTEGER"
)

# Expected failing-row counts in orders_bad (key suffix -> count); rules not listed pass there.
BAD_COUNTS = {
    "order_id__not_null": 1,
    "order_id__unique": 4,
    "email__pattern": 1,
    "email__length": 1,
    "status__in_set": 1,
    "amount__between": 2,
    "order_date__between": 1,
    "country__null_values": 3,
    "note__missing_values": 2,
    "channel__invalid_values": 1,
    "code__invalid_values": 1,
    "event_id__duplicate_values": 3,
    "table__primary_key": 2,
    "customer_id__references_shop_customers": 1,
}


def _good_row(i: int) -> dict[str, Any]:
    return {
        "order_id": f"O{i}",
        "line_no": 1,
        "customer_id": f"C{i % 3}",
        "email": f"user.{chr(97 + i)}@example.com",
        "status": "new" if i % 2 else "paid",
        "amount": 10.0 + i,
        "order_date": "2024-05-01",
        "country": "DE" if i != 3 else None,
        "note": "ok",
        "channel": "web",
        "code": "AB1",
        "event_id": f"E{i}",
        "updated_at": "2024-06-01 12:00:00",
    }


def good_rows() -> list[dict[str, Any]]:
    return [_good_row(i) for i in range(1, 16)]


def bad_rows() -> list[dict[str, Any]]:
    rows = [_good_row(i) for i in range(1, 21)]
    for row in rows:
        row["country"] = "DE"
        row["updated_at"] = "2024-05-01 00:00:00"
    rows[0]["order_id"] = None
    rows[2]["order_id"] = "O2"
    rows[2]["line_no"] = 2
    rows[4]["order_id"] = "O4"
    rows[5]["email"] = PII_EMAIL
    rows[6]["email"] = "a.very.long.name@example.com"
    rows[7]["status"] = "lost"
    rows[8]["amount"] = -1.0
    rows[9]["amount"] = 101.0
    rows[10]["order_date"] = "2019-12-31"
    for i in (11, 12, 13):
        rows[i]["country"] = None
    rows[11]["status"], rows[11]["amount"] = "paid", 0.0
    rows[14]["note"] = ""
    rows[15]["note"] = "N/A"
    rows[16]["channel"] = "fax"
    rows[17]["code"] = "x1"
    for i in (17, 18, 19):
        rows[i]["event_id"] = "E18"
    rows[18]["customer_id"] = "C999"
    return rows


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _insert(connection: sa.Connection, relation: str, rows: list[dict[str, Any]]) -> None:
    names = ", ".join(rows[0])
    values = ", ".join("(" + ", ".join(_literal(v) for v in r.values()) + ")" for r in rows)
    connection.exec_driver_sql(f"INSERT INTO {relation} ({names}) VALUES {values}")


def create_tables(engine: sa.Engine) -> None:
    with engine.begin() as c:
        c.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        c.exec_driver_sql(f"CREATE SCHEMA {SCHEMA}")
        c.exec_driver_sql(f"CREATE TABLE {CUSTOMERS} (customer_id VARCHAR)")
        c.exec_driver_sql(f"INSERT INTO {CUSTOMERS} VALUES ('C0'), ('C1'), ('C2')")
        for relation, rows in ((GOOD, good_rows()), (BAD, bad_rows())):
            c.exec_driver_sql(f"CREATE TABLE {relation} ({COLUMNS})")
            _insert(c, relation, rows)
        c.exec_driver_sql(f"CREATE TABLE {DRIFT} ({DRIFT_COLUMNS})")
        drift = []
        for row in good_rows():
            row["e_mail"] = row.pop("email")
            row["line_no"] = str(row["line_no"])
            row["extra_col"] = 1
            del row["amount"]
            drift.append(row)
        _insert(c, DRIFT, drift)
