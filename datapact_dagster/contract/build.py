"""Per-file DataPact rules on a schema-valid ODCS document, and the typed model built from it.

This module reads the contract's header (versions, status, owners, schedules, consumers); the
tables, columns, quality rules and freshness SLAs are read by the `build_*` modules beside it.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

import semver

from datapact_dagster.contract.build_freshness import read_freshness
from datapact_dagster.contract.build_monitors import check_freshness_monitors
from datapact_dagster.contract.build_sla_targets import read_sla_targets
from datapact_dagster.contract.build_tables import read_table
from datapact_dagster.contract.extensions import (
    CONSUMER_FIELDS,
    CONTRACT_KEYS,
    check_cron,
    read_custom_properties,
)
from datapact_dagster.contract.findings import DocPath, FindingCollector
from datapact_dagster.contract.lifecycle import read_lifecycle
from datapact_dagster.contract.model import (
    STATUSES,
    Consumer,
    Contract,
    SlaTarget,
    SupportChannel,
)
from datapact_dagster.contract.odcs_v3_0 import V3_0_VERSIONS, as_v3_1
from datapact_dagster.contract.secret_urls import is_credential_url

SUPPORTED_API_VERSIONS = (*V3_0_VERSIONS, "v3.1.0", "v3.2.0")


def unit_of(path: DocPath) -> DocPath:
    """The part of a document the rules read on their own: one table, one support channel, or
    one other top-level key."""
    if len(path) >= 2 and path[0] in ("schema", "support") and isinstance(path[1], int):
        return path[:2]
    return path[:1]


class _Builder:
    """Reads one document: its header here, each table and SLA through the build_* modules."""

    def __init__(
        self,
        data: dict[str, Any],
        file: Path,
        project_root: Path,
        out: FindingCollector,
        broken: frozenset[DocPath],
    ):
        self.data = data
        self.file = file
        self.root = project_root
        self.out = out
        self.broken = broken

    def readable(self, *unit: str | int) -> bool:
        """Whether the schema found no error in `unit` (nor in the whole key holding it)."""
        return unit not in self.broken and unit[:1] not in self.broken

    def err(self, path: DocPath, message: str, fix: str, code: str = "invalid") -> None:
        self.out.add(path, message, fix, code=code)

    # -- top level -------------------------------------------------------------------------
    def header(self) -> None:
        d = self.data
        if self.readable("apiVersion") and d.get("apiVersion") not in SUPPORTED_API_VERSIONS:
            self.err(
                ("apiVersion",),
                f"apiVersion {d.get('apiVersion')!r} is not supported",
                "use one of v3.0.0, v3.0.1, v3.0.2, v3.1.0 or v3.2.0 (upgrade ODCS v2 documents "
                "first)",
                "api-version",
            )
        version = str(d.get("version", ""))
        if self.readable("version") and not semver.Version.is_valid(version):
            self.err(
                ("version",),
                f"version {version!r} is not semantic versioning",
                "write MAJOR.MINOR.PATCH, e.g. '1.0.0'",
                "semver",
            )
        status = d.get("status")
        if self.readable("status") and status not in STATUSES:
            self.err(
                ("status",),
                f"status {status!r} is not one DataPact knows",
                f"use one of: {', '.join(STATUSES)}",
                "status",
            )
        schema_broken = any(unit[:1] == ("schema",) for unit in self.broken)
        if not schema_broken and not d.get("schema"):
            self.err(
                ("schema",) if "schema" in d else (),
                "the contract declares no table (schema is missing or empty)",
                "add a 'schema' list with one object per table",
                "no-schema",
            )

    def owners(self) -> tuple[str | None, tuple[str, ...]]:
        if not self.readable("team"):
            return None, ()
        team = self.data.get("team")
        members = team if isinstance(team, list) else (team or {}).get("members", [])
        team_name = None if isinstance(team, list) or team is None else team.get("name")
        owners = [m["username"] for m in members if str(m.get("role", "")).lower() == "owner"]
        owners = owners or [m["username"] for m in members]
        if not owners:
            self.err(
                ("team",) if team else (),
                "the contract names no owner",
                "add 'team: {name: ..., members: [{username: you@example.com, role: owner}]}'",
                "no-owner",
            )
        return team_name, tuple(owners)

    def build(self, content_hash: str) -> Contract | None:
        self.header()
        team_name, owners = self.owners()
        tables = []
        all_tables_read = self.readable("schema")
        for index, obj in enumerate(self.data.get("schema") or [] if all_tables_read else []):
            if not self.readable("schema", index):
                all_tables_read = False
                continue
            table = read_table(obj, ("schema", index), self.root, self.out)
            if table is not None:
                tables.append(table)
        freshness = {}
        sla_targets: tuple[SlaTarget, ...] = ()
        if all_tables_read and self.readable("slaProperties"):
            freshness = read_freshness(self.data.get("slaProperties"), tables, self.out)
            sla_targets = read_sla_targets(self.data.get("slaProperties"), tables, self.out)
        tables = [t.model_copy(update={"freshness": freshness.get(t.name)}) for t in tables]
        check_freshness_monitors(tables, self.out)
        self.support_urls()
        custom: dict[str, Any] = {}
        if self.readable("customProperties"):
            custom = read_custom_properties(
                self.data.get("customProperties"), CONTRACT_KEYS, ("customProperties",), self.out
            )
        consumers = self.consumers(custom.get("consumers"))
        schedule = self.cron_property(custom, "schedule")
        check_schedule = self.cron_property(custom, "checkSchedule")
        status = self.data.get("status") if self.readable("status") else None
        lifecycle = read_lifecycle(custom, self.custom_index(custom), status, self.out)
        if self.out.has_errors:
            return None
        description = self.data.get("description")
        if isinstance(description, dict):
            description = description.get("purpose") or description.get("usage")
        return Contract(
            id=self.data["id"],
            name=self.data.get("name"),
            version=str(self.data["version"]),
            status=self.data["status"],
            api_version=self.data["apiVersion"],
            domain=self.data.get("domain"),
            description=description,
            tags=self.tags(),
            team=team_name,
            owners=owners,
            support=tuple(
                SupportChannel(
                    channel=s["channel"], tool=s.get("tool"), url=s.get("url"), scope=s.get("scope")
                )
                for s in self.data.get("support") or ()
            ),
            consumers=consumers,
            schedule=schedule,
            check_schedule=check_schedule,
            retirement_date=lifecycle.retirement_date,
            replaced_by=lifecycle.replaced_by,
            sla_targets=sla_targets,
            tables=tuple(tables),
            source_path=self.file,
            content_hash=content_hash,
        )

    def tags(self) -> tuple[str, ...]:
        tags = self.data.get("tags") if self.readable("tags") else None
        return tuple(str(t) for t in tags) if isinstance(tags, list) else ()

    def support_urls(self) -> None:
        if not self.readable("support"):
            return
        for index, channel in enumerate(self.data.get("support") or ()):
            url = channel.get("url") if self.readable("support", index) else None
            if isinstance(url, str) and is_credential_url(url):
                self.secret_url(("support", index, "url"))

    def secret_url(self, path: DocPath) -> None:
        self.err(
            path,
            "this URL carries a credential (a Slack, Teams or Discord webhook, a password or a "
            "token in it); a contract is committed and copied into the alert ledger",
            "name the channel here (e.g. channel: '#orders-oncall') and put the URL in an "
            "environment variable named in alerts.yaml webhook_routes (see docs/alerts.md)",
            "secret-url",
        )

    def custom_index(self, custom: dict[str, Any]) -> dict[str, int]:
        """Where each DataPact key read from `customProperties` is in that list."""
        items = self.data.get("customProperties") or []
        return {
            key: next(i for i, item in enumerate(items) if item.get("property") == key)
            for key in custom
        }

    def cron_property(self, custom: dict[str, Any], key: str) -> str | None:
        if key not in custom:
            return None
        index = self.custom_index(custom)[key]
        return check_cron(custom[key], ("customProperties", index, "value"), self.out)

    def consumers(self, value: Any) -> tuple[Consumer, ...]:
        if value is None:
            return ()
        index = next(
            i
            for i, item in enumerate(self.data["customProperties"])
            if item.get("property") == "consumers"
        )
        path: DocPath = ("customProperties", index, "value")
        if not isinstance(value, list):
            self.err(
                path,
                "consumers must be a list",
                "write a list of {team, useCase, columns, contact}",
                "consumers",
            )
            return ()
        result = []
        for i, item in enumerate(value):
            if not isinstance(item, dict) or not isinstance(item.get("team"), str):
                self.err(
                    (*path, i),
                    "each consumer needs a 'team'",
                    "write {team: ..., useCase: ..., columns: [...], contact: ...}",
                    "consumers",
                )
                continue
            wrong = _consumer_field_problem(item)
            if wrong:
                self.err(
                    (*path, i, wrong[0]),
                    wrong[1],
                    "write {team: ..., useCase: ..., "
                    "columns: [column, ...], contact: ...} with text values",
                    "consumers",
                )
                continue
            contact = item.get("contact")
            if isinstance(contact, str) and is_credential_url(contact):
                self.secret_url((*path, i, "contact"))
                continue
            extra = set(item) - CONSUMER_FIELDS
            if extra:
                self.err(
                    (*path, i, sorted(extra)[0]),
                    f"unknown consumer field(s) {', '.join(sorted(extra))}",
                    f"use only {', '.join(sorted(CONSUMER_FIELDS))}",
                    "consumers",
                )
                continue
            result.append(
                Consumer(
                    team=item["team"],
                    use_case=item.get("useCase"),
                    columns=tuple(item.get("columns") or ()),
                    contact=item.get("contact"),
                )
            )
        return tuple(result)


def _consumer_field_problem(item: dict[str, Any]) -> tuple[str, str] | None:
    for key in ("useCase", "contact"):
        if item.get(key) is not None and not isinstance(item[key], str):
            return key, f"the consumer's {key} must be text"
    columns = item.get("columns")
    if columns is not None and (
        not isinstance(columns, list) or not all(isinstance(c, str) for c in columns)
    ):
        return "columns", "the consumer's columns must be a list of column names"
    return None


def build_contract(
    data: dict[str, Any],
    file: Path,
    project_root: Path,
    out: FindingCollector,
    content_hash: str,
    broken: Collection[DocPath] = (),
) -> Contract | None:
    """The contract, or None when the file has any error. `broken`: where the ODCS schema found
    errors (already reported); the parts holding them are not read again, the others are, so one
    pass reports every problem."""
    units = frozenset(unit_of(path) for path in broken)
    if () in units:
        return None
    return _Builder(as_v3_1(data), file, project_root, out, units).build(content_hash)
