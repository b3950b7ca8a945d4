"""Sub-commands of `datapact`, in the order `--help` shows them."""

from datapact_dagster.commands import (
    catalog,
    changelog,
    diff,
    doctor,
    evidence,
    export,
    generate,
    impact,
    init,
    list_contracts,
    report,
    run,
    search,
    status,
    ui,
    validate,
)

ALL = [
    init,
    validate,
    list_contracts,
    search,
    impact,
    diff,
    changelog,
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
