"""Sub-commands of `datapact`, in the order `--help` shows them."""

from datapact_dagster.commands import (
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
    rollback,
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
    generate,
    run,
    status,
    rollback,
    doctor,
    ui,
    evidence,
    report,
    export,
]
