"""Validation against the ODCS JSON schema of the document's own `apiVersion`.

v3.1.x and v3.2.x documents are validated with the schema shipped in the
`open-data-contract-standard` package; v3.0.x documents with the published v3.0.2 schema
vendored in `odcs_schemas/` (see its README for source and licence)."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft201909Validator
from jsonschema.exceptions import ValidationError, best_match

from datapact_dagster.contract.findings import DocPath, FindingCollector
from datapact_dagster.contract.odcs_quality import METRIC_LIST
from datapact_dagster.contract.odcs_v3_0 import V3_0_VERSIONS
from datapact_dagster.warehouse.types import COLUMN_TYPES

_V3_0_SCHEMA = "odcs-json-schema-v3.0.2.json"


@cache
def odcs_validator(api_version: str | None = None) -> Draft201909Validator:
    """The validator for `api_version`: the published v3.0.2 schema for v3.0.x documents, else
    the schema of the installed `open-data-contract-standard` package (v3.1/v3.2)."""
    if api_version in V3_0_VERSIONS:
        text = resources.files(__package__).joinpath("odcs_schemas", _V3_0_SCHEMA).read_text()
    else:
        text = resources.files("open_data_contract_standard").joinpath("schema.json").read_text()
    return Draft201909Validator(json.loads(text))


def _deepest(error: ValidationError) -> ValidationError:
    """For combinator errors (oneOf/anyOf/allOf/if-then) pick the most specific cause."""
    while error.context:
        # A branch that wants another type (e.g. "array" for a string) was not what the author
        # meant; explain the branch that matches the value's type.
        fitting = [e for e in error.context if e.validator != "type"] or error.context
        error = best_match(fitting)
    return error


_UNEXPECTED = re.compile(r"\('?(.+?)'? (?:was|were) unexpected\)")


def _describe(error: ValidationError) -> tuple[tuple[str | int, ...], str, str]:
    path = tuple(error.absolute_path)
    validator = error.validator
    if validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        name = missing[0] if missing else "?"
        instance = error.instance if isinstance(error.instance, dict) else {}
        if name == "map" and "logicalType" not in instance:
            # ODCS's `if logicalType == map` also holds when logicalType is absent.
            column = instance.get("name", "?")
            return (
                path,
                f"column '{column}' has no logicalType",
                f"add 'logicalType:' with one of {', '.join(COLUMN_TYPES)}",
            )
        return path, f"required key '{name}' is missing", f"add '{name}:' here"
    if validator in ("additionalProperties", "unevaluatedProperties"):
        match = _UNEXPECTED.search(error.message)
        names = match.group(1).replace("'", "") if match else "?"
        first = names.split(",")[0].strip()
        unexpected = [n.strip() for n in names.split(",")]
        if not path:
            return (
                (first,),
                f"unknown top-level key(s) {names}: ODCS v3 does not allow them; put DataPact "
                "settings under 'customProperties'",
                "move it into 'customProperties' as {property: <key>, value: ...} (see "
                "docs/contracts.md for DataPact's keys) or remove it",
            )
        if path and path[-1] == "logicalTypeOptions":
            return (
                (*path, first),
                f"logicalTypeOptions key(s) {names} are not allowed for this column's logicalType",
                "string takes minLength, maxLength, pattern, format; number and integer take "
                "minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, format; "
                "date, time and timestamp take minimum, maximum, exclusiveMinimum, "
                "exclusiveMaximum, format (timestamp and time also timezone)",
            )
        if "rule" in unexpected and "quality" in path:
            return (
                (*path, "rule"),
                "the deprecated 'rule' key is not supported; a library rule names its 'metric'",
                f"replace 'rule:' with 'metric:' and one of {METRIC_LIST}",
            )
        return (
            (*path, first),
            f"unknown key(s) {names} (not part of ODCS v3 here)",
            "remove it, check its spelling against the ODCS standard, or put DataPact "
            "settings under 'customProperties'",
        )
    if validator == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        return path, f"{error.instance!r} is not allowed here", f"use one of: {allowed}"
    if validator == "const":
        return path, f"{error.instance!r} is not allowed here", f"use {error.validator_value!r}"
    if validator == "type":
        expected = error.validator_value
        got = type(error.instance).__name__
        return path, f"expected {expected}, got {got} {error.instance!r}", f"write a {expected}"
    if validator == "pattern" and any(part in ("to", "from") for part in path[-2:]):
        return (
            path,
            f"reference {error.instance!r} is not '<table>.<column>'",
            "write e.g. 'customers.customer_id' (the table's name and a column)",
        )
    if validator == "pattern":
        return (
            path,
            f"{error.instance!r} does not have the expected form",
            f"make it match the pattern {error.validator_value}",
        )
    if validator in ("minItems", "maxItems", "uniqueItems", "minimum", "maximum", "minLength"):
        return path, error.message, "correct the value"
    if validator == "oneOf" and "mustBe" in json.dumps(error.schema)[:2000]:
        return (
            path,
            "a quality rule needs exactly one comparison operator",
            "use exactly one of mustBe, mustNotBe, mustBeGreaterThan, mustBeGreaterOrEqualTo, "
            "mustBeLessThan, mustBeLessOrEqualTo, mustBeBetween, mustNotBeBetween",
        )
    return path, error.message, "correct this value to follow the ODCS v3 schema"


def validate_against_odcs(data: dict[str, Any], out: FindingCollector) -> set[DocPath]:
    """Report every schema error; return where each one is (for a missing key, the key's path),
    so the DataPact rules can still run on the parts of the document that are valid."""
    seen: set[tuple[Any, ...]] = set()
    located: set[DocPath] = set()
    api_version = data.get("apiVersion")
    validator = odcs_validator(api_version if isinstance(api_version, str) else None)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path)))
    # A failing subschema leaves the keys it covers "unevaluated": that error is a consequence
    # of the other one (e.g. a rule without an operator is not also "unknown key metric").
    failed = [tuple(e.absolute_path) for e in errors if e.validator != "unevaluatedProperties"]
    errors = [
        e
        for e in errors
        if e.validator != "unevaluatedProperties"
        or not any(p[: len(e.absolute_path)] == tuple(e.absolute_path) for p in failed)
    ]
    for top in errors:
        operators = top.validator == "oneOf" and "mustBe" in str(top.schema)[:4000]
        error = top if operators else _deepest(top)
        path, message, fix = _describe(error)
        if error.validator == "required":
            missing = re.findall(r"'([^']+)' is a required property", error.message)
            located.update((*error.absolute_path, name) for name in missing)
        elif error.validator in ("additionalProperties", "unevaluatedProperties"):
            located.add(path)
        else:
            located.update({tuple(error.absolute_path), path})
        key = (path, message)
        if key in seen:
            continue
        seen.add(key)
        out.add(path, message, fix, code="odcs-schema")
    return located
