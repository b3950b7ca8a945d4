"""Ranking of registry search hits and the snippets they show, on hand-built entries."""

from __future__ import annotations

import json

from datapact_dagster.plan.search import (
    SearchEntry,
    SearchField,
    Weight,
    rank_entries,
    snippet,
)


def _column(name: str, *fields: tuple[str, str, Weight]) -> SearchEntry:
    return SearchEntry(
        kind="column",
        contract="c",
        table="silver.t",
        column=name,
        fields=tuple(SearchField(field, value, weight) for field, value, weight in fields),
    )


DESCRIBED = _column("note", ("description", "Which Customer called last.", Weight.text))
TAG_HOLDS = _column("segment", ("tag", "customer-facing", Weight.label))
TAG_EXACT = _column("label", ("tag", "customer", Weight.label))
NAME_HOLDS = _column("customer_id", ("name", "customer_id", Weight.name))
NAME_EXACT = _column("customer", ("name", "customer", Weight.name))
UNRELATED = _column("amount", ("name", "amount", Weight.name))


def test_exact_name_then_name_holding_then_labels_then_descriptions() -> None:
    entries = [DESCRIBED, UNRELATED, TAG_HOLDS, TAG_EXACT, NAME_HOLDS, NAME_EXACT]

    hits = rank_entries(entries, "customer")

    assert [h.column for h in hits] == ["customer", "customer_id", "label", "segment", "note"]
    assert [h.field for h in hits] == ["name", "name", "tag", "tag", "description"]


def test_matching_ignores_case_and_surrounding_spaces() -> None:
    hits = rank_entries([DESCRIBED, NAME_HOLDS], "  CUSTOMER ")

    assert [h.column for h in hits] == ["customer_id", "note"]


def test_equal_ranks_keep_the_index_order() -> None:
    first = _column("customer_id", ("name", "customer_id", Weight.name))
    second = _column("customer_ids", ("name", "customer_ids", Weight.name))

    assert [h.column for h in rank_entries([second, first], "customer")] == [
        "customer_ids",
        "customer_id",
    ]


def test_an_entry_is_one_hit_named_by_its_best_field() -> None:
    entry = _column(
        "email",
        ("name", "email", Weight.name),
        ("description", "Primary email address.", Weight.text),
    )

    [hit] = rank_entries([entry], "email")

    assert (hit.field, hit.snippet, hit.rank) == ("name", "email", 0)


def test_kinds_narrow_the_hits() -> None:
    table = SearchEntry(
        kind="table",
        contract="c",
        table="silver.customer",
        column=None,
        fields=(SearchField("name", "customer", Weight.name),),
    )

    assert [h.kind for h in rank_entries([table, NAME_EXACT], "customer")] == ["table", "column"]
    assert [h.kind for h in rank_entries([table, NAME_EXACT], "customer", ("column",))] == [
        "column"
    ]


def test_no_entry_holding_the_term_gives_no_hit() -> None:
    assert rank_entries([DESCRIBED, UNRELATED], "invoice") == []


def test_a_long_value_is_cut_around_the_term() -> None:
    text = "a" * 100 + " the customer id is here " + "b" * 100

    cut = snippet(text, "customer", width=40)

    assert "customer" in cut
    assert cut.startswith("…") and cut.endswith("…")
    assert len(cut) <= 42


def test_a_short_value_is_whole_on_one_line() -> None:
    assert snippet("Lower-cased\n  e-mail address.", "mail") == "Lower-cased e-mail address."


def test_a_term_near_the_end_keeps_the_end_whole() -> None:
    text = "x" * 200 + " customer"

    cut = snippet(text, "customer", width=40)

    assert cut.endswith("customer") and cut.startswith("…")


def test_entries_are_plain_json_values() -> None:
    document = json.loads(json.dumps(NAME_HOLDS.as_dict()))

    assert document == {
        "kind": "column",
        "contract": "c",
        "table": "silver.t",
        "column": "customer_id",
        "fields": [{"field": "name", "value": "customer_id"}],
    }
