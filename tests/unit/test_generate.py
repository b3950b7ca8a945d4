"""The sample generator: deterministic files, clean data that meets every contract, and
planted breaches that fail exactly their target check by the count the manifest gives."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from datapact_dagster.commands import generate as generate_command
from datapact_dagster.commands.base import UserError
from datapact_dagster.sample import (
    BREACH_KINDS,
    HISTORY_BREACHES,
    MANIFEST_NAME,
    Manifest,
    generate_landing,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ROWS = 5_000
AS_OF = datetime(2025, 6, 1, 12)
LANDING_FILES = ("customers.parquet", "orders.parquet", "customer_events.parquet")
EMAIL_PATTERN = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$"
ORDER_STATUSES = ("placed", "paid", "shipped", "delivered", "refunded", "cancelled")
EVENT_TYPES = (
    "page_view",
    "product_view",
    "add_to_cart",
    "checkout",
    "email_open",
    "support_ticket",
)
EXPECTED_TYPES = {
    "customers": {
        "customer_id": "VARCHAR",
        "email": "VARCHAR",
        "full_name": "VARCHAR",
        "country": "VARCHAR",
        "signup_at": "TIMESTAMP",
    },
    "orders": {
        "order_id": "VARCHAR",
        "customer_id": "VARCHAR",
        "order_ts": "TIMESTAMP",
        "status": "VARCHAR",
        "amount": "DOUBLE",
        "currency": "VARCHAR",
    },
    "customer_events": {
        "event_id": "VARCHAR",
        "customer_id": "VARCHAR",
        "event_type": "VARCHAR",
        "channel": "VARCHAR",
        "event_ts": "TIMESTAMP",
    },
}


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _rows(table: str, where: str) -> str:
    return f"SELECT count(*) FROM {table} WHERE {where}"


def _nulls(table: str, column: str) -> str:
    return _rows(table, f"{column} IS NULL")


def _all_duplicated(table: str, column: str) -> str:
    """Rows whose value occurs more than once: what GX's unique expectation reports."""
    return _rows(
        table, f"{column} IN (SELECT {column} FROM {table} GROUP BY 1 HAVING count(*) > 1)"
    )


def _mismatches(table: str, column: str, regex: str) -> str:
    return _rows(table, f"NOT regexp_full_match({column}, '{regex}')")


def _surplus(table: str, columns: str) -> str:
    return f"SELECT count(*) - count(DISTINCT {columns}) FROM {table}"


# check key -> SQL giving the number of unexpected rows (0, or false, when the check passes)
BRONZE_CHECKS: dict[str, str] = {
    "raw_customers__customer_id__not_null": _nulls("customers", "customer_id"),
    "raw_customers__customer_id__unique": _all_duplicated("customers", "customer_id"),
    "raw_customers__customer_id__pattern": _mismatches("customers", "customer_id", "^C[0-9]{7}$"),
    "raw_customers__email__not_null": _nulls("customers", "email"),
    "raw_customers__email__pattern": _mismatches("customers", "email", EMAIL_PATTERN),
    "raw_customers__email__length": _rows("customers", "length(email) > 254"),
    "raw_customers__full_name__missing_values": (
        "SELECT count(*) FILTER (WHERE full_name IN ('', 'N/A', 'unknown')) >= 0.05 * count(*) "
        "FROM customers"
    ),
    "raw_customers__country__length": _rows("customers", "length(country) <> 2"),
    "raw_customers__country__null_values": (
        "SELECT count(*) FILTER (WHERE country IS NULL) > 0.10 * count(*) FROM customers"
    ),
    "raw_customers__signup_at__not_null": _nulls("customers", "signup_at"),
    "raw_customers__table__row_count": "SELECT count(*) = 0 FROM customers",
    "raw_orders__order_id__not_null": _nulls("orders", "order_id"),
    "raw_orders__order_id__unique": _all_duplicated("orders", "order_id"),
    "raw_orders__customer_id__not_null": _nulls("orders", "customer_id"),
    "raw_orders__order_ts__not_null": _nulls("orders", "order_ts"),
    "raw_orders__status__not_null": _nulls("orders", "status"),
    "raw_orders__status__in_set": _rows("orders", f"status NOT IN {_in(ORDER_STATUSES)}"),
    "raw_orders__amount__not_null": _nulls("orders", "amount"),
    "raw_orders__amount__between": _rows("orders", "amount < 0 OR amount > 50000"),
    "raw_orders__amount__amount_mean": "SELECT avg(amount) NOT BETWEEN 1 AND 5000 FROM orders",
    "raw_orders__currency__not_null": _nulls("orders", "currency"),
    "raw_orders__currency__pattern": _mismatches("orders", "currency", "^[A-Z]{3}$"),
    "raw_orders__customer_id__references_raw_customers": _rows(
        "orders o",
        "o.customer_id IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM customers c WHERE c.customer_id = o.customer_id)",
    ),
    "raw_orders__table__row_count": "SELECT count(*) NOT BETWEEN 1 AND 100000000 FROM orders",
    "raw_customer_events__event_id__not_null": _nulls("customer_events", "event_id"),
    "raw_customer_events__event_id__duplicate_values": (
        "SELECT count(*) - count(DISTINCT event_id) > 10 FROM customer_events"
    ),
    "raw_customer_events__customer_id__not_null": _nulls("customer_events", "customer_id"),
    "raw_customer_events__event_type__not_null": _nulls("customer_events", "event_type"),
    "raw_customer_events__event_type__invalid_values": _rows(
        "customer_events", f"event_type NOT IN {_in(EVENT_TYPES)}"
    ),
    "raw_customer_events__event_ts__not_null": _nulls("customer_events", "event_ts"),
    "raw_customer_events__event_ts__freshness": (
        "SELECT max(event_ts) < $as_of - INTERVAL 2 DAY FROM customer_events"
    ),
}
AMOUNT_CHECKS = {k for k in BRONZE_CHECKS if k.startswith("raw_orders__amount__")}

# The silver and gold rules of contracts/{customers,orders,customer_events,...}.yaml
DOWNSTREAM_CHECKS: dict[str, str] = {
    "customers__email__unique": _surplus("silver.customers", "email"),
    "customers__email__email_lower_case": _rows("silver.customers", "email <> lower(email)"),
    "customers__signup_date__between": _rows("silver.customers", "signup_date < DATE '2015-01-01'"),
    "orders__order_id__unique": _surplus("silver.orders", "order_id"),
    "orders__net_amount__between": _rows(
        "silver.orders", "net_amount NOT BETWEEN -50000 AND 50000"
    ),
    "orders__status__in_set": _rows("silver.orders", "status = 'cancelled'"),
    "orders__customer_id__references_customers": (
        "SELECT count(*) FROM silver.orders ANTI JOIN silver.customers USING (customer_id)"
    ),
    "orders__table__refunds_are_negative": _rows(
        "silver.orders", "net_amount < 0 AND status <> 'refunded'"
    ),
    "customer_events__event_id__unique": _surplus("silver.customer_events", "event_id"),
    "customer_events__channel__not_null": _nulls("silver.customer_events", "channel"),
    "daily_revenue__order_count__between": _rows("gold.daily_revenue", "order_count <= 0"),
    "daily_revenue__table__primary_key": _surplus("gold.daily_revenue", "(order_date, currency)"),
    "daily_revenue__table__revenue_matches_orders": (
        "SELECT abs((SELECT sum(net_revenue) FROM gold.daily_revenue) "
        "- (SELECT sum(net_amount) FROM silver.orders)) >= 0.01"
    ),
    "customer_profile__lifetime_value__between": _rows(
        "gold.customer_profile", "lifetime_value NOT BETWEEN -1000000 AND 10000000"
    ),
    "customer_profile__customer_id__unique": _surplus("gold.customer_profile", "customer_id"),
}

MEDALLION_ORDER = (
    "bronze/raw_customers",
    "bronze/raw_orders",
    "bronze/raw_customer_events",
    "silver/customers",
    "silver/orders",
    "silver/customer_events",
    "gold/daily_revenue",
    "gold/customer_profile",
)


def _connect(landing: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name in LANDING_FILES:
        table = name.removesuffix(".parquet")
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{landing / name}')")
    return con


def _count(con: duckdb.DuckDBPyConnection, sql: str, **params: object) -> int:
    used = {k: v for k, v in params.items() if f"${k}" in sql}
    return int(con.execute(sql, used).fetchone()[0])


def _column_types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    return {row[0]: row[1] for row in con.execute(f"DESCRIBE {table}").fetchall()}


def bronze_violations(landing: Path, as_of: datetime) -> dict[str, int]:
    """Every bronze check that fails, with its unexpected count (1 for table-level checks)."""
    con = _connect(landing)
    failing: dict[str, int] = {}
    for table, expected in EXPECTED_TYPES.items():
        if _column_types(con, table) != expected:
            failing[f"raw_{table}__table__schema"] = 1
    amount_is_number = _column_types(con, "orders").get("amount") == "DOUBLE"
    for key, sql in BRONZE_CHECKS.items():
        if key in AMOUNT_CHECKS and not amount_is_number:
            continue  # not evaluable: the schema check reports the drift
        count = _count(con, sql, as_of=as_of)
        if count:
            failing[key] = count
    return failing


def _build_medallion(landing: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        "CREATE SCHEMA landing; CREATE SCHEMA bronze; CREATE SCHEMA silver; CREATE SCHEMA gold"
    )
    for name in LANDING_FILES:
        table = name.removesuffix(".parquet")
        con.execute(f"CREATE VIEW landing.{table} AS SELECT * FROM '{landing / name}'")
    for step in MEDALLION_ORDER:
        layer, table = step.split("/")
        query = (PROJECT_ROOT / "sql" / layer / f"{table}.sql").read_text()
        con.execute(f"CREATE TABLE {layer}.{table} AS {query}")
    return con


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    landing = tmp_path_factory.mktemp("clean")
    return landing, generate_landing(landing, rows=ROWS, seed=7, as_of=AS_OF)


def _file_bytes(landing: Path) -> dict[str, bytes]:
    return {name: (landing / name).read_bytes() for name in (*LANDING_FILES, MANIFEST_NAME)}


def test_same_parameters_give_identical_files(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for landing in (first, second):
        generate_landing(landing, rows=2_000, seed=3, as_of=AS_OF, breaches=["duplicate_key"])
    assert _file_bytes(first) == _file_bytes(second)


def test_other_seed_gives_other_data(tmp_path: Path) -> None:
    generate_landing(tmp_path / "a", rows=2_000, seed=3, as_of=AS_OF)
    generate_landing(tmp_path / "b", rows=2_000, seed=4, as_of=AS_OF)
    a, b = _file_bytes(tmp_path / "a"), _file_bytes(tmp_path / "b")
    assert all(a[name] != b[name] for name in LANDING_FILES)


@pytest.mark.parametrize("after_midnight", [timedelta(seconds=30), timedelta(minutes=59)])
def test_the_newest_event_is_in_the_day_a_run_builds(
    tmp_path: Path, after_midnight: timedelta
) -> None:
    as_of = datetime(2025, 6, 1) + after_midnight
    generate_landing(tmp_path, rows=2_000, seed=3, as_of=as_of)
    [(newest,)] = duckdb.sql(
        f"SELECT epoch(max(event_ts)) FROM read_parquet('{tmp_path / 'customer_events.parquet'}')"
    ).fetchall()
    midnight = datetime(2025, 6, 1, tzinfo=UTC).timestamp()
    assert midnight <= newest <= as_of.replace(tzinfo=UTC).timestamp()


def test_sizes_follow_the_documented_ratios(clean: tuple[Path, Manifest]) -> None:
    landing, manifest = clean
    assert {f.name: f.rows for f in manifest.files} == {
        "customers.parquet": ROWS // 5,
        "orders.parquet": ROWS,
        "customer_events.parquet": 2 * ROWS,
    }
    con = _connect(landing)
    for f in manifest.files:
        table = f.name.removesuffix(".parquet")
        assert _count(con, f"SELECT count(*) FROM {table}") == f.rows
        assert tuple(_column_types(con, table)) == f.columns


def test_clean_data_passes_every_bronze_check(clean: tuple[Path, Manifest]) -> None:
    landing, _ = clean
    assert bronze_violations(landing, AS_OF) == {}


def test_clean_data_is_realistic(clean: tuple[Path, Manifest]) -> None:
    landing, manifest = clean
    con = _connect(landing)
    earliest = AS_OF - timedelta(days=365)
    for table, column in (
        ("customers", "signup_at"),
        ("orders", "order_ts"),
        ("customer_events", "event_ts"),
    ):
        low, high = con.execute(f"SELECT min({column}), max({column}) FROM {table}").fetchone()
        assert earliest <= low and high <= AS_OF
    newest_event = con.execute("SELECT max(event_ts) FROM customer_events").fetchone()[0]
    assert newest_event >= AS_OF - timedelta(days=1)
    assert (
        _count(
            con,
            "SELECT count(DISTINCT status) FROM orders WHERE status IN ('cancelled', 'refunded')",
        )
        == 2
    )
    assert _count(con, "SELECT count(*) FROM orders WHERE round(amount, 2) <> amount") == 0
    assert 0 < _count(con, "SELECT count(*) FROM customers WHERE country IS NULL") < ROWS // 50
    assert (
        _count(
            con, "SELECT count(*) FROM customer_events WHERE channel NOT IN ('web', 'app', 'email')"
        )
        == 0
    )
    assert _count(con, "SELECT count(*) FROM customer_events WHERE channel IS NULL") > 0
    assert (
        _count(
            con, "SELECT count(*) FROM customer_events e ANTI JOIN customers c USING (customer_id)"
        )
        == 0
    )
    resent = _count(con, "SELECT count(*) - count(DISTINCT event_id) FROM customer_events")
    assert resent == manifest.tolerated["raw_customer_events__event_id__duplicate_values"] == 3
    placeholders = _count(
        con, "SELECT count(*) FROM customers WHERE full_name IN ('', 'N/A', 'unknown')"
    )
    assert 0 < placeholders < 0.05 * (ROWS // 5)


def test_clean_data_passes_silver_and_gold_rules(clean: tuple[Path, Manifest]) -> None:
    con = _build_medallion(clean[0])
    failing = {key: n for key, sql in DOWNSTREAM_CHECKS.items() if (n := _count(con, sql))}
    assert failing == {}
    assert _count(con, "SELECT count(*) FROM gold.daily_revenue") > 300


def _planted_count(con: duckdb.DuckDBPyConnection, kind: str) -> int:
    return _count(
        con,
        {
            "null_required": "SELECT count(*) FROM orders WHERE customer_id IS NULL",
            "duplicate_key": "SELECT count(*) - count(DISTINCT order_id) FROM orders",
            "out_of_range": "SELECT count(*) FROM orders WHERE amount > 50000",
            "bad_enum": f"SELECT count(*) FROM orders WHERE status NOT IN {_in(ORDER_STATUSES)}",
            "bad_pattern": "SELECT count(*) FROM customers "
            f"WHERE NOT regexp_full_match(email, '{EMAIL_PATTERN}')",
        }[kind],
    )


ROW_BREACHES = ("null_required", "duplicate_key", "out_of_range", "bad_enum", "bad_pattern")


@pytest.mark.parametrize("kind", ROW_BREACHES)
def test_row_breach_plants_exactly_the_manifest_count(
    kind: str, tmp_path: Path, clean: tuple[Path, Manifest]
) -> None:
    manifest = generate_landing(tmp_path, rows=ROWS, seed=7, as_of=AS_OF, breaches=[kind])
    breach = manifest.breach(kind)
    assert _planted_count(_connect(tmp_path), kind) == breach.planted == 25
    assert bronze_violations(tmp_path, AS_OF) == {
        breach.target_check: breach.expected_unexpected_count
    }
    _assert_only_changed(clean[0], tmp_path, breach.file, breach.planted)


def _assert_only_changed(clean: Path, breached: Path, file: str, planted: int) -> None:
    """Other files are byte-identical; in the breached file only `planted` rows differ."""
    for name in LANDING_FILES:
        if name != file:
            assert (clean / name).read_bytes() == (breached / name).read_bytes(), name
    con = duckdb.connect()
    changed = _count(
        con,
        f"SELECT count(*) FROM (SELECT * FROM '{breached / file}' "
        f"EXCEPT ALL SELECT * FROM '{clean / file}')",
    )
    assert changed == planted
    assert _count(con, f"SELECT count(*) FROM '{breached / file}'") == _count(
        con, f"SELECT count(*) FROM '{clean / file}'"
    )


def test_duplicate_key_records_every_row_sharing_an_id(tmp_path: Path) -> None:
    breach = generate_landing(
        tmp_path, rows=ROWS, seed=7, as_of=AS_OF, breaches=["duplicate_key:40"]
    ).breach("duplicate_key")
    con = _connect(tmp_path)
    sharing = _count(con, BRONZE_CHECKS["raw_orders__order_id__unique"])
    assert (breach.planted, breach.expected_unexpected_count, sharing) == (40, 80, 80)
    assert (
        breach.details["distinct_order_ids"]
        == _count(con, "SELECT count(DISTINCT order_id) FROM orders")
        == ROWS - 40
    )


def test_bad_pattern_emails_stay_unique_and_valid_otherwise(tmp_path: Path) -> None:
    generate_landing(tmp_path, rows=ROWS, seed=7, as_of=AS_OF, breaches=["bad_pattern:50"])
    con = _connect(tmp_path)
    assert _count(con, "SELECT count(*) - count(DISTINCT lower(trim(email))) FROM customers") == 0
    assert _count(con, BRONZE_CHECKS["raw_customers__email__pattern"]) == 50


def test_out_of_range_keeps_the_amount_mean_in_band(tmp_path: Path) -> None:
    breach = generate_landing(
        tmp_path, rows=ROWS, seed=7, as_of=AS_OF, breaches=["out_of_range:250"]
    ).breach("out_of_range")
    con = _connect(tmp_path)
    assert _count(con, "SELECT avg(amount) BETWEEN 1 AND 5000 FROM orders") == 1
    assert breach.details["amount_mean"] == pytest.approx(
        con.execute("SELECT avg(amount) FROM orders").fetchone()[0], abs=0.01
    )


def test_stale_shifts_events_only(tmp_path: Path, clean: tuple[Path, Manifest]) -> None:
    breach = generate_landing(tmp_path, rows=ROWS, seed=7, as_of=AS_OF, breaches=["stale"]).breach(
        "stale"
    )
    con = _connect(tmp_path)
    newest = con.execute("SELECT max(event_ts) FROM customer_events").fetchone()[0]
    assert newest == AS_OF - timedelta(days=10)
    assert breach.details["newest_event_ts"] == newest.isoformat()
    assert bronze_violations(tmp_path, AS_OF) == {"raw_customer_events__event_ts__freshness": 1}
    assert breach.planted == ROWS * 2
    for name in ("customers.parquet", "orders.parquet"):
        assert (clean[0] / name).read_bytes() == (tmp_path / name).read_bytes()


@pytest.mark.parametrize(
    ("spec", "columns"),
    [
        ("schema_drift", {"order_amount": "DOUBLE"}),
        ("schema_drift:rename", {"order_amount": "DOUBLE"}),
        ("schema_drift:drop", {}),
        ("schema_drift:retype", {"amount": "VARCHAR"}),
    ],
)
def test_schema_drift_changes_only_the_amount_column(
    spec: str, columns: dict[str, str], tmp_path: Path
) -> None:
    manifest = generate_landing(tmp_path, rows=ROWS, seed=7, as_of=AS_OF, breaches=[spec])
    con = _connect(tmp_path)
    expected = dict(EXPECTED_TYPES["orders"])
    del expected["amount"]
    assert _column_types(con, "orders") == {
        **{k: t for k, t in expected.items() if k != "currency"},
        **columns,
        "currency": "VARCHAR",
    }
    assert manifest.file("orders.parquet").columns == tuple(_column_types(con, "orders"))
    assert bronze_violations(tmp_path, AS_OF) == {"raw_orders__table__schema": 1}
    if spec.endswith("retype"):
        assert (
            _count(
                con,
                "SELECT count(*) FROM orders "
                "WHERE NOT regexp_full_match(amount, '[0-9]+\\.[0-9]{2}')",
            )
            == 0
        )


def test_all_breaches_together_fail_each_target_once(tmp_path: Path) -> None:
    # a missing share of rows is judged against history, not counted in the rows themselves
    kinds = [k for k in BREACH_KINDS if k != "schema_drift" and k not in HISTORY_BREACHES]
    manifest = generate_landing(tmp_path, rows=ROWS, seed=7, as_of=AS_OF, breaches=kinds)
    expected = {b.target_check: b.expected_unexpected_count or 1 for b in manifest.breaches}
    assert bronze_violations(tmp_path, AS_OF) == expected


def test_manifest_file_matches_the_returned_manifest(tmp_path: Path) -> None:
    manifest = generate_landing(
        tmp_path, rows=2_000, seed=1, as_of=AS_OF, breaches=["bad_enum:10", "stale:5"]
    )
    written = json.loads((tmp_path / MANIFEST_NAME).read_text())
    assert written == json.loads(manifest.to_json())
    assert written["parameters"] == {
        "rows": 2_000,
        "seed": 1,
        "as_of": "2025-06-01T12:00:00",
        "breaches": ["bad_enum:10", "stale:5"],
    }
    assert [b["target_check"] for b in written["breaches"]] == [
        "raw_orders__status__in_set",
        "raw_customer_events__event_ts__freshness",
    ]
    assert written["breaches"][0]["planted"] == 10


@pytest.mark.parametrize(
    ("breaches", "message"),
    [
        (["nope"], "valid breaches: null_required, duplicate_key"),
        (["schema_drift:explode"], "unknown schema_drift variant"),
        (["bad_enum:zero"], "not a positive whole number"),
        (["stale:1"], "still fresh"),
        (["bad_enum", "bad_enum:3"], "more than once"),
        (["null_required:1000"], "at most 250 rows"),
    ],
)
def test_bad_breach_specs_are_refused(breaches: list[str], message: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=message):
        generate_landing(tmp_path / "landing", rows=ROWS, as_of=AS_OF, breaches=breaches)
    assert not (tmp_path / "landing").exists()


def test_as_of_is_normalised_to_naive_utc(tmp_path: Path) -> None:
    aware = datetime.fromisoformat("2025-06-01T14:00:00+02:00")
    manifest = generate_landing(tmp_path, rows=100, as_of=aware)
    assert manifest.as_of == AS_OF
    with pytest.raises(ValueError, match="2015-01-01"):
        generate_landing(tmp_path, rows=100, as_of=datetime(2015, 6, 1))


def _cli(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--project", default=None)
    generate_command.register(parser.add_subparsers())
    return parser.parse_args(list(argv))


@pytest.fixture
def no_landing_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(generate_command.LANDING_ENV, raising=False)
    yield


def test_cli_writes_files_and_reports_breaches(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_landing_env: None
) -> None:
    args = _cli(
        "--project",
        str(tmp_path),
        "generate",
        "--rows",
        "1000",
        "--seed",
        "5",
        "--as-of",
        "2025-06-01T12:00:00Z",
        "--breach",
        "duplicate_key:3",
    )
    assert args.handler(args) == 0
    landing = tmp_path / ".datapact" / "landing"
    assert all((landing / name).exists() for name in (*LANDING_FILES, MANIFEST_NAME))
    out = capsys.readouterr().out
    assert "orders.parquet" in out and "1,000 rows" in out
    assert "raw_orders__order_id__unique: 3 planted, expected unexpected_count 6" in out


def test_cli_landing_env_overrides_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(generate_command.LANDING_ENV, str(tmp_path / "elsewhere"))
    args = _cli("--project", str(tmp_path), "generate")
    assert generate_command.landing_dir(args) == tmp_path / "elsewhere"
    args = _cli("--project", str(tmp_path), "generate", "--landing", str(tmp_path / "flag"))
    assert generate_command.landing_dir(args) == tmp_path / "flag"


def test_cli_refuses_bad_input_with_exit_2(tmp_path: Path, no_landing_env: None) -> None:
    for argv, message in (
        (["--breach", "nope"], "schema_drift"),
        (["--as-of", "yesterday"], "ISO 8601"),
        (["--rows", "0"], "rows must be between"),
    ):
        args = _cli("--project", str(tmp_path), "generate", "--rows", "100", *argv)
        with pytest.raises(UserError, match=message) as caught:
            args.handler(args)
        assert caught.value.exit_code == 2


def test_cli_help_names_every_breach_kind() -> None:
    assert all(kind in generate_command.BREACH_HELP for kind in BREACH_KINDS)
