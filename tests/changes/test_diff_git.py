"""`datapact diff` and `datapact changelog` between real commits of a temporary git repository
holding the sample project's contracts and SQL."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from datapact_dagster.cli import main

PROJECT = Path(__file__).resolve().parents[2]
COUNTRY = """      - name: country
        logicalType: string
        physicalType: VARCHAR
        description: ISO 3166-1 alpha-2 country code, upper case.
"""


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=Ada", "-c", "user.email=ada@example.com", "commit", "-qm", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copytree(PROJECT / "contracts", root / "contracts")
    shutil.copytree(PROJECT / "sql", root / "sql")
    git(root, "init", "-q", "-b", "main")
    commit(root, "Initial contracts")
    return root


def edit(repo: Path, relative: str, old: str, new: str) -> None:
    path = repo / relative
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def datapact(repo: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--project", str(repo), *args])
    out, err = capsys.readouterr()
    return code, out, err


def country_line(repo: Path, ref: str = "HEAD") -> int:
    text = git(repo, "show", f"{ref}:contracts/customers.yaml")
    return text.splitlines().index("      - name: country") + 1


def test_removed_column_without_major_bump_fails_with_its_line(repo: Path, capsys) -> None:
    line = country_line(repo)
    edit(repo, "contracts/customers.yaml", COUNTRY, "")
    edit(repo, "contracts/customers.yaml", "version: 1.1.0", "version: 1.2.0")
    commit(repo, "Drop the country column")
    code, out, _ = datapact(repo, capsys, "diff", "--base", "HEAD~1")
    assert code == 1
    assert f"breaking  contracts/customers.yaml:{line} (old file)  column_removed" in out
    assert "required bump: major (version moved: minor)" in out
    assert "version-too-small" in out and "set version to 2.0.0" in out

    # country reaches gold.customer_profile.country, read by no declared consumer there; growth
    # declared it on silver.customers
    assert "affects downstream columns: gold.customer_profile.country" in out
    assert "affects consumer growth <growth@example.com>: country of silver.customers" in out
    assert "crm-campaigns" not in out

    edit(repo, "contracts/customers.yaml", "version: 1.2.0", "version: 2.0.0")
    code, out, _ = datapact(repo, capsys, "diff", "--base", "HEAD~1")
    assert code == 0, out
    assert "affects consumer growth <growth@example.com>: country of silver.customers" in out
    assert "column_removed: column customers.country (string) removed" in out
    assert "required bump: major (version moved: major)" in out
    code, out, _ = datapact(repo, capsys, "diff", "--base", "HEAD~1", "--format", "json")
    [change] = json.loads(out)["contracts"][0]["changes"]
    assert change["impact"]["consumers"][0]["team"] == "growth"
    assert change["impact"]["downstream"]["columns"][0]["column"] == "gold.customer_profile.country"


def test_github_annotations_and_junit(repo: Path, capsys) -> None:
    edit(repo, "contracts/customers.yaml", COUNTRY, "")
    edit(repo, "contracts/customers.yaml", "version: 1.1.0", "version: 1.1.1")
    code, out, _ = datapact(repo, capsys, "diff", "--base", "HEAD", "--format", "github")
    assert code == 1
    pattern = re.compile(r"^::(error|warning|notice) file=([^,]+),line=(\d+),title=([^:]+)::(.+)$")
    parsed = [pattern.match(line) for line in out.splitlines()]
    assert all(parsed), out
    annotations = {(m[1], m[4]): (m[2], int(m[3]), m[5]) for m in parsed if m}
    version_line = (repo / "contracts/customers.yaml").read_text().splitlines().index(
        "version: 1.1.1"
    ) + 1
    error = annotations[("error", "contract version-too-small")]
    assert error[:2] == ("contracts/customers.yaml", version_line)
    assert "fix%3A" not in error[2] and "%0Afix: set version to 2.0.0" in error[2]
    removed = annotations[("warning", "breaking change%3A column_removed")]
    assert removed[0] == "contracts/customers.yaml" and removed[1] > 0

    code, out, _ = datapact(repo, capsys, "diff", "--base", "HEAD", "--format", "junit")
    assert code == 1
    suites = ET.fromstring(out)
    assert suites.get("failures") == "1"
    suite = suites.find("testsuite[@name='commerce.customers']")
    assert suite is not None
    failure = suite.find("testcase/failure")
    assert failure is not None and failure.get("type") == "version-too-small"
    names = [case.get("name") for case in suite.findall("testcase")]
    assert any(n.startswith("breaking column_removed at contracts/customers.yaml:") for n in names)


def test_added_removed_and_renamed_contracts(repo: Path, capsys) -> None:
    (repo / "contracts" / "commerce").mkdir()
    git(repo, "mv", "contracts/customer_events.yaml", "contracts/commerce/customer_events.yaml")
    text = (repo / "contracts/daily_revenue.yaml").read_text()
    (repo / "contracts/daily_revenue.yaml").unlink()
    (repo / "sql/gold/daily_revenue.sql").rename(repo / "sql/gold/daily_takings.sql")
    added = re.sub(r"(?m)^id: .*$", "id: finance.daily_takings", text)
    added = added.replace("gold.daily_revenue", "gold.daily_takings")
    (repo / "contracts/daily_takings.yaml").write_text(added)
    commit(repo, "Reorganise")
    code, out, _ = datapact(repo, capsys, "diff", "--base", "HEAD~1", "--format", "json")
    report = json.loads(out)
    kinds = {c["contract_id"]: [ch["kind"] for ch in c["changes"]] for c in report["contracts"]}
    assert kinds["commerce.customer_events"] == ["contract_moved"]
    assert kinds["finance.daily_takings"] == ["contract_added"]
    removed = next(c for c in report["contracts"] if c["new_file"] is None)
    assert removed["changes"][0]["kind"] == "contract_removed"
    assert removed["changes"][0]["class"] == "breaking"
    assert [f["code"] for f in removed["findings"]] == ["removed-not-retired"]
    moved = next(c for c in report["contracts"] if c["contract_id"] == "commerce.customer_events")
    assert moved["findings"] == []
    assert code == 1


def test_sql_only_change_that_changes_the_shape_is_an_error(repo: Path, capsys) -> None:
    edit(
        repo,
        "sql/silver/customers.sql",
        "    UPPER(c.country) AS country,",
        "    UPPER(c.country) AS country,\n    LENGTH(c.email) AS email_length,",
    )
    edit(repo, "sql/silver/customers.sql", "CAST(c.signup_at AS DATE)", "c.signup_at")
    code, out, _ = datapact(repo, capsys, "diff", "--base", "HEAD")
    assert code == 1, out
    assert "sql/silver/customers.sql produces column email_length (BIGINT)" in out
    properties = (repo / "contracts/customers.yaml").read_text().splitlines().index(
        "    properties:"
    ) + 1
    assert f"declare email_length in contracts/customers.yaml:{properties}" in out
    assert re.search(
        r"produces signup_date as TIMESTAMP, but contracts/customers.yaml:\d+ declares it date",
        out,
    )


def test_sql_change_keeping_the_shape_passes(repo: Path, capsys) -> None:
    edit(
        repo,
        "sql/silver/customers.sql",
        "FROM bronze.raw_customers AS c",
        "FROM bronze.raw_customers c",
    )
    code, out, _ = datapact(repo, capsys, "diff", "--base", "HEAD")
    assert code == 0, out
    assert "sql-changed: sql/silver/customers.sql changed; it produces the 5 columns" in out


def test_too_small_bump_and_content_under_the_same_version(repo: Path, capsys) -> None:
    edit(
        repo,
        "contracts/customers.yaml",
        "    description: One row per customer, e-mail lower-cased, names trimmed.",
        "    description: One row per customer.",
    )
    code, out, _ = datapact(repo, capsys, "diff", "--base", "HEAD")
    assert code == 1
    assert (
        "version-unchanged: commerce.customers: the contract changed under the same version" in out
    )
    assert "set version to 1.1.1" in out

    edit(
        repo, "contracts/customers.yaml", "mustBeGreaterOrEqualTo: 1", "mustBeGreaterOrEqualTo: 10"
    )
    edit(repo, "contracts/customers.yaml", "version: 1.1.0", "version: 1.1.1")
    code, out, _ = datapact(repo, capsys, "diff", "--base", "HEAD", "--format", "md")
    assert code == 1
    assert "| `commerce.customers` | 1.1.0 -> 1.1.1 | 0 | 1 | 1 | minor | ❌ 1 error(s) |" in out
    assert "`version-too-small`" in out and "set version to 1.2.0" in out


def test_default_base_is_the_merge_base_with_main(repo: Path, capsys) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    edit(repo, "contracts/customers.yaml", "status: active", "status: deprecated")
    edit(repo, "contracts/customers.yaml", "version: 1.1.0", "version: 1.2.0")
    commit(repo, "Deprecate customers")
    code, out, _ = datapact(repo, capsys, "diff")
    assert code == 0, out
    assert out.startswith("Contract changes: merge-base with main (")
    assert "status_forward: status active -> deprecated" in out


def test_invalid_input_exits_2(repo: Path, tmp_path: Path, capsys) -> None:
    code, _, err = datapact(repo, capsys, "diff", "--base", "no-such-ref")
    assert code == 2 and "unknown git ref 'no-such-ref'" in err
    outside = tmp_path / "plain"
    shutil.copytree(repo / "contracts", outside / "contracts")
    code, _, err = datapact(outside, capsys, "diff")
    assert code == 2 and "is not inside a git repository" in err
    edit(repo, "contracts/customers.yaml", "version: 1.1.0", "version: one")
    code, _, err = datapact(repo, capsys, "diff", "--base", "HEAD")
    assert code == 2
    assert re.search(r"working tree: contracts/customers.yaml:5:\d+: error at version", err)


def test_two_files(repo: Path, tmp_path: Path, capsys) -> None:
    old = tmp_path / "customers-1.1.0.yaml"
    shutil.copy(repo / "contracts/customers.yaml", old)
    edit(
        repo,
        "contracts/customers.yaml",
        "        required: true\n        unique: true\n",
        "        unique: true\n",
    )
    edit(repo, "contracts/customers.yaml", "version: 1.1.0", "version: 2.0.0")
    code, out, _ = datapact(repo, capsys, "diff", str(old), str(repo / "contracts/customers.yaml"))
    assert code == 0, out
    assert "column_nullable: customers.email: no longer required: may be NULL" in out


def test_changelog_lists_both_versions(repo: Path, capsys) -> None:
    edit(repo, "contracts/customers.yaml", COUNTRY, "")
    edit(repo, "contracts/customers.yaml", "version: 1.1.0", "version: 2.0.0")
    commit(repo, "Drop country\n\nNo consumer reads it since the EU split.")
    code, out, _ = datapact(repo, capsys, "changelog", "commerce.customers")
    assert code == 0
    assert out.index("### 2.0.0 (from 1.1.0)") < out.index("### 1.1.0")
    assert "- **breaking** `column_removed`: column customers.country (string) removed" in out
    assert "- Drop country (`" in out and "No consumer reads it since the EU split." in out
    assert "- **additive** `contract_added`" in out
    code, out, _ = datapact(repo, capsys, "changelog", "--since", "HEAD~1", "--format", "json")
    versions = json.loads(out)["versions"]
    assert [(v["contract_id"], v["previous_version"], v["version"]) for v in versions] == [
        ("commerce.customers", "1.1.0", "2.0.0")
    ]
    assert versions[0]["commit"]["author"] == "Ada <ada@example.com>"
