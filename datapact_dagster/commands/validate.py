"""`datapact validate [PATH ...]`: report every problem in every contract, then exit 0 or 2."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from datapact_dagster.commands.base import EXIT_INVALID, EXIT_OK, project_dir
from datapact_dagster.plan.loading import load_contracts


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("validate", help="validate contracts (default: contracts/)")
    parser.add_argument("paths", nargs="*", type=Path, help="contract files or folders")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    root = project_dir(args)
    result = load_contracts(list(args.paths) or None, root)
    errors = [f for f in result.findings if f.severity == "error"]
    if args.format == "json":
        print(
            json.dumps(
                {
                    "valid": result.ok,
                    "files": [str(p) for p in result.files],
                    "findings": [f.to_dict() for f in result.findings],
                },
                indent=2,
            )
        )
    else:
        for finding in result.findings:
            print(finding.render(), file=sys.stderr if finding.severity == "error" else sys.stdout)
        if result.ok:
            count = len(result.contracts.contracts) if result.contracts else 0
            print(f"{count} contract(s) valid.")
        else:
            files = len({f.file for f in errors})
            print(f"{len(errors)} problem(s) in {files} file(s).", file=sys.stderr)
    return EXIT_OK if result.ok else EXIT_INVALID
