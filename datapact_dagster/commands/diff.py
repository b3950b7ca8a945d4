"""`datapact diff [--base REF] [--head REF] [PATH ...]` and `datapact diff OLD_FILE NEW_FILE`:
every contract change classified, the version checked; exit 1 on a policy error."""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import yaml

from datapact_dagster.changes.diff import InvalidSide, diff_files, diff_sides
from datapact_dagster.changes.git_refs import GitError, Repo
from datapact_dagster.changes.impact import with_impact
from datapact_dagster.changes.model import DiffReport
from datapact_dagster.changes.renderers import DIFF_FORMATS, render_diff
from datapact_dagster.changes.sides import Side, load_side
from datapact_dagster.commands.base import (
    EXIT_BREACHED,
    EXIT_OK,
    UserError,
    project_dir,
)
from datapact_dagster.commands.diff_approvals import with_approval_findings
from datapact_dagster.commands.diff_data import with_data_checks
from datapact_dagster.contract.model import Contract, ContractSet
from datapact_dagster.plan.loading import load_contracts


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "diff",
        help="classify contract changes against a git ref and check the version bump",
        description="Compare the contracts (and the SQL building their tables) of the working "
        "tree, or --head, with --base (default: the merge base with the default branch). "
        "Two files holding the same contract id are compared with each other. "
        "Exit 0 ok, 1 a finding is an error (e.g. a version bump too small), 2 invalid input.",
    )
    parser.add_argument(
        "paths", nargs="*", type=Path, help="only contracts (or SQL) under these paths"
    )
    parser.add_argument("--base", default=None, help="git ref of the old side")
    parser.add_argument("--head", default=None, help="git ref of the new side (default: files)")
    parser.add_argument("--format", choices=DIFF_FORMATS, default="text")
    parser.add_argument(
        "--check-data",
        action="store_true",
        help="also run each changed contract's checks on the data published today (read-only) "
        "and report the rules it would fail",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    root = project_dir(args)
    paths = [p if p.is_absolute() else Path.cwd() / p for p in args.paths]
    missing = [str(p) for p in args.paths if not (Path.cwd() / p).exists()]
    if missing:
        raise UserError(f"no such file or folder: {', '.join(missing)}")
    try:
        if args.base is None and args.head is None and _two_versions_of_one(paths):
            report = diff_files(paths[0], paths[1], root)
            current = load_contracts(None, root).contracts
            if current is not None:
                report = with_impact(report, current)
        else:
            report = _git_diff(root, args.base, args.head, paths)
    except InvalidSide as invalid:
        for finding in invalid.findings:
            print(f"{invalid.label}: {finding.render()}", file=sys.stderr)
        raise UserError(
            f"the contracts at {invalid.label} are invalid; fix them (or choose another ref) "
            "and compare again"
        ) from None
    except GitError as exc:
        hint = ""
        if "not inside a git repository" in str(exc):
            hint = "; or compare two files: datapact diff OLD_FILE NEW_FILE"
        raise UserError(f"{exc}{hint}") from None
    if args.check_data:
        if args.head is not None:
            raise UserError("--check-data tries the working tree's contracts; drop --head")
        report = with_data_checks(report, root)
    if args.head is None:
        report = with_approval_findings(report, root)
    sys.stdout.write(render_diff(report, args.format))
    return EXIT_BREACHED if report.errors else EXIT_OK


def _two_versions_of_one(paths: list[Path]) -> bool:
    """Two files holding the same contract id: compare them with each other."""
    if len(paths) != 2 or not all(p.is_file() for p in paths):
        return False
    ids = []
    for path in paths:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError, OSError):
            return False
        ids.append(data.get("id") if isinstance(data, dict) else None)
    return ids[0] is not None and ids[0] == ids[1]


def _git_diff(root: Path, base: str | None, head: str | None, paths: list[Path]) -> DiffReport:
    repo = Repo.of(root)
    if base is None:
        base_label, base_commit = repo.default_base()
    else:
        base_commit = repo.commit(base)
        base_label = f"{base} ({repo.short(base_commit)})"
    head_commit = repo.commit(head) if head is not None else None
    with tempfile.TemporaryDirectory(prefix="datapact-diff-") as tmp:
        old = _side_at(repo, base_label, base_commit, Path(tmp) / "base")
        if head_commit is None:
            new = load_side("working tree", root)
        else:
            new = _side_at(
                repo, f"{head} ({repo.short(head_commit)})", head_commit, Path(tmp) / "head"
            )
        report = diff_sides(old, new, _selector(root, paths) if paths else None)
        report = with_impact(
            report, ContractSet(contracts=tuple(old.contracts.values()), root=old.root)
        )
    return DiffReport(
        base=report.base,
        head=report.head,
        contracts=report.contracts,
        findings=report.findings,
        file_prefix=repo.prefix,
    )


def _side_at(repo: Repo, label: str, commit: str, dest: Path) -> Side:
    repo.materialise(commit, dest)
    return load_side(label, dest)


def _selector(root: Path, paths: list[Path]) -> Callable[[Contract], bool]:
    """Keeps a contract whose file, or one of whose tables' SQL files, is under `paths`."""
    wanted = [p.resolve() for p in paths]

    def under(relative_path: Path) -> bool:
        target = root / relative_path
        return any(target == w or w in target.parents for w in wanted)

    def keep(contract: Contract) -> bool:
        if under(contract.source_path):
            return True
        return any(under(Path("sql") / t.layer.value / t.sql_path.name) for t in contract.tables)

    return keep
