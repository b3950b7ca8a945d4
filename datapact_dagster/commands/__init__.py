"""Sub-commands of `datapact`, in the order `--help` shows them."""

from datapact_dagster.commands import evidence, generate, list_contracts, report, run, ui, validate

ALL = [validate, list_contracts, generate, run, ui, evidence, report]
