"""Sub-commands of `datapact`, in the order `--help` shows them."""

from datapact_dagster.commands import (
    changelog,
    diff,
    doctor,
    evidence,
    export,
    generate,
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
    diff,
    changelog,
    list_contracts,
    generate,
    run,
    status,
    doctor,
    ui,
    evidence,
    report,
    export,
]
