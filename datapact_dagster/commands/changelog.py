"""`datapact changelog [CONTRACT] [--since REF] [--format md|json]`: each contract's versions
from git history, with the classified changes and the commits as reasons."""

from __future__ import annotations

import argparse
import sys

from datapact_dagster.changes.changelog import history
from datapact_dagster.changes.git_refs import GitError, Repo
from datapact_dagster.changes.render_changelog import CHANGELOG_RENDERERS
from datapact_dagster.commands.base import EXIT_OK, UserError, project_dir


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "changelog", help="each contract version from git history, with its classified changes"
    )
    parser.add_argument("contract", nargs="?", default=None, help="only this contract id")
    parser.add_argument("--since", default=None, help="only versions set after this git ref")
    parser.add_argument("--format", choices=tuple(CHANGELOG_RENDERERS), default="md")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        entries = history(Repo.of(project_dir(args)), args.contract, args.since)
    except GitError as exc:
        raise UserError(str(exc)) from None
    if args.contract and not entries and not args.since:
        raise UserError(
            f"no contract with id {args.contract!r} in the git history of contracts/; "
            "'datapact list' shows the ids"
        )
    sys.stdout.write(CHANGELOG_RENDERERS[args.format](entries))
    return EXIT_OK
