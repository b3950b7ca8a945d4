"""The catalog's pages as HTML text: one Jinja2 template per page, autoescaped, with the CSS, the
search script and the diagrams inline, so each page stands alone and loads nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from jinja2 import Environment, PackageLoader, StrictUndefined

from datapact_dagster.plan.graph import DependencyGraph

from .diagrams import column_lineage, erd, lineage_map
from .model import column_href, contract_views, table_href
from .pii import pii_inventory
from .search_index import facets, search_index
from .shapes import Diagram
from .verdicts import NEVER_RUN, LatestVerdicts
from .versions import VersionNote
from .views import ContractView

INDEX = "index.html"
ERD = "erd.html"
LINEAGE = "lineage.html"
PII = "pii.html"
LINK_WORDS = {
    "value": "value computed from",
    "rows": "rows depend on it (join, filter, grouping)",
    "untraced": "lineage not traced: assumed to depend on the table",
    "reads": "reads",
    "reference": "keys checked against",
    "fk": "foreign key → key",
}


@dataclass(frozen=True)
class SiteInfo:
    """What every page's header and footer say."""

    generated_at: str
    contracts: int
    tables: int
    evidence: str


def render_pages(
    graph: DependencyGraph,
    verdicts: LatestVerdicts,
    versions: dict[str, VersionNote] | None = None,
) -> dict[str, str]:
    """File name -> HTML of every page of the catalog; `versions` holds what changed in each
    contract's latest version, when known."""
    contracts = contract_views(graph, verdicts)
    info = SiteInfo(
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        contracts=len(contracts),
        tables=sum(len(c.tables) for c in contracts),
        evidence=_evidence_words(verdicts),
    )
    erd_diagram, unrelated = erd(graph)
    pages = {
        INDEX: _render(
            "index.html.j2",
            info,
            contracts=contracts,
            index=search_index(contracts),
            facets=facets(contracts),
        ),
        ERD: _render(
            "erd.html.j2",
            info,
            diagram=erd_diagram,
            unrelated=[(name, table_href(graph, name)) for name in unrelated],
            contracts=contracts,
        ),
        LINEAGE: _render("lineage.html.j2", info, diagram=lineage_map(graph)),
        PII: _render("pii.html.j2", info, columns=pii_inventory(graph)),
    }
    table_hrefs = {name: table_href(graph, name) for name in graph.tables}
    column_hrefs = {
        f"{name}.{column.name}": column_href(graph, name, column.name)
        for name, (_, table) in graph.tables.items()
        for column in table.columns
    }
    for contract in contracts:
        pages[contract.page] = _render(
            "contract.html.j2",
            info,
            contract=contract,
            version_note=(versions or {}).get(contract.id),
            diagrams=_table_diagrams(graph, contract),
            table_hrefs=table_hrefs,
            column_hrefs=column_hrefs,
        )
    return pages


def _table_diagrams(graph: DependencyGraph, contract: ContractView) -> dict[str, Diagram]:
    return {t.physical_name: column_lineage(graph, t.physical_name) for t in contract.tables}


def _evidence_words(verdicts: LatestVerdicts) -> str:
    if verdicts.unavailable:
        return f"evidence store unreadable ({verdicts.unavailable}); rule verdicts not shown"
    if not verdicts.ever_run:
        return "the project has never run: every rule shows 'never run'"
    newest = max((v.at or "" for v in verdicts.by_check.values()), default="")
    return f"rule verdicts from the evidence store, newest {newest}"


def _render(template: str, info: SiteInfo, **values: object) -> str:
    return _ENVIRONMENT.get_template(template).render(
        info=info, pages={"index": INDEX, "erd": ERD, "lineage": LINEAGE, "pii": PII}, **values
    )


def _coordinate(value: float) -> str:
    return f"{value:.1f}"


def _yes(value: bool) -> str:
    return "yes" if value else ""


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader(__package__ or "datapact_dagster.catalog", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(coord=_coordinate, yes=_yes)
    environment.globals.update(NEVER_RUN=NEVER_RUN, LINK_WORDS=LINK_WORDS)
    return environment


_ENVIRONMENT = _environment()
