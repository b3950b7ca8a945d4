"""Two versions of one contract compared into classified changes (docs/change-control.md)."""

from __future__ import annotations

from datapact_dagster.changes.compare_columns import compare_columns
from datapact_dagster.changes.compare_monitors import compare_monitors
from datapact_dagster.changes.compare_rules import compare_rules
from datapact_dagster.changes.compare_sla import compare_partitioning, compare_sla_targets
from datapact_dagster.changes.locate import Locator
from datapact_dagster.changes.model import Change
from datapact_dagster.changes.recorder import Recorder
from datapact_dagster.contract.model import STATUSES, Contract, Relationship, Table


def compare_contracts(
    old: Contract | None,
    new: Contract | None,
    old_locator: Locator | None = None,
    new_locator: Locator | None = None,
    *,
    track_moves: bool = True,
) -> list[Change]:
    """Every change from `old` to `new` (None: the contract is added or removed).
    `track_moves`: report a contract that changed files (off when two files are compared)."""
    if old is None and new is None:
        return []
    some = new or old
    assert some is not None
    old_loc = old_locator or Locator(str(old.source_path) if old else "", {})
    new_loc = new_locator or Locator(str(new.source_path) if new else "", {})
    rec = Recorder(some.id, old_loc, new_loc)
    if old is None:
        rec.add("contract_added", f"contract {some.id} {some.version} added", "id")
    elif new is None:
        rec.add(
            "contract_removed",
            f"contract {some.id} {some.version} removed",
            "id",
            side="old",
        )
    else:
        if track_moves and str(old.source_path) != str(new.source_path):
            rec.add(
                "contract_moved",
                f"file moved from {old.source_path} to {new.source_path}",
                "id",
            )
        _compare_header(rec, old, new)
        _compare_tables(rec, old, new)
        compare_sla_targets(rec, old.sla_targets, new.sla_targets)
        if old.content_hash != new.content_hash and not rec.changes:
            rec.add(
                "other_content_changed",
                "the file's text changed (comments, layout or fields DataPact does not read)",
                "",
            )
    return rec.changes


def _compare_header(rec: Recorder, old: Contract, new: Contract) -> None:
    if old.status != new.status:
        forward = STATUSES.index(new.status) > STATUSES.index(old.status)
        unannounced = new.status == "retired" and old.status in ("draft", "active")
        kind = "status_backward" if not forward else "status_forward"
        rec.add(
            "status_retired_unannounced" if unannounced else kind,
            f"status {old.status} -> {new.status}",
            "status",
        )
    simple = (
        ("name", "name_changed", "name"),
        ("domain", "domain_changed", "domain"),
        ("api_version", "api_version_changed", "apiVersion"),
        ("description", "description_changed", "description"),
    )
    for attribute, kind, key in simple:
        before, after = getattr(old, attribute), getattr(new, attribute)
        if before != after:
            detail = "changed" if attribute == "description" else f"{before} -> {after}"
            rec.add(kind, f"{key} {detail}", key)
    if (old.team, set(old.owners)) != (new.team, set(new.owners)):
        rec.add(
            "owners_changed",
            f"owners {old.team or ''} {sorted(old.owners)} -> {new.team or ''} "
            f"{sorted(new.owners)}",
            "team",
        )
    if set(old.support) != set(new.support):
        rec.add("support_changed", "support channels changed", "support")
    if set(old.consumers) != set(new.consumers):
        before = {c.team for c in old.consumers}
        after = {c.team for c in new.consumers}
        rec.add(
            "consumers_changed",
            f"consumers changed (added {sorted(after - before)}, removed {sorted(before - after)})"
            if before != after
            else "consumers changed (columns, use case or contact)",
            rec.new.custom_property("consumers"),
        )
    if (old.schedule, old.check_schedule) != (new.schedule, new.check_schedule):
        rec.add(
            "schedule_changed",
            f"schedule {old.schedule}/{old.check_schedule} -> {new.schedule}/{new.check_schedule}",
            rec.new.custom_property(
                "schedule" if old.schedule != new.schedule else "checkSchedule"
            ),
        )


def _compare_tables(rec: Recorder, old: Contract, new: Contract) -> None:
    new_names = {t.name for t in new.tables}
    old_names = {t.name for t in old.tables}
    for table in old.tables:
        if table.name in new_names:
            after = new.table(table.name)
            assert after is not None
            compare_table(rec, table, after)
            continue
        renamed = next(
            (
                t
                for t in new.tables
                if t.name not in old_names and t.physical_name == table.physical_name
            ),
            None,
        )
        if renamed is not None:
            rec.add(
                "table_renamed",
                f"table {table.name} renamed to {renamed.name} (asset, checks and SQL file move)",
                f"{renamed.doc_path}.name",
                table=table.name,
            )
            compare_table(rec, table, renamed)
            continue
        rec.add(
            "table_removed",
            f"table {table.name} ({table.physical_name}) removed",
            table.doc_path,
            table=table.name,
            side="old",
            anchor="schema",
        )
    renamed_to = {
        t.name
        for t in new.tables
        if t.name not in old_names and any(o.physical_name == t.physical_name for o in old.tables)
    }
    for table in new.tables:
        if table.name not in old_names and table.name not in renamed_to:
            rec.add(
                "table_added",
                f"table {table.name} ({table.physical_name}) added",
                table.doc_path,
                table=table.name,
            )


def compare_table(rec: Recorder, old: Table, new: Table) -> None:
    name = new.name
    if old.physical_name != new.physical_name:
        rec.add(
            "physical_name_changed",
            f"table {name}: physicalName {old.physical_name} -> {new.physical_name}",
            f"{new.doc_path}.physicalName",
            table=name,
        )
    if old.description != new.description:
        rec.add(
            "description_changed",
            f"table {name}: description changed",
            f"{new.doc_path}.description",
            table=name,
        )
    if set(old.tags) != set(new.tags):
        rec.add(
            "tags_changed",
            f"table {name}: tags {sorted(old.tags)} -> {sorted(new.tags)}",
            f"{new.doc_path}.tags",
            table=name,
        )
    _compare_key(rec, old, new)
    compare_columns(rec, old, new)
    compare_rules(rec, name, old.quality, new.quality, anchor=new.doc_path)
    compare_monitors(rec, name, old.monitors, new.monitors, anchor=new.doc_path)
    _compare_relationships(rec, old, new)
    _compare_freshness(rec, old, new)
    compare_partitioning(rec, name, old.partitioning, new.partitioning, anchor=new.doc_path)


def _compare_key(rec: Recorder, old: Table, new: Table) -> None:
    before, after = old.primary_key, new.primary_key
    if before == after:
        return
    if not before:
        kind = "primary_key_added"
    elif set(before) == set(after):
        kind = "primary_key_reordered"
    elif after and set(after) < set(before):
        kind = "primary_key_tightened"
    else:
        kind = "primary_key_loosened"
    rec.add(
        kind,
        f"table {new.name}: primary key ({', '.join(before)}) -> ({', '.join(after)})",
        f"{new.doc_path}.properties",
        table=new.name,
    )


def _compare_relationships(rec: Recorder, old: Table, new: Table) -> None:
    def key(rel: Relationship) -> tuple[tuple[str, ...], str, tuple[str, ...]]:
        return rel.from_columns, rel.to_table, rel.to_columns

    before = {key(r): r for r in old.relationships}
    after = {key(r): r for r in new.relationships}
    for k, rel in before.items():
        if k not in after:
            rec.add(
                "relationship_removed",
                f"relationship {new.name}.{','.join(rel.from_columns)} -> "
                f"{rel.to_table}.{','.join(rel.to_columns)} removed",
                rel.doc_path,
                table=new.name,
                column=rel.from_columns[0] if len(rel.from_columns) == 1 else None,
                side="old",
                anchor=new.doc_path,
            )
    for k, rel in after.items():
        if k not in before:
            rec.add(
                "relationship_added",
                f"relationship {new.name}.{','.join(rel.from_columns)} -> "
                f"{rel.to_table}.{','.join(rel.to_columns)} added",
                rel.doc_path,
                table=new.name,
                column=rel.from_columns[0] if len(rel.from_columns) == 1 else None,
            )


def _compare_freshness(rec: Recorder, old: Table, new: Table) -> None:
    before, after = old.freshness, new.freshness
    if before == after:
        return
    if after is None:
        assert before is not None
        rec.add(
            "freshness_removed",
            f"table {new.name}: freshness SLA ({before.column} within {before.max_age}) removed",
            before.doc_path,
            table=new.name,
            column=before.column,
            side="old",
            anchor=new.doc_path,
        )
        return
    if before is None:
        kind = "freshness_added"
        detail = f"freshness SLA added ({after.column} within {after.max_age})"
    elif before.column != after.column:
        kind = "freshness_column_changed"
        detail = f"freshness SLA now measures {after.column} (was {before.column})"
    elif after.max_age > before.max_age:
        kind = "freshness_loosened"
        detail = f"freshness max age {before.max_age} -> {after.max_age}"
    elif after.max_age < before.max_age:
        kind = "freshness_tightened"
        detail = f"freshness max age {before.max_age} -> {after.max_age}"
    else:
        kind = "description_changed"
        detail = "freshness SLA description changed"
    rec.add(
        kind, f"table {new.name}: {detail}", after.doc_path, table=new.name, column=after.column
    )
