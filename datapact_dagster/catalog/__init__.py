"""The catalog: a static HTML site of the contracts (a page per contract, search, ERD, lineage,
PII inventory) that works offline, opened from disk or from any static host."""

from .site import build_catalog

__all__ = ["build_catalog"]
