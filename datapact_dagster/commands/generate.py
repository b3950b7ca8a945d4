"""`datapact generate`: write sample landing files, optionally with planted contract breaches."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from datapact_dagster.commands.base import EXIT_OK, UserError, project_dir
from datapact_dagster.settings import Settings

if TYPE_CHECKING:
    from datapact_dagster.sample import Manifest

LANDING_ENV = "DATAPACT_LANDING_DIR"
# Spelled out rather than read from datapact_dagster.sample, whose pyarrow import would slow
# down every `datapact` command; a unit test keeps it in step with BREACH_KINDS.
BREACH_HELP = (
    "plant a violation, repeatable: null_required, duplicate_key, out_of_range, bad_enum, "
    "bad_pattern (each :COUNT, default 25), stale (:DAYS, default 10), "
    "schema_drift (:rename|drop|retype, default rename), volume_drop (:PERCENT of orders "
    "missing, default 90; caught by the volume anomaly monitor after a history of clean runs), "
    "bad_event_day (:YYYY-MM-DD, default today: that day's event partition only)"
)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "generate",
        help="write sample landing files (Parquet), optionally with planted breaches",
        description="Write customers, orders and customer_events Parquet files for the sample "
        "commerce contracts, plus _manifest.json listing every planted violation. "
        "The same arguments always give byte-identical files.",
    )
    parser.add_argument(
        "--rows",
        type=int,
        default=100_000,
        help="orders to generate; customers are rows/5, events 2*rows (default: 100000)",
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    parser.add_argument(
        "--as-of",
        dest="as_of",
        default=None,
        metavar="ISO",
        help="newest possible timestamp, ISO 8601, UTC unless an offset is "
        "given (default: now, truncated to the hour)",
    )
    parser.add_argument(
        "--breach",
        dest="breaches",
        action="append",
        default=[],
        metavar="KIND[:ARG]",
        help=BREACH_HELP,
    )
    parser.add_argument(
        "--landing",
        type=Path,
        default=None,
        help=f"output folder (default: ${LANDING_ENV} or <state dir>/landing)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=run)


def landing_dir(args: argparse.Namespace) -> Path:
    """--landing, else the landing folder `datapact run` reads (see Settings)."""
    if args.landing:
        return Path(args.landing).resolve()
    return Settings.from_env(project_dir(args)).landing_dir


def _as_of(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise UserError(f"--as-of {text!r} is not an ISO 8601 date or date-time") from None


def run(args: argparse.Namespace) -> int:
    from datapact_dagster.sample import generate_landing

    target = landing_dir(args)
    try:
        manifest = generate_landing(
            target, rows=args.rows, seed=args.seed, as_of=_as_of(args.as_of), breaches=args.breaches
        )
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if args.format == "json":
        print(manifest.to_json(), end="")
    else:
        print(_summary(manifest, target))
    return EXIT_OK


def _summary(manifest: Manifest, target: Path) -> str:
    from datapact_dagster.sample import MANIFEST_NAME

    lines = [
        f"Wrote sample landing files to {target} "
        f"(seed {manifest.seed}, as of {manifest.as_of.isoformat()} UTC):"
    ]
    lines += [f"  {f.name:<26} {f.rows:>12,} rows" for f in manifest.files]
    if manifest.breaches:
        lines.append("Planted breaches:")
        for b in manifest.breaches:
            expected = (
                ""
                if b.expected_unexpected_count is None
                else f", expected unexpected_count {b.expected_unexpected_count:,}"
            )
            lines.append(f"  {b.spec:<22} -> {b.target_check}: {b.planted:,} planted{expected}")
    else:
        lines.append("No breaches planted: the data satisfies every contract.")
    lines.append(f"Manifest: {target / MANIFEST_NAME}")
    return "\n".join(lines)
