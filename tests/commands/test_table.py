"""CLI tables: plain aligned text when piped, a coloured rich table on a terminal."""

from __future__ import annotations

import io

import pytest

from datapact_dagster.commands import table as table_module
from datapact_dagster.commands.table import render_table

ROWS = [
    {"asset": "bronze/raw_orders", "rows": "2,000", "failed": 1, "breaker": "open"},
    {"asset": "silver/orders", "rows": "", "failed": 12, "breaker": "[closed]"},
]
COLUMNS = ["asset", "rows", "failed", "breaker"]


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_piped_output_is_plain_aligned_text() -> None:
    lines = render_table(ROWS, COLUMNS).splitlines()
    assert lines == [
        "ASSET              ROWS   FAILED  BREAKER",
        "------------------ ------ ------- --------",
        "bronze/raw_orders  2,000       1  open",
        "silver/orders                 12  [closed]",
    ]
    assert "\x1b" not in "".join(lines)


def test_a_table_without_rows_still_has_its_header() -> None:
    assert render_table([], ["id", "version"]).splitlines()[0].split() == ["ID", "VERSION"]


def test_a_terminal_gets_colour_and_values_are_never_markup(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(table_module.sys, "stdout", FakeTerminal())
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    out = render_table(ROWS, COLUMNS)
    assert "\x1b[" in out
    assert "\x1b[1;31mopen" in out  # an open breaker in bold red
    assert "[closed]" in out  # square brackets in a value are text, not rich markup
    for value in ("bronze/raw_orders", "2,000", "ASSET"):
        assert value in out


def test_a_narrow_terminal_never_cuts_a_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(table_module.sys, "stdout", FakeTerminal())
    monkeypatch.setenv("COLUMNS", "20")
    out = render_table(ROWS, COLUMNS)
    assert "bronze/raw_orders" in out and "…" not in out
