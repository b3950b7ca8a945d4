"""`datapact ui`: the Dagster webserver and daemon on 127.0.0.1 with the project's instance.

The code location is the project's `workspace.yaml` when it has one. A folder with only
contracts/ and sql/ gets a workspace file in DataPact's state folder instead, so nothing is
written among the user's files.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import yaml

from datapact_dagster.commands.base import project_dir
from datapact_dagster.commands.loading import contracts_or_exit
from datapact_dagster.settings import Settings

WORKSPACE_FILE = "workspace.yaml"
LOCATION_NAME = "datapact"


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
    settings = Settings.from_env(root)
    home = prepare_dagster_home(settings)
    workspace = workspace_file(root, settings.state_dir)
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
        str(workspace),
        "-h",
        args.host,
        "-p",
        str(args.port),
    ]
    try:
        return subprocess.call(command, cwd=root)
    except KeyboardInterrupt:
        return 0


def workspace_file(root: Path, state_dir: Path) -> Path:
    """The project's workspace.yaml, else one DataPact writes in its state folder."""
    own = root / WORKSPACE_FILE
    if own.is_file():
        return own
    generated = state_dir / WORKSPACE_FILE
    generated.parent.mkdir(parents=True, exist_ok=True)
    location = {
        "module_name": "datapact_dagster.definitions",
        "location_name": LOCATION_NAME,
        "working_directory": str(root),
    }
    generated.write_text(
        "# Written by 'datapact ui' for a project without its own workspace.yaml.\n"
        + yaml.safe_dump({"load_from": [{"python_module": location}]}, sort_keys=False),
        encoding="utf-8",
    )
    return generated
