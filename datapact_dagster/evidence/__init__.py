"""Compliance evidence: an append-only, hash-chained record of every check and decision."""

from .model import (
    ContractIdentity,
    ContractRef,
    DataFingerprint,
    Decision,
    Record,
    SkippedCheck,
    VerifyResult,
)
from .reports import REPORT_FORMATS, render_report, report_for_run, report_from_store
from .store import EVIDENCE_URL_ENV, EvidenceError, EvidenceStore, evidence_url

__all__ = [
    "EVIDENCE_URL_ENV",
    "REPORT_FORMATS",
    "ContractIdentity",
    "ContractRef",
    "DataFingerprint",
    "Decision",
    "EvidenceError",
    "EvidenceStore",
    "Record",
    "SkippedCheck",
    "VerifyResult",
    "evidence_url",
    "render_report",
    "report_for_run",
    "report_from_store",
]
