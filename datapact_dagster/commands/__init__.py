"""Sub-commands of `datapact`, in the order `--help` shows them."""

from datapact_dagster.commands import generate, list_contracts, run, ui, validate

ALL = [validate, list_contracts, generate, run, ui]
