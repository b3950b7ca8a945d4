"""Loading the project's contracts for a command, or stopping with the findings."""

from __future__ import annotations

import sys
from pathlib import Path

from datapact_dagster.commands.base import UserError
from datapact_dagster.contract.model import ContractSet
from datapact_dagster.plan.loading import load_contracts


def contracts_or_exit(root: Path) -> ContractSet:
    result = load_contracts(None, root)
    if result.contracts is None:
        for finding in result.findings:
            print(finding.render(), file=sys.stderr)
        raise UserError("the contracts are invalid; run 'datapact validate' for details")
    return result.contracts
