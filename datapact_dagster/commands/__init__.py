"""Sub-commands of `datapact`, in the order `--help` shows them."""

from datapact_dagster.commands import list_contracts, validate

ALL = [validate, list_contracts]
