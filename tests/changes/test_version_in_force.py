"""After a new contract version is run, the asset shows the previous version and what changed,
and the new-version alert lists the changes with whom the breaking ones affect. The previous
version's text comes from the evidence store, which keeps every version runs were made under."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.instance.ref import InstanceRef

from datapact_dagster.breaker.alerting import version_details
from datapact_dagster.evidence.contract_archive import archived_versions
from datapact_dagster.evidence.store import EvidenceStore
from datapact_dagster.plan.loading import require_contracts
from datapact_dagster.plan.project import plan_project
from datapact_dagster.settings import Settings
from tests.changes.test_diff_git import edit
from tests.processes import project_env, run_datapact

UNIQUE_EMAIL = """        required: true
        unique: true
        description: Lower-cased e-mail address."""


@pytest.fixture(scope="module")
def project(project_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("version-in-force")
    shutil.copytree(project_root / "contracts", root / "contracts")
    shutil.copytree(project_root / "sql", root / "sql")

    def cli(*args: str) -> None:
        done = run_datapact(root, project_env(), *args)
        assert done.returncode == 0, done.stdout + done.stderr

    cli("generate", "--rows", "2000")
    cli("run", "--select", "+key:silver/customers")
    edit(root, "contracts/customers.yaml", UNIQUE_EMAIL, UNIQUE_EMAIL.replace("unique: true", ""))
    edit(root, "contracts/customers.yaml", 'minimum: "2015-01-01"', 'minimum: "2016-01-01"')
    edit(root, "contracts/customers.yaml", "version: 1.1.0", "version: 2.0.0")
    cli("run", "--select", "+key:silver/customers")
    return root


def test_every_version_run_under_is_kept_by_its_hash(project: Path) -> None:
    store = EvidenceStore(f"sqlite:///{project / '.datapact' / 'evidence.db'}")
    try:
        kept = archived_versions(store.engine, "commerce.customers")
    finally:
        store.close()
    assert [k.version for k in kept] == ["1.1.0", "2.0.0"]
    assert kept[1].text == (project / "contracts/customers.yaml").read_text()


def test_the_materialisation_shows_the_previous_version_and_the_changes(project: Path) -> None:
    home = project / ".datapact" / "dagster_home"
    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home))) as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(["silver", "customers"]))
        raw = instance.get_latest_materialization_event(dg.AssetKey(["bronze", "raw_customers"]))
    assert event is not None and raw is not None
    metadata = event.asset_materialization.metadata
    assert metadata["contract_version"].value == "2.0.0"
    assert metadata["previous_contract_version"].value == "1.1.0"
    changes = metadata["contract_changes"].value
    assert changes.startswith("**1.1.0 → 2.0.0** (major change by its content)")
    assert "- breaking: unique_dropped:" in changes
    assert "- additive: value_option_tightened:" in changes
    # a contract that did not change shows no previous version
    assert "previous_contract_version" not in raw.asset_materialization.metadata


def test_the_new_version_alert_lists_the_changes_and_who_they_affect(project: Path) -> None:
    settings = Settings.from_env(project)
    plan = plan_project(settings, require_contracts(project))
    store = EvidenceStore(f"sqlite:///{settings.state_dir / 'evidence.db'}")
    try:
        lines = version_details(plan, store.engine, "commerce.customers", "1.1.0")
    finally:
        store.close()
    breaking = next(
        i for i, line in enumerate(lines) if line.startswith("breaking: unique_dropped")
    )
    affected = lines[breaking + 1 : breaking + 6]
    assert any(
        "consumer deliverability <deliverability@example.com>: email_domain of "
        "gold.customer_profile" in line
        for line in affected
    ), lines
    assert any(line.startswith("additive: value_option_tightened") for line in lines)
