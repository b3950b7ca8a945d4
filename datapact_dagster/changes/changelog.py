"""A contract's history from git: for each version, the classified changes, the commit that set
it, and the commits since the previous version (their messages are the reasons)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from datapact_dagster.changes.compare import compare_contracts
from datapact_dagster.changes.git_refs import GitError, Repo, git_text
from datapact_dagster.changes.model import Bump, Change
from datapact_dagster.changes.sides import load_file_side
from datapact_dagster.changes.versions import required_bump
from datapact_dagster.contract.model import Contract

_FIELD, _RECORD = "\x1f", "\x1e"


@dataclass(frozen=True)
class CommitInfo:
    commit: str
    author: str
    date: str
    message: str


@dataclass(frozen=True)
class VersionEntry:
    contract_id: str
    version: str
    previous_version: str | None
    status: str
    file: str
    commit: CommitInfo
    """The commit that set this version."""
    commits: tuple[CommitInfo, ...]
    """Every commit since the previous version that changed the file, oldest first."""
    changes: tuple[Change, ...]
    required_bump: Bump


def _log(repo: Repo, path: str, since: str | None) -> list[tuple[CommitInfo, str]]:
    """(commit, the file's path in it), oldest first, following renames."""
    revision = [f"{since}..HEAD"] if since else []
    out = git_text(
        repo.project,
        "log",
        "--follow",
        "--name-only",
        f"--format={_RECORD}%H{_FIELD}%an <%ae>{_FIELD}%aI{_FIELD}%B{_FIELD}",
        *revision,
        "--",
        path,
    )
    history = []
    for record in out.split(_RECORD)[1:]:
        commit, author, date, message, names = record.split(_FIELD)
        changed = [n for n in names.strip().splitlines() if n.strip()]
        if not changed:
            continue
        info = CommitInfo(commit, author, date, message.strip())
        history.append((info, changed[-1]))
    return list(reversed(history))


def _contract_at(repo: Repo, commit: str, top_path: str, tmp: Path) -> Contract | None:
    """The contract in `top_path` (from the repository's top) at `commit`; None if invalid."""
    relative = top_path.removeprefix(repo.prefix)
    dest = tmp / commit
    if not dest.exists():
        repo.materialise(commit, dest, ("sql",))
    file = dest / relative
    if not file.exists():
        repo.materialise(commit, dest, (relative,))
    if not file.is_file():
        return None
    side = load_file_side(commit, file, dest)
    return next(iter(side.contracts.values()), None) if side.valid else None


def contract_files(repo: Repo) -> list[str]:
    """The contract files at HEAD, as paths from the repository's top."""
    out = git_text(repo.project, "ls-tree", "-r", "--name-only", "HEAD", "--", "contracts")
    return [
        f"{repo.prefix}{line}" if not line.startswith(repo.prefix) else line
        for line in out.splitlines()
        if line.endswith((".yaml", ".yml"))
    ]


def history(
    repo: Repo, contract_id: str | None = None, since: str | None = None
) -> list[VersionEntry]:
    """Every version of every contract at HEAD (or of `contract_id`), oldest first per
    contract; with `since`, only versions set after that ref, compared with the one at it."""
    since_commit = repo.commit(since) if since else None
    entries: list[VersionEntry] = []
    with tempfile.TemporaryDirectory(prefix="datapact-changelog-") as tmp:
        for path in contract_files(repo):
            log = _log(repo, path, since_commit)
            if not log:
                continue
            released: Contract | None = None
            if since_commit is not None:
                released = _contract_at(repo, since_commit, log[0][1], Path(tmp))
            pending: list[CommitInfo] = []
            for info, at_path in log:
                current = _contract_at(repo, info.commit, at_path, Path(tmp))
                pending.append(info)
                if current is None or (contract_id and current.id != contract_id):
                    continue
                if released is not None and current.version == released.version:
                    continue
                changes = tuple(compare_contracts(released, current))
                entries.append(
                    VersionEntry(
                        contract_id=current.id,
                        version=current.version,
                        previous_version=released.version if released else None,
                        status=current.status,
                        file=str(current.source_path),
                        commit=info,
                        commits=tuple(pending),
                        changes=changes,
                        required_bump=required_bump(changes),
                    )
                )
                released, pending = current, []
    return entries


__all__ = ["CommitInfo", "GitError", "VersionEntry", "contract_files", "history"]
