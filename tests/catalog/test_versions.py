"""Each contract page says what changed in its version: from git, else from the versions runs
were made under (the evidence store)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from datapact_dagster.cli import main
from datapact_dagster.evidence.contract_archive import archive_contract
from datapact_dagster.evidence.store import EvidenceStore
from tests.changes.test_diff_git import COUNTRY, commit, edit, git

NEW_COLUMN = """      - name: loyalty_tier
        logicalType: string
        description: Loyalty programme tier.
"""


def _project(project_root: Path, root: Path) -> Path:
    shutil.copytree(project_root / "contracts", root / "contracts")
    shutil.copytree(project_root / "sql", root / "sql")
    return root


def _customers_page(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATAPACT_STATE_DIR", str(root / ".datapact"))
    monkeypatch.delenv("DATAPACT_EVIDENCE_URL", raising=False)
    out = tmp_path / "site"
    assert main(["--project", str(root), "catalog", "--out", str(out)]) == 0
    return (out / "contract-commerce.customers.html").read_text(encoding="utf-8")


def test_the_latest_version_changes_come_from_git(
    project_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(project_root, tmp_path / "project")
    git(root, "init", "-q", "-b", "main")
    commit(root, "Contracts")
    edit(root, "contracts/customers.yaml", COUNTRY, COUNTRY + NEW_COLUMN)
    edit(root, "contracts/customers.yaml", "version: 1.1.0", "version: 1.2.0")
    commit(root, "Customers carry their loyalty tier")

    page = _customers_page(root, tmp_path, monkeypatch)

    assert "Version 1.2.0" in page
    assert "Changes from 1.1.0, from commit" in page
    assert "Customers carry their loyalty tier" in page
    assert "column customers.loyalty_tier (string) added" in page
    assert "change-additive" in page


def test_without_git_the_changes_come_from_the_versions_runs_were_made_under(
    project_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(project_root, tmp_path / "project")
    contract = root / "contracts" / "customers.yaml"
    store = EvidenceStore(f"sqlite:///{root / '.datapact' / 'evidence.db'}")
    try:
        archive_contract(
            store.engine, "commerce.customers", "1.1.0", contract.read_text(), "2026-11-01T00:00Z"
        )
    finally:
        store.close()
    edit(root, "contracts/customers.yaml", COUNTRY, "")
    edit(root, "contracts/customers.yaml", "version: 1.1.0", "version: 2.0.0")

    page = _customers_page(root, tmp_path, monkeypatch)

    assert "Changes from 1.1.0, from the contract versions runs were made under" in page
    assert "column customers.country (string) removed" in page
    assert "change-breaking" in page
    orders = (tmp_path / "site" / "contract-commerce.orders.html").read_text(encoding="utf-8")
    assert "No earlier version is known" in orders
