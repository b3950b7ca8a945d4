"""A changelog as Markdown (one section per contract, newest version first) or JSON."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict

from datapact_dagster.changes.changelog import VersionEntry


def render_changelog_markdown(entries: Sequence[VersionEntry]) -> str:
    lines = ["# Contract changelog"]
    by_contract: dict[str, list[VersionEntry]] = {}
    for entry in entries:
        by_contract.setdefault(entry.contract_id, []).append(entry)
    for contract_id, versions in by_contract.items():
        lines += ["", f"## {contract_id}"]
        for entry in reversed(versions):
            since = f" (from {entry.previous_version})" if entry.previous_version else ""
            lines += [
                "",
                f"### {entry.version}{since} — {entry.commit.date[:10]}",
                "",
                f"Commit `{entry.commit.commit[:10]}` by {entry.commit.author}, status "
                f"{entry.status}, {entry.required_bump.value} change.",
                "",
            ]
            for change in entry.changes:
                lines.append(f"- **{change.klass.value}** `{change.kind}`: {change.message}")
            if not entry.changes:
                lines.append("- no change DataPact reads (version moved only)")
            lines += ["", "Reasons:"]
            for commit in entry.commits:
                first, _, rest = commit.message.partition("\n")
                lines.append(f"- {first} (`{commit.commit[:10]}`, {commit.author})")
                lines += [f"  {line}" for line in rest.strip().splitlines() if line.strip()]
    if not by_contract:
        lines += ["", "No contract version in this range."]
    return "\n".join(lines) + "\n"


def render_changelog_json(entries: Sequence[VersionEntry]) -> str:
    data = []
    for entry in entries:
        raw = asdict(entry)
        for change, change_raw in zip(entry.changes, raw["changes"], strict=True):
            change_raw["class"] = change.klass.value
        data.append(raw)
    return json.dumps({"versions": data}, indent=2, default=str) + "\n"


CHANGELOG_RENDERERS: dict[str, Callable[[Sequence[VersionEntry]], str]] = {
    "md": render_changelog_markdown,
    "json": render_changelog_json,
}
