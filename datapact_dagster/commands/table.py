"""Tables for terminal output: coloured on a terminal, plain aligned text when piped.

The plain form is what scripts and tests read: an upper-case header line, a rule of dashes,
then one line per row, columns two spaces apart, numbers right-aligned, no trailing spaces.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from datapact_dagster.breaker.state import BreakerState, Health
from datapact_dagster.pipeline.run_status import TableRunStatus

PLAIN_BOX = box.Box("    \n    \n -  \n    \n    \n    \n    \n    \n", ascii=True)
"""No borders; only the line under the header, drawn in dashes."""
PLAIN_WIDTH = 100_000
"""Tables are never wrapped or cut to fit a width: one row, one line."""

STATUS_STYLES: Mapping[str, str] = {
    Health.healthy: "green",
    Health.breached: "bold red",
    Health.held: "yellow",
    Health.stale: "yellow",
    Health.awaiting_approval: "yellow",
    Health.retired: "dim",
    BreakerState.closed: "green",
    BreakerState.open: "bold red",
    BreakerState.half_open: "yellow",
    BreakerState.never_run: "dim",  # also Health.never_run: the same word
    TableRunStatus.PUBLISHED: "green",
    TableRunStatus.CHECKED: "green",
    TableRunStatus.QUARANTINED: "bold red",
    TableRunStatus.REFUSED: "bold red",
    TableRunStatus.ERROR: "bold red",
    TableRunStatus.HELD: "yellow",
    TableRunStatus.AWAITING_APPROVAL: "yellow",
    TableRunStatus.HELD_FOR_APPROVAL: "yellow",
    TableRunStatus.UPSTREAM_ERROR: "yellow",
    TableRunStatus.NOT_RUN: "dim",
    TableRunStatus.DRAFT: "dim",
    TableRunStatus.RETIRED: "dim",
}
"""How a state DataPact prints is coloured on a terminal."""


def render_table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    value_styles: Mapping[str, str] = STATUS_STYLES,
) -> str:
    """The rows under upper-case column headers; on a terminal a cell whose whole text is a key
    of value_styles is drawn in that rich style (e.g. "bold red")."""
    cells = [[str(row.get(c, "")) for c in columns] for row in rows]
    if sys.stdout.isatty():
        return _coloured(cells, columns, value_styles, Console())
    return _plain(cells, columns)


def _coloured(
    cells: list[list[str]],
    columns: Sequence[str],
    value_styles: Mapping[str, str],
    console: Console,
) -> str:
    table = Table(box=box.SIMPLE_HEAD, header_style="bold cyan", show_edge=False)
    _fill(table, cells, columns, value_styles)
    unbounded = console.options.update_width(PLAIN_WIDTH)
    natural = Measurement.get(console, unbounded, table).maximum
    console.width = max(console.width, natural)  # a narrow terminal wraps lines, not cells
    with console.capture() as captured:
        console.print(table)
    return captured.get().rstrip("\n")


def _plain(cells: list[list[str]], columns: Sequence[str]) -> str:
    table = Table(box=PLAIN_BOX, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0))
    _fill(table, cells, columns, {})
    console = Console(
        file=io.StringIO(),
        width=PLAIN_WIDTH,
        color_system=None,
        force_terminal=False,
        legacy_windows=False,
    )
    with console.capture() as captured:
        console.print(table)
    return "\n".join(line.rstrip() for line in captured.get().splitlines())


def _fill(
    table: Table, cells: list[list[str]], columns: Sequence[str], value_styles: Mapping[str, str]
) -> None:
    for index, column in enumerate(columns):
        numeric = bool(cells) and all(_is_number(row[index]) for row in cells if row[index])
        table.add_column(column.upper(), justify="right" if numeric else "left")
    for row in cells:
        table.add_row(*(Text(v, style=value_styles.get(v, "")) for v in row))


def _is_number(value: str) -> bool:
    return value.replace(".", "", 1).isdigit()
