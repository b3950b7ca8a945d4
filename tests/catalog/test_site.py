"""`datapact catalog` through the CLI: the pages, their links, escaping, no external URL, the
PII inventory and ERD of a fixture project, and a folder replaced only as a whole."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from datapact_dagster.catalog.site import MARKER, write_site
from datapact_dagster.cli import main
from datapact_dagster.errors import UserError
from datapact_dagster.plan.loading import require_contracts
from tests.catalog.site_pages import broken_links, read_page

TESTS = Path(__file__).resolve().parents[1]
FIXTURE = TESTS / "fixtures" / "catalog" / "project"
SAMPLE = TESTS.parent
INVALID = TESTS / "fixtures" / "invalid" / "duplicate-column"
SUPPORT_URL = "https://wiki.example.org/people-data"


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DATAPACT_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("DATAPACT_EVIDENCE_URL", raising=False)
    return tmp_path / "state"


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fixture") / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATAPACT_STATE_DIR", str(out.parent / "state"))
        patch.delenv("DATAPACT_EVIDENCE_URL", raising=False)
        assert main(["--project", str(FIXTURE), "catalog", "--out", str(out)]) == 0
    return out


def test_every_page_is_written_and_every_link_stays_inside_and_resolves(fixture_site: Path) -> None:
    names = {p.name for p in fixture_site.iterdir()}
    assert names == {
        MARKER,
        "index.html",
        "erd.html",
        "lineage.html",
        "pii.html",
        "contract-hr.raw_people.html",
        "contract-hr.teams.html",
        "contract-hr.headcount.html",
    }
    assert broken_links(fixture_site) == []


def test_no_page_loads_or_links_anything_outside_and_user_urls_are_text(fixture_site: Path) -> None:
    for page in fixture_site.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        urls = read_page(page).urls
        assert not [u for u in urls if re.match(r"^(https?:|//|data:|javascript:)", u)], page.name
        external = set(re.findall(r"https?://[^\s\"'<>]+", text))
        assert external <= {SUPPORT_URL}, (page.name, external)
        assert "Content-Security-Policy" in text and "default-src 'none'" in text
    people = (fixture_site / "contract-hr.raw_people.html").read_text(encoding="utf-8")
    assert f"<code>{SUPPORT_URL}</code>" in people


def test_markup_in_a_contract_is_shown_as_text(fixture_site: Path) -> None:
    for page in fixture_site.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<img src=x" not in text, page.name
    people = (fixture_site / "contract-hr.raw_people.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in people


def test_the_pii_inventory_lists_each_pii_column_and_who_reads_it(fixture_site: Path) -> None:
    page = fixture_site / "pii.html"
    assert sorted(read_page(page).data_columns) == [
        "bronze.raw_people.email",
        "bronze.raw_people.phone",
        "silver.members.email",
    ]
    row = _row(page.read_text(encoding="utf-8"), "bronze.raw_people.email")
    assert "gold.headcount.contact_email" in row and "silver.members.email" in row
    assert "it-onboarding" in row and "budget-planning" in row and "(the whole table)" in row
    phone = _row(page.read_text(encoding="utf-8"), "bronze.raw_people.phone")
    assert "confidential" in phone and "no declared consumer" in phone


def test_the_erd_draws_each_relationship_with_its_cardinality(fixture_site: Path) -> None:
    text = (fixture_site / "erd.html").read_text(encoding="utf-8")
    titles = re.findall(r'<path class="link fk"[^>]*><title>([^<]*)</title>', text)
    assert sorted(titles) == [
        "silver.members.person_id → bronze.raw_people.person_id (one-to-one)",
        "silver.members.team_id → silver.teams.team_id (many-to-one)",
        "silver.members.team_name → silver.teams.team_name (many-to-one)",
    ]
    assert 'data-table="gold.headcount"' not in text.split("</svg>")[0]
    assert "Tables in no relationship" in text and "gold.headcount" in text


def test_a_contract_page_shows_each_table_with_consumers_rules_and_lineage(
    fixture_site: Path,
) -> None:
    text = (fixture_site / "contract-hr.teams.html").read_text(encoding="utf-8")
    assert 'id="table-silver-teams"' in text and 'id="table-silver-members"' in text
    teams, members = text.split('id="table-silver-members"')
    assert "it-onboarding" in members and "Accounts for new joiners." in members
    assert "it-onboarding" not in teams, "its declared columns are all in silver.members"
    assert "never run" in members and "pass" not in re.findall(r"verdict-(\w+)", members)
    lineage = members.split('class="diagram lineage"')[1].split("</svg>")[0]
    for box in ("bronze.raw_people", "silver.teams", "silver.members", "gold.headcount"):
        assert f'data-table="{box}"' in lineage
    assert 'class="link value"' in lineage and 'class="link rows"' in lineage


def test_the_sample_catalog_lists_every_table_and_every_pii_column(state: Path) -> None:
    assert main(["--project", str(SAMPLE), "catalog"]) == 0

    site = state / "catalog"
    contracts = require_contracts(SAMPLE)
    index = (site / "index.html").read_text(encoding="utf-8")
    for _, table in contracts.tables:
        assert f'data-table="{table.physical_name}"' in index
    expected = sorted(f"{t.physical_name}.{c}" for _, t in contracts.tables for c in t.pii_columns)
    assert expected and sorted(read_page(site / "pii.html").data_columns) == expected
    assert broken_links(site) == []
    assert "the project has never run" in index


def test_a_failed_build_leaves_the_previous_catalog_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site({"index.html": "first"}, out)

    with pytest.raises(UserError) as failed:
        write_site({"index.html": "second", "no/such/folder.html": "x"}, out)
    assert failed.value.exit_code == 3 and "cannot write" in str(failed.value)

    assert (out / "index.html").read_text() == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    write_site({"index.html": "third"}, out)
    assert (out / "index.html").read_text() == "third"


def test_a_folder_of_other_files_or_a_file_is_refused(
    state: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    a_file = tmp_path / "file.html"
    a_file.write_text("keep me")

    assert main(["--project", str(FIXTURE), "catalog", "--out", str(foreign)]) == 2
    assert "did not write" in capsys.readouterr().err
    assert main(["--project", str(FIXTURE), "catalog", "--out", str(a_file)]) == 2
    assert "is a file" in capsys.readouterr().err
    assert main(["--project", str(FIXTURE), "catalog", "--out", str(a_file / "site")]) == 2
    assert "a folder on its path is a file" in capsys.readouterr().err
    assert (foreign / "notes.txt").read_text() == "keep me" and a_file.read_text() == "keep me"


def test_invalid_contracts_exit_2_with_the_findings(
    state: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "site"

    assert main(["--project", str(INVALID), "catalog", "--out", str(out)]) == 2

    err = capsys.readouterr().err
    assert "contracts/" in err and "the contracts are invalid" in err
    assert not out.exists()


def _row(html: str, column: str) -> str:
    return html.split(f'data-column="{column}"')[1].split("</tr>")[0]
