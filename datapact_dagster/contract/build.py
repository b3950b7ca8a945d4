"""Per-file DataPact rules on a schema-valid ODCS document, and the typed model built from it."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import semver

from datapact_dagster.contract.extensions import (
    CONSUMER_FIELDS,
    CONTRACT_KEYS,
    PROPERTY_KEYS,
    check_cron,
    read_custom_properties,
)
from datapact_dagster.contract.findings import DocPath, FindingCollector, format_doc_path
from datapact_dagster.contract.gx_catalog import known_expectation_types
from datapact_dagster.contract.model import (
    OPERATOR_NAMES,
    Column,
    Consumer,
    Contract,
    Freshness,
    Layer,
    Operator,
    QualityRule,
    Relationship,
    SupportChannel,
    Table,
    ValueOptions,
)

SUPPORTED_API_VERSIONS = ("v3.1.0", "v3.2.0")
STATUSES = ("draft", "active", "deprecated", "retired")
SEVERITIES = ("error", "warning", "info")
COLUMN_TYPES = ("string", "date", "timestamp", "time", "number", "integer", "boolean")
COLUMN_METRICS = ("nullValues", "missingValues", "invalidValues", "duplicateValues")
TABLE_METRICS = ("rowCount", "duplicateValues")
PII_CLASSIFICATIONS = ("pii", "restricted", "confidential", "sensitive")
FRESHNESS_SLA = ("latency", "freshness")
# Options that constrain values but have no check (date/time `format` only describes a
# serialisation, and integer/number `format` a storage width, so those are accepted).
UNCHECKED_OPTIONS: dict[str, set[str]] = {
    "string": {"format"},
    "integer": {"multipleOf"},
    "number": {"multipleOf"},
    "boolean": {
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "pattern",
        "minLength",
        "maxLength",
        "format",
        "multipleOf",
    },
}
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
PLACEHOLDER = re.compile(r"\{([A-Za-z_]*)\}")
_UNITS = {
    "m": 60,
    "min": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "week": 604800,
    "weeks": 604800,
}


def parse_duration(value: Any, unit: Any) -> timedelta | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    seconds = _UNITS.get(str(unit or "d").lower())
    return timedelta(seconds=value * seconds) if seconds else None


class _Builder:
    def __init__(self, data: dict[str, Any], file: Path, project_root: Path, out: FindingCollector):
        self.data = data
        self.file = file
        self.root = project_root
        self.out = out

    def err(self, path: DocPath, message: str, fix: str, code: str = "invalid") -> None:
        self.out.add(path, message, fix, code=code)

    # -- top level -------------------------------------------------------------------------
    def header(self) -> None:
        d = self.data
        if d.get("apiVersion") not in SUPPORTED_API_VERSIONS:
            self.err(
                ("apiVersion",),
                f"apiVersion {d.get('apiVersion')!r} is not supported",
                "use 'v3.1.0' or 'v3.2.0' (upgrade older ODCS documents first)",
                "api-version",
            )
        version = str(d.get("version", ""))
        if not semver.Version.is_valid(version):
            self.err(
                ("version",),
                f"version {version!r} is not semantic versioning",
                "write MAJOR.MINOR.PATCH, e.g. '1.0.0'",
                "semver",
            )
        status = d.get("status")
        if status not in STATUSES:
            self.err(
                ("status",),
                f"status {status!r} is not one DataPact knows",
                f"use one of: {', '.join(STATUSES)}",
                "status",
            )
        if not d.get("schema"):
            self.err(
                ("schema",) if "schema" in d else (),
                "the contract declares no table (schema is missing or empty)",
                "add a 'schema' list with one object per table",
                "no-schema",
            )

    def owners(self) -> tuple[str | None, tuple[str, ...]]:
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

    # -- quality rules ---------------------------------------------------------------------
    def quality(
        self, items: list[dict[str, Any]], path: DocPath, column: str | None, column_names: set[str]
    ) -> list[QualityRule]:
        rules = []
        for index, item in enumerate(items or []):
            rule = self.quality_rule(item, (*path, index), column, column_names)
            if rule is not None:
                rules.append(rule)
        return rules

    def quality_rule(
        self, item: dict[str, Any], path: DocPath, column: str | None, column_names: set[str]
    ) -> QualityRule | None:
        kind = item.get("type", "library")
        ok = True
        severity = item.get("severity", "error")
        if severity not in SEVERITIES:
            self.err(
                (*path, "severity"),
                f"severity {severity!r} is not known",
                f"use one of: {', '.join(SEVERITIES)}",
                "severity",
            )
            ok = False
        operators = [name for name in OPERATOR_NAMES if name in item]
        operator = Operator(name=operators[0], value=item[operators[0]]) if operators else None
        unit = item.get("unit", "rows")
        if unit not in ("rows", "percent"):
            self.err(
                (*path, "unit"),
                f"unit {unit!r} is not supported",
                "use 'rows' (a count) or 'percent' (share of all rows)",
                "unit",
            )
            ok = False
        if kind == "text":
            self.err(
                (*path, "type"),
                "a 'text' rule cannot be executed, so it cannot be checked",
                "express it as a 'library' metric, a 'sql' query or a 'custom' "
                "great-expectations rule, or move the text into the description",
                "unsupported-rule",
            )
            return None
        metric = item.get("metric")
        if kind == "library":
            if metric is None:
                self.err(
                    path,
                    "this library rule has no 'metric' (the deprecated 'rule' key "
                    "is not supported)",
                    "use 'metric:' with one of nullValues, missingValues, invalidValues, "
                    "duplicateValues, rowCount",
                    "unsupported-rule",
                )
                return None
            ok &= self.library_rule(item, path, metric, column, column_names)
        elif kind == "sql":
            ok &= self.sql_rule(item, path, column)
        elif kind == "custom":
            ok &= self.custom_rule(item, path, column_names)
        if kind in ("library", "sql") and operator is None:
            self.err(
                path,
                "the rule has no comparison operator",
                "add one of mustBe, mustBeLessThan, mustBeBetween, …",
                "no-operator",
            )
            ok = False
        if not ok:
            return None
        implementation = item.get("implementation")
        return QualityRule(
            name=item.get("name"),
            description=item.get("description"),
            type=kind,
            metric=metric,
            arguments=item.get("arguments") or {},
            unit=unit,
            operator=operator,
            query=item.get("query"),
            engine=item.get("engine"),
            implementation=implementation if isinstance(implementation, dict) else None,
            severity=severity,
            column=column,
            doc_path=format_doc_path(path),
        )

    def library_rule(
        self,
        item: dict[str, Any],
        path: DocPath,
        metric: str,
        column: str | None,
        column_names: set[str],
    ) -> bool:
        where = "table" if column is None else "column"
        allowed = TABLE_METRICS if column is None else COLUMN_METRICS
        if metric not in allowed:
            target = "the column's" if column is None else "the table's"
            self.err(
                (*path, "metric"),
                f"metric '{metric}' does not apply at {where} level",
                f"move the rule to {target} 'quality' list",
                "metric-level",
            )
            return False
        args = item.get("arguments") or {}
        if metric == "invalidValues" and not (
            isinstance(args.get("validValues"), list) or isinstance(args.get("pattern"), str)
        ):
            self.err(
                (*path, "arguments"),
                "invalidValues needs the values that are valid",
                "add 'arguments: {validValues: [...]}' or 'arguments: {pattern: ...}'",
                "invalid-values-args",
            )
            return False
        if isinstance(args.get("pattern"), str):
            try:
                re.compile(args["pattern"])
            except re.error as exc:
                self.err(
                    (*path, "arguments", "pattern"),
                    f"the pattern does not compile: {exc}",
                    "write a valid regular expression",
                    "pattern",
                )
                return False
        if metric == "duplicateValues" and column is None:
            props = args.get("properties")
            if not isinstance(props, list) or not props:
                self.err(
                    (*path, "arguments"),
                    "a table-level duplicateValues rule needs the columns that form the key",
                    "add 'arguments: {properties: [col_a, col_b]}'",
                    "duplicate-args",
                )
                return False
            missing = [p for p in props if p not in column_names]
            if missing:
                self.err(
                    (*path, "arguments", "properties"),
                    f"unknown column(s) {', '.join(map(str, missing))}",
                    f"use columns of this table: {', '.join(sorted(column_names))}",
                    "unknown-column",
                )
                return False
        if (
            metric == "missingValues"
            and "missingValues" in args
            and not isinstance(args["missingValues"], list)
        ):
            self.err(
                (*path, "arguments", "missingValues"),
                "missingValues must be a list",
                "write e.g. missingValues: ['', 'N/A']",
                "missing-args",
            )
            return False
        if metric == "rowCount" and item.get("unit") == "percent":
            self.err(
                (*path, "unit"),
                "rowCount is a number of rows, not a percentage",
                "remove 'unit' or set it to 'rows'",
                "unit",
            )
            return False
        return True

    def sql_rule(self, item: dict[str, Any], path: DocPath, column: str | None) -> bool:
        from datapact_dagster.warehouse.sql_parse import SqlParseError, parse_select

        query = str(item.get("query", ""))
        names = set(PLACEHOLDER.findall(query))
        unknown = names - {"object", "property"}
        if unknown:
            self.err(
                (*path, "query"),
                f"unknown placeholder(s) {', '.join(sorted(unknown))}",
                "use {object} for the table and {property} for the column",
                "placeholder",
            )
            return False
        if "property" in names and column is None:
            self.err(
                (*path, "query"),
                "{property} is used in a table-level rule",
                "move the rule under a property, or name the column in the query",
                "placeholder",
            )
            return False
        try:
            parse_select(PLACEHOLDER.sub(lambda m: f"__dp_{m.group(1)}", query))
        except SqlParseError as exc:
            self.err(
                (*path, "query"),
                f"the query does not parse: {exc}",
                "write one SELECT returning a single number",
                "sql-parse",
            )
            return False
        return True

    def custom_rule(self, item: dict[str, Any], path: DocPath, column_names: set[str]) -> bool:
        if item.get("engine") != "great-expectations":
            self.err(
                (*path, "engine"),
                f"custom engine {item.get('engine')!r} cannot run here",
                "use engine: great-expectations, or rewrite the rule as a library or sql rule",
                "unsupported-rule",
            )
            return False
        impl = item.get("implementation")
        if not isinstance(impl, dict) or not isinstance(impl.get("type"), str):
            self.err(
                (*path, "implementation"),
                "a great-expectations implementation must be a mapping with 'type' and 'kwargs'",
                "write implementation: {type: expect_..., kwargs: {...}}",
                "custom-impl",
            )
            return False
        known = known_expectation_types()
        if known and impl["type"] not in known:
            self.err(
                (*path, "implementation", "type"),
                f"'{impl['type']}' is not a Great Expectations core expectation",
                "use an expectation type from the GX 1.x gallery, e.g. "
                "expect_column_mean_to_be_between",
                "custom-impl",
            )
            return False
        kwargs = impl.get("kwargs") or {}
        if not isinstance(kwargs, dict):
            self.err(
                (*path, "implementation", "kwargs"),
                "kwargs must be a mapping",
                "write kwargs: {column: ..., ...}",
                "custom-impl",
            )
            return False
        col = kwargs.get("column")
        if col is not None and col not in column_names:
            self.err(
                (*path, "implementation", "kwargs", "column"),
                f"unknown column {col!r}",
                f"use a column of this table: {', '.join(sorted(column_names))}",
                "unknown-column",
            )
            return False
        return True

    # -- columns ---------------------------------------------------------------------------
    def column(
        self, prop: dict[str, Any], path: DocPath, column_names: set[str], table_name: str
    ) -> tuple[Column | None, list[Relationship]]:
        name = prop["name"]
        ok = True
        if not IDENTIFIER.match(name):
            self.err(
                (*path, "name"),
                f"column name {name!r} is not a plain SQL identifier",
                "use lower-case letters, digits and underscores",
                "identifier",
            )
            ok = False
        logical = prop.get("logicalType")
        if logical is None:
            self.err(
                path,
                f"column '{name}' has no logicalType",
                f"add 'logicalType:' with one of {', '.join(COLUMN_TYPES)}",
                "no-type",
            )
            ok = False
        elif logical not in COLUMN_TYPES:
            self.err(
                (*path, "logicalType"),
                f"logicalType '{logical}' is not a flat column type",
                f"use one of {', '.join(COLUMN_TYPES)}; nested data is not supported in tables",
                "type",
            )
            ok = False
        opts = prop.get("logicalTypeOptions") or {}
        for option in sorted(set(opts) & UNCHECKED_OPTIONS.get(str(logical), set())):
            self.err(
                (*path, "logicalTypeOptions", option),
                f"logicalTypeOptions.{option} on a {logical} column cannot be checked by "
                "DataPact, and a rule is never dropped silently",
                "remove it, or express it as a pattern or a sql quality rule",
                "unsupported-rule",
            )
            ok = False
        options = ValueOptions(
            minimum=opts.get("minimum"),
            maximum=opts.get("maximum"),
            exclusive_minimum=opts.get("exclusiveMinimum"),
            exclusive_maximum=opts.get("exclusiveMaximum"),
            pattern=opts.get("pattern"),
            min_length=opts.get("minLength"),
            max_length=opts.get("maxLength"),
        )
        opath = (*path, "logicalTypeOptions")
        low = options.minimum if options.minimum is not None else options.exclusive_minimum
        high = options.maximum if options.maximum is not None else options.exclusive_maximum
        if low is not None and high is not None and type(low) is type(high) and low > high:
            self.err(
                (*opath, "minimum" if options.minimum is not None else "exclusiveMinimum"),
                f"the minimum {low} is above the maximum {high}",
                "swap or correct the bounds",
                "bounds",
            )
            ok = False
        if (options.min_length or 0) > (
            options.max_length if options.max_length is not None else float("inf")
        ):
            self.err(
                (*opath, "minLength"),
                "minLength is above maxLength",
                "swap or correct the bounds",
                "bounds",
            )
            ok = False
        if options.pattern is not None:
            try:
                re.compile(options.pattern)
            except re.error as exc:
                self.err(
                    (*opath, "pattern"),
                    f"the pattern does not compile: {exc}",
                    "write a valid regular expression",
                    "pattern",
                )
                ok = False
        custom = read_custom_properties(
            prop.get("customProperties"), PROPERTY_KEYS, (*path, "customProperties"), self.out
        )
        tags = tuple(str(t) for t in prop.get("tags") or ())
        classification = prop.get("classification")
        pii = (
            bool(custom.get("pii"))
            or "pii" in (t.lower() for t in tags)
            or (str(classification).lower() in PII_CLASSIFICATIONS)
        )
        quality = self.quality(prop.get("quality") or [], (*path, "quality"), name, column_names)
        if len(quality) != len(prop.get("quality") or []):
            ok = False
        relationships = []
        for index, rel in enumerate(prop.get("relationships") or []):
            target = self.reference(rel.get("to"), (*path, "relationships", index, "to"))
            if target:
                relationships.append(
                    Relationship(
                        from_columns=(name,),
                        to_table=target[0],
                        to_columns=target[1],
                        doc_path=format_doc_path((*path, "relationships", index)),
                    )
                )
            else:
                ok = False
        if not ok:
            return None, []
        column = Column(
            name=name,
            logical_type=logical,
            physical_type=prop.get("physicalType"),
            description=prop.get("description"),
            required=bool(prop.get("required")),
            unique=bool(prop.get("unique")),
            primary_key=bool(prop.get("primaryKey")),
            primary_key_position=int(prop.get("primaryKeyPosition", -1)),
            classification=classification,
            tags=tags,
            pii=pii,
            options=options,
            enum_values=tuple(e["value"] for e in prop.get("enum") or ()),
            quality=tuple(quality),
            doc_path=format_doc_path(path),
        )
        return column, relationships

    def reference(self, ref: Any, path: DocPath) -> tuple[str, tuple[str, ...]] | None:
        refs = ref if isinstance(ref, list) else [ref]
        tables, columns = set(), []
        for item in refs:
            parts = str(item).split(".")
            if len(parts) != 2:
                self.err(
                    path,
                    f"reference {item!r} is not '<table>.<column>'",
                    "write e.g. 'customers.customer_id' (the table's name and a column)",
                    "reference",
                )
                return None
            tables.add(parts[0])
            columns.append(parts[1])
        if len(tables) != 1:
            self.err(
                path,
                "a composite reference must point into one table",
                "reference columns of a single table",
                "reference",
            )
            return None
        return tables.pop(), tuple(columns)

    # -- tables ----------------------------------------------------------------------------
    def table(self, obj: dict[str, Any], path: DocPath) -> Table | None:
        ok = True
        physical = obj.get("physicalName")
        layer_name, _, table_name = str(physical or "").partition(".")
        if physical is None:
            self.err(
                path,
                f"table '{obj['name']}' has no physicalName",
                "add 'physicalName: <layer>.<table>' with layer bronze, silver or gold",
                "physical-name",
            )
            return None
        if layer_name not in Layer.__members__ or not IDENTIFIER.match(table_name):
            self.err(
                (*path, "physicalName"),
                f"physicalName {physical!r} is not '<layer>.<table>' with layer bronze, "
                "silver or gold",
                "write e.g. 'silver.orders' (lower-case table name)",
                "physical-name",
            )
            return None
        layer = Layer(layer_name)
        sql_path = self.root / "sql" / layer.value / f"{table_name}.sql"
        if not sql_path.is_file():
            self.err(
                (*path, "physicalName"),
                f"no SQL builds {physical}: {sql_path.relative_to(self.root)} does not exist",
                f"create sql/{layer.value}/{table_name}.sql with the SELECT that builds it",
                "missing-sql",
            )
            ok = False
        props = obj.get("properties") or []
        if not props:
            self.err(
                path,
                f"table '{physical}' declares no columns",
                "add a 'properties' list with one entry per column",
                "no-columns",
            )
            return None
        names = [p["name"] for p in props]
        column_names = set(names)
        columns, relationships = [], []
        seen: set[str] = set()
        for index, prop in enumerate(props):
            if prop["name"] in seen:
                self.err(
                    (*path, "properties", index, "name"),
                    f"column '{prop['name']}' is declared twice",
                    "remove or rename one",
                    "duplicate-column",
                )
                ok = False
                continue
            seen.add(prop["name"])
            column, rels = self.column(prop, (*path, "properties", index), column_names, table_name)
            if column is None:
                ok = False
            else:
                columns.append(column)
                relationships.extend(rels)
        key_positions: dict[int, str] = {}
        for index, prop in enumerate(props):
            position = prop.get("primaryKeyPosition", -1)
            if not prop.get("primaryKey") or not isinstance(position, int) or position <= 0:
                continue
            if position in key_positions:
                self.err(
                    (*path, "properties", index, "primaryKeyPosition"),
                    f"primaryKeyPosition {position} is also used by primary key column "
                    f"'{key_positions[position]}'",
                    "number the key columns 1, 2, 3, …",
                    "pk-position",
                )
                ok = False
            key_positions.setdefault(position, prop["name"])
        for index, rel in enumerate(obj.get("relationships") or []):
            rpath = (*path, "relationships", index)
            source = self.reference(rel.get("from"), (*rpath, "from"))
            target = self.reference(rel.get("to"), (*rpath, "to"))
            if not source or not target:
                ok = False
                continue
            if source[0] != obj["name"] and source[0] != table_name:
                self.err(
                    (*rpath, "from"),
                    f"'from' must point into this table ({table_name})",
                    f"write '{table_name}.<column>'",
                    "reference",
                )
                ok = False
                continue
            bad = [c for c in source[1] if c not in column_names]
            if bad:
                self.err(
                    (*rpath, "from"),
                    f"unknown column(s) {', '.join(bad)}",
                    f"use columns of {table_name}",
                    "unknown-column",
                )
                ok = False
                continue
            if len(source[1]) != len(target[1]):
                self.err(
                    rpath,
                    "'from' and 'to' have different numbers of columns",
                    "list as many target columns as source columns",
                    "reference",
                )
                ok = False
                continue
            relationships.append(
                Relationship(
                    from_columns=source[1],
                    to_table=target[0],
                    to_columns=target[1],
                    doc_path=format_doc_path(rpath),
                )
            )
        quality = self.quality(obj.get("quality") or [], (*path, "quality"), None, column_names)
        if len(quality) != len(obj.get("quality") or []):
            ok = False
        if not ok:
            return None
        return Table(
            name=table_name,
            layer=layer,
            physical_name=physical,
            description=obj.get("description"),
            tags=tuple(str(t) for t in obj.get("tags") or ()),
            columns=tuple(columns),
            quality=tuple(quality),
            relationships=tuple(relationships),
            sql_path=sql_path,
            doc_path=format_doc_path(path),
        )

    def freshness(self, tables: list[Table]) -> dict[str, Freshness]:
        found: dict[str, Freshness] = {}
        for index, sla in enumerate(self.data.get("slaProperties") or []):
            if sla.get("property") not in FRESHNESS_SLA:
                continue
            path = ("slaProperties", index)
            element = str(sla.get("element") or "")
            table_name, _, column_name = element.partition(".")
            table = next((t for t in tables if table_name in (t.name,)), None)
            if not column_name or table is None:
                self.err(
                    (*path, "element"),
                    f"freshness SLA element {element!r} does not name '<table>.<column>' of "
                    "this contract",
                    f"write e.g. element: {tables[0].name if tables else 'table'}"
                    ".<timestamp column>",
                    "sla-element",
                )
                continue
            column = table.column(column_name)
            if column is None:
                self.err(
                    (*path, "element"),
                    f"table {table.name} has no column '{column_name}'",
                    f"use a timestamp or date column of {table.name}",
                    "sla-element",
                )
                continue
            if column.logical_type not in ("timestamp", "date"):
                self.err(
                    (*path, "element"),
                    f"'{column_name}' is not a timestamp or date column of {table.name}",
                    "point the SLA at the column that records when a row happened",
                    "sla-element",
                )
                continue
            max_age = parse_duration(sla.get("value"), sla.get("unit"))
            if max_age is None:
                self.err(
                    (*path, "value"),
                    f"freshness {sla.get('value')!r} {sla.get('unit') or 'd'} is not a "
                    "positive duration",
                    "write a positive number with unit m, h, d or w (e.g. value: 2, unit: d)",
                    "sla-value",
                )
                continue
            found[table.name] = Freshness(
                column=column_name,
                max_age=max_age,
                description=sla.get("description"),
                doc_path=format_doc_path(path),
            )
        return found

    def build(self, content_hash: str) -> Contract | None:
        self.header()
        team_name, owners = self.owners()
        tables = []
        for index, obj in enumerate(self.data.get("schema") or []):
            table = self.table(obj, ("schema", index))
            if table is not None:
                tables.append(table)
        freshness = self.freshness(tables)
        tables = [t.model_copy(update={"freshness": freshness.get(t.name)}) for t in tables]
        custom = read_custom_properties(
            self.data.get("customProperties"), CONTRACT_KEYS, ("customProperties",), self.out
        )
        consumers = self.consumers(custom.get("consumers"))
        schedule = self.cron_property(custom, "schedule")
        check_schedule = self.cron_property(custom, "checkSchedule")
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
            tables=tuple(tables),
            source_path=self.file,
            content_hash=content_hash,
        )

    def cron_property(self, custom: dict[str, Any], key: str) -> str | None:
        if key not in custom:
            return None
        index = next(
            i for i, item in enumerate(self.data["customProperties"]) if item.get("property") == key
        )
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


def build_contract(
    data: dict[str, Any], file: Path, project_root: Path, out: FindingCollector, content_hash: str
) -> Contract | None:
    return _Builder(data, file, project_root, out).build(content_hash)
