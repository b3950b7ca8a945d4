"""Failpoints: a test facility that kills a run at a precise phase of a table's step.

With DATAPACT_FAILPOINT=<name> (or <name>:<relation>, e.g. `staged:bronze.raw_orders`), the
step that reaches `failpoint(name, relation)` SIGKILLs the launching `datapact run` process and
then itself, exactly as `kill -9` would at that moment. The fault-matrix tests use it; with the
variable unset (always, in production) a failpoint does nothing.

Points, in the order a step reaches them (`pipeline/table_run.py`):
`staged` (staging relation built), `audited` (checks ran), `checks_recorded` (check results in
the evidence), `decided` (publish or quarantine decision in the evidence, table not yet swapped),
`published` (new table swapped in, step not yet reported to Dagster).
"""

from __future__ import annotations

import os
import signal

from datapact_dagster.pipeline.run_owner import RUN_PID_ENV

FAILPOINT_ENV = "DATAPACT_FAILPOINT"
POINTS = ("staged", "audited", "checks_recorded", "decided", "published")


def failpoint(name: str, relation: str) -> None:
    wanted = os.environ.get(FAILPOINT_ENV)
    if not wanted or wanted not in (name, f"{name}:{relation}"):
        return
    launcher = os.environ.get(RUN_PID_ENV, "")
    if launcher.isdigit() and int(launcher) != os.getpid():
        os.kill(int(launcher), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)
