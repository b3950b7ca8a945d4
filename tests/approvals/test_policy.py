"""The approval policy file is validated like a contract: each problem at its file:line, with
the fix, exit 2; and who belongs to which level."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from datapact_dagster.approvals.policy import Level, load_policy
from datapact_dagster.cli import main

BROKEN = """\
groups:
  governance: [gov.lead@example.com, not-an-address]
policies:
  - contracts: ["commerce.*"]
    levels:
      - owners
      - everyone
      - group: finance
    patch_needs_approval: maybe
    approvers: [x]
"""


@pytest.fixture
def project(project_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(project_root / "contracts", tmp_path / "contracts")
    shutil.copytree(project_root / "sql", tmp_path / "sql")
    monkeypatch.delenv("DATAPACT_APPROVALS_FILE", raising=False)
    monkeypatch.setenv("DATAPACT_STATE_DIR", str(tmp_path / ".datapact"))
    # `run` exports the project folder to its own environment: keep that inside this test
    monkeypatch.setenv("DATAPACT_PROJECT_DIR", str(tmp_path))
    return tmp_path


def test_every_problem_is_reported_at_its_line_with_the_fix(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "approvals.yaml").write_text(BROKEN)

    assert main(["--project", str(project), "approvals"]) == 2

    err = capsys.readouterr().err
    assert "approvals.yaml:2:" in err and "'not-an-address' in group 'governance'" in err
    assert "approvals.yaml:7:" in err and "unknown level 'everyone'" in err
    assert "approvals.yaml:8:" in err and "group 'finance' is not defined" in err
    assert "approvals.yaml:9:" in err and "'patch_needs_approval' must be true or false" in err
    assert "approvals.yaml:10:" in err and "unknown policy key 'approvers'" in err
    assert "Traceback" not in err
    assert main(["--project", str(project), "run"]) == 2


def test_without_a_policy_file_every_version_is_in_force(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--project", str(project), "approvals"]) == 0
    assert "No approval policy" in capsys.readouterr().out


def test_the_first_matching_policy_applies(project: Path) -> None:
    (project / "approvals.yaml").write_text(
        "groups:\n  governance: [gov@example.com]\n"
        "policies:\n"
        "  - contracts: [commerce.raw_*]\n    levels: [owners]\n"
        "  - domains: [commerce]\n    levels: [owners, {group: governance}]\n"
    )
    from datapact_dagster.plan.loading import require_contracts

    policy = load_policy(project)
    assert policy is not None
    contracts = {c.id: c for c in require_contracts(project).contracts}
    raw = policy.for_contract(contracts["commerce.raw_orders"])
    silver = policy.for_contract(contracts["commerce.orders"])
    assert raw is not None and raw.levels == (Level("owners"),)
    assert silver is not None and silver.levels == (Level("owners"), Level("group", "governance"))
