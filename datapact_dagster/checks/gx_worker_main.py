"""The GX worker process (see gx_worker.py): loads GX, then validates each suite it is sent,
on connections of its own that it closes after each one so that the sender may reopen a warehouse
file only one process at a time may open."""

from __future__ import annotations

import os
import pickle
import sys
import threading
from collections.abc import Sequence
from typing import BinaryIO

import sqlalchemy as sa

from datapact_dagster.checks.gx_context import ephemeral_context
from datapact_dagster.checks.gx_outcomes import could_not_validate
from datapact_dagster.checks.gx_run import validate_suite
from datapact_dagster.checks.gx_suite import unique_columns
from datapact_dagster.checks.gx_worker import SuiteReply, SuiteRequest
from datapact_dagster.warehouse.dialects import for_engine
from datapact_dagster.warehouse.engine import warehouse_engine
from datapact_dagster.warehouse.key_counts import counting_keys
from datapact_dagster.warehouse.profile import RelationProfile, profile, with_distinct


def serve(requests: BinaryIO, replies: BinaryIO) -> None:
    """Answer each request on `requests` with a SuiteReply on `replies` (None: not answered
    here, the sender validates itself), until `requests` ends."""
    ephemeral_context()
    while True:
        try:
            request: SuiteRequest = pickle.load(requests)
        except EOFError:
            return
        try:
            reply = pickle.dumps(_reply(request))
        except Exception:  # a result that cannot be sent: the sender meets it itself
            reply = pickle.dumps(None)
        replies.write(reply)
        replies.flush()


def _reply(request: SuiteRequest) -> SuiteReply | None:
    engine = warehouse_engine(request.url)
    measured: list[RelationProfile] = []
    measuring: threading.Thread | None = None
    try:
        with engine.connect():  # refused while the sender still holds a single-process file
            pass
        dialect = for_engine(engine)
        if request.profile is not None:
            counted_by_suite = (
                unique_columns(request.suite) if dialect.unique_check_counts_keys else ()
            )
            measuring = threading.Thread(
                target=_measure, args=(engine, request, counted_by_suite, measured)
            )
            measuring.start()
        with dialect.check_limits(engine, request.reads) as connections, counting_keys() as counts:
            try:
                outcomes = validate_suite(request.suite, request.relation, engine, connections)
            except Exception as exc:  # GX failed as a whole (e.g. the relation is missing)
                return SuiteReply(None, could_not_validate(request.relation, exc))
        if measuring is not None:
            measuring.join()
        found = {key: (o.success, o.result, o.error) for key, o in outcomes.items()}
        return SuiteReply(found, profile=_completed(engine, request, measured, counts))
    finally:
        if measuring is not None:
            measuring.join()
        engine.dispose()


def _measure(
    engine: sa.Engine,
    request: SuiteRequest,
    counted_by_suite: Sequence[str],
    measured: list[RelationProfile],
) -> None:
    """The profile asked for, into `measured`, but the distinct values the suite counts on its
    way (`counted_by_suite`); nothing when it fails (the sender measures it)."""
    assert request.profile is not None
    wanted = request.profile
    distinct = [c for c in wanted.distinct_columns if c not in counted_by_suite]
    try:
        measured.append(profile(engine, request.relation, wanted.null_columns, distinct))
    except Exception:  # the sender measures it and meets the error itself
        return


def _completed(
    engine: sa.Engine,
    request: SuiteRequest,
    measured: list[RelationProfile],
    counts: dict[str, int],
) -> RelationProfile | None:
    """The profile measured beside the suite with the distinct counts the suite counted (any it
    did not count, counted now); None when none was measured."""
    if request.profile is None or not measured:
        return None
    try:
        return with_distinct(
            measured[0], engine, request.relation, request.profile.distinct_columns, counts
        )
    except Exception:  # the sender measures it and meets the error itself
        return None


def main() -> None:
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # what GX prints must not enter the pipe
    serve(sys.stdin.buffer, replies)
    replies.close()
    sys.stdout.flush()
    os._exit(0)  # the warehouse is closed; teardown would only report its bindings' leaks


if __name__ == "__main__":
    main()
