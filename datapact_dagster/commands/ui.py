"""`datapact ui`: the Dagster webserver and daemon on 127.0.0.1 with the project's instance."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from datapact_dagster.commands.base import project_dir
from datapact_dagster.commands.loading import contracts_or_exit
from datapact_dagster.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("ui", help="start the Dagster UI and daemon on 127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("DATAPACT_UI_PORT", 3000)))
    parser.add_argument("--host", default="127.0.0.1")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from datapact_dagster.pipeline.dagster_home import prepare_dagster_home

    root = project_dir(args)
    os.environ["DATAPACT_PROJECT_DIR"] = str(root)
    contracts_or_exit(root)
    home = prepare_dagster_home(Settings.from_env(root))
    print(
        f"Dagster UI on http://{args.host}:{args.port} (DAGSTER_HOME={home}); Ctrl-C stops it.",
        file=sys.stderr,
    )
    command = [
        sys.executable,
        "-m",
        "dagster",
        "dev",
        "-w",
        str(root / "workspace.yaml"),
        "-h",
        args.host,
        "-p",
        str(args.port),
    ]
    try:
        return subprocess.call(command, cwd=root)
    except KeyboardInterrupt:
        return 0
