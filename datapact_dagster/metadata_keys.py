"""The Dagster metadata keys DataPact writes on its events and reads back (breaker, run summary).

One name per key, so a writer and its readers cannot drift apart.
"""

from __future__ import annotations

# On every asset check evaluation.
SUMMARY = "summary"
VERDICT = "verdict"
SEVERITY = "severity"
CONTRACT = "contract"
OBSERVED = "observed"
ROWS_CHECKED = "rows_checked"
UNEXPECTED_COUNT = "unexpected_count"
UNEXPECTED_PERCENT = "unexpected_percent"
THRESHOLD = "threshold"
FAILING_SAMPLES = "failing_samples"
GX_EXPECTATION = "gx_expectation"
ERROR = "error"

# On asset and check specs.
CONTRACT_ID = "contract_id"
CONTRACT_VERSION = "contract_version"
CONTRACT_STATUS = "contract_status"
CONTRACT_PATH = "contract_path"
SQL_PATH = "sql_path"
CHECKS = "checks"
BLOCKING_CHECKS = "blocking_checks"
CONSUMERS = "consumers"
CATALOG_PAGE = "catalog_page"
"""The contract's page in the static catalog (`datapact catalog`)."""
COLUMN_LINEAGE = "column_lineage"
"""Markdown: each column's sources and readers (Dagster's own lineage view is not in OSS)."""
CHECK_KIND = "kind"
BLOCKING = "blocking"
LIFECYCLE = "lifecycle"
"""What a draft, deprecated or retired status means for the table's readers, in one line."""

# Asset tags (visible in the UI and usable in selections: `tag:contract_status=retired`).
CONTRACT_STATUS_TAG = "contract_status"

# On a materialization, or on the failure of a step that did not publish.
PREVIOUS_CONTRACT_VERSION = "previous_contract_version"
CONTRACT_CHANGES = "contract_changes"
"""Markdown: the classified changes from the previous contract version runs were made under."""
CHECKS_PASSED = "checks_passed"
CHECKS_FAILED = "checks_failed"
DATA_FINGERPRINT = "data_fingerprint"
EVIDENCE_REPORT = "evidence_report"
FAILED_CHECKS = "failed_checks"
QUARANTINE_TABLE = "quarantine_table"
ROWS_REJECTED = "rows_rejected"
HELD_BY = "held_by"
AWAITING_APPROVAL = "awaiting_approval"
"""On a table not built because its contract version (or an upstream one) is not approved."""
NOT_BUILT = "not_built"
"""Why a step left its table alone by its contract's status: the run outcome, e.g. 'not run
(draft)'."""
OVERRIDE_TAG = "override_tag"

# What the UI shows a person: the table's state in one word (breaker.state.Health), the reason
# in words, the evidence summary as Markdown and where the HTML report is.
HEALTH = "state"
BREAKER = "breaker"
HELD_REASON = "held_reason"
EVIDENCE_SUMMARY = "evidence_summary"
EVIDENCE_REPORT_URL = "evidence_report_url"
PUBLISHED_RUN = "published_data_run"
LATEST_DELIVERY_RUN = "latest_delivery_run"

# Run tags a run gains while it executes, shown in the UI's run list.
BREACHED_TAG = "datapact/breached"
HELD_TAG = "datapact/held"

CONTRACT_IN_FORCE_SUFFIX = "__contract_in_force"
"""The breaker's own asset check on each table: `<table>__contract_in_force`."""


def contract_in_force_check(table_name: str) -> str:
    return f"{table_name}{CONTRACT_IN_FORCE_SUFFIX}"


def is_contract_in_force_check(check_name: str) -> bool:
    return check_name.endswith(CONTRACT_IN_FORCE_SUFFIX)


# Monitoring: numeric metadata on each materialisation and check-only run, plotted by Dagster.
ROW_DELTA = "monitor/row_delta"
NULL_RATE_PREFIX = "monitor/null_rate/"
DISTINCT_PREFIX = "monitor/distinct/"
BUILD_SECONDS = "monitor/build_seconds"
CHECK_SECONDS = "monitor/check_seconds"
FRESHNESS_LAG_SECONDS = "monitor/freshness_lag_seconds"
CHECKS_ERRORED = "monitor/checks_errored"
BREAKER_OPEN = "monitor/breaker_open"
"""1 when the run's verdicts leave the table's breaker open, else 0."""
MONITOR_ROW_COUNT = "monitor/row_count"
MONITOR_CHECKS_PASSED = "monitor/checks_passed"
MONITOR_CHECKS_FAILED = "monitor/checks_failed"
