from __future__ import annotations

from pathlib import Path

import pytest

from datapact_dagster.evidence import EvidenceStore

from .scenario import build_history


@pytest.fixture
def history_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> EvidenceStore:
    store = EvidenceStore(f"sqlite:///{tmp_path / 'evidence.db'}")
    build_history(store, monkeypatch)
    return store
