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
CHECK_KIND = "kind"

# On a materialization, or on the failure of a step that did not publish.
CHECKS_PASSED = "checks_passed"
CHECKS_FAILED = "checks_failed"
DATA_FINGERPRINT = "data_fingerprint"
EVIDENCE_REPORT = "evidence_report"
FAILED_CHECKS = "failed_checks"
QUARANTINE_TABLE = "quarantine_table"
ROWS_REJECTED = "rows_rejected"
HELD_BY = "held_by"
OVERRIDE_TAG = "override_tag"
