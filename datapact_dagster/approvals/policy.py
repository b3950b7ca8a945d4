"""The approval policy file (`approvals.yaml`): per contract or domain, which levels approve a
new version, in order, and who belongs to each group. Validated like a contract: every problem
with its file:line and the fix."""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datapact_dagster.contract.findings import Finding, FindingCollector
from datapact_dagster.contract.model import Contract
from datapact_dagster.contract.yaml_source import read_source

POLICY_FILE = "approvals.yaml"
POLICY_FILE_ENV = "DATAPACT_APPROVALS_FILE"
OWNERS, AFFECTED_CONSUMERS = "owners", "affected_consumers"
EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_POLICY_KEYS = {
    "contracts",
    "domains",
    "levels",
    "patch_needs_approval",
    "new_contracts_need_approval",
}


@dataclass(frozen=True)
class Level:
    """One level of sign-off: the contract's owners, each consumer team a breaking change
    affects, or a named group."""

    kind: str
    """`owners`, `affected_consumers` or `group`."""
    group: str | None = None

    @property
    def name(self) -> str:
        return f"group {self.group}" if self.kind == "group" else self.kind.replace("_", " ")


@dataclass(frozen=True)
class Policy:
    contracts: tuple[str, ...]
    domains: tuple[str, ...]
    levels: tuple[Level, ...]
    patch_needs_approval: bool
    new_contracts_need_approval: bool
    line: int

    def applies_to(self, contract: Contract) -> bool:
        if not self.contracts and not self.domains:
            return True
        by_id = any(fnmatch.fnmatchcase(contract.id, pattern) for pattern in self.contracts)
        by_domain = contract.domain is not None and contract.domain in self.domains
        return by_id or by_domain


@dataclass(frozen=True)
class ApprovalPolicy:
    file: str
    groups: dict[str, tuple[str, ...]]
    policies: tuple[Policy, ...]

    def for_contract(self, contract: Contract) -> Policy | None:
        """The first policy whose `contracts` or `domains` match; None: no approval needed."""
        return next((p for p in self.policies if p.applies_to(contract)), None)


class PolicyError(Exception):
    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        super().__init__("\n".join(f.render() for f in findings))


def policy_path(project_dir: Path) -> Path | None:
    """`$DATAPACT_APPROVALS_FILE` (which must exist), else `<project>/approvals.yaml` if present."""
    configured = os.environ.get(POLICY_FILE_ENV, "").strip()
    if configured:
        return Path(configured)
    default = project_dir / POLICY_FILE
    return default if default.is_file() else None


def load_policy(project_dir: Path) -> ApprovalPolicy | None:
    """The project's policy; None without a policy file. Raises PolicyError when invalid."""
    path = policy_path(project_dir)
    if path is None:
        return None
    file = path if path.is_absolute() else project_dir / path
    display = file.relative_to(project_dir) if file.is_relative_to(project_dir) else file
    out = FindingCollector(display)
    source = read_source(file, out)
    policy = _build(source.data, str(display), out) if source is not None else None
    if out.has_errors or policy is None:
        raise PolicyError([f for f in out.findings if f.severity == "error"])
    return policy


def _build(data: Any, file: str, out: FindingCollector) -> ApprovalPolicy | None:
    if not isinstance(data, dict):
        out.add((), "the approval policy must be a mapping", "start with 'groups:' and 'policies:'")
        return None
    for key in sorted(set(data) - {"groups", "policies"}):
        out.add((key,), f"unknown key '{key}'", "use only 'groups' and 'policies'")
    groups = _groups(data.get("groups", {}), out)
    raw = data.get("policies")
    if not isinstance(raw, list) or not raw:
        out.add(("policies",), "'policies' must be a non-empty list", "add at least one policy")
        return None
    policies = [_policy(item, i, groups, out) for i, item in enumerate(raw)]
    return ApprovalPolicy(file, groups, tuple(p for p in policies if p is not None))


def _groups(raw: Any, out: FindingCollector) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        out.add(("groups",), "'groups' must map a group name to e-mail addresses", "fix 'groups'")
        return {}
    groups: dict[str, tuple[str, ...]] = {}
    for name, members in raw.items():
        if not isinstance(members, list) or not members:
            out.add(
                ("groups", name),
                f"group '{name}' needs a list of e-mail addresses",
                "list its members",
            )
            continue
        for index, member in enumerate(members):
            if not isinstance(member, str) or not EMAIL.match(member.strip()):
                out.add(
                    ("groups", name, index),
                    f"'{member}' in group '{name}' is not an e-mail address",
                    "write each member as name@domain",
                )
        groups[str(name)] = tuple(str(m).strip().lower() for m in members if isinstance(m, str))
    return groups


def _policy(
    item: Any, index: int, groups: dict[str, tuple[str, ...]], out: FindingCollector
) -> Policy | None:
    at = ("policies", index)
    if not isinstance(item, dict):
        out.add(
            at, "each policy must be a mapping", "give it 'levels' (and 'contracts' or 'domains')"
        )
        return None
    for key in sorted(set(item) - _POLICY_KEYS):
        out.add(
            (*at, key), f"unknown policy key '{key}'", f"use only {', '.join(sorted(_POLICY_KEYS))}"
        )
    levels = _levels(item.get("levels"), (*at, "levels"), groups, out)
    flags = {}
    for key, default in (("patch_needs_approval", False), ("new_contracts_need_approval", True)):
        value = item.get(key, default)
        if not isinstance(value, bool):
            out.add(
                (*at, key), f"'{key}' must be true or false", f"write {key}: {str(default).lower()}"
            )
        flags[key] = bool(value)
    return Policy(
        contracts=_names(item.get("contracts"), (*at, "contracts"), out),
        domains=_names(item.get("domains"), (*at, "domains"), out),
        levels=tuple(levels),
        line=out.locate(at)[0],
        **flags,
    )


def _names(raw: Any, at: tuple[Any, ...], out: FindingCollector) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        out.add(at, f"'{at[-1]}' must be a list of names", "e.g. [commerce.*] or [commerce]")
        return ()
    return tuple(raw)


def _levels(
    raw: Any, at: tuple[Any, ...], groups: dict[str, tuple[str, ...]], out: FindingCollector
) -> list[Level]:
    if not isinstance(raw, list) or not raw:
        out.add(at, "'levels' must be a non-empty list", f"e.g. [{OWNERS}, {AFFECTED_CONSUMERS}]")
        return []
    levels: list[Level] = []
    for index, level in enumerate(raw):
        if level in (OWNERS, AFFECTED_CONSUMERS):
            levels.append(Level(level))
        elif isinstance(level, dict) and set(level) == {"group"}:
            if level["group"] not in groups:
                known = ", ".join(sorted(groups)) or "none defined"
                out.add(
                    (*at, index, "group"),
                    f"group '{level['group']}' is not defined under 'groups' (defined: {known})",
                    "define the group with its members' e-mail addresses, or fix the name",
                )
            levels.append(Level("group", str(level["group"])))
        else:
            out.add(
                (*at, index),
                f"unknown level {level!r}",
                f"use '{OWNERS}', '{AFFECTED_CONSUMERS}' or '{{group: <name>}}'",
            )
    return levels
