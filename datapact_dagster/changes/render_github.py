"""GitHub workflow commands: each finding and change as an annotation on its file and line."""

from __future__ import annotations

from datapact_dagster.changes.model import Change, DiffReport, PolicyFinding
from datapact_dagster.changes.render_common import impact_lines

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}
_CHANGE_LEVEL = {"breaking": "warning", "additive": "notice", "cosmetic": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _command(level: str, file: str | None, line: int | None, title: str, message: str) -> str:
    props = []
    if file:
        props.append(f"file={_property(file)}")
        if line:
            props.append(f"line={line}")
    props.append(f"title={_property(title)}")
    return f"::{level} {','.join(props)}::{_data(message)}"


def _finding(finding: PolicyFinding, prefix: str) -> str:
    file = prefix + finding.file if finding.file else None
    message = finding.message + (f"\nfix: {finding.fix}" if finding.fix else "")
    return _command(
        _LEVEL[finding.severity], file, finding.line, f"contract {finding.code}", message
    )


def _change(change: Change, new_file: str | None, prefix: str) -> str:
    on_new = change.side == "new" or (new_file is not None and change.anchor_line is not None)
    file = prefix + (change.file if change.side == "new" else (new_file if on_new else change.file))
    line = change.new_file_line if on_new else change.line
    message = "\n".join([change.message, *impact_lines(change.impact)])
    title = f"{change.klass.value} change: {change.kind}"
    return _command(_CHANGE_LEVEL[change.klass.value], file, line, title, message)


def render_github(report: DiffReport) -> str:
    prefix = report.file_prefix
    lines = [_finding(f, prefix) for f in report.findings]
    for diff in report.contracts:
        lines += [_finding(f, prefix) for f in diff.findings]
        lines += [_change(c, diff.new_file, prefix) for c in diff.changes]
    return "\n".join(lines) + ("\n" if lines else "")
