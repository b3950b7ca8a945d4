"""A three-level approval policy on a breaking change, through the CLI on a real project: the
version is held until owners, the affected consumer team and governance sign it off in order,
each as themselves; approvals are gated on the migration check, voided by an edit, part of the
evidence chain; and the version comes into force only after the last level."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.changes.test_diff_git import commit, edit, git
from tests.processes import project_env, run_datapact

POLICY = """\
groups:
  customer-analytics: [ana.ruiz@example.com]
  governance: [gov.lead@example.com]
policies:
  - contracts: ["commerce.*"]
    levels:
      - owners
      - affected_consumers
      - group: governance
"""
UNIQUE_EMAIL = """        required: true
        unique: true
        description: Lower-cased e-mail address."""
SIGNUP_MINIMUM = 'minimum: "2015-01-01"'
OWNER, CONSUMER, GOVERNANCE = (
    "ana.ruiz@example.com",
    "deliverability@example.com",
    "gov.lead@example.com",
)

Cli = Callable[..., subprocess.CompletedProcess[str]]


@dataclass
class Story:
    root: Path
    steps: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)
    published_before: list[tuple] = field(default_factory=list)
    published_held: list[tuple] = field(default_factory=list)
    status_held: list[dict] = field(default_factory=list)
    pending: list[dict] = field(default_factory=list)
    pending_after_edit: list[dict] = field(default_factory=list)


def _published(root: Path) -> list[tuple]:
    import duckdb

    with duckdb.connect(str(root / ".datapact" / "warehouse.duckdb"), read_only=True) as db:
        return db.sql("SELECT * FROM silver.customers ORDER BY customer_id").fetchall()


@pytest.fixture(scope="module")
def story(project_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Story:
    root = tmp_path_factory.mktemp("approvals") / "project"
    root.mkdir()
    shutil.copytree(project_root / "contracts", root / "contracts")
    shutil.copytree(project_root / "sql", root / "sql")
    (root / ".gitignore").write_text(".datapact/\n")
    git(root, "init", "-q", "-b", "main")
    commit(root, "Contracts in force")

    def cli(*args: str, user: str | None = None) -> subprocess.CompletedProcess[str]:
        env = project_env(**({"DATAPACT_USER": user} if user else {}))
        return run_datapact(root, env, *args)

    story = Story(root)
    assert cli("generate", "--rows", "2000").returncode == 0
    first = cli("run", "--select", "+key:silver/customers")
    assert first.returncode == 0, first.stdout + first.stderr
    story.published_before = _published(root)

    (root / "approvals.yaml").write_text(POLICY)
    edit(
        root,
        "contracts/customers.yaml",
        UNIQUE_EMAIL,
        UNIQUE_EMAIL.replace("        unique: true\n", ""),
    )
    edit(root, "contracts/customers.yaml", "version: 1.1.0", "version: 2.0.0")
    story.pending = json.loads(cli("approvals", "--pending", "--format", "json").stdout)
    story.steps["run held"] = cli("run", "--select", "+key:silver/customers")
    story.published_held = _published(root)
    story.status_held = json.loads(cli("status", "--format", "json").stdout)
    story.steps["diff pending"] = cli("diff", "--base", "HEAD")

    story.steps["consumer too early"] = cli(
        "approve", "commerce.customers@2.0.0", "--comment", "ok", user=CONSUMER
    )
    story.steps["outsider"] = cli(
        "approve", "commerce.customers@2.0.0", "--comment", "ok", user="eve@example.com"
    )
    edit(root, "contracts/customers.yaml", SIGNUP_MINIMUM, 'minimum: "2100-01-01"')
    story.steps["failing data"] = cli(
        "approve", "commerce.customers@2.0.0", "--comment", "ok", user=OWNER
    )
    edit(root, "contracts/customers.yaml", 'minimum: "2100-01-01"', SIGNUP_MINIMUM)

    story.steps["owner"] = cli(
        "approve", "commerce.customers@2.0.0", "--comment", "dup e-mails are legal", user=OWNER
    )
    edit(
        root,
        "contracts/customers.yaml",
        "description: Lower-cased e-mail address.",
        "description: E-mail.",
    )
    story.pending_after_edit = json.loads(cli("approvals", "--pending", "--format", "json").stdout)
    edit(
        root,
        "contracts/customers.yaml",
        "description: E-mail.",
        "description: Lower-cased e-mail address.",
    )
    story.steps["consumer"] = cli(
        "approve", "commerce.customers@2.0.0", "--comment", "we do not rely on it", user=CONSUMER
    )
    story.steps["run between"] = cli("run", "--select", "+key:silver/customers")
    story.steps["governance"] = cli(
        "approve", "commerce.customers@2.0.0", "--comment", "logged", user=GOVERNANCE
    )
    story.steps["diff approved"] = cli("diff", "--base", "HEAD")
    story.steps["run approved"] = cli("run", "--select", "+key:silver/customers")
    story.steps["verify"] = cli("evidence", "verify")
    with sqlite3.connect(root / ".datapact" / "evidence.db") as db:
        db.execute(
            "UPDATE datapact_evidence_records SET details = replace(details, ?, ?) "
            "WHERE decision = 'approval'",
            (GOVERNANCE, "someone.else@example.com"),
        )
    story.steps["verify tampered"] = cli("evidence", "verify")
    return story


def test_a_breaking_version_is_pending_and_held_while_the_published_data_stays(
    story: Story,
) -> None:
    [pending] = [p for p in story.pending if p["contract"] == "commerce.customers"]
    assert pending["contract"] == "commerce.customers" and pending["in_force"] == "1.1.0"
    assert pending["waiting_on"][0]["who"] == "owner team customer-analytics"
    held = story.steps["run held"]
    assert held.returncode == 0, held.stdout + held.stderr
    assert "silver/customers" in held.stdout and "held (awaiting approval)" in held.stdout
    assert (
        "commerce.customers v2.0.0 awaits approval by owner team customer-analytics" in held.stdout
    )
    assert story.published_held == story.published_before
    states = {r["table"]: r for r in story.status_held}
    assert states["silver/customers"]["state"] == "awaiting approval"
    assert (
        "awaits approval by owner team customer-analytics"
        in states["silver/customers"]["awaiting_approval"]
    )
    assert states["bronze/raw_customers"]["state"] == "healthy"
    diff = story.steps["diff pending"]
    assert diff.returncode == 1 and "approval-missing" in diff.stdout


def test_levels_are_signed_in_order_by_their_members_only(story: Story) -> None:
    early = story.steps["consumer too early"]
    assert early.returncode == 1
    assert (
        "owner team customer-analytics must approve commerce.customers v2.0.0 first" in early.stderr
    )
    outsider = story.steps["outsider"]
    assert outsider.returncode == 1
    assert "eve@example.com is not in the level being asked" in outsider.stderr
    assert "ana.ruiz@example.com" in outsider.stderr


def test_an_approval_is_refused_while_the_published_data_fails_the_new_checks(story: Story) -> None:
    refused = story.steps["failing data"]
    assert refused.returncode == 1
    assert "cannot be approved while the published data fails its checks" in refused.stderr
    assert "customers__signup_date__between" in refused.stderr


def test_an_edit_voids_the_approvals_of_the_earlier_text(story: Story) -> None:
    assert story.steps["owner"].returncode == 0, story.steps["owner"].stderr
    assert "Still waiting on: consumer team deliverability" in story.steps["owner"].stdout
    [pending] = [p for p in story.pending_after_edit if p["contract"] == "commerce.customers"]
    assert pending["signed"] == []
    assert pending["waiting_on"][0]["who"] == "owner team customer-analytics"


def test_the_version_comes_into_force_only_after_the_last_level(story: Story) -> None:
    assert "Still waiting on: group governance" in story.steps["consumer"].stdout
    assert "held (awaiting approval)" in story.steps["run between"].stdout
    governance = story.steps["governance"]
    assert "Every level has approved" in governance.stdout, governance.stderr
    assert story.steps["diff approved"].returncode == 0, story.steps["diff approved"].stdout
    approved = story.steps["run approved"]
    assert approved.returncode == 0, approved.stdout + approved.stderr
    line = next(x for x in approved.stdout.splitlines() if x.startswith("silver/customers"))
    assert "published" in line


def test_approvals_are_in_the_evidence_chain_and_an_edit_is_caught(story: Story) -> None:
    assert story.steps["verify"].returncode == 0, story.steps["verify"].stdout
    tampered = story.steps["verify tampered"]
    assert tampered.returncode != 0
    assert "record" in (tampered.stdout + tampered.stderr).lower()
