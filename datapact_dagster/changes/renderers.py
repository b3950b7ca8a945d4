"""The diff report formats: one renderer each; `--format` offers every key."""

from __future__ import annotations

from collections.abc import Callable

from datapact_dagster.changes.model import DiffReport
from datapact_dagster.changes.render_github import render_github
from datapact_dagster.changes.render_json import render_json
from datapact_dagster.changes.render_junit import render_junit
from datapact_dagster.changes.render_markdown import render_markdown
from datapact_dagster.changes.render_text import render_text

RENDERERS: dict[str, Callable[[DiffReport], str]] = {
    "text": render_text,
    "json": render_json,
    "md": render_markdown,
    "github": render_github,
    "junit": render_junit,
}
DIFF_FORMATS: tuple[str, ...] = tuple(RENDERERS)


def render_diff(report: DiffReport, diff_format: str) -> str:
    try:
        return RENDERERS[diff_format](report)
    except KeyError:
        raise ValueError(
            f"unknown format {diff_format!r}; expected one of {DIFF_FORMATS}"
        ) from None
