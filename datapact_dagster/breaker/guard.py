"""What the launch guard says when it refuses a build downstream of an open breaker."""

from __future__ import annotations

from collections.abc import Sequence

from datapact_dagster.breaker.override import OVERRIDE_TAG
from datapact_dagster.breaker.read import describe_breach
from datapact_dagster.breaker.state import TableBreaker


def refusal_message(asset_path: str, breached: Sequence[TableBreaker]) -> str:
    causes = "\n".join(f"  - {describe_breach(b)}" for b in breached)
    return (
        f"Refusing to build {asset_path}: an upstream contract is breached, so its data was not "
        f"published and {asset_path} is held until the contract passes again.\n{causes}\n"
        f"Fix the upstream data and rebuild it, or, to build anyway, launch with an override "
        f'reason: `datapact run --override-reason "..."` or the run tag '
        f"{OVERRIDE_TAG}=<reason> in the UI."
    )


def breach_details(breached: Sequence[TableBreaker]) -> list[dict[str, object]]:
    """The breaches an override went past, for the evidence record."""
    return [
        {
            "contract_id": b.contract_id,
            "contract_version": b.contract_version,
            "asset_key": b.asset_path,
            "state": b.state.value,
            "checks": [
                {"key": f.key, "summary": f.summary, "run_id": f.run_id, "at": f.at.isoformat()}
                for f in b.blocking_failures
            ],
        }
        for b in breached
    ]
