"""Deterministic sample landing files for the commerce contracts, with planted breaches."""

from datapact_dagster.sample.breaches import BREACH_KINDS, HISTORY_BREACHES, SCHEMA_DRIFT_VARIANTS
from datapact_dagster.sample.generate import default_as_of, generate_landing
from datapact_dagster.sample.manifest import MANIFEST_NAME, LandingFile, Manifest, PlantedBreach

__all__ = [
    "BREACH_KINDS",
    "HISTORY_BREACHES",
    "MANIFEST_NAME",
    "SCHEMA_DRIFT_VARIANTS",
    "LandingFile",
    "Manifest",
    "PlantedBreach",
    "default_as_of",
    "generate_landing",
]
