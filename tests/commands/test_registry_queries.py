"""`datapact list` filters and `--columns`, and `datapact search`, through the CLI.

The sample project has every contract active in one domain; tests/fixtures/registry adds a
draft, a deprecated and a retired contract in two domains, contract-level and column tags, and
PII marked by classification alone and by the `pii` custom property alone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from datapact_dagster.cli import main
from datapact_dagster.errors import EXIT_INVALID, EXIT_OK
from datapact_dagster.plan.loading import load_contracts
from datapact_dagster.plan.search import search_entries

REGISTRY = Path(__file__).resolve().parents[1] / "fixtures" / "registry"


def _json(capsys: pytest.CaptureFixture[str], project: Path, *argv: str) -> Any:
    code = main(["--project", str(project), *argv, "--format", "json"])
    assert code == EXIT_OK
    return json.loads(capsys.readouterr().out)


def _text(capsys: pytest.CaptureFixture[str], project: Path, *argv: str) -> list[str]:
    code = main(["--project", str(project), *argv])
    assert code == EXIT_OK
    return capsys.readouterr().out.splitlines()


def _tables(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    return [row["table"] for row in _json(capsys, REGISTRY, "list", *argv)]


def _columns(capsys: pytest.CaptureFixture[str], project: Path, *argv: str) -> set[str]:
    rows = _json(capsys, project, "list", "--columns", *argv)
    return {f"{row['table']}.{row['column']}" for row in rows}


# -- the sample project -------------------------------------------------------------------


def test_pii_columns_of_the_sample_are_exactly_the_customer_email_and_name(
    project_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contracts = load_contracts(None, root=project_root).contracts
    assert contracts is not None
    declared = {
        f"{t.physical_name}.{c.name}" for _, t in contracts.tables for c in t.columns if c.pii
    }

    listed = _columns(capsys, project_root, "--pii")

    assert (
        listed
        == declared
        == {
            "bronze.raw_customers.email",
            "bronze.raw_customers.full_name",
            "silver.customers.email",
            "silver.customers.full_name",
        }
    )


def test_pii_columns_as_text_show_classification_and_description(
    project_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _text(capsys, project_root, "list", "--pii", "--columns")

    assert lines[0].split() == [
        "TABLE",
        "COLUMN",
        "TYPE",
        "REQUIRED",
        "UNIQUE",
        "KEY",
        "PII",
        "CLASSIFICATION",
        "DESCRIPTION",
    ]
    assert len(lines) == 2 + 4
    [email] = [line for line in lines if line.startswith("silver.customers ") and " email " in line]
    assert email.split() == [
        "silver.customers",
        "email",
        "string",
        "yes",
        "yes",
        "-",
        "yes",
        "restricted",
        "Lower-cased",
        "e-mail",
        "address.",
    ]


def test_pii_tables_of_the_sample(project_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, project_root, "list", "--pii")

    assert [r["table"] for r in rows] == ["bronze.raw_customers", "silver.customers"]
    assert all(r["pii_columns"] == ["email", "full_name"] for r in rows)


def test_columns_show_foreign_keys(project_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, project_root, "list", "--columns")
    by_name = {f"{r['table']}.{r['column']}": r for r in rows}

    assert by_name["silver.orders.customer_id"]["references"] == ["customers.customer_id"]
    assert by_name["bronze.raw_orders.customer_id"]["references"] == ["raw_customers.customer_id"]
    assert by_name["silver.customers.customer_id"]["primary_key"] is True
    assert by_name["silver.customers.customer_id"]["references"] == []


def test_search_finds_customer_id_in_every_table_declaring_it(
    project_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contracts = load_contracts(None, root=project_root).contracts
    assert contracts is not None
    declaring = {t.physical_name for _, t in contracts.tables if t.column("customer_id")}

    hits = _json(capsys, project_root, "search", "customer_id")

    exact = [h for h in hits if h["column"] == "customer_id" and h["field"] == "name"]
    assert {h["table"] for h in exact} == declaring
    assert len(declaring) == 7
    assert hits[: len(exact)] == exact, "exact name matches come first"
    assert all(h["kind"] == "column" and h["snippet"] == "customer_id" for h in exact)


def test_search_as_text_names_each_table(
    project_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _text(capsys, project_root, "search", "customer_id", "--kind", "column")

    assert lines[0].split() == ["KIND", "CONTRACT", "TABLE", "COLUMN", "FIELD", "MATCH"]
    tables = [line.split()[2] for line in lines[2:] if line.split()[3] == "customer_id"]
    assert "silver.orders" in tables and "gold.customer_profile" in tables
    assert len(tables) == 7


def test_search_ranks_names_before_descriptions(
    project_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hits = _json(capsys, project_root, "search", "Customers")

    assert hits[0] == {
        "kind": "contract",
        "contract": "commerce.customers",
        "table": None,
        "column": None,
        "field": "name",
        "snippet": "Customers",
    }
    fields = [h["field"] for h in hits]
    assert "description" in fields
    first_description = fields.index("description")
    assert all(f == "description" for f in fields[first_description:])


def test_search_finds_owning_and_consuming_teams(
    project_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hits = _json(capsys, project_root, "search", "finance-analytics", "--kind", "contract")

    assert [(h["contract"], h["field"]) for h in hits] == [
        ("commerce.daily_revenue", "owner"),
        ("commerce.orders", "owner"),
        ("commerce.raw_orders", "consumer"),
    ]


def test_nothing_matching_is_said_and_is_not_an_error(
    project_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _text(capsys, project_root, "search", "zz-nowhere") == ["no match for 'zz-nowhere'"]
    assert _json(capsys, project_root, "search", "zz-nowhere") == []
    assert _text(capsys, project_root, "list", "--domain", "sales", "--pii") == [
        "no table matches --domain sales --pii"
    ]
    assert _json(capsys, project_root, "list", "--domain", "sales") == []
    assert _text(capsys, project_root, "list", "--columns", "--tag", "gdpr") == [
        "no column matches --tag gdpr"
    ]


def test_an_unknown_status_is_a_usage_error(
    project_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--project", str(project_root), "list", "--status", "live"])

    assert exited.value.code == EXIT_INVALID
    assert "invalid choice: 'live'" in capsys.readouterr().err


def test_an_empty_search_term_is_refused(
    project_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--project", str(project_root), "search", "  "]) == EXIT_INVALID
    assert "the search term is empty" in capsys.readouterr().err


def test_search_entries_cover_every_contract_table_and_column(project_root: Path) -> None:
    contracts = load_contracts(None, root=project_root).contracts
    assert contracts is not None

    entries = json.loads(json.dumps(search_entries(contracts)))

    kinds = [e["kind"] for e in entries]
    assert kinds.count("contract") == len(contracts.contracts)
    assert kinds.count("table") == len(contracts.tables)
    assert kinds.count("column") == sum(len(t.columns) for _, t in contracts.tables)
    [email] = [e for e in entries if e["table"] == "silver.customers" and e["column"] == "email"]
    assert {"field": "classification", "value": "restricted"} in email["fields"]


# -- the registry fixture: statuses, domains, owners, tags ---------------------------------


@pytest.mark.parametrize(
    ("status", "tables"),
    [
        ("draft", ["bronze.invoices"]),
        ("deprecated", ["silver.contacts"]),
        ("retired", ["bronze.legacy_accounts"]),
        ("active", []),
    ],
)
def test_status_filter(status: str, tables: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert _tables(capsys, "--status", status) == tables


def test_repeating_a_filter_keeps_either_value(capsys: pytest.CaptureFixture[str]) -> None:
    assert _tables(capsys, "--status", "draft", "--status", "retired") == [
        "bronze.invoices",
        "bronze.legacy_accounts",
    ]


def test_filters_of_different_kinds_narrow_together(capsys: pytest.CaptureFixture[str]) -> None:
    assert _tables(capsys) == ["bronze.invoices", "bronze.legacy_accounts", "silver.contacts"]
    assert _tables(capsys, "--domain", "CRM") == ["bronze.legacy_accounts", "silver.contacts"]
    assert _tables(capsys, "--domain", "crm", "--pii") == ["silver.contacts"]
    assert _tables(capsys, "--domain", "crm", "--pii", "--status", "retired") == []


def test_owner_is_a_username_or_the_team_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert _tables(capsys, "--owner", "cy.lam@example.com") == [
        "bronze.legacy_accounts",
        "silver.contacts",
    ]
    assert _tables(capsys, "--owner", "billing") == ["bronze.invoices"]
    assert _tables(capsys, "--owner", "cy.lam") == []


def test_tags_of_contract_table_and_column(capsys: pytest.CaptureFixture[str]) -> None:
    assert _tables(capsys, "--tag", "finance") == ["bronze.invoices"]
    assert _tables(capsys, "--tag", "crm") == ["silver.contacts"]
    assert _tables(capsys, "--tag", "money") == ["bronze.invoices"]


def test_column_tags_are_inherited_from_table_and_contract(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _columns(capsys, REGISTRY, "--tag", "money") == {"bronze.invoices.amount"}
    assert _columns(capsys, REGISTRY, "--tag", "finance") == {
        "bronze.invoices.invoice_id",
        "bronze.invoices.customer_id",
        "bronze.invoices.iban",
        "bronze.invoices.amount",
    }
    assert _columns(capsys, REGISTRY, "--tag", "crm", "--pii") == {"silver.contacts.phone"}


def test_pii_by_classification_or_custom_property(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, REGISTRY, "list", "--columns", "--pii")

    assert [(r["table"], r["column"], r["classification"]) for r in rows] == [
        ("bronze.invoices", "iban", "confidential"),
        ("silver.contacts", "phone", None),
    ]


def test_search_ranks_and_reports_where_it_matched(capsys: pytest.CaptureFixture[str]) -> None:
    hits = _json(capsys, REGISTRY, "search", "invoice")

    where = [(h["kind"], h["table"], h["column"], h["field"]) for h in hits]
    assert where == [
        ("contract", None, None, "id"),
        ("table", "bronze.invoices", None, "name"),
        ("column", "bronze.invoices", "invoice_id", "name"),
        ("column", "bronze.invoices", "customer_id", "description"),
        ("column", "bronze.invoices", "amount", "description"),
        ("column", "silver.contacts", "note", "description"),
    ]
    assert hits[-1]["snippet"] == "Free text, e.g. which invoice the last call was about."


def test_search_finds_contract_tags_and_consumers(capsys: pytest.CaptureFixture[str]) -> None:
    [tag] = _json(capsys, REGISTRY, "search", "FINANCE")
    [consumer] = _json(capsys, REGISTRY, "search", "treasury")

    assert (tag["contract"], tag["field"], tag["snippet"]) == ("billing.invoices", "tag", "finance")
    assert (consumer["contract"], consumer["field"]) == ("billing.invoices", "consumer")
