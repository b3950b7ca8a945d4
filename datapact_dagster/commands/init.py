"""`datapact init DIR`: write a new, working project with an example bronze → silver → gold flow."""

from __future__ import annotations

import argparse
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from datapact_dagster.commands.base import EXIT_OK, UserError
from datapact_dagster.settings import Settings
from datapact_dagster.warehouse.dialects import (
    DEFAULT_DIALECT,
    WarehouseDialect,
    dialect_names,
    for_name,
)

EXAMPLE_LANDING = "orders"
"""The landing file the example bronze SQL reads (`landing.orders`)."""
EXAMPLE_FLOW = "bronze.raw_orders -> silver.orders -> gold.daily_orders"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "init",
        help="start a new project: example contracts, SQL, Dagster workspace, landing file",
        description="Write a new DataPact project into DIR (absent or empty): contracts/ with "
        f"an example flow {EXAMPLE_FLOW}, sql/<layer>/, workspace.yaml, pyproject.toml, "
        ".gitignore, README.md, and a small example landing file so 'datapact run' works at "
        "once. Nothing is written if DIR holds anything.",
    )
    parser.add_argument("dir", type=Path, metavar="DIR", help="the new project's folder")
    parser.add_argument(
        "--warehouse",
        choices=dialect_names(),
        default=DEFAULT_DIALECT.names[0],
        help=f"where the tables are built (default: {DEFAULT_DIALECT.names[0]})",
    )
    parser.set_defaults(handler=run)


@dataclass(frozen=True)
class Scaffold:
    target: Path
    warehouse: WarehouseDialect
    landing_file: Path
    landing_written: bool


def run(args: argparse.Namespace) -> int:
    created = init_project(Path(args.dir), for_name(args.warehouse))
    print(_next_steps(created, args.dir))
    return EXIT_OK


def init_project(target: Path, warehouse: WarehouseDialect) -> Scaffold:
    """Write the project into `target` (absent or empty) all at once; a UserError otherwise."""
    from datapact_dagster import scaffold

    target = target.absolute()
    _require_empty(target)
    landing = Settings.from_env(target).landing_dir / f"{EXAMPLE_LANDING}.parquet"
    values = {
        "project": _project_name(target.name),
        "location": _location_name(target.name),
        "warehouse_section": _warehouse_file(warehouse, scaffold.README_SECTION).read_text(
            encoding="utf-8"
        ),
    }
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = parent / f".{target.name}.init-{secrets.token_hex(4)}"
        staging.mkdir()
    except OSError as exc:
        raise UserError(f"cannot create {target}: {exc.strerror or exc}") from None
    try:
        _copy_tree(scaffold.PROJECT_DIR, staging, values)
        _copy_tree(_warehouse_file(warehouse, ""), staging, values, skip={scaffold.README_SECTION})
        landing_written = False
        if landing.is_relative_to(target):
            _write_example_landing(staging / landing.relative_to(target))
            landing_written = True
        # Replaces `target` only while it is absent or empty: the project appears all at once.
        staging.rename(target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise UserError(f"cannot write the project into {target}: {exc.strerror or exc}") from None
    if not landing_written and not landing.exists():
        _write_example_landing(landing)
        landing_written = True
    return Scaffold(target, warehouse, landing, landing_written)


def _require_empty(target: Path) -> None:
    if target.is_dir():
        entries = sorted(p.name for p in target.iterdir())
        if entries:
            shown = ", ".join(entries[:3]) + (", …" if len(entries) > 3 else "")
            raise UserError(
                f"{target} is not empty ({shown}); nothing was written. 'datapact init' writes "
                "a new project into an empty or new folder: give another DIR, or add contracts "
                "and SQL to this one by hand"
            )
    elif target.exists() or target.is_symlink():
        raise UserError(
            f"{target} exists and is not a folder; nothing was written. Give a new folder as DIR"
        )


def _project_name(folder: str) -> str:
    """A valid Python project name from the folder's name (PEP 508)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", folder).strip("-._") or "datapact-project"


def _location_name(folder: str) -> str:
    """A Dagster code location name (letters, digits, underscores) from the folder's name."""
    return re.sub(r"\W+", "_", folder, flags=re.ASCII).strip("_") or "datapact"


def _warehouse_file(warehouse: WarehouseDialect, name: str) -> Path:
    from datapact_dagster import scaffold

    return scaffold.WAREHOUSES_DIR / warehouse.names[0] / name


def _copy_tree(
    source: Path, destination: Path, values: dict[str, str], skip: set[str] | None = None
) -> None:
    from datapact_dagster import scaffold

    for path in sorted(source.rglob("*")):
        if not path.is_file() or path.name in (skip or set()) or "__pycache__" in path.parts:
            continue
        relative = path.relative_to(source)
        name = relative.name
        if name.startswith(scaffold.DOT_PREFIX):
            name = "." + name.removeprefix(scaffold.DOT_PREFIX)
        written = destination / relative.parent / name
        written.parent.mkdir(parents=True, exist_ok=True)
        text = path.read_text(encoding="utf-8")
        for key, value in values.items():
            text = text.replace("{{" + key + "}}", value)
        written.write_text(text, encoding="utf-8")


def _write_example_landing(path: Path) -> None:
    """The example landing data (scaffold/landing/*.csv) as the Parquet file `run` reads."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    from datapact_dagster import scaffold

    table = pa_csv.read_csv(
        scaffold.LANDING_DIR / f"{EXAMPLE_LANDING}.csv",
        convert_options=pa_csv.ConvertOptions(
            column_types={"amount": pa.float64(), "ordered_at": pa.timestamp("us")}
        ),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)


def _next_steps(created: Scaffold, given: Path) -> str:
    shown_landing = (
        created.landing_file.relative_to(created.target)
        if created.landing_file.is_relative_to(created.target)
        else created.landing_file
    )
    landing = (
        f"  {shown_landing}  example landing file (5 rows): replace it with your export"
        if created.landing_written
        else f"  {shown_landing} already existed and was left as it is"
    )
    lines = [
        f"Created a DataPact project in {created.target} "
        f"(warehouse: {created.warehouse.display_name}):",
        f"  contracts/, sql/  example contracts and SQL: {EXAMPLE_FLOW}",
        "  workspace.yaml, pyproject.toml  for 'datapact ui' and 'dagster dev'",
        "  README.md  what each part is and where landing files go",
        landing,
        "Next:",
        f"  cd {given}",
    ]
    if (created.target / ".env.example").exists():
        lines += [
            "  cp .env.example .env  # set DATAPACT_WAREHOUSE_URL to your database",
            "  set -a; . ./.env; set +a",
        ]
    lines += [
        "  datapact validate   # check the contracts",
        "  datapact run        # build and check the example tables",
        "  datapact ui         # open the Dagster UI on http://127.0.0.1:3000",
    ]
    return "\n".join(lines)
