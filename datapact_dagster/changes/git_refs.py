"""Reading a project's contracts and SQL at a git ref: refs resolved, trees materialised."""

from __future__ import annotations

import io
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

PROJECT_FOLDERS = ("contracts", "sql")
DEFAULT_BRANCHES = ("origin/HEAD", "origin/main", "origin/master", "main", "master")


class GitError(Exception):
    """Git cannot answer: not a repository, an unknown ref, no default branch."""


def git(project: Path, *args: str, binary: bool = False) -> str | bytes:
    try:
        done = subprocess.run(
            ["git", "-C", str(project), *args], capture_output=True, check=False, timeout=120
        )
    except FileNotFoundError as exc:
        raise GitError("git is not installed (it is needed to compare git refs)") from exc
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} failed")
    return done.stdout if binary else done.stdout.decode(errors="replace")


def git_text(project: Path, *args: str) -> str:
    out = git(project, *args)
    assert isinstance(out, str)
    return out


@dataclass(frozen=True)
class Repo:
    """The project folder inside its repository: `prefix` is its path from the top."""

    project: Path
    top: Path
    prefix: str

    @classmethod
    def of(cls, project: Path) -> Repo:
        if not project.is_dir():
            raise GitError(f"{project} is not a folder")
        try:
            top = git_text(project, "rev-parse", "--show-toplevel").strip()
            prefix = git_text(project, "rev-parse", "--show-prefix").strip()
        except GitError:
            raise GitError(
                f"{project} is not inside a git repository (run 'git init' there, or pass "
                "--project with the repository's project folder)"
            ) from None
        return cls(project, Path(top), prefix)

    def commit(self, ref: str) -> str:
        """The full commit id `ref` names."""
        try:
            return git_text(
                self.project, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"
            ).strip()
        except GitError:
            raise GitError(
                f"unknown git ref {ref!r}; name a branch, tag or commit that exists here "
                "(in CI, fetch the history: fetch-depth: 0)"
            ) from None

    def short(self, commit: str) -> str:
        return commit[:10]

    def default_base(self) -> tuple[str, str]:
        """(label, commit): the merge base of HEAD with the default branch."""
        for branch in DEFAULT_BRANCHES:
            try:
                target = self.commit(branch)
            except GitError:
                continue
            base = git_text(self.project, "merge-base", "HEAD", target).strip()
            return f"merge-base with {branch} ({self.short(base)})", base
        raise GitError(
            "no default branch to compare with (origin/HEAD, main or master); pass --base REF"
        )

    def materialise(
        self, commit: str, dest: Path, paths: tuple[str, ...] = PROJECT_FOLDERS
    ) -> None:
        """Write the project's `paths` (folders or files) as they are at `commit` into `dest`."""
        present = [p for p in paths if self._exists(commit, p)]
        dest.mkdir(parents=True, exist_ok=True)
        if not present:
            return
        tree = f"{commit}:{self.prefix}" if self.prefix else f"{commit}:"
        archive = git(self.project, "archive", "--format=tar", tree, "--", *present, binary=True)
        assert isinstance(archive, bytes)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(dest, filter="data")

    def _exists(self, commit: str, path: str) -> bool:
        try:
            git(self.project, "cat-file", "-e", f"{commit}:{self.prefix}{path}")
        except GitError:
            return False
        return True
