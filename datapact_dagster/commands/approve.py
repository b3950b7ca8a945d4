"""`datapact approve CONTRACT@VERSION --comment ...` and `datapact reject ...`: a decision by
the person running it, at the level of the policy they belong to, appended to the evidence."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from datapact_dagster.approvals.identity import USER_ENV, current_person
from datapact_dagster.approvals.records import Signoff, record_signoff
from datapact_dagster.approvals.state import Requirement, VersionStanding
from datapact_dagster.commands.approval_context import ApprovalContext, approval_context
from datapact_dagster.commands.base import EXIT_BREACHED, EXIT_OK, UserError, project_dir
from datapact_dagster.pipeline.migration_check import check_published_data
from datapact_dagster.plan.project import plan_table
from datapact_dagster.settings import Settings
from datapact_dagster.warehouse.engine import warehouse_engine


def register(sub: argparse._SubParsersAction) -> None:
    for name, verb in (("approve", "approve"), ("reject", "reject")):
        parser = sub.add_parser(
            name,
            help=f"{verb} a contract version as yourself ({USER_ENV} or git user.email), at "
            "your level of the approval policy",
        )
        parser.add_argument(
            "target", metavar="CONTRACT@VERSION", help="e.g. commerce.customers@2.0.0"
        )
        parser.add_argument("--comment", required=True, help="why; recorded with the decision")
        parser.set_defaults(handler=run, decision="approval" if name == "approve" else "rejection")


def run(args: argparse.Namespace) -> int:
    root = project_dir(args)
    contract_id, _, version = args.target.partition("@")
    if not version:
        raise UserError(f"name the version too: {args.target}@<version>, e.g. {contract_id}@2.0.0")
    person = current_person(root)
    if person is None:
        raise UserError(
            f"who is deciding? set {USER_ENV}=<your e-mail> or `git config user.email <e-mail>`"
        )
    with approval_context(root) as context:
        if context.policy is None:
            raise UserError("there is no approval policy (approvals.yaml): nothing to approve")
        contract = context.contract(contract_id)
        if contract.version != version:
            raise UserError(
                f"{contract.source_path} holds {contract_id} version {contract.version}, not "
                f"{version}; approve {contract_id}@{contract.version} (decisions name the exact "
                "content they approve)"
            )
        found = context.standing(contract)
        refusal = _refusal(found, person, args.decision)
        if refusal:
            print(f"datapact: refused: {refusal}", file=sys.stderr)
            return EXIT_BREACHED
        requirement = _requirement_of(found, person, args.decision)
        assert requirement is not None  # _refusal said who may decide
        if args.decision == "approval":
            failing = _failing_migration_checks(context, contract_id)
            if failing:
                print(
                    f"datapact: refused: {contract_id} v{version} cannot be approved while the "
                    "published data fails its checks:\n"
                    + "\n".join(f"  - {line}" for line in failing)
                    + "\nfix the data (or the contract) first; `datapact diff --check-data` "
                    "shows the same",
                    file=sys.stderr,
                )
                return EXIT_BREACHED
        completes = args.decision == "approval" and all(
            found.satisfied(r) or r == requirement for r in found.requirements
        )
        signoff = Signoff(
            decision=args.decision,
            person=person,
            level=requirement.level.name,
            team=requirement.team,
            comment=args.comment,
            contract_id=contract_id,
            version=version,
            contract_hash=contract.content_hash,
            at=datetime.now(UTC).isoformat(),
            completes=completes,
        )
        record_signoff(context.store, contract, signoff)
        print(_outcome(context, contract_id, signoff, requirement))
    return EXIT_OK


def _refusal(found: VersionStanding, person: str, decision: str) -> str:
    name = f"{found.contract.id} v{found.contract.version}"
    if found.not_needed is not None:
        return f"{name} needs no approval: {found.not_needed}"
    if found.rejection is not None:
        return f"{found.reason()}; change the contract to propose a new version"
    if decision == "approval" and found.approved:
        return f"{name} is approved already by every level"
    if _requirement_of(found, person, decision) is not None:
        return ""
    waiting = found.waiting_on
    later = [r for r in found.requirements if person in r.members and r not in waiting]
    if decision == "approval" and later and not any(found.satisfied(r) for r in later):
        first = " and ".join(r.label for r in waiting)
        return f"{person} signs as {later[0].label}, but {first} must approve {name} first"
    asked = " and ".join(f"{r.label} ({', '.join(r.members) or 'nobody listed'})" for r in waiting)
    return f"{person} is not in the level being asked to approve {name}: {asked}"


def _requirement_of(found: VersionStanding, person: str, decision: str) -> Requirement | None:
    pool = found.waiting_on if decision == "approval" else found.requirements
    return next((r for r in pool if person in r.members), None)


def _failing_migration_checks(context: ApprovalContext, contract_id: str) -> list[str]:
    contract = context.contract(contract_id)
    plans = [(plan_table(context.contracts, contract, t), None, None) for t in contract.tables]
    engine = warehouse_engine(Settings.from_env(context.root).warehouse_url)
    checked = check_published_data(context.contracts, plans, engine, context.store.url)
    return [
        f"{c.plan.table.physical_name}: {r.key}: {r.summary}"
        for c in checked
        for r in c.blocking_failures
    ]


def _outcome(
    context: ApprovalContext, contract_id: str, signoff: Signoff, requirement: Requirement
) -> str:
    done = f"{'Approved' if signoff.decision == 'approval' else 'Rejected'} {contract_id} "
    done += f"v{signoff.version} as {requirement.label} ({signoff.person})."
    if signoff.decision == "rejection":
        return done + " It cannot come into force; a changed contract is a new version."
    after = context.standing(context.contract(contract_id))
    if after.approved:
        return done + " Every level has approved: it comes into force with the next run."
    return done + " Still waiting on: " + ", ".join(r.label for r in after.waiting_on) + "."
