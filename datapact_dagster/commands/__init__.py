"""Sub-commands of `datapact`, in the order `--help` shows them."""

from datapact_dagster.commands import (
    catalog,
    doctor,
    evidence,
    export,
    generate,
    impact,
    init,
    list_contracts,
    report,
    run,
    status,
    ui,
    validate,
)

ALL = [
    init,
    validate,
    list_contracts,
    impact,
    catalog,
    generate,
    run,
    status,
    doctor,
    ui,
    evidence,
    report,
    export,
]
