"""A separate process appending to a shared evidence store (imported by spawned children)."""

from __future__ import annotations

import random
import time
from multiprocessing.synchronize import Barrier

from datapact_dagster.evidence import EvidenceStore

from .factories import append, check_spec, failing, passing


def append_many(url: str, writer: str, appends: int, start: Barrier) -> None:
    store = EvidenceStore(url)
    spec = check_spec()
    start.wait(timeout=120)  # all writers begin appending together
    for index in range(appends):
        append(store, [passing(spec), failing(spec)], run_id=f"{writer}-{index}")
        time.sleep(random.uniform(0, 0.01))  # gives the other writer a chance at the lock
    store.close()
