"""An impact analysis as plain data (JSON), as Markdown and as terminal text."""

from __future__ import annotations

from typing import Any

from datapact_dagster.plan.impact import HOW_WORDS, Impact


def impact_dict(impact: Impact) -> dict[str, Any]:
    return {
        "target": impact.target,
        "table": impact.table,
        "column": impact.column,
        "downstream": {
            "tables": list(impact.downstream_tables),
            "columns": [
                {"column": str(h.ref), "how": h.how, "via": str(h.via)}
                for h in impact.downstream_columns
            ],
        },
        "checks": [
            {
                "table": c.table,
                "check": c.key,
                "kind": c.kind,
                "column": c.column,
                "severity": c.severity,
                "description": c.description,
            }
            for c in impact.checks
        ],
        "consumers": [
            {
                "team": c.team,
                "contact": c.contact,
                "use_case": c.use_case,
                "contract": c.contract_id,
                "table": c.table,
                "columns": list(c.columns),
                "whole_table": c.whole_table,
            }
            for c in impact.consumers
        ],
        "upstream": {
            "tables": list(impact.upstream_tables),
            "columns": [str(r) for r in impact.upstream_columns],
        },
        "notes": list(impact.notes),
    }


def consumer_line(consumer: Any) -> str:
    """`team (contact): columns of table — use case` for one consumer hit."""
    contact = f" <{consumer.contact}>" if consumer.contact else " (no contact declared)"
    scope = "the whole table" if consumer.whole_table else ", ".join(consumer.columns)
    use = f" — {consumer.use_case}" if consumer.use_case else ""
    return f"{consumer.team}{contact}: {scope} of {consumer.table}{use}"


def impact_text(impact: Impact) -> str:
    lines = [f"Impact of {impact.target}", ""]
    lines.append(f"Downstream tables ({len(impact.downstream_tables)}):")
    lines += [f"  {t}" for t in impact.downstream_tables] or ["  none"]
    lines.append(f"Downstream columns ({len(impact.downstream_columns)}):")
    lines += [f"  {h.ref}  ({HOW_WORDS[h.how]} {h.via})" for h in impact.downstream_columns] or [
        "  none"
    ]
    lines.append(f"Checks on them ({len(impact.checks)}):")
    lines += [f"  {c.table}: {c.key} [{c.severity}] {c.description}" for c in impact.checks] or [
        "  none"
    ]
    lines.append(f"Consumers hit ({len(impact.consumers)}):")
    lines += [f"  {consumer_line(c)}" for c in impact.consumers] or ["  none"]
    lines.append(f"Upstream ({len(impact.upstream_columns)} columns):")
    lines += [f"  {r}" for r in impact.upstream_columns] or ["  none"]
    if impact.notes:
        lines.append("Notes:")
        lines += [f"  {n}" for n in impact.notes]
    return "\n".join(lines) + "\n"


def impact_markdown(impact: Impact) -> str:
    lines = [f"## Impact of `{impact.target}`", ""]
    lines.append(
        f"{len(impact.downstream_tables)} downstream table(s), "
        f"{len(impact.downstream_columns)} column(s), {len(impact.checks)} check(s), "
        f"{len(impact.consumers)} consumer(s)."
    )
    lines += ["", "### Consumers hit", ""]
    if impact.consumers:
        lines += ["| team | contact | table | columns | use case |", "|---|---|---|---|---|"]
        lines += [
            f"| {c.team} | {c.contact or '—'} | `{c.table}` | "
            f"{'whole table' if c.whole_table else ', '.join(f'`{x}`' for x in c.columns)} | "
            f"{c.use_case or '—'} |"
            for c in impact.consumers
        ]
    else:
        lines.append("None.")
    lines += ["", "### Downstream columns", ""]
    lines += [f"- `{h.ref}` — {HOW_WORDS[h.how]} `{h.via}`" for h in impact.downstream_columns] or [
        "None."
    ]
    lines += ["", "### Checks", ""]
    lines += [f"- `{c.table}` `{c.key}` ({c.severity}): {c.description}" for c in impact.checks]
    lines += ["", "### Upstream", ""]
    lines += [f"- `{r}`" for r in impact.upstream_columns] or ["None."]
    if impact.notes:
        lines += ["", "### Notes", ""] + [f"- {n}" for n in impact.notes]
    return "\n".join(lines) + "\n"
